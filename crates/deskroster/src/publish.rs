//! Publishing a roster: a calendar per person, a printable week view, JSON and payroll hours.
//!
//! Every function here is pure: it takes the [`Problem`], the [`Roster`] and whatever else it
//! needs, and returns text. The same input always gives the same bytes (no clock, no random
//! identifiers, no hash-map order), so published files only change when the roster does. The
//! CLI owns paths and replaces files atomically.
//!
//! | output | function | for |
//! |---|---|---|
//! | `calendars/<person>.ics` | [`calendars`] | staff and students: Outlook, Google, Apple Calendar |
//! | `week.html` | [`week_html`] | the printed sheet at the desk |
//! | `result.json` | [`ResultJson::new`] | embedding tools (shape in `docs/JSON.md`) |
//! | `hours.csv` | [`hours_csv`] | payroll and work-study forms |
//!
//! # Example: a calendar for each person
//! ```
//! use deskroster::builder::{ProblemBuilder, Weekdays};
//! use deskroster::model::{Roster, Shift, TimeRange};
//! use deskroster::publish::calendars;
//!
//! let problem = ProblemBuilder::new("2027-01-11".parse()?, 1)
//!     .timezone("America/Toronto")
//!     .desk("Service Desk", |d| d.open(Weekdays::all(), "08:30-21:00"))
//!     .group("staff")
//!     .person("Ana López", "staff", |p| p)
//!     .build()?;
//! let roster = Roster::new(vec![Shift {
//!     day: 0, desk: 0, person: 0, time: TimeRange::new(8 * 60 + 30, 12 * 60 + 30).unwrap(),
//! }]);
//! let files = calendars(&problem, &roster, None)?;
//! assert_eq!(files[0].0, "ana-lopez.ics");
//! assert!(files[0].1.contains("DTSTART;TZID=America/Toronto:20270111T083000\r\n"));
//! assert!(files[0].1.contains("BEGIN:VTIMEZONE\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod hours;
mod html;
mod ics;
mod json;
mod names;

#[cfg(test)]
pub(crate) mod fixtures;

pub use hours::{hours_csv, person_hours, PersonTerm, PersonWeek};
pub use html::{week_html, Marker};
pub use ics::{calendars, calendars_with, CalendarOptions};
pub use json::{
    coverage, CoverageSlot, ResultJson, ShiftJson, ShortfallJson, ViolationJson, FORMAT_VERSION,
};
pub use names::file_stems;

use crate::model::{Problem, Roster};

/// An error publishing a roster.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum PublishError {
    /// The term's time zone is not an IANA name known to the time-zone database.
    #[error("unknown time zone {0:?} in the term")]
    #[diagnostic(
        code(deskroster::publish::timezone),
        help("use an IANA name such as \"America/Toronto\"")
    )]
    UnknownTimezone(String),
    /// A shift refers to a day, desk or person that the problem does not have.
    #[error("roster does not match the term: {0}")]
    #[diagnostic(code(deskroster::publish::roster))]
    RosterMismatch(String),
}

/// Checks that every shift of `roster` refers to an existing day, desk and person.
fn check_indices(problem: &Problem, roster: &Roster) -> Result<(), PublishError> {
    for s in &roster.shifts {
        crate::roster_csv::shift_names(problem, s).map_err(PublishError::RosterMismatch)?;
    }
    Ok(())
}
