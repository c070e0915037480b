//! Rewrites `absences.toml` atomically, keeping every other entry and the comments.

use std::path::Path;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, Value};

use super::error::{InputError, SourceFile};
use super::raw::RawAbsences;
use super::value::{parse_date_range, parse_time};
use super::Absence;
use crate::model::fmt_minute;

const FILE: &str = "absences.toml";

/// Reads `absences.toml` (or an empty document), checked for syntax and keys first.
fn open(dir: &Path) -> Result<DocumentMut, InputError> {
    let path = dir.join(FILE);
    if !path.exists() {
        return Ok(DocumentMut::new());
    }
    let text =
        std::fs::read_to_string(&path).map_err(|e| InputError::io(&path, "cannot read file", e))?;
    let file = SourceFile::new(&path, text);
    file.parse::<RawAbsences>()?;
    file.text
        .parse::<DocumentMut>()
        .map_err(|e| file.err(e.span().unwrap_or(0..0), e.message().to_string()))
}

/// Writes through a temporary file in the same folder, then renames it over the original.
fn save(dir: &Path, doc: &DocumentMut) -> Result<(), InputError> {
    let path = dir.join(FILE);
    let tmp = dir.join(format!(".{FILE}.tmp"));
    std::fs::write(&tmp, doc.to_string())
        .map_err(|e| InputError::io(&tmp, "cannot write temporary file", e))?;
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        InputError::io(&path, "cannot replace file", e)
    })
}

fn entries<'a>(doc: &'a mut DocumentMut, dir: &Path) -> Result<&'a mut ArrayOfTables, InputError> {
    let item = doc
        .entry("absence")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    item.as_array_of_tables_mut().ok_or_else(|| {
        InputError::folder(
            dir.join(FILE),
            "`absence` must be written as [[absence]] tables",
        )
    })
}

fn date_value(a: &Absence) -> Option<(&'static str, Value)> {
    if a.first == a.last {
        a.first.to_string().parse().ok().map(|v| ("date", v))
    } else {
        Some(("dates", Value::from(format!("{}..{}", a.first, a.last))))
    }
}

/// Appends `absence` to `dir/absences.toml` (created when missing), keeping every other entry
/// and comment. The file is replaced atomically (temporary file + rename).
///
/// The absence is written as given; call [`Absence::check`] first, or [`super::load_term`]
/// after, to validate it against the term.
///
/// # Errors
/// When the existing file is not valid or cannot be read or written.
pub fn append_absence(dir: &Path, absence: &Absence) -> Result<(), InputError> {
    let mut doc = open(dir)?;
    let mut t = Table::new();
    t.insert("person", toml_edit::value(absence.person.clone()));
    if let Some((key, v)) = date_value(absence) {
        t.insert(key, Item::Value(v));
    }
    if let Some(m) = absence.from {
        t.insert("from", toml_edit::value(fmt_minute(m)));
    }
    if let Some(m) = absence.to {
        t.insert("to", toml_edit::value(fmt_minute(m)));
    }
    if let Some(r) = &absence.reason {
        t.insert("reason", toml_edit::value(r.clone()));
    }
    entries(&mut doc, dir)?.push(t);
    save(dir, &doc)
}

/// True when an `[[absence]]` table describes the same person, dates and times (the reason is
/// ignored).
fn same(t: &Table, a: &Absence) -> bool {
    let text = |k: &str| {
        t.get(k).and_then(|i| {
            i.as_str()
                .map(str::to_string)
                .or_else(|| i.as_datetime().map(|d| d.to_string()))
        })
    };
    let time = |k: &str| text(k).and_then(|s| parse_time(&s).ok());
    let dates = text("date")
        .or_else(|| text("dates"))
        .and_then(|s| parse_date_range(&s).ok());
    text("person").as_deref() == Some(a.person.as_str())
        && dates == Some((a.first, a.last))
        && time("from") == a.from
        && time("to") == a.to
}

/// Removes every entry equal to `absence` (same person, dates, from and to) from
/// `dir/absences.toml`, keeping the others. Returns how many were removed; the file is left
/// untouched when none matched.
///
/// # Errors
/// When the existing file is not valid or cannot be read or written.
pub fn remove_absence(dir: &Path, absence: &Absence) -> Result<usize, InputError> {
    let mut doc = open(dir)?;
    if doc.get("absence").is_none() {
        return Ok(0);
    }
    let list = entries(&mut doc, dir)?;
    let before = list.len();
    // Comments above the first entry (the file's header) stay at the top of the file.
    let header = list
        .get(0)
        .filter(|t| same(t, absence))
        .and_then(|t| t.decor().prefix())
        .and_then(|p| p.as_str())
        .map(str::to_string);
    list.retain(|t| !same(t, absence));
    let removed = before - list.len();
    if removed == 0 {
        return Ok(0);
    }
    if let Some(header) = header {
        match list.get_mut(0) {
            Some(t) => {
                let own = t
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("")
                    .to_string();
                t.decor_mut().set_prefix(format!("{header}{own}"));
            }
            None => {
                let trailing = doc.trailing().as_str().unwrap_or("").to_string();
                doc.set_trailing(format!("{header}{trailing}"));
            }
        }
    }
    save(dir, &doc)?;
    Ok(removed)
}
