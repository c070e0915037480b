//! "Why not?": for a gap in a roster, who could take it, and the binding reasons of everyone who
//! cannot — as data, without any solver.
//!
//! For each person, [`explain`] tries the shifts that would cover the gap (see [`Proposal`]):
//! extending their own shift at that desk that day, a new shift exactly the gap, or one padded
//! to the minimum length within the day; in template mode, every template containing the gap.
//! A proposal works when the person's shifts, changed that way, break no hard rule they did not
//! already break (the rules are those of [`crate::check`], reused, so the two never disagree) and
//! the desk stays within its `max`. When none works, the reasons of the proposal with the fewest
//! reasons are reported.
//!
//! [`Reason::render`] turns a reason into a sentence ("at weekly cap: would work 11h30 of 10h");
//! [`smallest_relaxation`] finds the smallest cap increase that would let someone take the gap;
//! [`rank_candidates`] orders the people who could take it, with why.
//!
//! # Example
//!
//! ```
//! use deskroster::builder::{ProblemBuilder, Weekdays};
//! use deskroster::explain::{explain, rank_candidates, Gap};
//! use deskroster::model::{Roster, TimeRange};
//!
//! let p = ProblemBuilder::new("2027-01-04".parse()?, 1)
//!     .desk("Desk", |d| d.open(Weekdays::all(), "09:00-17:00").cover("09:00-17:00", 1, 1, 1))
//!     .group("staff")
//!     .person("Ana", "staff", |p| p.available(Weekdays::all(), "09:00-17:00"))
//!     .person("Ben", "staff", |p| p.available(Weekdays::all(), "09:00-12:00"))
//!     .build()?;
//! let gap = Gap { desk: 0, day: 0, time: TimeRange::new(13 * 60, 15 * 60).unwrap() };
//! let verdicts = explain(&p, &Roster::default(), &gap);
//! assert!(verdicts[0].could_take());
//! assert_eq!(verdicts[1].reasons[0].render(&p), "not available then (available 09:00-12:00)");
//! let ranked = rank_candidates(&p, &Roster::default(), 0, 0, gap.time);
//! assert_eq!(ranked.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use crate::check::{
    fmt_duration, people_violations, qualifies, shift_preference_cost, slots, HardRule, Shortfall,
    Violation,
};
use crate::model::{fmt_minute, Minute, Problem, Roster, Shift, TimeRange, Who};

/// A stretch of one desk and day to cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Gap {
    /// Desk index.
    pub desk: usize,
    /// Day index.
    pub day: usize,
    /// The time to cover.
    pub time: TimeRange,
}

impl From<&Shortfall> for Gap {
    fn from(s: &Shortfall) -> Gap {
        Gap {
            desk: s.desk,
            day: s.day,
            time: s.time,
        }
    }
}

/// Why a person cannot take a gap. Indices refer to the [`Problem`]; durations are minutes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum Reason {
    /// The person may not staff the desk.
    NotEligibleForDesk {
        /// Desk index.
        desk: usize,
    },
    /// A staff-mix requirement short on the gap needs a skill the person lacks that day.
    MissingSkill {
        /// Skill index.
        skill: usize,
    },
    /// A staff-mix requirement short on the gap needs a group the person is not in.
    NotInGroup {
        /// Group index.
        group: usize,
    },
    /// The shift is not inside the person's availability that day (absences included).
    Unavailable {
        /// The person's availability that day (empty: away all day).
        available: Vec<TimeRange>,
    },
    /// The shift is outside the desk's opening hours.
    OutsideOpening {
        /// The desk's hours that day, `None` when closed.
        open: Option<TimeRange>,
    },
    /// The person already works then (the shift would overlap another of theirs).
    AlreadyWorking {
        /// Desk of the other shift.
        desk: usize,
        /// Hours of the other shift.
        time: TimeRange,
    },
    /// The shift would come closer than `min_gap` to another of the person's shifts that day.
    WouldBreakGap {
        /// Hours of the other shift.
        other: TimeRange,
        /// The required gap.
        min_gap: u32,
    },
    /// The daily cap would be exceeded.
    DailyCap {
        /// Minutes the person would work that day.
        would_work: u32,
        /// The cap.
        cap: u32,
        /// `would_work - cap`.
        over_by_minutes: u32,
    },
    /// The weekly cap would be exceeded.
    WeeklyCap {
        /// Minutes the person would work that week.
        would_work: u32,
        /// The cap.
        cap: u32,
        /// `would_work - cap`.
        over_by_minutes: u32,
    },
    /// The term cap would be exceeded.
    TermCap {
        /// Minutes the person would work over the horizon.
        would_work: u32,
        /// The cap.
        cap: u32,
        /// `would_work - cap`.
        over_by_minutes: u32,
    },
    /// The person would have more shifts that day than allowed.
    MaxShiftsPerDay {
        /// The limit.
        limit: u32,
    },
    /// The person would work more days that week than allowed.
    MaxDaysPerWeek {
        /// The limit.
        limit: u32,
    },
    /// Too little rest between the gap's day and the day before or after.
    Rest {
        /// The gap's day (index).
        day: usize,
        /// The other day (index): the day before or after.
        other_day: usize,
        /// The other day's first start (when after) or last end (when before).
        at: Minute,
        /// Rest the person would get.
        rest_minutes: u32,
        /// Rest required.
        required: u32,
    },
    /// The shift would be shorter than the minimum length.
    ShiftTooShort {
        /// Its length.
        minutes: u32,
        /// The minimum.
        min: u32,
    },
    /// The shift would be longer than the maximum length.
    ShiftTooLong {
        /// Its length.
        minutes: u32,
        /// The maximum.
        max: u32,
    },
    /// The desk would have more people than its `max` in part of the shift.
    CoverageMax {
        /// The first stretch above the maximum.
        time: TimeRange,
    },
    /// Too many working days in a row.
    MaxConsecutiveDays {
        /// The limit.
        limit: u32,
    },
    /// The working stretch would be shorter than the contract's minimum run.
    MinConsecutiveDays {
        /// The limit.
        limit: u32,
    },
    /// A stretch of days off would become shorter than the contract's minimum.
    MinConsecutiveDaysOff {
        /// The limit.
        limit: u32,
    },
    /// Too many weekends worked.
    MaxWeekends {
        /// The limit.
        limit: u32,
    },
    /// In template mode, no template at the desk covers the gap.
    NoTemplate,
    /// The person's limit for this template is used up.
    TemplateLimit {
        /// Template index.
        template: usize,
        /// The limit.
        limit: u32,
    },
    /// A forbidden template succession with the day before or after.
    Succession {
        /// The other day (index).
        other_day: usize,
    },
    /// The gap is off the slot grid.
    OffGrid,
    /// Any other hard rule, with the checker's message.
    Other {
        /// The rule.
        rule: HardRule,
        /// The checker's message.
        message: String,
    },
}

fn name_of(list: &[String], i: usize, what: &str) -> String {
    list.get(i)
        .cloned()
        .unwrap_or_else(|| format!("{what} #{i}"))
}

fn desk_name(p: &Problem, desk: usize) -> String {
    p.desks
        .get(desk)
        .map_or_else(|| format!("desk #{desk}"), |d| d.name.clone())
}

impl Reason {
    /// The reason as a short phrase, e.g. `"at weekly cap: would work 11h30 of 10h"`.
    pub fn render(&self, p: &Problem) -> String {
        let d = fmt_duration;
        match self {
            Reason::NotEligibleForDesk { desk } => format!("may not staff {}", desk_name(p, *desk)),
            Reason::MissingSkill { skill } => {
                format!("missing {}", name_of(&p.skills, *skill, "skill"))
            }
            Reason::NotInGroup { group } => {
                format!("not in group {}", name_of(&p.groups, *group, "group"))
            }
            Reason::Unavailable { available } if available.is_empty() => "away all day".into(),
            Reason::Unavailable { available } => format!(
                "not available then (available {})",
                available
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Reason::OutsideOpening { open: None } => "the desk is closed that day".into(),
            Reason::OutsideOpening { open: Some(o) } => format!("outside the desk's hours {o}"),
            Reason::AlreadyWorking { desk, time } => {
                format!("already working at {} {time}", desk_name(p, *desk))
            }
            Reason::WouldBreakGap { other, min_gap } => {
                format!(
                    "would leave less than {} between shifts (has {other})",
                    d(*min_gap)
                )
            }
            Reason::DailyCap {
                would_work, cap, ..
            } => {
                format!("at daily cap: would work {} of {}", d(*would_work), d(*cap))
            }
            Reason::WeeklyCap {
                would_work, cap, ..
            } => {
                format!(
                    "at weekly cap: would work {} of {}",
                    d(*would_work),
                    d(*cap)
                )
            }
            Reason::TermCap {
                would_work, cap, ..
            } => {
                format!("at term cap: would work {} of {}", d(*would_work), d(*cap))
            }
            Reason::MaxShiftsPerDay { limit } => {
                format!("would have more than {limit} shifts that day")
            }
            Reason::MaxDaysPerWeek { limit } => {
                format!("would work more than {limit} days that week")
            }
            Reason::Rest {
                day,
                other_day,
                at,
                rest_minutes,
                required,
            } => {
                let (side, what) = if other_day > day {
                    ("before", "start")
                } else {
                    ("after", "finish")
                };
                format!(
                    "would break the {} rest {side} the {} {what} on {} (only {})",
                    d(*required),
                    fmt_minute(*at),
                    p.day_label(*other_day),
                    d(*rest_minutes)
                )
            }
            Reason::ShiftTooShort { minutes, min } => {
                format!(
                    "the shift would last {}, below the {} minimum",
                    d(*minutes),
                    d(*min)
                )
            }
            Reason::ShiftTooLong { minutes, max } => {
                format!(
                    "the shift would last {}, above the {} maximum",
                    d(*minutes),
                    d(*max)
                )
            }
            Reason::CoverageMax { time } => {
                format!("the desk would be above its maximum during {time}")
            }
            Reason::MaxConsecutiveDays { limit } => {
                format!("would work more than {limit} days in a row")
            }
            Reason::MinConsecutiveDays { limit } => {
                format!("would work a stretch shorter than {limit} days in a row")
            }
            Reason::MinConsecutiveDaysOff { limit } => {
                format!("would leave fewer than {limit} days off in a row")
            }
            Reason::MaxWeekends { limit } => format!("would work more than {limit} weekends"),
            Reason::NoTemplate => "no shift template covers that time".into(),
            Reason::TemplateLimit { template, limit } => format!(
                "has used up the {} shift limit ({limit})",
                p.templates
                    .get(*template)
                    .map_or("template", |t| t.name.as_str())
            ),
            Reason::Succession { other_day } => {
                format!(
                    "forbidden shift succession with {}",
                    p.day_label(*other_day)
                )
            }
            Reason::OffGrid => "the time is off the slot grid".into(),
            Reason::Other { message, .. } => message.clone(),
        }
    }

    /// True for the hour caps a coordinator can raise ([`smallest_relaxation`]).
    pub fn is_cap(&self) -> bool {
        matches!(
            self,
            Reason::DailyCap { .. } | Reason::WeeklyCap { .. } | Reason::TermCap { .. }
        )
    }
}

/// A shift that would cover the gap for one person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// The shift the person would work.
    pub shift: Shift,
    /// Shifts of theirs it replaces (extended into `shift`); empty for a new shift.
    pub replaces: Vec<Shift>,
}

impl Proposal {
    /// True when the proposal extends an existing shift.
    pub fn is_extension(&self) -> bool {
        !self.replaces.is_empty()
    }
}

/// One person's answer for a gap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// Person index.
    pub person: usize,
    /// A shift covering the gap that breaks no hard rule, when there is one.
    pub proposal: Option<Proposal>,
    /// Why the person cannot take the gap (empty when `proposal` is set): the reasons of the
    /// closest attempt.
    pub reasons: Vec<Reason>,
    /// Staff-mix requirements short on the gap that this person would not count towards
    /// ([`Reason::MissingSkill`], [`Reason::NotInGroup`]).
    pub missing: Vec<Reason>,
}

impl Verdict {
    /// True when the person could take the gap without breaking a hard rule.
    pub fn could_take(&self) -> bool {
        self.proposal.is_some()
    }
}

/// For every person (in index order): could they take `gap`, and if not, why not.
///
/// Returns an empty list when the gap's desk or day does not exist.
pub fn explain(problem: &Problem, roster: &Roster, gap: &Gap) -> Vec<Verdict> {
    if gap.desk >= problem.desks.len() || gap.day >= problem.days.len() {
        return Vec::new();
    }
    let missing_needs = short_requirements(problem, roster, gap);
    (0..problem.people.len())
        .map(|person| {
            let mut v = verdict(problem, roster, gap, person);
            for who in &missing_needs {
                let lacks = problem
                    .people
                    .get(person)
                    .is_some_and(|pp| !qualifies(problem, pp, *who, gap.day));
                let reason = match *who {
                    Who::Skill(skill) => Reason::MissingSkill { skill },
                    Who::Group(group) => Reason::NotInGroup { group },
                };
                if lacks && !v.missing.contains(&reason) {
                    v.missing.push(reason);
                }
            }
            v
        })
        .collect()
}

/// Kinds of people that staff-mix requirements on the gap are currently short of.
fn short_requirements(p: &Problem, roster: &Roster, gap: &Gap) -> Vec<Who> {
    let slot = p.slot_minutes.max(1);
    let mut out = Vec::new();
    for r in &p.requirements {
        if r.desk != gap.desk || r.day != gap.day || !r.time.overlaps(&gap.time) {
            continue;
        }
        let short = slots(r.time, slot)
            .filter(|t| gap.time.start <= *t && *t < gap.time.end)
            .any(|t| {
                let mut people: Vec<usize> = staffing(roster, gap.desk, gap.day, t);
                people.retain(|&pi| {
                    p.people
                        .get(pi)
                        .is_some_and(|pp| qualifies(p, pp, r.who, r.day))
                });
                (people.len() as u64) < u64::from(r.need)
            });
        if short && !out.contains(&r.who) {
            out.push(r.who);
        }
    }
    out
}

/// Distinct people on `desk` during slot `t` of `day`.
fn staffing(roster: &Roster, desk: usize, day: usize, t: Minute) -> Vec<usize> {
    let mut people: Vec<usize> = roster
        .shifts
        .iter()
        .filter(|s| s.day == day && s.desk == desk && s.time.start <= t && t < s.time.end)
        .map(|s| s.person)
        .collect();
    people.sort_unstable();
    people.dedup();
    people
}

/// The shifts that would cover the gap for `person`, most natural first.
fn proposals(p: &Problem, roster: &Roster, gap: &Gap, person: usize) -> Vec<Proposal> {
    let mine: Vec<Shift> = roster
        .shifts
        .iter()
        .filter(|s| s.person == person && s.day == gap.day && s.desk == gap.desk)
        .copied()
        .collect();
    let new = |time: TimeRange| Shift {
        day: gap.day,
        desk: gap.desk,
        person,
        time,
    };
    let mut out = Vec::new();
    if !p.templates.is_empty() {
        for t in &p.templates {
            if t.desk == gap.desk
                && t.time.contains(&gap.time)
                && !mine.iter().any(|s| s.time == t.time)
            {
                out.push(Proposal {
                    shift: new(t.time),
                    replaces: Vec::new(),
                });
            }
        }
        return out;
    }
    // Extend (and bridge) their shifts at this desk touching the gap.
    let touching: Vec<Shift> = mine
        .iter()
        .filter(|s| s.time.end >= gap.time.start && s.time.start <= gap.time.end)
        .copied()
        .collect();
    if !touching.is_empty() {
        let start = touching
            .iter()
            .map(|s| s.time.start)
            .min()
            .unwrap_or(gap.time.start)
            .min(gap.time.start);
        let end = touching
            .iter()
            .map(|s| s.time.end)
            .max()
            .unwrap_or(gap.time.end)
            .max(gap.time.end);
        if let Some(time) = TimeRange::new(start, end) {
            out.push(Proposal {
                shift: new(time),
                replaces: touching,
            });
        }
    }
    out.push(Proposal {
        shift: new(gap.time),
        replaces: Vec::new(),
    });
    // Pad a short gap to the minimum length, any split before/after, on the slot grid.
    let need = p.rules.min_length.saturating_sub(gap.time.minutes());
    if need > 0 {
        let slot = p.slot_minutes.max(1);
        let mut before = 0;
        while before <= need {
            let start = gap.time.start.checked_sub(before);
            let end = gap.time.end.checked_add(need - before);
            if let Some(time) = start.zip(end).and_then(|(s, e)| TimeRange::new(s, e)) {
                out.push(Proposal {
                    shift: new(time),
                    replaces: Vec::new(),
                });
            }
            before += slot;
        }
    }
    out
}

/// Violations key for diffing.
fn key(v: &Violation) -> (HardRule, Option<usize>, Option<usize>, &str) {
    (v.rule, v.day, v.desk, v.message.as_str())
}

/// What happens when `person` takes `gap`: `Err(reasons)` when they already cover it, otherwise
/// every proposal with the reasons it fails (empty: it works).
fn attempts(
    p: &Problem,
    roster: &Roster,
    gap: &Gap,
    person: usize,
) -> Result<Vec<(Proposal, Vec<Reason>)>, Vec<Reason>> {
    let mine: Vec<Shift> = roster
        .shifts
        .iter()
        .filter(|s| s.person == person)
        .copied()
        .collect();
    let covered = mine
        .iter()
        .find(|s| s.day == gap.day && s.desk == gap.desk && s.time.contains(&gap.time));
    if let Some(s) = covered {
        return Err(vec![Reason::AlreadyWorking {
            desk: s.desk,
            time: s.time,
        }]);
    }
    let before = people_violations(p, &Roster::new(mine.clone()));
    let before_keys: Vec<_> = before.iter().map(key).collect();
    let candidates = proposals(p, roster, gap, person);
    if candidates.is_empty() {
        return Err(vec![Reason::NoTemplate]);
    }
    let mut out = Vec::new();
    for prop in candidates {
        let mut after_shifts: Vec<Shift> = mine
            .iter()
            .filter(|s| !prop.replaces.contains(s))
            .copied()
            .collect();
        after_shifts.push(prop.shift);
        let after = people_violations(p, &Roster::new(after_shifts.clone()));
        let mut reasons = Vec::new();
        for v in after.iter().filter(|v| !before_keys.contains(&key(v))) {
            for r in reasons_for(p, v, &prop.shift, &after_shifts) {
                if !reasons.contains(&r) {
                    reasons.push(r);
                }
            }
        }
        if let Some(r) = coverage_max(p, roster, &prop) {
            reasons.push(r);
        }
        let works = reasons.is_empty();
        out.push((prop, reasons));
        if works {
            break;
        }
    }
    Ok(out)
}

/// The first proposal that works, or the reasons of the attempt with the fewest reasons.
fn verdict(p: &Problem, roster: &Roster, gap: &Gap, person: usize) -> Verdict {
    let none = |reasons| Verdict {
        person,
        proposal: None,
        reasons,
        missing: Vec::new(),
    };
    let tries = match attempts(p, roster, gap, person) {
        Err(reasons) => return none(reasons),
        Ok(tries) => tries,
    };
    let mut best: Option<Vec<Reason>> = None;
    for (prop, reasons) in tries {
        if reasons.is_empty() {
            return Verdict {
                person,
                proposal: Some(prop),
                reasons,
                missing: Vec::new(),
            };
        }
        if best.as_ref().is_none_or(|b| reasons.len() < b.len()) {
            best = Some(reasons);
        }
    }
    none(best.unwrap_or_default())
}

/// The first run of slots where adding the proposal would put the desk above its `max`.
fn coverage_max(p: &Problem, roster: &Roster, prop: &Proposal) -> Option<Reason> {
    let s = &prop.shift;
    let dd = p.desks.get(s.desk)?.days.get(s.day)?.as_ref()?;
    let slot = p.slot_minutes.max(1);
    let mut over: Option<(Minute, Minute)> = None;
    for (t, cover) in slots(dd.open, slot).zip(&dd.cover) {
        if t < s.time.start || t >= s.time.end {
            continue;
        }
        let mut people = staffing(roster, s.desk, s.day, t);
        if !people.contains(&s.person) {
            people.push(s.person);
        }
        if people.len() as u64 > u64::from(cover.max) {
            match &mut over {
                Some((_, e)) if *e == t => *e = t + slot,
                Some(_) => break,
                None => over = Some((t, t + slot)),
            }
        }
    }
    over.and_then(|(a, b)| TimeRange::new(a, b.min(1440)))
        .map(|time| Reason::CoverageMax { time })
}

/// Turns one new violation into reasons with their numbers.
fn reasons_for(p: &Problem, v: &Violation, new: &Shift, after: &[Shift]) -> Vec<Reason> {
    let Some(person) = p.people.get(new.person) else {
        return Vec::new();
    };
    let c = &person.contract;
    let minutes = |pred: &dyn Fn(usize) -> bool| -> u32 {
        after
            .iter()
            .filter(|s| pred(s.day))
            .map(|s| s.time.minutes())
            .sum()
    };
    let cap = |would_work: u32, cap: Option<u32>| {
        let cap = cap.unwrap_or(0);
        (would_work, cap, would_work.saturating_sub(cap))
    };
    let r = match v.rule {
        HardRule::Desk => Reason::NotEligibleForDesk { desk: new.desk },
        HardRule::Availability => Reason::Unavailable {
            available: person
                .availability
                .get(new.day)
                .cloned()
                .unwrap_or_default(),
        },
        HardRule::Opening => Reason::OutsideOpening {
            open: p
                .desks
                .get(new.desk)
                .and_then(|d| d.days.get(new.day))
                .and_then(|d| d.as_ref())
                .map(|d| d.open),
        },
        HardRule::Grid => Reason::OffGrid,
        HardRule::Length if new.time.minutes() < p.rules.min_length => Reason::ShiftTooShort {
            minutes: new.time.minutes(),
            min: p.rules.min_length,
        },
        HardRule::Length => Reason::ShiftTooLong {
            minutes: new.time.minutes(),
            max: p.rules.max_length,
        },
        HardRule::Template => Reason::NoTemplate,
        HardRule::Gap => {
            let mut out = Vec::new();
            for s in after.iter().filter(|s| s.day == new.day && *s != new) {
                if s.time.overlaps(&new.time) {
                    out.push(Reason::AlreadyWorking {
                        desk: s.desk,
                        time: s.time,
                    });
                } else if s.time.start < new.time.end.saturating_add(p.rules.min_gap)
                    && new.time.start < s.time.end.saturating_add(p.rules.min_gap)
                {
                    out.push(Reason::WouldBreakGap {
                        other: s.time,
                        min_gap: p.rules.min_gap,
                    });
                }
            }
            return out;
        }
        HardRule::ShiftsPerDay => Reason::MaxShiftsPerDay {
            limit: p.rules.max_shifts_per_day,
        },
        HardRule::Rest => {
            let Some(d) = v.day else { return Vec::new() };
            let end = after
                .iter()
                .filter(|s| s.day == d)
                .map(|s| s.time.end)
                .max()
                .unwrap_or(0);
            let start = after
                .iter()
                .filter(|s| s.day == d + 1)
                .map(|s| s.time.start)
                .min()
                .unwrap_or(0);
            let rest_minutes = (1440u32.saturating_sub(end)) + start;
            let required = p.rules.min_rest;
            if d == new.day {
                Reason::Rest {
                    day: new.day,
                    other_day: d + 1,
                    at: start,
                    rest_minutes,
                    required,
                }
            } else {
                Reason::Rest {
                    day: new.day,
                    other_day: d,
                    at: end,
                    rest_minutes,
                    required,
                }
            }
        }
        HardRule::MaxDay => {
            let (would_work, cap, over_by_minutes) = cap(minutes(&|d| d == new.day), c.max_day);
            Reason::DailyCap {
                would_work,
                cap,
                over_by_minutes,
            }
        }
        HardRule::MaxWeek => {
            let week = p.week_of(new.day);
            let (would_work, cap, over_by_minutes) =
                cap(minutes(&|d| p.week_of(d) == week), c.max_week);
            Reason::WeeklyCap {
                would_work,
                cap,
                over_by_minutes,
            }
        }
        HardRule::MaxTerm => {
            let (would_work, cap, over_by_minutes) = cap(minutes(&|_| true), c.max_term);
            Reason::TermCap {
                would_work,
                cap,
                over_by_minutes,
            }
        }
        HardRule::MaxDaysWeek => Reason::MaxDaysPerWeek {
            limit: c.max_days_week.unwrap_or(0),
        },
        HardRule::MaxConsecutiveDays => Reason::MaxConsecutiveDays {
            limit: c.max_consecutive_days.unwrap_or(0),
        },
        HardRule::MinConsecutiveDays => Reason::MinConsecutiveDays {
            limit: c.min_consecutive_days.unwrap_or(0),
        },
        HardRule::MinConsecutiveDaysOff => Reason::MinConsecutiveDaysOff {
            limit: c.min_consecutive_days_off.unwrap_or(0),
        },
        HardRule::MaxWeekends => Reason::MaxWeekends {
            limit: c.max_weekends.unwrap_or(0),
        },
        HardRule::TemplateLimit => {
            let template = p
                .templates
                .iter()
                .position(|t| t.desk == new.desk && t.time == new.time);
            let limit = template
                .and_then(|t| person.template_limits.iter().find(|(x, _)| *x == t))
                .map_or(0, |(_, l)| *l);
            Reason::TemplateLimit {
                template: template.unwrap_or(0),
                limit,
            }
        }
        HardRule::Succession => {
            let other_day = match v.day {
                Some(d) if d == new.day => d + 1,
                Some(d) => d,
                None => new.day,
            };
            Reason::Succession { other_day }
        }
        rule => Reason::Other {
            rule,
            message: v.message.clone(),
        },
    };
    vec![r]
}

/// An hour cap a coordinator can raise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CapKind {
    /// `contract.max_day`.
    Daily,
    /// `contract.max_week`.
    Weekly,
    /// `contract.max_term`.
    Term,
}

/// Raising one cap of one person by some minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CapChange {
    /// Which cap.
    pub cap: CapKind,
    /// By how much, in minutes.
    pub by_minutes: u32,
}

/// The smallest change of hour caps that would let one person take a gap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Relaxation {
    /// Person index.
    pub person: usize,
    /// The gap it covers.
    pub gap: Gap,
    /// The shift the person would then work.
    pub proposal: Proposal,
    /// Caps to raise (at least one).
    pub changes: Vec<CapChange>,
}

impl Relaxation {
    /// Total minutes of cap increase.
    pub fn total_minutes(&self) -> u32 {
        self.changes.iter().map(|c| c.by_minutes).sum()
    }

    /// E.g. `"raising Ana's weekly cap by 2h covers Service Desk on Tue 2027-01-05 19:00-21:00"`.
    pub fn render(&self, p: &Problem) -> String {
        let who = p
            .people
            .get(self.person)
            .map_or("someone", |pp| pp.name.as_str());
        let caps = self
            .changes
            .iter()
            .map(|c| {
                let name = match c.cap {
                    CapKind::Daily => "daily",
                    CapKind::Weekly => "weekly",
                    CapKind::Term => "term",
                };
                format!("{name} cap by {}", fmt_duration(c.by_minutes))
            })
            .collect::<Vec<_>>()
            .join(" and ");
        format!(
            "raising {who}'s {caps} covers {} on {} {}",
            desk_name(p, self.gap.desk),
            p.day_label(self.gap.day),
            self.gap.time
        )
    }
}

/// The smallest raise of hour caps (daily, weekly, term) that would let someone take `gap`,
/// among people blocked only by those caps. People who count towards every staff-mix
/// requirement short on the gap come first; then the fewest minutes; ties by name.
pub fn smallest_relaxation(problem: &Problem, roster: &Roster, gap: &Gap) -> Option<Relaxation> {
    let verdicts = explain(problem, roster, gap);
    let mut best: Option<(usize, u32, String, Relaxation)> = None;
    for v in verdicts.iter().filter(|v| !v.could_take()) {
        let Ok(tries) = attempts(problem, roster, gap, v.person) else {
            continue;
        };
        for (proposal, reasons) in tries {
            if reasons.is_empty() || !reasons.iter().all(Reason::is_cap) {
                continue;
            }
            let changes = reasons
                .iter()
                .filter_map(|r| match *r {
                    Reason::DailyCap {
                        over_by_minutes, ..
                    } => Some(CapChange {
                        cap: CapKind::Daily,
                        by_minutes: over_by_minutes,
                    }),
                    Reason::WeeklyCap {
                        over_by_minutes, ..
                    } => Some(CapChange {
                        cap: CapKind::Weekly,
                        by_minutes: over_by_minutes,
                    }),
                    Reason::TermCap {
                        over_by_minutes, ..
                    } => Some(CapChange {
                        cap: CapKind::Term,
                        by_minutes: over_by_minutes,
                    }),
                    _ => None,
                })
                .collect();
            let r = Relaxation {
                person: v.person,
                gap: *gap,
                proposal,
                changes,
            };
            let name = problem
                .people
                .get(v.person)
                .map_or(String::new(), |pp| pp.name.clone());
            let rank = (v.missing.len(), r.total_minutes(), name);
            if best
                .as_ref()
                .is_none_or(|(m, t, n, _)| rank < (*m, *t, n.clone()))
            {
                best = Some((rank.0, rank.1, rank.2, r));
            }
        }
    }
    best.map(|(_, _, _, r)| r)
}

/// Someone who could take a gap, with their place in the ranking.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// Person index.
    pub person: usize,
    /// The shift they would work.
    pub proposal: Proposal,
    /// Minutes they already work in the gap's week.
    pub week_minutes: u32,
    /// Change in their preference penalty if they take it.
    pub preference_cost: f64,
    /// Staff-mix requirements short on the gap they would not count towards.
    pub missing: Vec<Reason>,
    /// Why they rank where they do, in plain language.
    pub reason: String,
}

/// Who could take `time` on `desk` and `day`, best first: people who count towards every
/// staff-mix requirement short there before those who do not; then people already on the desk
/// that day who can extend their shift; then people under their weekly contract minimum; then
/// fewest hours this week; then lowest preference cost; ties by name.
pub fn rank_candidates(
    problem: &Problem,
    roster: &Roster,
    desk: usize,
    day: usize,
    time: TimeRange,
) -> Vec<Candidate> {
    let gap = Gap { desk, day, time };
    let week = problem.week_of(day);
    let mut ranked: Vec<(usize, u8, u32, f64, String, Candidate)> = Vec::new();
    for v in explain(problem, roster, &gap) {
        let (Some(proposal), Some(person)) = (v.proposal, problem.people.get(v.person)) else {
            continue;
        };
        let week_minutes: u32 = roster
            .shifts
            .iter()
            .filter(|s| s.person == v.person && s.day < problem.days.len())
            .filter(|s| problem.week_of(s.day) == week)
            .map(|s| s.time.minutes())
            .sum();
        let preference_cost = shift_preference_cost(person, &proposal.shift)
            - proposal
                .replaces
                .iter()
                .map(|s| shift_preference_cost(person, s))
                .sum::<f64>();
        let min_week = person.contract.min_week;
        let hours = fmt_duration(week_minutes);
        let (tier, mut reason) = if let Some(old) = proposal.replaces.first() {
            let text = format!(
                "already on {} {}: extend to {} ({hours} this week)",
                desk_name(problem, desk),
                old.time,
                proposal.shift.time
            );
            (0, text)
        } else if week_minutes < min_week {
            let text = format!(
                "{} under the {} weekly minimum ({hours} this week)",
                fmt_duration(min_week - week_minutes),
                fmt_duration(min_week)
            );
            (1, text)
        } else {
            (2, format!("{hours} this week"))
        };
        if preference_cost > 0.0 {
            reason.push_str(&format!(", preference cost {preference_cost:.1}"));
        }
        if !v.missing.is_empty() {
            let lacks = v
                .missing
                .iter()
                .map(|r| r.render(problem))
                .collect::<Vec<_>>()
                .join(", ");
            reason.push_str(&format!("; ranked lower: {lacks}"));
        }
        let candidate = Candidate {
            person: v.person,
            proposal,
            week_minutes,
            preference_cost,
            missing: v.missing,
            reason,
        };
        ranked.push((
            candidate.missing.len().min(1),
            tier,
            week_minutes,
            preference_cost,
            person.name.clone(),
            candidate,
        ));
    }
    ranked.sort_by(|a, b| {
        (a.0, a.1, a.2)
            .cmp(&(b.0, b.1, b.2))
            .then(a.3.total_cmp(&b.3))
            .then_with(|| a.4.cmp(&b.4))
    });
    ranked.into_iter().map(|r| r.5).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::{parse_range, PersonBuilder, ProblemBuilder, Weekdays, Who as ByName};
    use crate::model::ShiftRules;
    use chrono::{NaiveDate, Weekday};

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sh(person: usize, desk: usize, day: usize, time: &str) -> Shift {
        Shift {
            day,
            desk,
            person,
            time: parse_range(time).unwrap(),
        }
    }

    /// Tuesday 2027-01-05 (day 1) at the Desk.
    fn gap(time: &str) -> Gap {
        Gap {
            desk: 0,
            day: 1,
            time: parse_range(time).unwrap(),
        }
    }

    /// A week from Monday 2027-01-04: "Desk" and "Chat" open 08:00-22:00; Ana (configured by
    /// `f`, available 06:00-23:00 unless `f` says otherwise).
    fn problem(f: impl FnOnce(PersonBuilder) -> PersonBuilder) -> ProblemBuilder {
        ProblemBuilder::new(date("2027-01-04"), 7)
            .desk("Desk", |d| d.open(Weekdays::all(), "08:00-22:00"))
            .desk("Chat", |d| d.open(Weekdays::all(), "08:00-22:00"))
            .group("staff")
            .skill("keyholder")
            .person("Ana", "staff", f)
    }

    fn ana(f: impl FnOnce(PersonBuilder) -> PersonBuilder) -> Problem {
        problem(|p| f(p.available(Weekdays::all(), "06:00-23:00")))
            .build()
            .unwrap()
    }

    /// Ana's verdict for `g` with `shifts` rostered: asserts she cannot take it and returns the
    /// reasons with their renderings.
    #[track_caller]
    fn blocked(p: &Problem, shifts: Vec<Shift>, g: &Gap) -> Vec<(Reason, String)> {
        let v = explain(p, &Roster::new(shifts), g).remove(0);
        assert!(!v.could_take(), "expected Ana to be blocked, got {v:#?}");
        v.reasons.iter().map(|r| (r.clone(), r.render(p))).collect()
    }

    #[test]
    fn could_take_a_plain_gap() {
        let p = ana(|p| p);
        let v = explain(&p, &Roster::default(), &gap("13:00-15:00"));
        assert_eq!(v.len(), 1);
        assert_eq!(
            v[0].proposal.as_ref().unwrap().shift,
            sh(0, 0, 1, "13:00-15:00")
        );
    }

    #[test]
    fn not_eligible_for_desk() {
        let p = ana(|p| p.desk("Chat"));
        let r = blocked(&p, vec![], &gap("13:00-15:00"));
        assert_eq!(
            r,
            vec![(
                Reason::NotEligibleForDesk { desk: 0 },
                "may not staff Desk".into()
            )]
        );
    }

    #[test]
    fn unavailable_and_away() {
        let p = problem(|p| p.available(Weekdays::all(), "08:00-12:00"))
            .build()
            .unwrap();
        let r = blocked(&p, vec![], &gap("13:00-15:00"));
        assert_eq!(r[0].1, "not available then (available 08:00-12:00)");
        let p = ana(|p| p.absent(date("2027-01-05")));
        let r = blocked(&p, vec![], &gap("13:00-15:00"));
        assert_eq!(
            r,
            vec![(
                Reason::Unavailable { available: vec![] },
                "away all day".into()
            )]
        );
    }

    #[test]
    fn outside_opening() {
        let p = ana(|p| p);
        let r = blocked(&p, vec![], &gap("06:00-08:00"));
        assert_eq!(r[0].1, "outside the desk's hours 08:00-22:00");
    }

    #[test]
    fn already_working_elsewhere_or_already_there() {
        let p = ana(|p| p);
        let r = blocked(&p, vec![sh(0, 1, 1, "12:00-16:00")], &gap("13:00-15:00"));
        assert_eq!(
            r[0].0,
            Reason::AlreadyWorking {
                desk: 1,
                time: parse_range("12:00-16:00").unwrap()
            }
        );
        assert_eq!(r[0].1, "already working at Chat 12:00-16:00");
        let r = blocked(&p, vec![sh(0, 0, 1, "12:00-16:00")], &gap("13:00-15:00"));
        assert_eq!(r[0].1, "already working at Desk 12:00-16:00");
    }

    #[test]
    fn would_break_gap() {
        let p = ana(|p| p);
        let r = blocked(&p, vec![sh(0, 1, 1, "15:00-17:00")], &gap("13:00-15:00"));
        assert!(
            r.iter()
                .any(|(_, s)| s == "would leave less than 30min between shifts (has 15:00-17:00)"),
            "{r:?}"
        );
    }

    #[test]
    fn daily_cap_and_its_relaxation() {
        let p = ana(|p| p.max_day_hours(3));
        let roster = vec![sh(0, 1, 1, "09:00-11:00")];
        let r = blocked(&p, roster.clone(), &gap("13:00-15:00"));
        assert_eq!(
            r,
            vec![(
                Reason::DailyCap {
                    would_work: 240,
                    cap: 180,
                    over_by_minutes: 60
                },
                "at daily cap: would work 4h of 3h".into()
            )]
        );
        let relax = smallest_relaxation(&p, &Roster::new(roster), &gap("13:00-15:00")).unwrap();
        assert_eq!(
            relax.changes,
            vec![CapChange {
                cap: CapKind::Daily,
                by_minutes: 60
            }]
        );
        assert_eq!(
            relax.render(&p),
            "raising Ana's daily cap by 1h covers Desk on Tue 2027-01-05 13:00-15:00"
        );
    }

    #[test]
    fn weekly_cap_and_its_relaxation() {
        let p = ana(|p| p.max_week_hours(10));
        let roster = vec![sh(0, 0, 0, "08:00-13:00"), sh(0, 0, 2, "08:00-12:30")];
        let g = gap("19:00-21:00");
        let r = blocked(&p, roster.clone(), &g);
        assert_eq!(r[0].1, "at weekly cap: would work 11h30 of 10h");
        let relax = smallest_relaxation(&p, &Roster::new(roster), &g).unwrap();
        assert_eq!(
            relax.render(&p),
            "raising Ana's weekly cap by 1h30 covers Desk on Tue 2027-01-05 19:00-21:00"
        );
    }

    #[test]
    fn term_cap() {
        let p = ana(|p| p.max_term_hours(4));
        let r = blocked(&p, vec![sh(0, 0, 0, "08:00-11:00")], &gap("13:00-15:00"));
        assert_eq!(
            r[0].0,
            Reason::TermCap {
                would_work: 300,
                cap: 240,
                over_by_minutes: 60
            }
        );
        assert_eq!(r[0].1, "at term cap: would work 5h of 4h");
    }

    #[test]
    fn no_relaxation_when_blocked_by_something_else() {
        let p = ana(|p| p.max_day_hours(3).desk("Chat"));
        let roster = Roster::new(vec![sh(0, 1, 1, "09:00-11:00")]);
        assert!(smallest_relaxation(&p, &roster, &gap("13:00-15:00")).is_none());
    }

    #[test]
    fn max_shifts_per_day() {
        let p = ana(|p| p);
        let roster = vec![sh(0, 1, 1, "08:00-10:00"), sh(0, 1, 1, "17:00-19:00")];
        let r = blocked(&p, roster, &gap("13:00-15:00"));
        assert_eq!(
            r,
            vec![(
                Reason::MaxShiftsPerDay { limit: 2 },
                "would have more than 2 shifts that day".into()
            )]
        );
    }

    #[test]
    fn max_days_per_week() {
        let p = ana(|p| p.max_days_week(1));
        let r = blocked(&p, vec![sh(0, 0, 0, "08:00-11:00")], &gap("13:00-15:00"));
        assert_eq!(r[0].1, "would work more than 1 days that week");
    }

    #[test]
    fn rest_before_and_after() {
        let p = problem(|p| p.available(Weekdays::all(), "06:00-23:00"))
            .rules(ShiftRules {
                min_rest: 11 * 60,
                ..ShiftRules::default()
            })
            .build()
            .unwrap();
        let r = blocked(&p, vec![sh(0, 0, 2, "08:30-10:30")], &gap("19:00-22:00"));
        assert_eq!(
            r[0],
            (
                Reason::Rest {
                    day: 1,
                    other_day: 2,
                    at: 510,
                    rest_minutes: 630,
                    required: 660
                },
                "would break the 11h rest before the 08:30 start on Wed 2027-01-06 (only 10h30)"
                    .into()
            )
        );
        let r = blocked(&p, vec![sh(0, 0, 0, "19:00-22:00")], &gap("08:00-10:00"));
        assert_eq!(
            r[0].1,
            "would break the 11h rest after the 22:00 finish on Mon 2027-01-04 (only 10h)"
        );
    }

    #[test]
    fn too_short_unless_padded_and_too_long() {
        let p = problem(|p| p.available(Weekdays::all(), "13:00-14:00"))
            .build()
            .unwrap();
        let r = blocked(&p, vec![], &gap("13:00-14:00"));
        assert_eq!(r[0].1, "the shift would last 1h, below the 2h minimum");
        // With room around it, the gap is padded to the minimum length.
        let p = ana(|p| p);
        let v = explain(&p, &Roster::default(), &gap("13:00-14:00")).remove(0);
        assert_eq!(v.proposal.unwrap().shift.time.minutes(), 120);
        let r = blocked(&p, vec![], &gap("09:00-15:00"));
        assert_eq!(r[0].1, "the shift would last 6h, above the 5h maximum");
    }

    #[test]
    fn coverage_max() {
        let p = ProblemBuilder::new(date("2027-01-04"), 7)
            .desk("Desk", |d| {
                d.open(Weekdays::all(), "08:00-22:00")
                    .cover("08:00-22:00", 0, 0, 1)
            })
            .group("staff")
            .person("Ana", "staff", |p| {
                p.available(Weekdays::all(), "06:00-23:00")
            })
            .person("Ben", "staff", |p| {
                p.available(Weekdays::all(), "06:00-23:00")
            })
            .build()
            .unwrap();
        let r = blocked(&p, vec![sh(1, 0, 1, "14:00-16:00")], &gap("13:00-15:00"));
        assert_eq!(
            r[0].1,
            "the desk would be above its maximum during 14:00-15:00"
        );
    }

    #[test]
    fn consecutive_days_and_weekends() {
        let p = ana(|p| p.max_consecutive_days(2));
        let roster = vec![sh(0, 0, 0, "08:00-10:00"), sh(0, 0, 2, "08:00-10:00")];
        let r = blocked(&p, roster, &gap("13:00-15:00"));
        assert_eq!(r[0].1, "would work more than 2 days in a row");
        let p = ana(|p| p.min_consecutive_days_off(2));
        let roster = vec![sh(0, 0, 0, "08:00-10:00"), sh(0, 0, 3, "08:00-10:00")];
        let r = blocked(&p, roster, &gap("13:00-15:00"));
        assert_eq!(r[0].1, "would leave fewer than 2 days off in a row");
        let p = ana(|p| p.min_consecutive_days(2));
        let r = blocked(&p, vec![], &gap("13:00-15:00"));
        assert_eq!(r[0].1, "would work a stretch shorter than 2 days in a row");
        let p = ProblemBuilder::new(date("2027-01-04"), 14)
            .desk("Desk", |d| d.open(Weekdays::all(), "08:00-22:00"))
            .group("staff")
            .person("Ana", "staff", |p| {
                p.available(Weekdays::all(), "06:00-23:00").max_weekends(1)
            })
            .build()
            .unwrap();
        let g = Gap {
            desk: 0,
            day: 12,
            time: parse_range("13:00-15:00").unwrap(),
        };
        let r = blocked(&p, vec![sh(0, 0, 5, "08:00-10:00")], &g);
        assert_eq!(r[0].1, "would work more than 1 weekends");
    }

    #[test]
    fn templates_limit_succession_and_none() {
        let p = problem(|p| {
            p.available(Weekdays::all(), "06:00-23:00")
                .template_limit("early", 1)
        })
        .template("early", "Desk", "08:00-12:00")
        .template("late", "Desk", "18:00-22:00")
        .forbid_succession("late", "early")
        .build()
        .unwrap();
        let r = blocked(&p, vec![], &gap("13:00-15:00"));
        assert_eq!(
            r,
            vec![(
                Reason::NoTemplate,
                "no shift template covers that time".into()
            )]
        );
        let r = blocked(&p, vec![sh(0, 0, 3, "08:00-12:00")], &gap("09:00-11:00"));
        assert_eq!(r[0].1, "has used up the early shift limit (1)");
        let r = blocked(&p, vec![sh(0, 0, 0, "18:00-22:00")], &gap("09:00-11:00"));
        assert_eq!(r[0].1, "forbidden shift succession with Mon 2027-01-04");
    }

    #[test]
    fn missing_skill_ranks_lower() {
        let p = ProblemBuilder::new(date("2027-01-04"), 7)
            .desk("Desk", |d| d.open(Weekdays::all(), "08:00-22:00"))
            .group("staff")
            .skill("keyholder")
            .person("Ana", "staff", |p| {
                p.available(Weekdays::all(), "06:00-23:00")
            })
            .person("Ben", "staff", |p| {
                p.skill("keyholder")
                    .available(Weekdays::all(), "06:00-23:00")
            })
            .requirement(
                "key",
                "Desk",
                Weekdays::all(),
                "13:00-14:00",
                ByName::skill("keyholder"),
                1,
                1000.0,
            )
            .build()
            .unwrap();
        let g = gap("13:00-15:00");
        let v = explain(&p, &Roster::default(), &g);
        assert_eq!(v[0].missing, vec![Reason::MissingSkill { skill: 0 }]);
        assert_eq!(v[0].missing[0].render(&p), "missing keyholder");
        assert!(v[1].missing.is_empty());
        let ranked = rank_candidates(&p, &Roster::default(), 0, 1, g.time);
        assert_eq!(
            ranked.iter().map(|c| c.person).collect::<Vec<_>>(),
            vec![1, 0]
        );
        assert_eq!(
            ranked[1].reason,
            "0h this week; ranked lower: missing keyholder"
        );
    }

    #[test]
    fn group_requirement_reports_not_in_group() {
        let p = ProblemBuilder::new(date("2027-01-04"), 7)
            .desk("Desk", |d| d.open(Weekdays::all(), "08:00-22:00"))
            .group("staff")
            .group("student")
            .person("Ana", "student", |p| {
                p.available(Weekdays::all(), "06:00-23:00")
            })
            .requirement(
                "staff",
                "Desk",
                Weekdays::all(),
                "13:00-14:00",
                ByName::group("staff"),
                1,
                1000.0,
            )
            .build()
            .unwrap();
        let v = explain(&p, &Roster::default(), &gap("13:00-15:00"));
        assert_eq!(v[0].missing[0].render(&p), "not in group staff");
    }

    #[test]
    fn ranking_extend_then_under_minimum_then_fewest_hours() {
        let p = ProblemBuilder::new(date("2027-01-04"), 7)
            .desk("Desk", |d| d.open(Weekdays::all(), "08:00-22:00"))
            .group("staff")
            .person("Ana", "staff", |p| {
                p.available(Weekdays::all(), "06:00-23:00")
            })
            .person("Ben", "staff", |p| {
                p.available(Weekdays::all(), "06:00-23:00")
            })
            .person("Cy", "staff", |p| {
                p.available(Weekdays::all(), "06:00-23:00")
                    .min_week_hours(10)
            })
            .person("Dee", "staff", |p| {
                p.available(Weekdays::all(), "06:00-23:00")
            })
            .person("Eve", "staff", |p| {
                p.available(Weekdays::all(), "06:00-23:00")
                    .avoid(Weekday::Tue, "12:00-16:00", 3.0)
            })
            .build()
            .unwrap();
        let roster = Roster::new(vec![
            sh(0, 0, 0, "08:00-12:00"), // Ana: 4h on Monday
            sh(1, 0, 1, "11:00-13:00"), // Ben: on the desk until 13:00 on Tuesday
            sh(2, 0, 0, "08:00-12:00"), // Cy: 4h, under the 10h minimum
        ]);
        let ranked = rank_candidates(&p, &roster, 0, 1, parse_range("13:00-15:00").unwrap());
        let names: Vec<&str> = ranked
            .iter()
            .map(|c| p.people[c.person].name.as_str())
            .collect();
        assert_eq!(names, vec!["Ben", "Cy", "Dee", "Eve", "Ana"]);
        assert_eq!(
            ranked[0].reason,
            "already on Desk 11:00-13:00: extend to 11:00-15:00 (2h this week)"
        );
        assert_eq!(
            ranked[1].reason,
            "6h under the 10h weekly minimum (4h this week)"
        );
        assert_eq!(ranked[2].reason, "0h this week");
        assert_eq!(ranked[3].reason, "0h this week, preference cost 6.0");
        assert!(ranked[0].proposal.is_extension());
    }

    #[test]
    fn unknown_gap_gives_nothing() {
        let p = ana(|p| p);
        assert!(explain(
            &p,
            &Roster::default(),
            &Gap {
                desk: 9,
                day: 1,
                time: parse_range("13:00-15:00").unwrap()
            }
        )
        .is_empty());
        assert!(rank_candidates(
            &p,
            &Roster::default(),
            0,
            99,
            parse_range("13:00-15:00").unwrap()
        )
        .is_empty());
    }
}
