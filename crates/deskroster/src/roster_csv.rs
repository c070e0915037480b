//! Reading and writing `roster.csv`, the roster a coordinator posts, edits and hands back.
//!
//! One row per shift, in [`Roster`] order (day, desk, start, end, person), with exactly these
//! columns:
//!
//! | column | example | meaning |
//! |---|---|---|
//! | `date` | `2027-01-11` | ISO date, inside the term |
//! | `weekday` | `Mon` | weekday of `date` (derived: may be left empty when editing by hand) |
//! | `desk` | `Service Desk` | desk name |
//! | `person` | `Ana López` | person name |
//! | `start` | `08:30` | start time, `HH:MM` |
//! | `end` | `12:30` | end time, `HH:MM` (`24:00` is midnight) |
//! | `hours` | `4` or `4.5` | length in hours (derived: may be left empty when editing by hand) |
//!
//! Text cells go through [`csv_safe`], so a name such as `=Ana` reaches a spreadsheet as text,
//! never as a formula; [`read_roster`] undoes that.
//!
//! Reading reports rows that cannot be represented as a [`Shift`] (unknown person or desk, a bad
//! time, a date outside the term, a weekday or hours that contradict the row), naming the file,
//! the row and the column. It deliberately accepts shifts that break hard rules but can be
//! represented (outside opening hours, off the slot grid, a person who may not staff the desk):
//! [`crate::check`] reports those, so a coordinator's hand edits can be checked.
//!
//! # Example: write, then read back
//! ```
//! use deskroster::builder::{ProblemBuilder, Weekdays};
//! use deskroster::model::{Roster, Shift, TimeRange};
//! use deskroster::roster_csv::{read_roster, write_roster};
//!
//! let problem = ProblemBuilder::new("2027-01-11".parse()?, 1)
//!     .desk("Service Desk", |d| d.open(Weekdays::all(), "08:30-21:00"))
//!     .group("staff")
//!     .person("Ana", "staff", |p| p.available(Weekdays::all(), "08:00-22:00"))
//!     .build()?;
//! let roster = Roster::new(vec![Shift {
//!     day: 0, desk: 0, person: 0, time: TimeRange::new(8 * 60 + 30, 13 * 60).unwrap(),
//! }]);
//! let mut bytes = Vec::new();
//! write_roster(&problem, &roster, &mut bytes)?;
//! assert_eq!(
//!     String::from_utf8(bytes.clone())?,
//!     "date,weekday,desk,person,start,end,hours\n\
//!      2027-01-11,Mon,Service Desk,Ana,08:30,13:00,4.5\n"
//! );
//! assert_eq!(read_roster(&problem, &bytes[..], "roster.csv")?, roster);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};

use chrono::{Datelike, NaiveDate, Weekday};

use crate::model::{fmt_minute, Minute, Problem, Roster, Shift, TimeRange};

/// The header row of `roster.csv`, in order.
pub const COLUMNS: [&str; 7] = ["date", "weekday", "desk", "person", "start", "end", "hours"];

/// Neutralises a cell that a spreadsheet would run as a formula.
///
/// A value starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so
/// Excel and LibreOffice show it as text (the OWASP "CSV injection" advice). Every CSV the
/// project writes passes its text cells through this function; numbers and dates the program
/// formats itself need not.
///
/// ```
/// use deskroster::roster_csv::csv_safe;
/// assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(csv_safe("-Ana"), "'-Ana");
/// assert_eq!(csv_safe("Ana López"), "Ana López");
/// ```
pub fn csv_safe(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Undoes [`csv_safe`]: the value without the `'` it added, or `None` when it added none.
fn csv_unsafe(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('\'')?;
    matches!(
        rest.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
    .then_some(rest)
}

/// Formats a duration in minutes as decimal hours: `4`, `4.5`, `2.25`, `1.33` (two decimals at
/// most, no trailing zeros).
///
/// ```
/// use deskroster::roster_csv::fmt_hours;
/// assert_eq!(fmt_hours(240), "4");
/// assert_eq!(fmt_hours(270), "4.5");
/// assert_eq!(fmt_hours(80), "1.33");
/// ```
pub fn fmt_hours(minutes: u32) -> String {
    if minutes % 60 == 0 {
        return (minutes / 60).to_string();
    }
    // Hundredths of an hour, rounded half up, in integers so the text is exact.
    let hundredths = (u64::from(minutes) * 100 + 30) / 60;
    let s = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Parses `HH:MM` or `H:MM` (`00:00` to `24:00`) into minutes after midnight.
pub(crate) fn parse_minute(s: &str) -> Option<Minute> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// Three-letter English weekday, as written in `roster.csv` (`Mon`).
pub(crate) fn weekday_abbr(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

/// The names a shift refers to, or a message saying which index is unknown.
pub(crate) fn shift_names<'p>(
    problem: &'p Problem,
    shift: &Shift,
) -> Result<(NaiveDate, &'p str, &'p str), String> {
    let date = problem
        .days
        .get(shift.day)
        .ok_or_else(|| format!("shift refers to day index {} outside the term", shift.day))?;
    let desk = problem
        .desks
        .get(shift.desk)
        .ok_or_else(|| format!("shift refers to unknown desk index {}", shift.desk))?;
    let person = problem
        .people
        .get(shift.person)
        .ok_or_else(|| format!("shift refers to unknown person index {}", shift.person))?;
    Ok((*date, &desk.name, &person.name))
}

/// Writes `roster` as `roster.csv` (header row, then one row per shift in roster order).
///
/// # Errors
/// An I/O error from `w`, or [`io::ErrorKind::InvalidInput`] when a shift refers to a day,
/// desk or person that `problem` does not have (nothing is written in that case).
pub fn write_roster<W: Write>(problem: &Problem, roster: &Roster, w: W) -> io::Result<()> {
    // Resolve every row first, so a bad roster writes nothing.
    let mut rows = Vec::with_capacity(roster.shifts.len());
    for shift in &roster.shifts {
        let (date, desk, person) = shift_names(problem, shift)
            .map_err(|m| io::Error::new(io::ErrorKind::InvalidInput, m))?;
        rows.push([
            date.format("%Y-%m-%d").to_string(),
            weekday_abbr(date).to_string(),
            csv_safe(desk).into_owned(),
            csv_safe(person).into_owned(),
            fmt_minute(shift.time.start),
            fmt_minute(shift.time.end),
            fmt_hours(shift.time.minutes()),
        ]);
    }
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(w);
    out.write_record(COLUMNS)?;
    for row in &rows {
        out.write_record(row)?;
    }
    out.flush()?;
    Ok(())
}

/// Why a row of `roster.csv` cannot be turned into a shift.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RowProblem {
    /// A required cell is empty.
    #[error("the cell is empty")]
    Empty,
    /// The date is not an ISO date.
    #[error("{0:?} is not a date like 2027-01-11")]
    BadDate(String),
    /// The date is not a day of the term.
    #[error("{date} is outside the term ({first} to {last})")]
    OutsideTerm {
        /// The date in the row.
        date: NaiveDate,
        /// First day of the term.
        first: NaiveDate,
        /// Last day of the term.
        last: NaiveDate,
    },
    /// The term has no days at all, so no row can be placed.
    #[error("{0} is outside the term, which has no days")]
    NoDays(NaiveDate),
    /// The weekday cell does not name a weekday.
    #[error("{0:?} is not a weekday like Mon")]
    BadWeekday(String),
    /// The weekday cell contradicts the date.
    #[error("{value:?} does not match the date {date}, which is a {actual}")]
    WeekdayMismatch {
        /// The weekday in the row.
        value: String,
        /// The date in the row.
        date: NaiveDate,
        /// The date's real weekday.
        actual: Weekday,
    },
    /// The desk is not one of the term's desks.
    #[error("unknown desk {0:?}")]
    UnknownDesk(String),
    /// The person is not one of the term's people.
    #[error("unknown person {0:?}")]
    UnknownPerson(String),
    /// The time is not `HH:MM` between `00:00` and `24:00`.
    #[error("{0:?} is not a time like 08:30 (00:00 to 24:00)")]
    BadTime(String),
    /// The shift ends at or before its start.
    #[error("the shift ends at {}, not after its start at {}", fmt_minute(*.end), fmt_minute(*.start))]
    EndNotAfterStart {
        /// Start, minutes after midnight.
        start: Minute,
        /// End, minutes after midnight.
        end: Minute,
    },
    /// The hours cell is not a number.
    #[error("{0:?} is not a number of hours like 4.5")]
    BadHours(String),
    /// The hours cell contradicts start and end.
    #[error("{value:?} hours does not match start and end, which give {} hours", fmt_hours(*.minutes))]
    HoursMismatch {
        /// The hours in the row.
        value: String,
        /// Minutes from start to end.
        minutes: u32,
    },
    /// The same shift appears twice.
    #[error("the same shift is already on row {0}")]
    Duplicate(u64),
}

/// An error reading `roster.csv`: it names the file, and the row and column when there is one.
///
/// Rows are numbered as a spreadsheet numbers them: the header is row 1.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum RosterCsvError {
    /// The file cannot be read, or is not well-formed CSV (e.g. a row with too few cells).
    #[error("{source_name}{}: {message}", row_text(*.row))]
    #[diagnostic(code(deskroster::roster_csv::read))]
    Read {
        /// Name of the file, as given to [`read_roster`].
        source_name: String,
        /// Row where reading failed, when known.
        row: Option<u64>,
        /// What went wrong.
        message: String,
    },
    /// The header row lacks a column.
    #[error("{source_name}: the header row has no `{column}` column")]
    #[diagnostic(
        code(deskroster::roster_csv::missing_column),
        help("the header row must be `date,weekday,desk,person,start,end,hours`")
    )]
    MissingColumn {
        /// Name of the file.
        source_name: String,
        /// The missing column.
        column: &'static str,
    },
    /// A cell cannot be represented in a roster.
    #[error("{source_name}, row {row}, column `{column}`: {problem}")]
    #[diagnostic(code(deskroster::roster_csv::bad_cell))]
    BadCell {
        /// Name of the file.
        source_name: String,
        /// Row number (the header is row 1).
        row: u64,
        /// Column name.
        column: &'static str,
        /// What is wrong.
        problem: RowProblem,
        /// A hint, such as the names that are known.
        #[help]
        help: Option<String>,
    },
}

fn row_text(row: Option<u64>) -> String {
    row.map(|r| format!(", row {r}")).unwrap_or_default()
}

/// Reads `roster.csv` back into a [`Roster`] of `problem`.
///
/// Columns are found by their header names (case-insensitive, in any order; extra columns are
/// ignored); cells are trimmed. `weekday` and `hours` may be left empty; when present they must
/// agree with the date and the times. A UTF-8 byte-order mark (as Excel writes) is accepted.
/// `source_name` is only used in messages.
///
/// # Errors
/// The first row that cannot be represented, as a [`RosterCsvError`] naming `source_name`, the
/// row and the column: unknown desk or person, a date outside the term, a bad date or time, an
/// end not after the start, a weekday or hours that contradict the row, a duplicated shift, or a
/// file that is not CSV. Shifts that break hard rules but can be represented are returned, for
/// [`crate::check::check`] to report.
pub fn read_roster<R: Read>(
    problem: &Problem,
    r: R,
    source_name: &str,
) -> Result<Roster, RosterCsvError> {
    let read_err = |row: Option<u64>, message: String| RosterCsvError::Read {
        source_name: source_name.to_string(),
        row,
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(r);
    let headers = rdr
        .headers()
        .map_err(|e| read_err(csv_row(&e), csv_message(&e)))?
        .clone();
    let mut idx = [0usize; 7];
    for (slot, column) in idx.iter_mut().zip(COLUMNS) {
        *slot = headers
            .iter()
            .position(|h| {
                h.trim_start_matches('\u{feff}')
                    .eq_ignore_ascii_case(column)
            })
            .ok_or_else(|| RosterCsvError::MissingColumn {
                source_name: source_name.to_string(),
                column,
            })?;
    }

    let mut seen: BTreeMap<Shift, u64> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    let mut last_row = 1;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(read_err(
                    csv_row(&e).or(Some(last_row + 1)),
                    csv_message(&e),
                ))
            }
        }
        let row = record.position().map_or(last_row + 1, |p| p.line());
        last_row = row;
        if record.iter().all(str::is_empty) {
            continue; // a blank line a spreadsheet left behind
        }
        let cell = |i: usize| record.get(idx[i]).unwrap_or("");
        let bad = |column: &'static str, problem: RowProblem, help: Option<String>| {
            RosterCsvError::BadCell {
                source_name: source_name.to_string(),
                row,
                column,
                problem,
                help,
            }
        };
        let shift = parse_row(problem, [0, 1, 2, 3, 4, 5, 6].map(cell))
            .map_err(|(column, problem, help)| bad(column, problem, help))?;
        if let Some(&first) = seen.get(&shift) {
            return Err(bad("person", RowProblem::Duplicate(first), None));
        }
        seen.insert(shift, row);
    }
    Ok(Roster::new(seen.into_keys().collect()))
}

type CellError = (&'static str, RowProblem, Option<String>);

/// One row's cells in [`COLUMNS`] order to a shift.
fn parse_row(problem: &Problem, cells: [&str; 7]) -> Result<Shift, CellError> {
    let [date, weekday, desk, person, start, end, hours] = cells;
    let required = |column: &'static str, v: &str| {
        if v.is_empty() {
            Err((column, RowProblem::Empty, None))
        } else {
            Ok(())
        }
    };

    required("date", date)?;
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| ("date", RowProblem::BadDate(date.to_string()), None))?;
    let day = problem.day_index(d).ok_or_else(|| {
        let problem = match (problem.days.first(), problem.days.last()) {
            (Some(&first), Some(&last)) => RowProblem::OutsideTerm {
                date: d,
                first,
                last,
            },
            _ => RowProblem::NoDays(d),
        };
        ("date", problem, None)
    })?;

    if !weekday.is_empty() {
        let w: Weekday = weekday
            .parse()
            .map_err(|_| ("weekday", RowProblem::BadWeekday(weekday.to_string()), None))?;
        if w != d.weekday() {
            let problem = RowProblem::WeekdayMismatch {
                value: weekday.to_string(),
                date: d,
                actual: d.weekday(),
            };
            return Err(("weekday", problem, None));
        }
    }

    required("desk", desk)?;
    let desk_names = || problem.desks.iter().map(|d| d.name.as_str());
    let desk_ix = lookup(desk, desk_names()).ok_or_else(|| {
        (
            "desk",
            RowProblem::UnknownDesk(desk.to_string()),
            Some(known("desks", desk_names())),
        )
    })?;

    required("person", person)?;
    let person_names = || problem.people.iter().map(|p| p.name.as_str());
    let person_ix = lookup(person, person_names()).ok_or_else(|| {
        let help = Some(known("people", person_names()));
        (
            "person",
            RowProblem::UnknownPerson(person.to_string()),
            help,
        )
    })?;

    required("start", start)?;
    let s = parse_minute(start).ok_or(("start", RowProblem::BadTime(start.to_string()), None))?;
    required("end", end)?;
    let e = parse_minute(end).ok_or(("end", RowProblem::BadTime(end.to_string()), None))?;
    let time = TimeRange::new(s, e).ok_or_else(|| {
        let problem = RowProblem::EndNotAfterStart { start: s, end: e };
        ("end", problem, None)
    })?;

    if !hours.is_empty() {
        let h: f64 = hours
            .parse()
            .ok()
            .filter(|h: &f64| h.is_finite())
            .ok_or_else(|| ("hours", RowProblem::BadHours(hours.to_string()), None))?;
        // Two decimals are written, so anything within half a hundredth matches.
        if (h - f64::from(time.minutes()) / 60.0).abs() > 0.0051 {
            let problem = RowProblem::HoursMismatch {
                value: hours.to_string(),
                minutes: time.minutes(),
            };
            return Err(("hours", problem, None));
        }
    }

    Ok(Shift {
        day,
        desk: desk_ix,
        time,
        person: person_ix,
    })
}

/// Index of `name` among `names`: an exact match first, then the name without the `'` that
/// [`csv_safe`] adds.
fn lookup<'a>(name: &str, names: impl Iterator<Item = &'a str> + Clone) -> Option<usize> {
    names
        .clone()
        .position(|n| n == name)
        .or_else(|| csv_unsafe(name).and_then(|raw| names.clone().position(|n| n == raw)))
}

/// A help line listing the known names (the first few).
fn known<'a>(what: &str, names: impl Iterator<Item = &'a str>) -> String {
    const SHOWN: usize = 12;
    let names: Vec<&str> = names.collect();
    let mut list = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        list.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    if names.is_empty() {
        format!("the term has no {what}")
    } else {
        format!("known {what}: {list}")
    }
}

fn csv_row(e: &csv::Error) -> Option<u64> {
    e.position().map(|p| p.line())
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the row has {len} cells, expected {expected_len} like the header")
        }
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8 text".to_string(),
        csv::ErrorKind::Io(e) => format!("cannot read: {e}"),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::fixtures::{problem, shift};
    use proptest::prelude::*;

    fn read(p: &Problem, text: &str) -> Result<Roster, RosterCsvError> {
        read_roster(p, text.as_bytes(), "roster.csv")
    }

    fn written(p: &Problem, r: &Roster) -> String {
        let mut out = Vec::new();
        write_roster(p, r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    const HEADER: &str = "date,weekday,desk,person,start,end,hours\n";

    #[test]
    fn writes_header_and_rows_in_roster_order() {
        let p = problem();
        let r = Roster::new(vec![
            shift(1, 0, "08:30-12:30", 1),
            shift(0, 1, "13:00-17:00", 2),
            shift(0, 0, "08:30-12:30", 0),
        ]);
        assert_eq!(
            written(&p, &r),
            format!(
                "{HEADER}\
                 2027-01-11,Mon,Service Desk,Ana López,08:30,12:30,4\n\
                 2027-01-11,Mon,Chat,'=cmd|' /C calc'!A0,13:00,17:00,4\n\
                 2027-01-12,Tue,Service Desk,\"Bo, Chen\",08:30,12:30,4\n"
            )
        );
    }

    #[test]
    fn round_trips_formula_like_and_quoted_names() {
        let p = problem();
        let r = Roster::new(vec![
            shift(0, 1, "13:00-17:30", 0),
            shift(1, 0, "08:30-12:30", 1),
            shift(13, 0, "20:00-24:00", 2),
        ]);
        assert_eq!(read(&p, &written(&p, &r)).unwrap(), r);
    }

    #[test]
    fn rejects_unknown_person_with_row_and_known_names() {
        let p = problem();
        let text = format!("{HEADER}2027-01-11,Mon,Service Desk,Ana López,08:30,12:30,4\n2027-01-11,Mon,Service Desk,Ana Lopz,13:00,17:00,4\n");
        let e = read(&p, &text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "roster.csv, row 3, column `person`: unknown person \"Ana Lopz\""
        );
        let help = miette::Diagnostic::help(&e).unwrap().to_string();
        assert!(help.contains("\"Ana López\""), "{help}");
    }

    #[test]
    fn rejects_unrepresentable_rows() {
        let p = problem();
        let cases = [
            (
                "2027-01-11,Mon,Front,Ana López,08:30,12:30,4",
                "column `desk`: unknown desk \"Front\"",
            ),
            (
                "2027-13-11,Mon,Chat,Ana López,08:30,12:30,4",
                "column `date`: \"2027-13-11\" is not a date",
            ),
            (
                "2026-12-31,Thu,Chat,Ana López,08:30,12:30,4",
                "column `date`: 2026-12-31 is outside the term (2027-01-11 to 2027-01-24)",
            ),
            (
                "2027-01-11,Tue,Chat,Ana López,08:30,12:30,4",
                "column `weekday`: \"Tue\" does not match the date 2027-01-11, which is a Mon",
            ),
            (
                "2027-01-11,Lun,Chat,Ana López,08:30,12:30,4",
                "column `weekday`: \"Lun\" is not a weekday",
            ),
            (
                "2027-01-11,Mon,Chat,Ana López,25:00,26:00,1",
                "column `start`: \"25:00\" is not a time",
            ),
            (
                "2027-01-11,Mon,Chat,Ana López,08:30,8h,1",
                "column `end`: \"8h\" is not a time",
            ),
            (
                "2027-01-11,Mon,Chat,Ana López,12:30,08:30,4",
                "column `end`: the shift ends at 08:30, not after its start at 12:30",
            ),
            (
                "2027-01-11,Mon,Chat,Ana López,08:30,12:30,5",
                "column `hours`: \"5\" hours does not match start and end, which give 4 hours",
            ),
            (
                "2027-01-11,Mon,Chat,Ana López,08:30,12:30,four",
                "column `hours`: \"four\" is not a number",
            ),
            (
                "2027-01-11,Mon,Chat,,08:30,12:30,4",
                "column `person`: the cell is empty",
            ),
        ];
        for (row, want) in cases {
            let e = read(&p, &format!("{HEADER}{row}\n"))
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("roster.csv, row 2, "), "{e}");
            assert!(e.contains(want), "{row}\n got: {e}\nwant: {want}");
        }
    }

    #[test]
    fn rejects_duplicates_short_rows_and_missing_columns() {
        let p = problem();
        let row = "2027-01-11,Mon,Chat,Ana López,08:30,12:30,4\n";
        let e = read(&p, &format!("{HEADER}{row}{row}"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "roster.csv, row 3, column `person`: the same shift is already on row 2"
        );
        let e = read(&p, &format!("{HEADER}2027-01-11,Mon,Chat\n"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "roster.csv, row 2: the row has 3 cells, expected 7 like the header"
        );
        let e = read(&p, "date,weekday,desk,persn,start,end,hours\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "roster.csv: the header row has no `person` column");
    }

    #[test]
    fn accepts_hand_edits_that_break_hard_rules() {
        let p = problem();
        // Closed-desk hours, off the grid, weekday and hours left empty, BOM, reordered columns.
        let text = "\u{feff}person,desk,date,start,end,weekday,hours,note\n\
                    Ana López,Service Desk,2027-01-11,03:07,04:00,,,night\n\
                    '=cmd|' /C calc'!A0, Chat ,2027-01-12,9:00,10:00,tue,1.0,\n\
                    \n";
        let r = read(&p, text).unwrap();
        assert_eq!(
            r,
            Roster::new(vec![
                shift(0, 0, "03:07-04:00", 0),
                shift(1, 1, "09:00-10:00", 2)
            ])
        );
    }

    #[test]
    fn write_refuses_unknown_indices() {
        let p = problem();
        let r = Roster::new(vec![shift(0, 0, "08:30-12:30", 9)]);
        let mut out = Vec::new();
        let e = write_roster(&p, &r, &mut out).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(out.is_empty());
    }

    #[test]
    fn formats_hours_and_times() {
        assert_eq!(fmt_hours(0), "0");
        assert_eq!(fmt_hours(15), "0.25");
        assert_eq!(fmt_hours(20), "0.33");
        assert_eq!(fmt_hours(40), "0.67");
        assert_eq!(fmt_hours(90), "1.5");
        assert_eq!(parse_minute("24:00"), Some(1440));
        assert_eq!(parse_minute("24:30"), None);
        assert_eq!(parse_minute("8:05"), Some(485));
        assert_eq!(parse_minute("08:5"), None);
        assert_eq!(parse_minute("+8:05"), None);
        assert_eq!(csv_safe("\tx"), "'\tx");
        assert_eq!(csv_safe("@SUM(1)"), "'@SUM(1)");
        assert_eq!(csv_safe("+1"), "'+1");
        assert_eq!(csv_safe(""), "");
        assert_eq!(csv_safe("'=x"), "'=x");
    }

    proptest! {
        #[test]
        fn write_then_read_gives_the_same_roster(
            raw in proptest::collection::vec(
                (0usize..14, 0usize..2, 0u32..48, 1u32..=16, 0usize..4), 0..40),
        ) {
            let p = problem();
            let shifts = raw.into_iter().map(|(day, desk, start, len, person)| {
                let start = start * 30;
                let end = (start + len * 15).min(1440);
                Shift { day, desk, person, time: TimeRange::new(start, end).unwrap() }
            });
            let r = Roster::new(shifts.collect());
            let text = written(&p, &r);
            prop_assert_eq!(read(&p, &text).unwrap(), r.clone());
            // Same input, same bytes.
            prop_assert_eq!(written(&p, &r), text);
        }
    }
}
