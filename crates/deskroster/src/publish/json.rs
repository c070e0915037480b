//! The complete result as one JSON document for embedding tools (shape: `docs/JSON.md`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::hours::{person_hours, PersonTerm, PersonWeek};
use super::html::Marker;
use crate::check::{Report, Shortfall, ShortfallKind};
use crate::model::{fmt_minute, Problem, Roster, SolveSummary};
use crate::roster_csv::{shift_names, weekday_abbr};

/// Version of the JSON shape; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// One shift, by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftJson {
    /// ISO date.
    pub date: String,
    /// `Mon` … `Sun`.
    pub weekday: String,
    /// Desk name.
    pub desk: String,
    /// Person name.
    pub person: String,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM` (`24:00` is midnight).
    pub end: String,
    /// Length in minutes.
    pub minutes: u32,
}

/// Coverage of one slot of one desk on one open day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageSlot {
    /// Desk name.
    pub desk: String,
    /// ISO date.
    pub date: String,
    /// Slot start, `HH:MM`.
    pub start: String,
    /// Slot end, `HH:MM`.
    pub end: String,
    /// Fewest people wanted (below is a shortfall).
    pub min: u32,
    /// People wanted.
    pub target: u32,
    /// Most people allowed.
    pub max: u32,
    /// People assigned.
    pub assigned: u32,
    /// `max(0, min - assigned)`.
    pub shortfall: u32,
    /// `max(0, target - assigned)`.
    pub below_target: u32,
}

/// A shortfall of the checker, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortfallJson {
    /// Desk name.
    pub desk: String,
    /// ISO date.
    pub date: String,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
    /// `min`, `target` or `requirement`.
    pub kind: String,
    /// The requirement's label when `kind` is `requirement`.
    pub requirement: Option<String>,
    /// People missing in each slot of the run.
    pub missing: u32,
}

/// A breach of a hard rule, by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationJson {
    /// Rule name as in `DESIGN.md` (e.g. `availability`).
    pub rule: String,
    /// Person name, when about one person.
    pub person: Option<String>,
    /// ISO date, when about one day.
    pub date: Option<String>,
    /// Desk name, when about one desk.
    pub desk: Option<String>,
    /// Plain-language description.
    pub message: String,
}

/// The complete result of a solve (or of checking a roster) for embedding tools.
///
/// Everything is by name (people, desks, ISO dates, `HH:MM` times), so a reader needs nothing
/// but this document. Serialize it with `serde_json`; the shape is documented in
/// `docs/JSON.md` and versioned by `format_version`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultJson {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Term name.
    pub term: String,
    /// IANA time zone of the times.
    pub timezone: String,
    /// Slot length in minutes.
    pub slot_minutes: u32,
    /// First and last day of the term (ISO), if any.
    pub days: Option<(String, String)>,
    /// Solver summary (objective, bound, gap, proven optimal, seconds), when the roster was solved.
    pub summary: Option<SolveSummary>,
    /// Penalty total according to the checker (equals the solver's objective).
    pub objective: f64,
    /// Penalty breakdown by `DESIGN.md` name (`coverage_min`, `requirement`, ...).
    pub penalties: BTreeMap<String, f64>,
    /// True when no hard rule is broken.
    pub valid: bool,
    /// Every breach of a hard rule (empty for a solved roster).
    pub violations: Vec<ViolationJson>,
    /// Every coverage and staff-mix shortfall.
    pub shortfalls: Vec<ShortfallJson>,
    /// The shifts, in roster order.
    pub roster: Vec<ShiftJson>,
    /// Per desk, open day and slot: required and assigned people.
    pub coverage: Vec<CoverageSlot>,
    /// Per person and week.
    pub hours_weekly: Vec<PersonWeek>,
    /// Per person over the term, with the work-study budget.
    pub hours_term: Vec<PersonTerm>,
}

impl ResultJson {
    /// Builds the document from the problem, the roster, the solver summary (if solved) and
    /// the checker's report on that roster ([`crate::check::check`]). Shifts that refer to
    /// unknown days, desks or people are left out of `roster` (the report lists them).
    ///
    /// ```
    /// use deskroster::builder::{ProblemBuilder, Weekdays};
    /// use deskroster::model::{Roster, Shift, TimeRange};
    /// use deskroster::{check::check, publish::ResultJson};
    ///
    /// let problem = ProblemBuilder::new("2027-01-11".parse()?, 1)
    ///     .desk("Service Desk", |d| d.open(Weekdays::all(), "09:00-10:00").cover("09:00-10:00", 1, 1, 2))
    ///     .group("staff")
    ///     .person("Ana", "staff", |p| p.available(Weekdays::all(), "09:00-10:00"))
    ///     .build()?;
    /// let roster = Roster::new(vec![Shift {
    ///     day: 0, desk: 0, person: 0, time: TimeRange::new(9 * 60, 9 * 60 + 30).unwrap(),
    /// }]);
    /// let result = ResultJson::new(&problem, &roster, None, &check(&problem, &roster));
    /// assert_eq!(result.coverage[1].shortfall, 1);
    /// assert_eq!(result.shortfalls[0].start, "09:30");
    /// let json = result.to_json();
    /// assert!(json.contains("\"person\": \"Ana\""));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        problem: &Problem,
        roster: &Roster,
        summary: Option<&SolveSummary>,
        report: &Report,
    ) -> ResultJson {
        let date = |d: usize| problem.days.get(d).map(|d| d.to_string());
        let desk = |k: usize| problem.desks.get(k).map(|d| d.name.clone());
        let shifts = roster
            .shifts
            .iter()
            .filter_map(|s| {
                let (date, desk, person) = shift_names(problem, s).ok()?;
                Some(ShiftJson {
                    date: date.to_string(),
                    weekday: weekday_abbr(date).to_string(),
                    desk: desk.to_string(),
                    person: person.to_string(),
                    start: fmt_minute(s.time.start),
                    end: fmt_minute(s.time.end),
                    minutes: s.time.minutes(),
                })
            })
            .collect();
        let shortfalls = report
            .shortfalls
            .iter()
            .map(|s| ShortfallJson {
                desk: desk(s.desk).unwrap_or_default(),
                date: date(s.day).unwrap_or_default(),
                start: fmt_minute(s.time.start),
                end: fmt_minute(s.time.end),
                kind: match s.kind {
                    ShortfallKind::Min => "min",
                    ShortfallKind::Target => "target",
                    ShortfallKind::Requirement(_) => "requirement",
                }
                .to_string(),
                requirement: match s.kind {
                    ShortfallKind::Requirement(r) => {
                        problem.requirements.get(r).map(|r| r.label.clone())
                    }
                    _ => None,
                },
                missing: s.missing,
            })
            .collect();
        let violations = report
            .violations
            .iter()
            .map(|v| ViolationJson {
                rule: v.rule.as_str().to_string(),
                person: v
                    .person
                    .and_then(|p| problem.people.get(p))
                    .map(|p| p.name.clone()),
                date: v.day.and_then(date),
                desk: v.desk.and_then(desk),
                message: v.message.clone(),
            })
            .collect();
        let (hours_weekly, hours_term) = person_hours(problem, roster);
        ResultJson {
            format_version: FORMAT_VERSION,
            term: problem.name.clone(),
            timezone: problem.timezone.clone(),
            slot_minutes: problem.slot_minutes,
            days: problem
                .days
                .first()
                .zip(problem.days.last())
                .map(|(a, b)| (a.to_string(), b.to_string())),
            summary: summary.cloned(),
            objective: report.penalties.total(),
            penalties: report
                .penalties
                .items()
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            valid: report.is_valid(),
            violations,
            shortfalls,
            roster: shifts,
            coverage: coverage(problem, roster),
            hours_weekly,
            hours_term,
        }
    }

    /// Pretty-printed JSON with a final newline; the same input gives the same bytes.
    pub fn to_json(&self) -> String {
        // Serializing plain structs, strings, numbers and maps cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// Coverage of every slot of every desk on every open day: required and assigned people.
/// Ordered by date, desk, slot.
pub fn coverage(problem: &Problem, roster: &Roster) -> Vec<CoverageSlot> {
    let slot = problem.slot_minutes.max(1);
    let mut out = Vec::new();
    for (d, date) in problem.days.iter().enumerate() {
        for (k, desk) in problem.desks.iter().enumerate() {
            let Some(Some(dd)) = desk.days.get(d) else {
                continue;
            };
            for (i, c) in dd.cover.iter().enumerate() {
                let start = dd.open.start + i as u32 * slot;
                let assigned = roster.staffed(d, k, start) as u32;
                out.push(CoverageSlot {
                    desk: desk.name.clone(),
                    date: date.to_string(),
                    start: fmt_minute(start),
                    end: fmt_minute((start + slot).min(1440)),
                    min: c.min,
                    target: c.target,
                    max: c.max,
                    assigned,
                    shortfall: c.min.saturating_sub(assigned),
                    below_target: c.target.saturating_sub(assigned),
                });
            }
        }
    }
    out
}

impl Marker {
    /// A marker for the week view from a checker shortfall, labelled `below minimum`, `below
    /// target` or with the requirement's label.
    pub fn from_shortfall(problem: &Problem, s: &Shortfall) -> Marker {
        let label = match s.kind {
            ShortfallKind::Min => "below minimum".to_string(),
            ShortfallKind::Target => "below target".to_string(),
            ShortfallKind::Requirement(r) => problem
                .requirements
                .get(r)
                .map_or_else(|| "staff-mix requirement".to_string(), |r| r.label.clone()),
        };
        Marker {
            desk: s.desk,
            day: s.day,
            time: s.time,
            missing: s.missing,
            label,
        }
    }

    /// Markers for the shortfalls that matter on the printed sheet: below minimum and
    /// staff-mix requirements (not the softer "below target").
    pub fn from_report(problem: &Problem, report: &Report) -> Vec<Marker> {
        report
            .shortfalls
            .iter()
            .filter(|s| s.kind != ShortfallKind::Target)
            .map(|s| Marker::from_shortfall(problem, s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::publish::fixtures::{problem, shift};

    #[test]
    fn json_has_everything_and_round_trips() {
        let p = problem();
        let r = Roster::new(vec![
            shift(0, 0, "08:30-12:30", 0),
            shift(0, 1, "09:00-13:00", 9),
        ]);
        let report = check(&p, &r);
        let summary = SolveSummary {
            objective: 1.0,
            bound: 1.0,
            gap: 0.0,
            proven_optimal: true,
            seconds: 0.5,
        };
        let result = ResultJson::new(&p, &r, Some(&summary), &report);
        assert_eq!(
            result.roster.len(),
            1,
            "the shift of unknown person 9 is left out"
        );
        assert!(!result.valid);
        assert!(result.violations.iter().any(|v| v.rule == "unknown"));
        assert_eq!(result.objective, report.penalties.total());
        assert_eq!(result.penalties.len(), 9);
        let first = &result.coverage[0];
        assert_eq!(
            (
                first.desk.as_str(),
                first.date.as_str(),
                first.start.as_str(),
                first.assigned
            ),
            ("Service Desk", "2027-01-11", "08:30", 1)
        );
        assert!(result
            .shortfalls
            .iter()
            .any(|s| s.kind == "min" && s.desk == "Chat"));
        assert_eq!(result.hours_term[0].minutes, 240);
        let json = result.to_json();
        let back: ResultJson = serde_json::from_str(&json).unwrap();
        assert_eq!(back, result);
        assert_eq!(
            ResultJson::new(&p, &r, Some(&summary), &report).to_json(),
            json
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["roster"][0]["person"], "Ana López");
        assert_eq!(v["summary"]["proven_optimal"], true);
        assert_eq!(v["days"][1], "2027-01-24");
    }

    #[test]
    fn markers_skip_target_shortfalls() {
        let p = problem();
        let r = Roster::new(vec![shift(0, 0, "08:30-12:30", 0)]);
        let report = check(&p, &r);
        let markers = Marker::from_report(&p, &report);
        assert!(!markers.is_empty());
        assert!(markers.iter().all(|m| m.label == "below minimum"));
        assert!(report
            .shortfalls
            .iter()
            .any(|s| s.kind == ShortfallKind::Target));
    }
}
