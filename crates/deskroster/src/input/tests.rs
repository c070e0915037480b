//! Tests of the term-folder reader: every bad-input case with its message and location, the
//! sample term, the scaffold, absences editing and a no-panic property test.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::model::{Cover, PreferenceKind, TimeRange, Who};

const TERM: &str = r#"name = "Test"
start = 2027-01-04
end = 2027-01-17
skills = ["keyholder", "first-aid"]

[groups.staff]

[groups.student]
max_day = "4h"
max_week = "10h"

[[desk]]
name = "Desk"
hours = { "mon-fri" = "09:00-17:00", sat = "10:00-14:00" }

[[cover]]
desk = "Desk"
min = 1
target = 2
max = 3
"#;

const ANA: &str = r#"name = "Ana"
group = "staff"
skills = ["keyholder"]

[available]
weekdays = "09:00-17:00"
"#;

const BEN: &str = r#"name = "Ben"
group = "student"

[available]
"mon,wed" = ["09:00-12:00", "13:00-17:00"]
sat = "10:00-14:00"
"#;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Replaces `from` by `to` in `text`, asserting it occurs.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not in text");
    text.replacen(from, to, 1)
}

/// 1-based line and column of the first occurrence of `needle` in `text`.
fn pos(text: &str, needle: &str) -> (usize, usize) {
    let i = text.find(needle).expect("needle");
    let before = &text[..i];
    (
        before.matches('\n').count() + 1,
        before.rsplit('\n').next().unwrap().chars().count() + 1,
    )
}

fn ok(term: &str, people: &[(&str, &str)], absences: Option<&str>) -> Term {
    match parse_term_str(term, people, absences) {
        Ok(t) => t,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

/// The error's message, file, line and column.
fn fails(
    term: &str,
    people: &[(&str, &str)],
    absences: Option<&str>,
) -> (String, String, usize, usize) {
    let e = parse_term_str(term, people, absences).expect_err("expected an error");
    let (path, line, col) = e.location().expect("a located error");
    let path = path.display().to_string();
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("{path}:{line}:{col}: ")),
        "display {shown:?} does not start with the location"
    );
    (e.message(), path, line, col)
}

/// Asserts the error message contains `msg` and points at `needle` in `text` (file `path`).
fn assert_err(
    got: (String, String, usize, usize),
    msg: &str,
    path: &str,
    text: &str,
    needle: &str,
) {
    let (m, p, l, c) = got;
    assert!(m.contains(msg), "message {m:?} does not contain {msg:?}");
    assert_eq!(p, path, "file of {m:?}");
    assert_eq!((l, c), pos(text, needle), "location of {m:?}");
}

#[test]
fn builds_the_base_term() {
    let t = ok(TERM, &[("ana.toml", ANA), ("ben.toml", BEN)], None);
    let p = &t.problem;
    assert_eq!(p.days.len(), 14);
    assert_eq!(p.timezone, "America/Toronto");
    assert_eq!(p.slot_minutes, 30);
    assert_eq!(p.evening_start, 17 * 60);
    assert_eq!(p.groups, ["staff", "student"]);
    let desk = &p.desks[0];
    let mon = desk.days[0].as_ref().unwrap();
    assert_eq!(mon.open, TimeRange::new(540, 1020).unwrap());
    assert_eq!(mon.cover.len(), 16);
    assert_eq!(
        mon.cover[0],
        Cover {
            min: 1,
            target: 2,
            max: 3
        }
    );
    assert!(desk.days[6].is_none(), "closed on sunday");
    let ben = &p.people[1];
    assert_eq!(ben.contract.max_day, Some(240));
    assert_eq!(ben.contract.max_week, Some(600));
    assert_eq!(ben.availability[0].len(), 2);
    assert!(ben.availability[1].is_empty());
    assert_eq!(ben.desks, [0]);
    p.validate().unwrap();
}

#[test]
fn a_term_need_not_start_on_monday() {
    let term = edit(TERM, "start = 2027-01-04", "start = 2027-01-06");
    let t = ok(&term, &[("ana.toml", ANA)], None);
    assert_eq!(t.problem.days[0], date("2027-01-06"));
    assert_eq!(t.problem.days.len(), 12);
}

#[test]
fn rejects_toml_syntax_error() {
    let term = edit(TERM, "name = \"Test\"", "name = \"Test");
    let (m, p, l, c) = fails(&term, &[("ana.toml", ANA)], None);
    assert_eq!((p.as_str(), l), ("term.toml", 1));
    assert!(c >= 8, "column {c}");
    assert!(m.contains("string"), "{m}");
}

#[test]
fn rejects_unknown_key() {
    let term = edit(TERM, "min = 1", "mni = 1");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "unknown field `mni`",
        "term.toml",
        &term,
        "mni",
    );
    let ana = edit(ANA, "group =", "gruop =");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "unknown field `gruop`",
        "people/ana.toml",
        &ana,
        "gruop",
    );
}

#[test]
fn rejects_wrong_type() {
    let term = edit(TERM, "min = 1", "min = \"one\"");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "invalid type: string \"one\"",
        "term.toml",
        &term,
        "\"one\"",
    );
    let (m, _, l, c) = fails("name = 3", &[], None);
    assert!(
        m.contains("invalid type: integer `3`, expected a string"),
        "{m}"
    );
    assert_eq!((l, c), (1, 8));
}

#[test]
fn rejects_impossible_time() {
    let term = edit(TERM, "\"09:00-17:00\"", "\"09:00-25:00\"");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "time \"25:00\" does not exist",
        "term.toml",
        &term,
        "\"09:00-25:00\"",
    );
    let ana = edit(ANA, "09:00-17:00", "9h-17h");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "expected a time like \"08:30\"",
        "people/ana.toml",
        &ana,
        "\"9h-17h\"",
    );
}

#[test]
fn rejects_end_before_start() {
    let term = edit(TERM, "\"09:00-17:00\"", "\"17:00-09:00\"");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "\"17:00-09:00\" ends before it starts",
        "term.toml",
        &term,
        "\"17:00-09:00\"",
    );
    let term = edit(TERM, "end = 2027-01-17", "end = 2027-01-01");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "term end 2027-01-01 is before its start",
        "term.toml",
        &term,
        "2027-01-01",
    );
    let ana = format!("{ANA}\n[[unavailable]]\ndates = \"2027-01-08..2027-01-05\"\n");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "ends before it starts",
        "people/ana.toml",
        &ana,
        "\"2027-01-08..",
    );
}

#[test]
fn rejects_overlapping_windows() {
    let ana = format!("{ANA}mon = \"12:00-18:00\"\n");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "availability windows 09:00-17:00 and 12:00-18:00 overlap on mon",
        "people/ana.toml",
        &ana,
        "\"12:00-18:00\"",
    );
}

#[test]
fn rejects_empty_window() {
    let ana = edit(ANA, "09:00-17:00", "09:00-09:00");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "\"09:00-09:00\" is empty",
        "people/ana.toml",
        &ana,
        "\"09:00-09:00\"",
    );
}

#[test]
fn rejects_a_day_given_twice_in_hours() {
    let term = edit(TERM, "sat = ", "\"fri-sat\" = ");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "fri is given twice in the hours: in \"mon-fri\" and in \"fri-sat\"",
        "term.toml",
        &term,
        "\"fri-sat\"",
    );
}

#[test]
fn rejects_date_outside_the_term() {
    let term = edit(
        TERM,
        "skills =",
        "closed = [2027-01-11, 2026-01-12]\nskills =",
    );
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "date \"2026-01-12\" is outside the term (2027-01-04 to 2027-01-17)",
        "term.toml",
        &term,
        "2026-01-12",
    );
    let ana = format!("{ANA}\n[[unavailable]]\ndates = \"2027-03-01..2027-03-05\"\n");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "outside the term",
        "people/ana.toml",
        &ana,
        "\"2027-03-01",
    );
}

#[test]
fn rejects_unknown_names() {
    let term = edit(TERM, "desk = \"Desk\"", "desk = \"Dsek\"");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "unknown desk \"Dsek\": expected one of \"Desk\"",
        "term.toml",
        &term,
        "\"Dsek\"",
    );

    let ana = edit(ANA, "[\"keyholder\"]", "[\"keyholdr\"]");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "unknown skill \"keyholdr\"",
        "people/ana.toml",
        &ana,
        "\"keyholdr\"",
    );

    let ana = edit(ANA, "\"staff\"", "\"stuff\"");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "unknown group \"stuff\": expected one of \"staff\", \"student\"",
        "people/ana.toml",
        &ana,
        "\"stuff\"",
    );

    let term = format!("{TERM}\n[[require]]\nat = \"opening\"\nskill = \"kyholder\"\n");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "unknown skill \"kyholder\"",
        "term.toml",
        &term,
        "\"kyholder\"",
    );

    let abs = "[[absence]]\nperson = \"Zed\"\ndate = 2027-01-05\n";
    assert_err(
        fails(TERM, &[("ana.toml", ANA)], Some(abs)),
        "unknown person \"Zed\": expected one of \"Ana\"",
        "absences.toml",
        abs,
        "\"Zed\"",
    );

    let ana =
        format!("{ANA}\n[[fixed]]\ndays = \"mon\"\ndesk = \"Front\"\ntime = \"09:00-11:00\"\n");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "unknown desk \"Front\"",
        "people/ana.toml",
        &ana,
        "\"Front\"",
    );
}

#[test]
fn rejects_duplicate_person_names() {
    let ana2 = ANA.to_string();
    assert_err(
        fails(TERM, &[("ana.toml", ANA), ("ana-again.toml", &ana2)], None),
        "duplicate person name \"Ana\": also in people/ana.toml",
        "people/ana-again.toml",
        &ana2,
        "\"Ana\"",
    );
}

#[test]
fn rejects_negative_and_zero_durations() {
    let term = format!("{TERM}\n[rules]\nmin_length = \"-2h\"\n");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "negative duration \"-2h\"",
        "term.toml",
        &term,
        "\"-2h\"",
    );
    let term = edit(TERM, "max_week = \"10h\"", "max_week = \"0h\"");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "duration \"0h\" must be positive",
        "term.toml",
        &term,
        "\"0h\"",
    );
    let term = edit(TERM, "skills =", "slot = \"0m\"\nskills =");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "must be positive",
        "term.toml",
        &term,
        "\"0m\"",
    );
}

#[test]
fn rejects_min_above_max() {
    let term = edit(TERM, "min = 1", "min = 4");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "coverage min 4 is above max 3",
        "term.toml",
        &term,
        "4\ntarget",
    );
    let term = edit(TERM, "target = 2", "target = 5");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "coverage target 5 is above max 3",
        "term.toml",
        &term,
        "5\nmax",
    );
    let ana = format!("{ANA}\n[contract]\nmin_week = \"12h\"\nmax_week = \"10h\"\n");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "contract min_week 12h is above its maximum 10h",
        "people/ana.toml",
        &ana,
        "\"12h\"",
    );
    // The maximum can come from the group's defaults.
    let ben = format!("{BEN}\n[contract]\nmin_week = \"11h\"\n");
    assert_err(
        fails(TERM, &[("ben.toml", &ben)], None),
        "min_week 11h is above its maximum 10h",
        "people/ben.toml",
        &ben,
        "\"11h\"",
    );
    let term = format!("{TERM}\n[rules]\nmin_length = \"6h\"\n");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "min_length 6h is above the longest allowed shift 5h",
        "term.toml",
        &term,
        "\"6h\"",
    );
}

#[test]
fn rejects_person_with_no_availability() {
    let ana = "name = \"Ana\"\ngroup = \"staff\"\n";
    assert_err(
        fails(TERM, &[("ana.toml", ana)], None),
        "\"Ana\" has no availability at all",
        "people/ana.toml",
        ana,
        "\"Ana\"",
    );
    let ana = "name = \"Ana\"\ngroup = \"staff\"\n[available]\n";
    assert_err(
        fails(TERM, &[("ana.toml", ana)], None),
        "no availability at all",
        "people/ana.toml",
        ana,
        "[available]",
    );
    // Unavailable for the whole term is also no availability.
    let ana = format!("{ANA}\n[[unavailable]]\ndates = \"2027-01-04..2027-01-17\"\n");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "no availability at all",
        "people/ana.toml",
        &ana,
        "[available]",
    );
}

#[test]
fn rejects_empty_people_folder() {
    let e = parse_term_str(TERM, &[], None).unwrap_err();
    assert_eq!(e.to_string(), "people: no person files (*.toml) found");
    assert!(e.location().is_none());

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("term.toml"), TERM).unwrap();
    std::fs::create_dir(dir.path().join("people")).unwrap();
    std::fs::write(dir.path().join("people/notes.txt"), "not a person").unwrap();
    let e = load_term(dir.path()).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("people: no person files (*.toml) found"),
        "{e}"
    );
}

#[test]
fn rejects_slot_length_that_does_not_divide_hours() {
    let term = edit(TERM, "skills =", "slot = \"1h\"\nskills =");
    let term = edit(&term, "09:00-17:00", "09:30-17:00");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "opening hours 09:30-17:00 is not on the 60-minute slot grid",
        "term.toml",
        &term,
        "\"09:30-17:00\"",
    );
    let ana = edit(ANA, "09:00-17:00", "09:15-17:00");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "availability window 09:15-17:00 is not on the 30-minute slot grid",
        "people/ana.toml",
        &ana,
        "\"09:15-17:00\"",
    );
    let term = edit(TERM, "skills =", "slot = \"7m\"\nskills =");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "must be at least 5m and divide a day",
        "term.toml",
        &term,
        "\"7m\"",
    );
    let term = edit(TERM, "skills =", "slot = \"20m\"\nskills =");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "the slot length 20m does not divide min_gap 30m",
        "term.toml",
        &term,
        "\"20m\"",
    );
}

#[test]
fn rejects_unknown_time_zone() {
    let term = edit(TERM, "start =", "timezone = \"Mars/Olympus\"\nstart =");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "unknown time zone \"Mars/Olympus\"",
        "term.toml",
        &term,
        "\"Mars/Olympus\"",
    );
}

#[test]
fn rejects_bad_day_pattern() {
    let ana = edit(ANA, "weekdays =", "wekdays =");
    assert_err(
        fails(TERM, &[("ana.toml", &ana)], None),
        "unknown day pattern \"wekdays\"",
        "people/ana.toml",
        &ana,
        "wekdays",
    );
}

#[test]
fn periods_and_closed_dates_override_hours() {
    let term = edit(TERM, "skills =", "closed = [2027-01-06]\nskills =");
    let term = edit(
        &term,
        "[[cover]]",
        "[[desk.period]]\ndates = \"2027-01-11..2027-01-12\"\nhours = { mon = \"12:00-14:00\" }\n\n\
         [[desk.period]]\ndates = \"2027-01-16\"\nclosed = true\n\n[[cover]]",
    );
    let p = ok(&term, &[("ana.toml", ANA)], None).problem;
    let open = |i: usize| p.desks[0].days[i].as_ref().map(|d| d.open.to_string());
    assert_eq!(open(0).as_deref(), Some("09:00-17:00"));
    assert_eq!(open(2), None, "closed date");
    assert_eq!(open(7).as_deref(), Some("12:00-14:00"), "period hours");
    assert_eq!(open(8), None, "weekday not listed in a period is closed");
    assert_eq!(open(9).as_deref(), Some("09:00-17:00"));
    assert_eq!(open(12), None, "closed period");
    assert_eq!(open(5).as_deref(), Some("10:00-14:00"));
}

#[test]
fn later_cover_rules_override_earlier_ones() {
    let term = format!("{TERM}\n[[cover]]\ndays = \"mon\"\ntime = \"12:00-13:00\"\nmin = 2\n");
    let p = ok(&term, &[("ana.toml", ANA), ("ben.toml", BEN)], None).problem;
    let mon = p.desks[0].days[0].as_ref().unwrap();
    assert_eq!(
        mon.cover[5],
        Cover {
            min: 1,
            target: 2,
            max: 3
        }
    );
    // Omitted target is min; omitted max is the number of people.
    assert_eq!(
        mon.cover[6],
        Cover {
            min: 2,
            target: 2,
            max: 2
        }
    );
    assert_eq!(
        mon.cover[7],
        Cover {
            min: 2,
            target: 2,
            max: 2
        }
    );
    assert_eq!(
        mon.cover[8],
        Cover {
            min: 1,
            target: 2,
            max: 3
        }
    );
    let tue = p.desks[0].days[1].as_ref().unwrap();
    assert_eq!(tue.cover[6].min, 1);
}

#[test]
fn requirements_resolve_to_opening_closing_and_windows() {
    let term = format!(
        "{TERM}\n[[require]]\nat = \"opening\"\nskill = \"keyholder\"\n\
         [[require]]\nat = \"closing\"\nskill = \"keyholder\"\nneed = 1\n\
         [[require]]\ntime = \"16:00-24:00\"\ngroup = \"staff\"\ndays = \"weekdays\"\n\
         [[require]]\nskill = \"first-aid\"\nif_possible = true\n\
         [[require]]\nskill = \"first-aid\"\nif_possible = true\nweight = 7\nlabel = \"aid\"\n"
    );
    let p = ok(&term, &[("ana.toml", ANA)], None).problem;
    let on_day0: Vec<_> = p.requirements.iter().filter(|r| r.day == 0).collect();
    assert_eq!(on_day0.len(), 5);
    assert_eq!(on_day0[0].time, TimeRange::new(540, 570).unwrap());
    assert_eq!(on_day0[0].label, "1 keyholder at opening");
    assert_eq!(on_day0[0].weight, 1000.0);
    assert_eq!(on_day0[0].who, Who::Skill(0));
    assert_eq!(on_day0[1].time, TimeRange::new(990, 1020).unwrap());
    assert_eq!(
        on_day0[2].time,
        TimeRange::new(960, 1020).unwrap(),
        "clipped to opening"
    );
    assert_eq!(on_day0[2].who, Who::Group(0));
    assert_eq!(on_day0[3].weight, 50.0);
    assert_eq!(on_day0[4].weight, 7.0);
    assert_eq!(on_day0[4].label, "aid");
    // Saturday: no weekday window rule, the desk closes at 14:00.
    let sat: Vec<_> = p.requirements.iter().filter(|r| r.day == 5).collect();
    assert_eq!(sat.len(), 4);
    assert_eq!(sat[1].time, TimeRange::new(810, 840).unwrap());
    // Sundays are closed: nothing.
    assert!(p.requirements.iter().all(|r| r.day != 6));
}

#[test]
fn meal_break_caps_shift_length_and_raises_gap() {
    let term = format!(
        "{TERM}\n[rules]\nmax_length = \"8h\"\nmin_gap = \"0m\"\nmeal_break_after = \"4h\"\nmeal_break = \"1h\"\n"
    );
    let p = ok(&term, &[("ana.toml", ANA)], None).problem;
    assert_eq!(p.rules.max_length, 240);
    assert_eq!(p.rules.min_gap, 60);
    assert_eq!(p.rules.min_rest, 600);
}

#[test]
fn weights_default_and_override() {
    let term = format!("{TERM}\n[weights]\ncoverage_target = 5\nsplit_shift = 0.5\n");
    let w = ok(&term, &[("ana.toml", ANA)], None).problem.weights;
    assert_eq!(w.coverage_target, 5.0);
    assert_eq!(w.split_shift, 0.5);
    assert_eq!(
        w.coverage_min,
        crate::model::Weights::default().coverage_min
    );
    let term = format!("{TERM}\n[weights]\ncoverage_min = -1\n");
    assert_err(
        fails(&term, &[("ana.toml", ANA)], None),
        "weight -1 must be a non-negative number",
        "term.toml",
        &term,
        "-1\n",
    );
}

#[test]
fn person_contract_overrides_group_defaults_field_by_field() {
    let ben = format!("{BEN}\n[contract]\nmax_week = \"8h\"\nmax_term = \"40h\"\n");
    let p = ok(TERM, &[("ben.toml", &ben)], None).problem;
    let c = &p.people[0].contract;
    assert_eq!(
        (c.max_day, c.max_week, c.max_term),
        (Some(240), Some(480), Some(2400))
    );
}

#[test]
fn skills_desks_preferences_and_fixed_assignments() {
    let ana = format!(
        "{}\n[[unavailable]]\ndates = \"2027-01-11\"\ntime = \"09:10-10:00\"\n\
         [[prefer]]\ndays = \"mon\"\ntime = \"09:00-12:00\"\n\
         [[avoid]]\ndays = \"fri\"\nweight = 2\n\
         [[fixed]]\ndays = \"mon\"\ndesk = \"Desk\"\ntime = \"09:00-11:00\"\n",
        edit(ANA, "skills = [\"keyholder\"]", "skills = [\"keyholder\", { name = \"first-aid\", from = 2027-01-05, until = \"2027-01-10\" }]")
    );
    let p = ok(TERM, &[("ana.toml", &ana)], None).problem;
    let a = &p.people[0];
    assert!(a.has_skill(1, date("2027-01-05")));
    assert!(!a.has_skill(1, date("2027-01-04")));
    assert!(!a.has_skill(1, date("2027-01-11")));
    assert!(a.has_skill(0, date("2027-01-11")));
    assert_eq!(a.desks, [0]);
    // Unavailability is widened to the slot grid: 09:00-10:00 is gone on 2027-01-11.
    assert_eq!(a.availability[7], [TimeRange::new(600, 1020).unwrap()]);
    let prefs: Vec<_> = a
        .preferences
        .iter()
        .map(|p| (p.day, p.kind, p.weight))
        .collect();
    assert_eq!(
        prefs,
        [
            (0, PreferenceKind::Prefer, 5.0),
            (7, PreferenceKind::Prefer, 5.0),
            (4, PreferenceKind::Avoid, 2.0),
            (11, PreferenceKind::Avoid, 2.0)
        ]
    );
    // The fixed assignment of Monday 2027-01-11 is dropped: Ana is away until 10:00.
    let fixed: Vec<_> = a.fixed.iter().map(|f| f.day).collect();
    assert_eq!(fixed, [0]);
}

#[test]
fn fixed_assignment_needs_a_desk_the_person_may_staff() {
    let term = edit(
        TERM,
        "[[cover]]",
        "[[desk]]\nname = \"Chat\"\nhours = { daily = \"10:00-12:00\" }\n\n[[cover]]",
    );
    let ana = format!("{ANA}desks = \"Chat\"\n");
    // `desks` after [available] is a key of that table: a day pattern error.
    assert!(parse_term_str(&term, &[("ana.toml", &ana)], None).is_err());
    let ana = format!(
        "desks = \"Desk\"\n{ANA}\n[[fixed]]\ndays = \"mon\"\ndesk = \"Chat\"\ntime = \"10:00-11:00\"\n"
    );
    assert_err(
        fails(&term, &[("ana.toml", &ana)], None),
        "\"Ana\" may not staff desk \"Chat\"",
        "people/ana.toml",
        &ana,
        "\"Chat\"",
    );
}

#[test]
fn absences_are_removed_from_availability_and_listed() {
    let abs = "[[absence]]\nperson = \"Ana\"\ndate = 2027-01-05\nreason = \"flu\"\n\n\
               [[absence]]\nperson = \"Ana\"\ndates = \"2027-01-07..2027-01-08\"\nfrom = \"15:00\"\n";
    let t = ok(TERM, &[("ana.toml", ANA)], Some(abs));
    let a = &t.problem.people[0];
    assert!(a.availability[1].is_empty());
    assert_eq!(a.availability[3], [TimeRange::new(540, 900).unwrap()]);
    assert_eq!(a.availability[4], [TimeRange::new(540, 900).unwrap()]);
    assert_eq!(a.availability[2].len(), 1);
    assert_eq!(
        t.absences,
        [
            Absence {
                person: "Ana".into(),
                first: date("2027-01-05"),
                last: date("2027-01-05"),
                from: None,
                to: None,
                reason: Some("flu".into())
            },
            Absence {
                person: "Ana".into(),
                first: date("2027-01-07"),
                last: date("2027-01-08"),
                from: Some(900),
                to: None,
                reason: None
            }
        ]
    );
    let bad =
        "[[absence]]\nperson = \"Ana\"\ndate = 2027-01-05\nfrom = \"15:00\"\nto = \"14:00\"\n";
    assert_err(
        fails(TERM, &[("ana.toml", ANA)], Some(bad)),
        "absence from 15:00 to 14:00 ends before it starts",
        "absences.toml",
        bad,
        "\"14:00\"",
    );
    let bad = "[[absence]]\nperson = \"Ana\"\ndate = 2027-05-05\n";
    assert_err(
        fails(TERM, &[("ana.toml", ANA)], Some(bad)),
        "outside the term",
        "absences.toml",
        bad,
        "2027-05-05",
    );
}

#[test]
fn absence_check_validates_against_the_problem() {
    let p = ok(TERM, &[("ana.toml", ANA)], None).problem;
    let mut a = Absence {
        person: "Ana".into(),
        first: date("2027-01-05"),
        last: date("2027-01-06"),
        from: Some(600),
        to: Some(700),
        reason: None,
    };
    assert_eq!(a.check(&p), Ok(()));
    a.person = "Zed".into();
    assert_eq!(a.check(&p), Err("unknown person \"Zed\"".into()));
    a.person = "Ana".into();
    a.last = date("2027-02-01");
    assert!(a.check(&p).unwrap_err().contains("outside the term"));
}

#[test]
fn append_and_remove_absences_keep_other_entries() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("term.toml"), TERM).unwrap();
    std::fs::create_dir(dir.path().join("people")).unwrap();
    std::fs::write(dir.path().join("people/ana.toml"), ANA).unwrap();
    std::fs::write(dir.path().join("people/ben.toml"), BEN).unwrap();
    let first = Absence {
        person: "Ana".into(),
        first: date("2027-01-05"),
        last: date("2027-01-05"),
        from: Some(900),
        to: None,
        reason: Some("dentist".into()),
    };
    let second = Absence {
        person: "Ben".into(),
        first: date("2027-01-11"),
        last: date("2027-01-13"),
        from: None,
        to: None,
        reason: None,
    };
    // Created when missing.
    append_absence(dir.path(), &first).unwrap();
    let path = dir.path().join("absences.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("# keep this comment\n{text}")).unwrap();
    append_absence(dir.path(), &second).unwrap();
    let t = load_term(dir.path()).unwrap();
    assert_eq!(t.absences, [first.clone(), second.clone()]);
    assert_eq!(t.dir, dir.path());
    assert!(t.problem.people[1].availability[7].is_empty());

    assert_eq!(remove_absence(dir.path(), &first).unwrap(), 1);
    assert_eq!(remove_absence(dir.path(), &first).unwrap(), 0);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# keep this comment"), "{text}");
    let t = load_term(dir.path()).unwrap();
    assert_eq!(t.absences, std::slice::from_ref(&second));
    assert_eq!(remove_absence(dir.path(), &second).unwrap(), 1);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("# keep this comment"), "{text}");
    assert!(load_term(dir.path()).unwrap().absences.is_empty());
    assert!(!dir.path().join(".absences.toml.tmp").exists());
}

#[test]
fn scaffold_writes_a_term_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let term_dir = dir.path().join("new-term");
    scaffold(&term_dir).unwrap();
    let t = load_term(&term_dir).unwrap();
    assert_eq!(t.problem.people.len(), 4);
    assert_eq!(t.problem.desks.len(), 2);
    assert!(t.absences.is_empty());
    let e = scaffold(&term_dir).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    let (term, people, absences) = super::scaffold::example_files();
    assert!(parse_term_str(term, &people, Some(absences)).is_ok());
}

#[test]
fn template_mode_fields_parse() {
    let term = format!(
        "{TERM}\n[[template]]\nname = \"early\"\ndesk = \"Desk\"\ntime = \"09:00-13:00\"\n\
         [[template]]\nname = \"late\"\ndesk = \"Desk\"\ntime = \"13:00-17:00\"\n\
         forbidden_successions = [[\"late\", \"early\"]]\n"
    );
    // `forbidden_successions` after a [[template]] table belongs to it: unknown key.
    assert!(parse_term_str(&term, &[("ana.toml", ANA)], None).is_err());
    let term = edit(
        TERM,
        "[groups.staff]",
        "forbidden_successions = [[\"late\", \"early\"]]\n\n[groups.staff]",
    );
    let term = format!(
        "{term}\n[[template]]\nname = \"early\"\ndesk = \"Desk\"\ntime = \"09:00-13:00\"\n\
         [[template]]\nname = \"late\"\ndesk = \"Desk\"\ntime = \"13:00-17:00\"\n\
         [[template_cover]]\ntemplate = \"early\"\ndays = \"weekdays\"\nrequirement = 2\nweight_under = 10\n"
    );
    let ana = format!("template_limits = {{ early = 3 }}\n{ANA}\n[[request]]\ntemplate = \"late\"\ndays = \"fri\"\non = false\nweight = 4\n");
    let p = ok(&term, &[("ana.toml", &ana)], None).problem;
    assert_eq!(p.templates.len(), 2);
    assert_eq!(p.forbidden_successions, [(1, 0)]);
    assert_eq!(p.template_cover.len(), 10);
    assert_eq!(p.template_cover[0].weight_under, 10.0);
    let a = &p.people[0];
    assert_eq!(a.template_limits, [(0, 3)]);
    assert_eq!(a.requests.len(), 2);
    assert!(!a.requests[0].on);
}

// ------------------------------------------------------------------ the sample term

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schedules/winter-2027")
}

#[test]
fn sample_term_loads() {
    let t = load_term(&sample_dir()).unwrap_or_else(|e| panic!("{e}"));
    let p = &t.problem;
    assert_eq!(p.name, "Winter 2027");
    assert_eq!(p.days.len(), 105);
    assert_eq!(p.num_weeks(), 15);
    assert_eq!(p.desks.len(), 2);
    assert_eq!(p.people.len(), 13);
    let staff = p.groups.iter().position(|g| g == "staff").unwrap();
    assert_eq!(p.people.iter().filter(|x| x.group == staff).count(), 5);
    for closed in ["2027-02-15", "2027-03-26"] {
        let i = p.day_index(date(closed)).unwrap();
        assert!(p.desks.iter().all(|d| d.days[i].is_none()), "{closed}");
    }
    let desk = p.desk_index("Service Desk").unwrap();
    let open = |d: &str| {
        p.desks[desk].days[p.day_index(date(d)).unwrap()]
            .as_ref()
            .map(|x| x.open.to_string())
    };
    assert_eq!(open("2027-01-04").as_deref(), Some("08:30-21:00"));
    assert_eq!(open("2027-01-08").as_deref(), Some("08:30-17:00"));
    assert_eq!(open("2027-01-09").as_deref(), Some("11:00-17:00"));
    assert_eq!(open("2027-02-16").as_deref(), Some("09:00-17:00"));
    assert_eq!(open("2027-02-20"), None);
    assert_eq!(open("2027-04-05").as_deref(), Some("08:30-22:00"));
    let rules = &p.rules;
    assert_eq!(
        (
            rules.min_length,
            rules.max_length,
            rules.max_shifts_per_day,
            rules.min_gap,
            rules.min_rest
        ),
        (120, 300, 2, 30, 600)
    );
}

/// Every open slot has enough available, eligible people for its `min`, and every "must"
/// requirement slot has enough qualified ones: the term can be covered without shortfall as far
/// as availability goes.
#[test]
fn sample_term_has_enough_people_in_every_slot() {
    let p = load_term(&sample_dir()).unwrap().problem;
    let slot = p.slot_minutes;
    let mut problems = Vec::new();
    for (di, desk) in p.desks.iter().enumerate() {
        for (day, dd) in desk.days.iter().enumerate() {
            let Some(dd) = dd else { continue };
            for (i, c) in dd.cover.iter().enumerate() {
                let t = dd.open.start + i as u32 * slot;
                let s = TimeRange::new(t, t + slot).unwrap();
                let n = p
                    .people
                    .iter()
                    .filter(|x| x.may_staff(di) && x.is_available(day, &s))
                    .count();
                if (n as u32) < c.min {
                    problems.push(format!(
                        "{} {} {s}: {n} < min {}",
                        desk.name, p.days[day], c.min
                    ));
                }
            }
        }
    }
    for r in p.requirements.iter().filter(|r| r.weight >= 1000.0) {
        let date = p.days[r.day];
        for t in (r.time.start..r.time.end).step_by(slot as usize) {
            let s = TimeRange::new(t, t + slot).unwrap();
            let n = p
                .people
                .iter()
                .filter(|x| x.may_staff(r.desk) && x.is_available(r.day, &s))
                .filter(|x| match r.who {
                    Who::Skill(k) => x.has_skill(k, date),
                    Who::Group(g) => x.group == g,
                })
                .count();
            if (n as u32) < r.need {
                problems.push(format!("{} on {date} {s}: {n} qualified", r.label));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Per week, the people-hours the `min` coverage asks for fit in what people may work.
#[test]
fn sample_term_has_enough_hours_every_week() {
    let p = load_term(&sample_dir()).unwrap().problem;
    for week in 0..p.num_weeks() {
        let days: Vec<usize> = (0..p.days.len())
            .filter(|&d| p.week_of(d) == week)
            .collect();
        let need: u32 = p
            .desks
            .iter()
            .flat_map(|d| days.iter().filter_map(|&i| d.days[i].as_ref()))
            .flat_map(|dd| dd.cover.iter().map(|c| c.min * p.slot_minutes))
            .sum();
        let can: u32 = p
            .people
            .iter()
            .map(|x| {
                let avail: u32 = days
                    .iter()
                    .map(|&d| {
                        let a: u32 = x.availability[d].iter().map(|r| r.minutes()).sum();
                        a.min(x.contract.max_day.unwrap_or(u32::MAX))
                    })
                    .sum();
                avail.min(x.contract.max_week.unwrap_or(u32::MAX))
            })
            .sum();
        assert!(
            need * 5 <= can * 4,
            "week {week}: need {need} min, people can give {can} min"
        );
    }
}

// ------------------------------------------------------------------ no panics

fn sample_people() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(sample_dir().join("people"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_term_str(&text, &[("ana.toml", ANA)], None);
        let _ = parse_term_str(TERM, &[("ana.toml", &text)], None);
        let _ = parse_term_str(TERM, &[("ana.toml", ANA)], Some(&text));
    }

    #[test]
    fn mutated_sample_never_panics(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6)
    ) {
        let term = std::fs::read_to_string(sample_dir().join("term.toml")).unwrap();
        let mut bytes = term.into_bytes();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, b"0123456789:-.,\"=[]{} \nabcdefmhx"[byte as usize % 30]),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let people = sample_people();
        let people: Vec<(&str, &str)> = people.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        match parse_term_str(&text, &people, None) {
            Ok(t) => prop_assert!(t.problem.validate().is_ok()),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn mutated_person_never_panics(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
    ) {
        let mut bytes = BEN.as_bytes().to_vec();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b"0123456789:-.,\"=[]{} \nabcdefmhx"[byte as usize % 30];
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_term_str(TERM, &[("ana.toml", ANA), ("ben.toml", &text)], None);
    }
}
