//! `deskroster init`: a small, heavily commented example term folder.

use std::path::Path;

use super::InputError;

const TERM: &str = r#"# term.toml: the desks, their hours and the rules of one term.
# Every key is documented in the README (Input format reference). Times are "HH:MM" (24 h clock, "24:00" = midnight),
# time ranges "08:30-21:00", durations "2h30m" / "4h" / "90m", dates 2027-02-15 (with or
# without quotes), date ranges "2027-02-15..2027-02-19" (both ends included).
# Day patterns: "mon", "mon-thu", "mon,wed,fri", "weekdays", "weekends", "daily".

name = "Example term"
timezone = "America/Toronto"     # IANA name (default "America/Toronto")
start = 2027-01-04               # first day of the term (any weekday)
end = 2027-01-31                 # last day of the term, included
closed = ["2027-01-18"]          # holidays: every desk is closed (dates or ranges)
slot = "30m"                     # grain of coverage and shift boundaries (default "30m")
evening_start = "17:00"          # shifts ending after this count as evening shifts

# Skills a requirement or a person may name.
skills = ["keyholder", "first-aid"]

# Groups, with contract defaults that a person's [contract] overrides key by key.
[groups.staff]
max_day = "8h"

[groups.student]
max_day = "4h"
max_week = "10h"
# max_term = "120h"              # a work-study budget over the whole term

# Shape of shifts, for everyone (these are the defaults).
[rules]
min_length = "2h"
max_length = "5h"
max_shifts_per_day = 2
min_gap = "30m"                  # between two shifts of one person on one day
meal_break_after = "5h"          # caps max_length (Ontario ESA: a meal break after 5 h)
meal_break = "30m"               # raises min_gap
min_rest = "10h"                 # between one day's last shift and the next day's first

# Objective weights (per person-hour); omit to keep the defaults.
[weights]
coverage_min = 1000
coverage_target = 20

# A service point and its weekly opening hours.
[[desk]]
name = "Service Desk"
hours = { weekdays = "09:00-17:00", "sat-sun" = "closed" }

# A dated period replaces the weekly hours on its dates; weekdays it does not list are closed.
[[desk.period]]
name = "Reading week"
dates = "2027-01-25..2027-01-31"
hours = { weekdays = "10:00-16:00" }

[[desk]]
name = "Chat"
hours = { weekdays = "10:00-14:00" }

# Coverage per desk, days and time window. Later rules override earlier ones slot by slot.
# Slots with no rule: min 0, target 0, max = number of people.
[[cover]]
desk = "Service Desk"            # omit for every desk
days = "daily"                   # default "daily"
min = 1                          # below min is a shortfall (dominant penalty)
target = 2                       # below target costs a little
max = 3                          # a hard upper bound

[[cover]]
desk = "Service Desk"
days = "weekdays"
time = "12:00-13:00"             # default: all day
min = 1
target = 2
max = 3

[[cover]]
desk = "Chat"
min = 1
max = 1

# Staff mix: at least `need` people with a skill or from a group.
[[require]]
desk = "Service Desk"
at = "opening"                   # the first slot of each open day ("closing": the last)
skill = "keyholder"

[[require]]
desk = "Service Desk"
at = "closing"
skill = "keyholder"

[[require]]
desk = "Service Desk"
time = "17:00-24:00"
group = "staff"

[[require]]
desk = "Service Desk"
days = "weekends"
group = "staff"

[[require]]
desk = "Service Desk"
skill = "first-aid"
if_possible = true               # a soft wish (weight 50 instead of 1000 per person-hour)
"#;

const PEOPLE: [(&str, &str); 4] = [
    (
        "maria-lopez.toml",
        r#"# One file per person. Every key is documented in the README (Input format reference).
name = "Maria Lopez"
group = "staff"
# A skill is a name, or a table with the dates it is valid.
skills = ["keyholder", { name = "first-aid", until = 2027-01-20 }]
# desks = ["Service Desk"]       # default: every desk

[contract]                       # overrides the group's defaults key by key
min_week = "10h"
max_week = "40h"

# Weekly availability: day pattern = one window or a list of windows.
[available]
"mon-fri" = "08:00-21:00"
"sat-sun" = "10:30-17:00"

# "Always opens on Mondays."
[[fixed]]
days = "mon"
desk = "Service Desk"
time = "08:30-10:30"
"#,
    ),
    (
        "tom-baker.toml",
        r#"name = "Tom Baker"
group = "staff"
skills = ["keyholder", "first-aid"]

[contract]
max_week = "35h"

[available]
"mon-thu" = "12:00-21:00"
"sat-sun" = "10:30-17:00"

# Dated unavailability: a date, a range or a list; optionally only some hours.
[[unavailable]]
dates = "2027-01-11..2027-01-12"
reason = "conference"

[[avoid]]
days = "sun"
weight = 5                       # per hour worked inside the window
"#,
    ),
    (
        "priya-shah.toml",
        r#"name = "Priya Shah"
group = "student"
desks = ["Service Desk", "Chat"]

[available]
"mon,wed,fri" = ["09:00-12:00", "13:00-17:00"]
"tue,thu" = "13:00-21:00"

[[unavailable]]
dates = "2027-01-29"
time = "09:00-12:00"
reason = "midterm"

[[prefer]]
days = "mon,wed,fri"
time = "09:00-12:00"
weight = 2                       # per hour worked outside the preferred windows of that day
"#,
    ),
    (
        "sam-okoye.toml",
        r#"name = "Sam Okoye"
group = "student"

[contract]
max_term = "60h"                 # work-study budget over the whole term

[available]
weekdays = "10:00-16:00"
sat = "11:00-17:00"
"#,
    ),
];

const ABSENCES: &str = r#"# absences.toml: sick calls and other last-minute absences, kept for every rerun.
# `deskroster absence` appends and removes entries; you may also edit this file by hand.
#
# [[absence]]
# person = "Tom Baker"
# date = 2027-01-14              # or dates = "2027-01-14..2027-01-15"
# from = "15:00"                 # optional: leaves at 15:00
# to = "21:00"                   # optional
# reason = "flu"
"#;

/// Writes a small, commented example term into `dir` (created when missing): `term.toml`,
/// four people in `people/` and an empty `absences.toml`. The result loads without error.
///
/// # Errors
/// When `dir/term.toml` already exists (nothing is overwritten) or a file cannot be written.
pub fn scaffold(dir: &Path) -> Result<(), InputError> {
    let term = dir.join("term.toml");
    if term.exists() {
        return Err(
            InputError::folder(&term, "already exists; refusing to overwrite it")
                .with_help("choose an empty folder for the new term"),
        );
    }
    let people = dir.join("people");
    std::fs::create_dir_all(&people)
        .map_err(|e| InputError::io(&people, "cannot create folder", e))?;
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).map_err(|e| InputError::io(path, "cannot write file", e))
    };
    for (name, text) in PEOPLE {
        let path = people.join(name);
        if !path.exists() {
            write(&path, text)?;
        }
    }
    let absences = dir.join("absences.toml");
    if !absences.exists() {
        write(&absences, ABSENCES)?;
    }
    write(&term, TERM)
}

#[cfg(test)]
pub(crate) fn example_files() -> (
    &'static str,
    Vec<(&'static str, &'static str)>,
    &'static str,
) {
    (TERM, PEOPLE.to_vec(), ABSENCES)
}
