//! Reads a **term folder** a coordinator writes by hand and builds a validated
//! [`Problem`](crate::model::Problem).
//!
//! A term folder holds `term.toml` (dates, desks, hours, coverage, rules, groups, weights), one
//! `people/*.toml` per person (the file a student hands in) and an optional `absences.toml`
//! (sick calls). `the README (Input format reference)` documents every key. Every error names the file, line and
//! column ([`InputError::location`]).
//!
//! ```
//! use deskroster::input::parse_term_str;
//!
//! let term = r#"
//! name = "Tiny"
//! start = 2027-01-04
//! end = 2027-01-10
//! skills = ["keyholder"]
//! [groups.staff]
//! [[desk]]
//! name = "Desk"
//! hours = { weekdays = "09:00-17:00" }
//! [[cover]]
//! min = 1
//! "#;
//! let ana = r#"
//! name = "Ana"
//! group = "staff"
//! skills = ["keyholder"]
//! [available]
//! weekdays = "09:00-17:00"
//! "#;
//! let t = parse_term_str(term, &[("ana.toml", ana)], None)?;
//! assert_eq!(t.problem.days.len(), 7);
//! assert_eq!(t.problem.people[0].availability[0].len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
mod edit;
mod error;
mod raw;
mod scaffold;
#[cfg(test)]
mod tests;
mod value;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use edit::{append_absence, remove_absence};
pub use error::InputError;
pub use scaffold::scaffold;

use crate::model::{Minute, Problem};
use error::SourceFile;

/// A loaded term folder.
#[derive(Clone, Debug)]
pub struct Term {
    /// The validated problem, with absences already removed from availability.
    pub problem: Problem,
    /// The absences recorded in `absences.toml`, in file order.
    pub absences: Vec<Absence>,
    /// The folder the term was read from (empty for [`parse_term_str`]).
    pub dir: PathBuf,
}

/// A recorded absence (sick call): the person cannot work on these dates, optionally only
/// between `from` and `to` on each of them.
///
/// Invariant (checked when read): `first <= last`, and when both are given `from < to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Absence {
    /// Name of the absent person.
    pub person: String,
    /// First date of the absence.
    pub first: NaiveDate,
    /// Last date of the absence (inclusive).
    pub last: NaiveDate,
    /// Leaves at this time (`None`: from the start of the day).
    pub from: Option<Minute>,
    /// Back at this time (`None`: until the end of the day).
    pub to: Option<Minute>,
    /// Free text, e.g. `"flu"`.
    pub reason: Option<String>,
}

impl Absence {
    /// Checks the absence against a problem: the person exists, the dates are inside the term,
    /// `first <= last` and `from < to`.
    ///
    /// # Errors
    /// Returns a lowercase message quoting the bad value.
    pub fn check(&self, problem: &Problem) -> Result<(), String> {
        if problem.person_index(&self.person).is_none() {
            return Err(format!("unknown person {:?}", self.person));
        }
        if self.last < self.first {
            return Err(format!(
                "absence {} to {} ends before it starts",
                self.first, self.last
            ));
        }
        for d in [self.first, self.last] {
            if problem.day_index(d).is_none() {
                return Err(format!("date {d} is outside the term"));
            }
        }
        let (from, to) = (self.from.unwrap_or(0), self.to.unwrap_or(1440));
        if from >= to || to > 1440 {
            return Err(format!(
                "absence from {} to {} ends before it starts",
                crate::model::fmt_minute(from),
                crate::model::fmt_minute(to)
            ));
        }
        Ok(())
    }
}

fn read(path: &Path) -> Result<SourceFile, InputError> {
    std::fs::read_to_string(path)
        .map(|text| SourceFile::new(path, text))
        .map_err(|e| InputError::io(path, "cannot read file", e))
}

/// Reads the term folder `dir`: `term.toml`, every `people/*.toml` (in file-name order) and
/// `absences.toml` when present.
///
/// # Errors
/// Returns an [`InputError`] locating the first problem found: unreadable files, TOML syntax,
/// unknown keys, wrong types, bad values, unknown names, inconsistent limits, a person with no
/// availability, an empty `people/` folder.
pub fn load_term(dir: &Path) -> Result<Term, InputError> {
    let term_path = dir.join("term.toml");
    let term = read(&term_path).map_err(|e| {
        e.with_help(format!(
            "is {} a term folder? `deskroster init` writes an example",
            dir.display()
        ))
    })?;
    let people_dir = dir.join("people");
    let entries = std::fs::read_dir(&people_dir)
        .map_err(|e| InputError::io(&people_dir, "cannot read the people folder", e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| InputError::io(&people_dir, "cannot read the people folder", e))?;
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let people = paths
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let absences_path = dir.join("absences.toml");
    let absences = if absences_path.exists() {
        Some(read(&absences_path)?)
    } else {
        None
    };
    build::build(
        dir.to_path_buf(),
        &term,
        &people,
        people_dir,
        absences.as_ref(),
    )
}

/// Builds a term from in-memory texts: `term.toml`, `(file name, text)` for each person file
/// (in that order; errors name them `people/<file name>`) and optionally `absences.toml`.
///
/// # Errors
/// As [`load_term`].
pub fn parse_term_str(
    term: &str,
    people: &[(&str, &str)],
    absences: Option<&str>,
) -> Result<Term, InputError> {
    let term = SourceFile::new("term.toml", term);
    let people: Vec<SourceFile> = people
        .iter()
        .map(|(name, text)| SourceFile::new(Path::new("people").join(name), *text))
        .collect();
    let absences = absences.map(|a| SourceFile::new("absences.toml", a));
    build::build(
        PathBuf::new(),
        &term,
        &people,
        PathBuf::from("people"),
        absences.as_ref(),
    )
}
