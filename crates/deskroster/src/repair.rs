//! Sick calls: repair a roster with the fewest changes, say whom to call and what stays short.
//!
//! [`repair`] starts from the current roster (possibly edited by hand) and a problem whose
//! availability already excludes the recorded absences. Shifts that started before
//! [`RepairOptions::now`] are history and never change; the absent person's later shifts are
//! removed; everything else stays unless changing it is needed. The objective is, in strict
//! order: coverage and staff-mix holes; then the number of people whose roster changes; then the
//! changed hours; then the usual soft terms (DESIGN.md, `changes`).
//!
//! Only the affected days are re-solved, with the rest of the roster fixed around them; when holes
//! remain, the whole affected weeks are re-solved and the better repair is kept.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;
use std::time::Instant;

use chrono::{NaiveDateTime, Timelike};
use serde::Serialize;

use crate::check::{check, Shortfall, Violation};
use crate::explain::{explain, rank_candidates, smallest_relaxation, Gap, Reason, Relaxation};
use crate::formulate::{solve_block, Block, BlockSettings, ChangeWeights};
use crate::model::{Minute, Problem, Roster, Shift, SolveSummary, TimeRange};
use crate::output::{csv_bytes, describe_shortfall, is_hole, OutputFile};
use crate::solve::{SolveError, SolveOptions};

/// Settings of a repair.
#[derive(Clone, Debug)]
pub struct RepairOptions {
    /// Shifts that started before this moment never change.
    pub now: NaiveDateTime,
    /// Solver settings (the time limit and threads; repairs are always solved to optimality, as
    /// a relative gap on weights orders of magnitude apart could hide an avoidable change).
    pub solve: SolveOptions,
    /// Cost per person whose roster changes (dominates hours and soft terms).
    pub per_person: f64,
    /// Cost per person-hour added or removed.
    pub per_hour: f64,
    /// Multiplier that keeps holes dominant over change costs.
    pub must_scale: f64,
}

impl Default for RepairOptions {
    fn default() -> Self {
        RepairOptions {
            now: NaiveDateTime::MIN,
            solve: SolveOptions::default(),
            per_person: 10_000.0,
            per_hour: 100.0,
            must_scale: 1000.0,
        }
    }
}

/// What happened to one person's shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The shift is gone.
    Removed,
    /// A new shift.
    Added,
    /// The shift got longer.
    Extended,
    /// The shift got shorter.
    Shortened,
    /// The shift moved (other hours or desk).
    Moved,
}

impl ChangeKind {
    /// Lowercase name used in `changes.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Removed => "removed",
            ChangeKind::Added => "added",
            ChangeKind::Extended => "extended",
            ChangeKind::Shortened => "shortened",
            ChangeKind::Moved => "moved",
        }
    }
}

/// One changed shift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Person index.
    pub person: usize,
    /// Day index.
    pub day: usize,
    /// Desk index (of the new shift when there is one).
    pub desk: usize,
    /// The shift before, if any.
    pub before: Option<TimeRange>,
    /// The shift after, if any.
    pub after: Option<TimeRange>,
    /// What kind of change.
    pub kind: ChangeKind,
}

/// A hole left after the repair, with who was qualified and why each could not take it.
#[derive(Clone, Debug, Serialize)]
pub struct Hole {
    /// The shortfall.
    pub shortfall: Shortfall,
    /// For each person who may staff the desk: the binding reasons they cannot take it.
    pub why_not: Vec<(usize, Vec<Reason>)>,
    /// The smallest raise of an hour cap that would cover it.
    pub relaxation: Option<Relaxation>,
}

/// Someone to call about a change, in order.
#[derive(Clone, Debug, Serialize)]
pub struct Call {
    /// 1 for the first call.
    pub rank: usize,
    /// Person index.
    pub person: usize,
    /// "Ana Silva: extend Tue 2027-02-02 17:00-19:00 to 17:00-21:00 at Service Desk — already
    /// on site; under her weekly minimum. If no answer: Ben, Chloe."
    pub text: String,
}

/// The result of a repair.
#[derive(Clone, Debug)]
pub struct Repair {
    /// The repaired roster.
    pub roster: Roster,
    /// Every changed shift.
    pub changes: Vec<Change>,
    /// Holes left in the future.
    pub holes: Vec<Hole>,
    /// Whom to call, in order.
    pub calls: Vec<Call>,
    /// Objective (the roster's penalties plus change costs), bound, gap.
    pub summary: SolveSummary,
    /// Hard-rule breaches the current roster had before anything changed (hand edits, history).
    pub prior_violations: Vec<Violation>,
    /// Days re-solved.
    pub window: Vec<usize>,
}

impl Repair {
    /// Number of people with at least one change.
    pub fn changed_people(&self) -> usize {
        self.changes
            .iter()
            .map(|c| c.person)
            .collect::<BTreeSet<_>>()
            .len()
    }
}

fn minute_of(now: &NaiveDateTime) -> Minute {
    now.hour() * 60 + now.minute()
}

/// True when the shift started before `now`.
fn started(problem: &Problem, s: &Shift, now: &NaiveDateTime) -> bool {
    match problem.days.get(s.day) {
        Some(&date) if date < now.date() => true,
        Some(&date) if date == now.date() => s.time.start < minute_of(now),
        _ => false,
    }
}

/// The shifts of `person` that an absence touches.
pub fn shifts_hit(
    problem: &Problem,
    roster: &Roster,
    person: usize,
    absence: &crate::input::Absence,
) -> Vec<Shift> {
    let from = absence.from.unwrap_or(0);
    let to = absence.to.unwrap_or(1440);
    roster
        .shifts
        .iter()
        .copied()
        .filter(|s| {
            s.person == person
                && problem
                    .days
                    .get(s.day)
                    .is_some_and(|d| *d >= absence.first && *d <= absence.last)
                && s.time.start < to
                && from < s.time.end
        })
        .collect()
}

/// The part of a started shift the person still works: up to the first minute they became
/// unavailable (on the slot grid), or the whole shift when they were available throughout.
fn keep_started(problem: &Problem, s: &Shift) -> Option<Shift> {
    let p = problem.people.get(s.person)?;
    if p.is_available(s.day, &s.time) {
        return Some(*s);
    }
    let slot = problem.slot_minutes.max(1);
    let mut end = s.time.start;
    while end < s.time.end
        && p.is_available(
            s.day,
            &TimeRange {
                start: s.time.start,
                end: end + slot,
            },
        )
    {
        end += slot;
    }
    TimeRange::new(s.time.start, end).map(|time| Shift { time, ..*s })
}

/// The same breach in two rosters: the same rule for the same person, day and desk (its figure
/// may differ: a weekly cap passed by a hand edit that a repair keeps no worse).
pub fn same_breach(a: &Violation, b: &Violation) -> bool {
    a.message == b.message
        || (a.rule == b.rule && a.person == b.person && a.day == b.day && a.desk == b.desk)
}

fn holes_of(problem: &Problem, roster: &Roster) -> Vec<Shortfall> {
    holes_in(problem, check(problem, roster).shortfalls)
}

fn holes_in(problem: &Problem, shortfalls: Vec<Shortfall>) -> Vec<Shortfall> {
    shortfalls
        .into_iter()
        .filter(|s| is_hole(problem, s))
        .collect()
}

/// Repairs `current` for the problem's (new) availability. See the module documentation.
///
/// # Errors
/// As [`crate::solve::solve`]: [`SolveError::Infeasible`] when the fixed part of the roster
/// leaves no legal repair.
pub fn repair(
    problem: &Problem,
    current: &Roster,
    options: &RepairOptions,
) -> Result<Repair, SolveError> {
    problem.validate().map_err(SolveError::Invalid)?;
    let start = Instant::now();
    let now = options.now;
    let prior_violations: Vec<Violation> = check(problem, current)
        .violations
        .into_iter()
        .filter(|v| v.rule != crate::check::HardRule::Availability)
        .collect();

    // History never changes (a started shift is cut where its person became unavailable);
    // future shifts the person can no longer work go.
    let mut kept: Vec<Shift> = Vec::new();
    let mut history: Vec<Shift> = Vec::new();
    let mut removed: Vec<Shift> = Vec::new();
    for s in &current.shifts {
        let available = problem
            .people
            .get(s.person)
            .is_some_and(|p| p.is_available(s.day, &s.time));
        if started(problem, s, &now) {
            if let Some(k) = keep_started(problem, s) {
                history.push(k);
                kept.push(k);
            }
            if !available {
                removed.push(*s);
            }
        } else if available {
            kept.push(*s);
        } else {
            removed.push(*s);
        }
    }
    let base_roster = Roster::new(kept.clone());

    // Days to re-solve: where shifts went, and where future holes are.
    // The first moment a new shift may start: (day index, minute). Before the term: its start;
    // after it: nothing is left to change.
    let earliest = if problem.days.first().is_some_and(|d| *d > now.date()) {
        (0, 0)
    } else {
        (
            problem.day_index(now.date()).unwrap_or(usize::MAX),
            minute_of(&now),
        )
    };
    let mut days: BTreeSet<usize> = removed.iter().map(|s| s.day).collect();
    for h in holes_of(problem, &base_roster) {
        if (h.day, h.time.end) > earliest {
            days.insert(h.day);
        }
    }
    days.retain(|&d| d >= earliest.0);

    let mut best = solve_window(problem, current, &kept, &history, &days, earliest, options)?;
    // Hard rules the repair leaves broken that neither the roster before nor the shifts already
    // worked break: the absence can break a run rule whose other days lie outside the re-solved
    // ones (a minimum run whose first day the person can no longer work), which only a wider
    // window can mend. A shift cut short where its person left breaks its rule whatever the
    // window, so it asks for no wider one; so does any upper limit the shifts already worked
    // pass, while a minimum they alone fall short of (a term minimum, a run) later days may
    // still meet. One check of a roster gives its holes and breaches.
    let forced: Vec<Violation> = check(problem, &Roster::new(history.clone()))
        .violations
        .into_iter()
        .filter(|v| {
            use crate::check::HardRule as R;
            !matches!(
                v.rule,
                R::MinTerm | R::MinConsecutiveDays | R::MinConsecutiveDaysOff | R::Fixed
            )
        })
        .collect();
    let outcome = |roster: &Roster| {
        let report = check(problem, roster);
        let broken = report
            .violations
            .iter()
            .filter(|v| v.rule != crate::check::HardRule::Availability)
            .filter(|v| {
                !prior_violations
                    .iter()
                    .chain(&forced)
                    .any(|p| same_breach(p, v))
            })
            .count();
        (holes_in(problem, report.shortfalls), broken)
    };
    let (mut holes_after, broken) = outcome(&best.0);
    if holes_after.iter().any(|h| days.contains(&h.day)) || broken > 0 {
        // Widen to the whole weeks: someone's weekly cap may be freed by moving another day;
        // for a broken rule, the weeks around them too (a run may go on across Sunday).
        let mut weeks: BTreeSet<usize> = days.iter().map(|&d| problem.week_of(d)).collect();
        if broken > 0 {
            let around: Vec<usize> = weeks
                .iter()
                .flat_map(|&w| [w.saturating_sub(1), w + 1])
                .collect();
            weeks.extend(around);
        }
        let wide: BTreeSet<usize> = (0..problem.days.len())
            .filter(|&d| weeks.contains(&problem.week_of(d)) && (d >= earliest.0))
            .collect();
        if wide.len() > days.len() {
            let alt = solve_window(problem, current, &kept, &history, &wide, earliest, options)?;
            let (alt_holes, alt_broken) = outcome(&alt.0);
            if alt_broken < broken || alt_broken == broken && alt.1 + 1e-9 < best.1 {
                holes_after = alt_holes;
                best = alt;
                days = wide;
            }
        }
    }
    let (roster, objective, bound, proven) = best;

    let changes = diff(current, &roster);
    let holes: Vec<Hole> = holes_after
        .into_iter()
        .filter(|h| (h.day, h.time.end) > earliest)
        .map(|h| {
            let gap = Gap::from(&h);
            let why_not = explain(problem, &roster, &gap)
                .into_iter()
                .filter(|v| {
                    problem
                        .people
                        .get(v.person)
                        .is_some_and(|p| p.may_staff(h.desk))
                        && v.proposal.is_none()
                })
                .map(|v| {
                    let mut r = v.reasons;
                    r.extend(v.missing);
                    (v.person, r)
                })
                .collect();
            let relaxation = smallest_relaxation(problem, &roster, &gap);
            Hole {
                shortfall: h,
                why_not,
                relaxation,
            }
        })
        .collect();
    let calls = calls(problem, &base_roster, &changes);
    let gap = ((objective - bound) / objective.abs().max(1.0)).max(0.0);
    Ok(Repair {
        roster,
        changes,
        holes,
        calls,
        summary: SolveSummary {
            objective,
            bound,
            gap,
            proven_optimal: proven,
            seconds: start.elapsed().as_secs_f64(),
        },
        prior_violations,
        window: days.into_iter().collect(),
    })
}

/// Solves the days of `window` with everything else fixed. Returns the roster, its repair
/// objective (holes, changes, soft terms of the window), bound and proof.
fn solve_window(
    problem: &Problem,
    current: &Roster,
    kept: &[Shift],
    history: &[Shift],
    window: &BTreeSet<usize>,
    earliest: (usize, Minute),
    options: &RepairOptions,
) -> Result<(Roster, f64, f64, bool), SolveError> {
    if window.is_empty() {
        return Ok((Roster::new(kept.to_vec()), 0.0, 0.0, true));
    }
    let context: Vec<Shift> = kept
        .iter()
        .copied()
        .filter(|s| !window.contains(&s.day))
        .collect();
    let pinned: Vec<Shift> = history
        .iter()
        .copied()
        .filter(|s| window.contains(&s.day))
        .collect();
    let base: Vec<Shift> = current
        .shifts
        .iter()
        .copied()
        .filter(|s| window.contains(&s.day))
        .collect();
    let block = Block {
        days: window.iter().copied().collect(),
        context: context.clone(),
        pinned,
        caps: Vec::new(),
        base: Some(base),
        change: ChangeWeights {
            per_person: options.per_person,
            per_hour: options.per_hour,
        },
        ignore_term: false,
        must_scale: options.must_scale,
        earliest: Some(earliest),
        weekend_off: Vec::new(),
        only_pinned: false,
        frozen: Default::default(),
    };
    let settings = BlockSettings {
        time_limit: options.solve.time_limit,
        // Exact: with weights orders of magnitude apart, a relative gap could hide a change.
        gap: 0.0,
        threads: options.solve.threads,
        // No warm start: HiGHS completing a partial start gave non-optimal repairs in the
        // brute-force property test (see DESIGN.md).
        initial: None,
        export: None,
        warm_start: false,
        lns: false,
        workers: 1,
        cutoff: None,
        known_bound: None,
    };
    let what = crate::solve::describe_days(problem, &block.days);
    let out = solve_block(problem, &block, &settings).map_err(|e| match e {
        crate::formulate::BlockError::Infeasible => SolveError::Infeasible(what.clone()),
        crate::formulate::BlockError::NoSolution | crate::formulate::BlockError::NothingCheaper => {
            SolveError::NoSolution(what.clone())
        }
        crate::formulate::BlockError::Solver(s) => SolveError::Solver(s),
    })?;
    let mut shifts = context;
    shifts.extend(out.shifts);
    Ok((Roster::new(shifts), out.objective, out.bound, out.proven))
}

/// The changes from `before` to `after`, per person and day.
pub fn diff(before: &Roster, after: &Roster) -> Vec<Change> {
    let mut by: BTreeMap<(usize, usize), (Vec<Shift>, Vec<Shift>)> = BTreeMap::new();
    for s in &before.shifts {
        by.entry((s.person, s.day)).or_default().0.push(*s);
    }
    for s in &after.shifts {
        by.entry((s.person, s.day)).or_default().1.push(*s);
    }
    let mut out = Vec::new();
    for ((person, day), (old, new)) in by {
        let old_set: HashSet<Shift> = old.iter().copied().collect();
        let new_set: HashSet<Shift> = new.iter().copied().collect();
        let mut olds: Vec<Shift> = old.into_iter().filter(|s| !new_set.contains(s)).collect();
        let news: Vec<Shift> = new.into_iter().filter(|s| !old_set.contains(s)).collect();
        let mut leftover_new = Vec::new();
        for n in news {
            let partner = olds
                .iter()
                .position(|o| o.desk == n.desk && o.time.overlaps(&n.time));
            match partner {
                Some(i) => {
                    let o = olds.remove(i);
                    let kind = if n.time.contains(&o.time) {
                        ChangeKind::Extended
                    } else if o.time.contains(&n.time) {
                        ChangeKind::Shortened
                    } else {
                        ChangeKind::Moved
                    };
                    out.push(Change {
                        person,
                        day,
                        desk: n.desk,
                        before: Some(o.time),
                        after: Some(n.time),
                        kind,
                    });
                }
                None => leftover_new.push(n),
            }
        }
        // What remains on both sides moved (other hours or another desk), in time order.
        for n in leftover_new {
            let (before, kind) = if olds.is_empty() {
                (None, ChangeKind::Added)
            } else {
                (Some(olds.remove(0).time), ChangeKind::Moved)
            };
            out.push(Change {
                person,
                day,
                desk: n.desk,
                before,
                after: Some(n.time),
                kind,
            });
        }
        for o in olds {
            out.push(Change {
                person,
                day,
                desk: o.desk,
                before: Some(o.time),
                after: None,
                kind: ChangeKind::Removed,
            });
        }
    }
    out.sort_by_key(|c| {
        (
            c.day,
            c.after.or(c.before).map(|t| t.start),
            c.person,
            c.kind,
        )
    });
    out
}

fn name(problem: &Problem, p: usize) -> &str {
    problem.people.get(p).map_or("?", |x| x.name.as_str())
}

/// Whom to call: every person who gains hours, earliest first, with why they were chosen and
/// the next people to try if they do not answer.
fn calls(problem: &Problem, base: &Roster, changes: &[Change]) -> Vec<Call> {
    let mut out = Vec::new();
    for c in changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Removed && c.kind != ChangeKind::Shortened)
    {
        let Some(after) = c.after else { continue };
        // The new part of the shift is the gap they fill.
        let gap_time = match c.before {
            Some(b) if c.kind == ChangeKind::Extended && b.start > after.start => TimeRange {
                start: after.start,
                end: b.start,
            },
            Some(b) if c.kind == ChangeKind::Extended => TimeRange {
                start: b.end,
                end: after.end,
            },
            _ => after,
        };
        // Rank against the roster without this person's changed day, so their own old shift
        // does not stand in their way.
        let others_only = Roster::new(
            base.shifts
                .iter()
                .copied()
                .filter(|s| !(s.person == c.person && s.day == c.day))
                .collect(),
        );
        let ranked = rank_candidates(problem, &others_only, c.desk, c.day, gap_time);
        let why = ranked
            .iter()
            .find(|k| k.person == c.person)
            .map(|k| k.reason.clone())
            .unwrap_or_else(|| "chosen by the solver as the smallest change".to_string());
        let others: Vec<&str> = ranked
            .iter()
            .filter(|k| k.person != c.person)
            .take(3)
            .map(|k| name(problem, k.person))
            .collect();
        let desk = problem.desks.get(c.desk).map_or("?", |d| d.name.as_str());
        let what = match (c.kind, c.before) {
            (ChangeKind::Extended, Some(b)) => format!(
                "extend {} {} to {} at {desk}",
                problem.day_label(c.day),
                b,
                after
            ),
            (ChangeKind::Moved, Some(b)) => format!(
                "move {} {} to {} at {desk}",
                problem.day_label(c.day),
                b,
                after
            ),
            _ => format!("work {} {} at {desk}", problem.day_label(c.day), after),
        };
        let mut text = format!("{}: {what} — {why}", name(problem, c.person));
        if !others.is_empty() {
            let _ = write!(text, ". If no answer: {}", others.join(", "));
        }
        out.push(Call {
            rank: out.len() + 1,
            person: c.person,
            text,
        });
    }
    out
}

/// `changes.csv`, `conflicts.md` and `conflicts.csv` of a repair.
///
/// # Errors
/// Only when CSV encoding fails.
pub fn outputs(problem: &Problem, rep: &Repair) -> std::io::Result<Vec<OutputFile>> {
    let t = |x: Option<TimeRange>| x.map(|r| r.to_string()).unwrap_or_default();
    let mut rows = vec![["person", "date", "desk", "before", "after", "kind"]
        .map(String::from)
        .to_vec()];
    for c in &rep.changes {
        rows.push(vec![
            name(problem, c.person).to_string(),
            problem
                .days
                .get(c.day)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            problem
                .desks
                .get(c.desk)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            t(c.before),
            t(c.after),
            c.kind.as_str().to_string(),
        ]);
    }
    let changes = csv_bytes(rows)?;

    let mut md = String::new();
    let _ = writeln!(md, "# Sick-call repair: {}\n", problem.name);
    let _ = writeln!(
        md,
        "{} change(s) for {} person(s); {} hole(s) left.\n",
        rep.changes.len(),
        rep.changed_people(),
        rep.holes.len()
    );
    if !rep.prior_violations.is_empty() {
        let _ = writeln!(
            md,
            "## The roster already broke these rules before the change\n"
        );
        for v in &rep.prior_violations {
            let _ = writeln!(md, "- {}: {}", v.rule.as_str(), v.message);
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(md, "## Whom to call\n");
    if rep.calls.is_empty() {
        let _ = writeln!(md, "Nobody: no one gains hours.\n");
    }
    for c in &rep.calls {
        let _ = writeln!(md, "{}. {}", c.rank, c.text);
    }
    let _ = writeln!(md, "\n## What cannot be covered\n");
    if rep.holes.is_empty() {
        let _ = writeln!(md, "Everything is covered.");
    }
    let mut crows = vec![[
        "desk",
        "date",
        "start",
        "end",
        "rule",
        "missing",
        "person",
        "reason",
        "smallest_fix",
    ]
    .map(String::from)
    .to_vec()];
    for h in &rep.holes {
        let s = &h.shortfall;
        let _ = writeln!(md, "### {}\n", describe_shortfall(problem, s));
        let rule = match s.kind {
            crate::check::ShortfallKind::Min => "coverage_min".to_string(),
            crate::check::ShortfallKind::Target => "coverage_target".to_string(),
            crate::check::ShortfallKind::Requirement(r) => problem
                .requirements
                .get(r)
                .map_or("requirement".to_string(), |r| r.label.clone()),
        };
        let fix = h
            .relaxation
            .as_ref()
            .map(|r| r.render(problem))
            .unwrap_or_default();
        for (p, reasons) in &h.why_not {
            let text: Vec<String> = reasons.iter().map(|r| r.render(problem)).collect();
            let _ = writeln!(md, "- {}: {}", name(problem, *p), text.join("; "));
            crows.push(vec![
                problem
                    .desks
                    .get(s.desk)
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                problem
                    .days
                    .get(s.day)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                crate::model::fmt_minute(s.time.start),
                crate::model::fmt_minute(s.time.end),
                rule.clone(),
                s.missing.to_string(),
                name(problem, *p).to_string(),
                text.join("; "),
                fix.clone(),
            ]);
        }
        if !fix.is_empty() {
            let _ = writeln!(md, "\nSmallest fix: {fix}.");
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(
        md,
        "\nRe-solved {} day(s) in {:.2} s.",
        rep.window.len(),
        rep.summary.seconds
    );
    Ok(vec![
        OutputFile {
            name: "changes.csv".into(),
            contents: changes,
        },
        OutputFile {
            name: "conflicts.md".into(),
            contents: md.into_bytes(),
        },
        OutputFile {
            name: "conflicts.csv".into(),
            contents: csv_bytes(crows)?,
        },
    ])
}
