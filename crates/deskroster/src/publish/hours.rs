//! Hours per person and week, and over the term, for payroll and work-study forms.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{Problem, Roster};
use crate::roster_csv::{csv_safe, fmt_hours};

/// What one person works in one week (Monday to Sunday, [`Problem::week_of`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonWeek {
    /// Person name.
    pub person: String,
    /// Week index (week 0 holds the term's first day).
    pub week: usize,
    /// Monday of the week (may fall before the term's first day).
    pub week_start: NaiveDate,
    /// Minutes worked.
    pub minutes: u32,
    /// Shifts worked.
    pub shifts: u32,
    /// Evening shifts ([`Problem::is_evening`]).
    pub evenings: u32,
    /// Weekend shifts ([`Problem::is_weekend`]).
    pub weekends: u32,
    /// Closing shifts ([`Problem::is_closing`]).
    pub closings: u32,
}

/// What one person works over the whole term, with the work-study budget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonTerm {
    /// Person name.
    pub person: String,
    /// Group name.
    pub group: String,
    /// Minutes worked.
    pub minutes: u32,
    /// Shifts worked.
    pub shifts: u32,
    /// Evening shifts.
    pub evenings: u32,
    /// Weekend shifts.
    pub weekends: u32,
    /// Closing shifts.
    pub closings: u32,
    /// Term budget in minutes (`contract.max_term`), if any.
    pub budget_minutes: Option<u32>,
    /// Budget left in minutes (negative when over budget), if there is a budget.
    pub budget_remaining_minutes: Option<i64>,
}

/// Hours per person and week (every week of the term, person order, then week order) and per
/// person over the term (person order). Shifts that refer to unknown people or days are
/// ignored.
pub fn person_hours(problem: &Problem, roster: &Roster) -> (Vec<PersonWeek>, Vec<PersonTerm>) {
    let weeks = problem.num_weeks();
    let monday0 = problem
        .days
        .first()
        .and_then(|d| d.checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday()))));
    let mut per_week = Vec::with_capacity(problem.people.len() * weeks);
    let mut per_term = Vec::with_capacity(problem.people.len());
    for (p, person) in problem.people.iter().enumerate() {
        let first = per_week.len();
        for week in 0..weeks {
            let week_start = monday0
                .and_then(|m| m.checked_add_days(Days::new(7 * week as u64)))
                .unwrap_or_default();
            per_week.push(PersonWeek {
                person: person.name.clone(),
                week,
                week_start,
                minutes: 0,
                shifts: 0,
                evenings: 0,
                weekends: 0,
                closings: 0,
            });
        }
        for s in roster
            .shifts
            .iter()
            .filter(|s| s.person == p && s.day < problem.days.len())
        {
            let Some(w) = per_week.get_mut(first + problem.week_of(s.day)) else {
                continue;
            };
            w.minutes += s.time.minutes();
            w.shifts += 1;
            w.evenings += u32::from(problem.is_evening(&s.time));
            w.weekends += u32::from(problem.is_weekend(s.day));
            w.closings += u32::from(problem.is_closing(s));
        }
        let mine = per_week.get(first..).unwrap_or_default();
        let sum = |f: fn(&PersonWeek) -> u32| mine.iter().map(f).sum::<u32>();
        let minutes = sum(|w| w.minutes);
        let budget = person.contract.max_term;
        per_term.push(PersonTerm {
            person: person.name.clone(),
            group: problem
                .groups
                .get(person.group)
                .cloned()
                .unwrap_or_default(),
            minutes,
            shifts: sum(|w| w.shifts),
            evenings: sum(|w| w.evenings),
            weekends: sum(|w| w.weekends),
            closings: sum(|w| w.closings),
            budget_minutes: budget,
            budget_remaining_minutes: budget.map(|b| i64::from(b) - i64::from(minutes)),
        });
    }
    (per_week, per_term)
}

/// Hours for payroll and work-study as CSV: per person, one row per week of the term, then a
/// `term` row with the totals.
///
/// Columns: `person,group,week_start,hours,shifts,evenings,weekends,closings,budget_hours,
/// budget_used,budget_remaining`. `week_start` is the Monday of the week, or `term` on the
/// total row. The budget columns (`contract.max_term`, in hours) are empty for people without a
/// budget; on week rows `budget_used` and `budget_remaining` count up to the end of that week.
/// Hours are decimal (`4.5`). The text starts with a UTF-8 byte-order mark so Excel reads
/// accents correctly (LibreOffice and the `csv` crate skip it); lines end in `\n`; names pass
/// through [`csv_safe`].
///
/// ```
/// use deskroster::builder::{ProblemBuilder, Weekdays};
/// use deskroster::model::{Roster, Shift, TimeRange};
/// use deskroster::publish::hours_csv;
///
/// let problem = ProblemBuilder::new("2027-01-11".parse()?, 1)
///     .desk("Service Desk", |d| d.open(Weekdays::all(), "08:30-21:30"))
///     .group("student")
///     .person("Bo", "student", |p| p.max_term_hours(10))
///     .build()?;
/// let roster = Roster::new(vec![Shift {
///     day: 0, desk: 0, person: 0, time: TimeRange::new(16 * 60 + 30, 21 * 60).unwrap(),
/// }]);
/// let csv = hours_csv(&problem, &roster);
/// assert_eq!(
///     csv.trim_start_matches('\u{feff}'),
///     "person,group,week_start,hours,shifts,evenings,weekends,closings,budget_hours,budget_used,budget_remaining\n\
///      Bo,student,2027-01-11,4.5,1,1,0,0,10,4.5,5.5\n\
///      Bo,student,term,4.5,1,1,0,0,10,4.5,5.5\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hours_csv(problem: &Problem, roster: &Roster) -> String {
    let (weeks, terms) = person_hours(problem, roster);
    let mut out = String::from("\u{feff}");
    out.push_str("person,group,week_start,hours,shifts,evenings,weekends,closings,");
    out.push_str("budget_hours,budget_used,budget_remaining\n");
    let mut weeks = weeks.iter().peekable();
    for t in &terms {
        let budget = t.budget_minutes;
        let budget_cells = |used: u32| match budget {
            Some(b) => format!(
                "{},{},{}",
                fmt_hours(b),
                fmt_hours(used),
                fmt_signed_hours(i64::from(b) - i64::from(used))
            ),
            None => ",,".to_string(),
        };
        let person = cell(&t.person);
        let group = cell(&t.group);
        let mut used = 0;
        while let Some(w) = weeks.next_if(|w| w.person == t.person) {
            used += w.minutes;
            out.push_str(&format!(
                "{person},{group},{},{},{},{},{},{},{}\n",
                w.week_start,
                fmt_hours(w.minutes),
                w.shifts,
                w.evenings,
                w.weekends,
                w.closings,
                budget_cells(used)
            ));
        }
        out.push_str(&format!(
            "{person},{group},term,{},{},{},{},{},{}\n",
            fmt_hours(t.minutes),
            t.shifts,
            t.evenings,
            t.weekends,
            t.closings,
            budget_cells(t.minutes)
        ));
    }
    out
}

/// Hours that may be negative (over budget).
fn fmt_signed_hours(minutes: i64) -> String {
    let abs = u32::try_from(minutes.unsigned_abs()).unwrap_or(u32::MAX);
    if minutes < 0 {
        format!("-{}", fmt_hours(abs))
    } else {
        fmt_hours(abs)
    }
}

/// A CSV text cell: formula-safe and quoted when needed.
pub(crate) fn cell(s: &str) -> String {
    let s = csv_safe(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::fixtures::{problem, shift};

    #[test]
    fn counts_hours_evenings_weekends_closings_and_budget() {
        let p = problem();
        let r = Roster::new(vec![
            shift(0, 0, "08:30-12:30", 1), // Mon, week 0
            shift(0, 0, "17:00-21:00", 1), // Mon evening, closing
            shift(5, 0, "13:00-17:00", 1), // Sat, closing, weekend (ends at 17:00: not evening)
            shift(8, 1, "09:00-13:30", 1), // Tue week 1
            shift(8, 0, "16:00-20:00", 2), // evening, not closing; over the 10 h budget? no
        ]);
        let csv = hours_csv(&p, &r);
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 1 + 4 * 3);
        assert_eq!(
            lines[4],
            "\"Bo, Chen\",student,2027-01-11,12,3,1,1,2,40,12,28"
        );
        assert_eq!(
            lines[5],
            "\"Bo, Chen\",student,2027-01-18,4.5,1,0,0,0,40,16.5,23.5"
        );
        assert_eq!(
            lines[6],
            "\"Bo, Chen\",student,term,16.5,4,1,1,2,40,16.5,23.5"
        );
        assert_eq!(
            lines[8],
            "'=cmd|' /C calc'!A0,student,2027-01-18,4,1,1,0,0,10,4,6"
        );
        assert_eq!(
            lines[10],
            "\"<Eve> & \"\"Zoë\"\"\",student,2027-01-11,0,0,0,0,0,,,"
        );
        assert_eq!(lines[3], "Ana López,staff,term,0,0,0,0,0,,,");
    }

    #[test]
    fn over_budget_is_negative_and_csv_parses() {
        let mut p = problem();
        p.people[2].contract.max_term = Some(60);
        let r = Roster::new(vec![shift(0, 0, "08:30-12:30", 2)]);
        let csv = hours_csv(&p, &r);
        assert!(csv.contains(",term,4,1,0,0,0,1,4,-3\n"), "{csv}");
        let mut rdr = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(rdr.headers().unwrap().get(0), Some("person"));
        let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 4 * 3);
        assert_eq!(rows[9].get(0), Some("<Eve> & \"Zoë\""));
        assert_eq!(hours_csv(&p, &r), csv);
    }
}
