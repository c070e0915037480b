//! The validated rostering problem: every rule resolved to concrete days, desks and minutes.
//!
//! A [`Problem`] is what both the solver ([`crate::solve`]) and the independent checker
//! ([`crate::check`]) read. The file reader ([`crate::input`]) builds it from a term folder;
//! embedding tools may build it in code. Day patterns, dated periods, holidays and group defaults
//! are already folded in, so nothing downstream needs to know how the coordinator wrote them.
//!
//! Units: times of day are minutes after midnight ([`Minute`]); durations are minutes; days are
//! indices into [`Problem::days`]; desks, people, skills and groups are indices into their vectors.
//! Penalty weights are **per person-hour** unless said otherwise, so they do not change meaning
//! when the slot length changes.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Minutes after midnight, `0..=1440`.
pub type Minute = u32;

/// A half-open time range `[start, end)` within one day.
///
/// Invariant (checked by [`TimeRange::new`]): `start < end <= 1440`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimeRange {
    /// First minute covered.
    pub start: Minute,
    /// First minute no longer covered.
    pub end: Minute,
}

impl TimeRange {
    /// A range `[start, end)`, or `None` when `start >= end` or `end > 1440`.
    ///
    /// ```
    /// use deskroster::model::TimeRange;
    /// assert!(TimeRange::new(8 * 60 + 30, 21 * 60).is_some());
    /// assert!(TimeRange::new(600, 600).is_none());
    /// ```
    pub fn new(start: Minute, end: Minute) -> Option<TimeRange> {
        (start < end && end <= 1440).then_some(TimeRange { start, end })
    }

    /// Length in minutes.
    pub fn minutes(&self) -> u32 {
        self.end - self.start
    }

    /// True when `other` lies completely inside `self`.
    pub fn contains(&self, other: &TimeRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// True when the two ranges share at least one minute.
    pub fn overlaps(&self, other: &TimeRange) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Minutes shared by the two ranges.
    pub fn overlap_minutes(&self, other: &TimeRange) -> u32 {
        let s = self.start.max(other.start);
        let e = self.end.min(other.end);
        e.saturating_sub(s)
    }
}

impl std::fmt::Display for TimeRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", fmt_minute(self.start), fmt_minute(self.end))
    }
}

/// Formats minutes after midnight as `HH:MM` (`1440` is `24:00`).
pub fn fmt_minute(m: Minute) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A whole rostering problem over a horizon of consecutive days.
///
/// Invariants (established by [`crate::input`] or by whoever builds it in code, and checked by
/// [`Problem::validate`]): `days` are consecutive dates; every desk has one entry per day; every
/// person has one availability entry per day; every index refers to an existing element;
/// `slot_minutes` divides every opening range, rule window and shift length.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Problem {
    /// Name of the term, e.g. `"Winter 2027"`.
    pub name: String,
    /// IANA time zone of the desk, e.g. `"America/Toronto"`.
    pub timezone: String,
    /// Slot length in minutes (30 by default): the grain of coverage and shift boundaries.
    pub slot_minutes: u32,
    /// Every date of the horizon, consecutive, including closed days.
    pub days: Vec<NaiveDate>,
    /// Service points.
    pub desks: Vec<Desk>,
    /// Skill names (e.g. `keyholder`, `first-aid`).
    pub skills: Vec<String>,
    /// Group names (e.g. `staff`, `student`, `security`).
    pub groups: Vec<String>,
    /// The people who may be rostered.
    pub people: Vec<Person>,
    /// Staff-mix requirements resolved to concrete days ("at least 1 keyholder at opening").
    pub requirements: Vec<Requirement>,
    /// Shape of shifts and rest.
    pub rules: ShiftRules,
    /// Objective weights.
    pub weights: Weights,
    /// What counts as an evening for fairness and reporting.
    pub evening_start: Minute,
    /// Named fixed shifts. When non-empty, only these shifts may be rostered.
    pub templates: Vec<ShiftTemplate>,
    /// Template B may not be worked the day after template A: pairs `(a, b)`.
    pub forbidden_successions: Vec<(usize, usize)>,
    /// Coverage counted per template and day, with under- and over-coverage weights.
    pub template_cover: Vec<TemplateCover>,
}

/// A service point with its own opening hours and coverage.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Desk {
    /// Name shown in rosters, e.g. `"Service Desk"`.
    pub name: String,
    /// One entry per day of [`Problem::days`]: `None` when the desk is closed.
    pub days: Vec<Option<DeskDay>>,
}

/// A desk's opening and coverage on one day.
///
/// Invariant: `cover.len() * slot_minutes == open.minutes()`; `cover[i]` is the slot starting at
/// `open.start + i * slot_minutes`; `min <= max` and `target <= max` in every slot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeskDay {
    /// Opening hours.
    pub open: TimeRange,
    /// Coverage bounds, one per slot.
    pub cover: Vec<Cover>,
}

/// How many people a desk needs in one slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cover {
    /// Below this is a shortfall (dominant penalty).
    pub min: u32,
    /// Below this costs a small penalty.
    pub target: u32,
    /// Hard upper bound.
    pub max: u32,
}

/// A staff-mix requirement on one desk and day: at least `need` people of a kind in every slot
/// of `time`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Requirement {
    /// Human label from the term file, e.g. `"keyholder at opening"`.
    pub label: String,
    /// Desk index.
    pub desk: usize,
    /// Day index.
    pub day: usize,
    /// Slots where it applies (inside the desk's opening hours).
    pub time: TimeRange,
    /// People needed in each slot.
    pub need: u32,
    /// Who counts.
    pub who: Who,
    /// Penalty per missing person-hour. Large for "must", small for "if possible".
    pub weight: f64,
}

/// Who counts towards a [`Requirement`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Who {
    /// People holding this skill (index into [`Problem::skills`]) on that day.
    Skill(usize),
    /// People in this group (index into [`Problem::groups`]).
    Group(usize),
}

/// Shape of shifts, for everyone.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShiftRules {
    /// Shortest shift in minutes.
    pub min_length: u32,
    /// Longest continuous shift in minutes (at most the meal-break threshold).
    pub max_length: u32,
    /// Most shifts one person works per day.
    pub max_shifts_per_day: u32,
    /// Minimum gap between two shifts of one person on one day (at least the meal break).
    pub min_gap: u32,
    /// Minimum rest between the end of one day's work and the next day's start, in minutes.
    pub min_rest: u32,
}

impl Default for ShiftRules {
    fn default() -> Self {
        ShiftRules {
            min_length: 120,
            max_length: 300,
            max_shifts_per_day: 2,
            min_gap: 30,
            min_rest: 600,
        }
    }
}

/// Objective weights, per person-hour unless stated.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Weights {
    /// Per missing person-hour below a slot's `min`.
    pub coverage_min: f64,
    /// Per missing person-hour below a slot's `target`.
    pub coverage_target: f64,
    /// Per hour a person works below the contract's weekly minimum.
    pub contract_min: f64,
    /// Per shift beyond the first in a person's day: favours one longer stretch over fragments.
    pub split_shift: f64,
    /// Fairness of evenings: a person's n-th evening shift in a week costs `(n - 1)` times this,
    /// so a week's evenings cost `n(n-1)/2` times this and spreading them is cheaper.
    pub fair_evenings: f64,
    /// Fairness of weekend shifts, counted like `fair_evenings`.
    pub fair_weekends: f64,
    /// Fairness of closing shifts, counted like `fair_evenings`.
    pub fair_closings: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            coverage_min: 1000.0,
            coverage_target: 20.0,
            contract_min: 10.0,
            split_shift: 1.0,
            fair_evenings: 2.0,
            fair_weekends: 2.0,
            fair_closings: 2.0,
        }
    }
}

/// A person who may be rostered.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Person {
    /// Unique display name.
    pub name: String,
    /// Group index.
    pub group: usize,
    /// Skills with optional validity dates.
    pub skills: Vec<SkillGrant>,
    /// Desks this person may staff (sorted indices).
    pub desks: Vec<usize>,
    /// Hour limits (group defaults already applied).
    pub contract: Contract,
    /// Per day of the horizon: sorted, disjoint ranges when the person can work (weekly windows
    /// with dated unavailability and absences already removed).
    pub availability: Vec<Vec<TimeRange>>,
    /// Dated preferences ("avoid Friday evenings").
    pub preferences: Vec<Preference>,
    /// Times the person must be at a desk ("always opens Monday"), on the days they are
    /// available for the whole of it: an absence overrides a fixed assignment (see
    /// [`Person::fixed_in_force`]).
    pub fixed: Vec<FixedAssignment>,
    /// Requests to work / not to work a template on a day.
    pub requests: Vec<ShiftRequest>,
    /// Most shifts of a template over the horizon: `(template, limit)`.
    pub template_limits: Vec<(usize, u32)>,
}

impl Person {
    /// True when the person holds `skill` on `date`.
    pub fn has_skill(&self, skill: usize, date: NaiveDate) -> bool {
        self.skills
            .iter()
            .any(|g| g.skill == skill && g.valid_on(date))
    }

    /// True when the person can work the whole of `time` on day index `day`.
    pub fn is_available(&self, day: usize, time: &TimeRange) -> bool {
        self.availability
            .get(day)
            .is_some_and(|w| w.iter().any(|r| r.contains(time)))
    }

    /// The fixed assignments that bind: those the person is available for. A sick day on a
    /// day the person always opens leaves the opening to the others (the term files drop such
    /// assignments when they are read; this keeps a problem built in code the same).
    pub fn fixed_in_force(&self) -> impl Iterator<Item = &FixedAssignment> {
        self.fixed
            .iter()
            .filter(|f| self.is_available(f.day, &f.time))
    }

    /// True when the person may staff desk `desk`.
    pub fn may_staff(&self, desk: usize) -> bool {
        self.desks.contains(&desk)
    }
}

/// A skill held, optionally only between two dates (inclusive).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SkillGrant {
    /// Skill index.
    pub skill: usize,
    /// First date the skill is valid (training completed).
    pub from: Option<NaiveDate>,
    /// Last date the skill is valid (certificate expires after it).
    pub until: Option<NaiveDate>,
}

impl SkillGrant {
    /// True when valid on `date`.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= date) && self.until.is_none_or(|u| date <= u)
    }
}

/// Hour limits of one person. All durations in minutes. `None` means no limit.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Contract {
    /// Soft weekly minimum (each week that has any opening): shortfall costs
    /// [`Weights::contract_min`] per hour.
    pub min_week: u32,
    /// Hard weekly maximum.
    pub max_week: Option<u32>,
    /// Hard daily maximum.
    pub max_day: Option<u32>,
    /// Hard maximum number of working days per week.
    pub max_days_week: Option<u32>,
    /// Hard maximum over the whole horizon (work-study budget, term hours).
    pub max_term: Option<u32>,
    /// Hard minimum over the whole horizon.
    pub min_term: Option<u32>,
    /// Most working days in a row.
    pub max_consecutive_days: Option<u32>,
    /// Fewest working days in a row (blocks touching the horizon's ends are exempt).
    pub min_consecutive_days: Option<u32>,
    /// Fewest days off in a row (blocks touching the horizon's ends are exempt).
    pub min_consecutive_days_off: Option<u32>,
    /// Most weekends worked (a weekend counts when Saturday or Sunday is worked).
    pub max_weekends: Option<u32>,
}

/// Whether a [`Preference`] attracts or repels work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreferenceKind {
    /// The person likes these times: hours worked *outside* all of the person's `Prefer`
    /// windows of that day cost the weight (per hour). Days without a `Prefer` window cost nothing.
    Prefer,
    /// The person would rather not work then: hours worked inside cost the weight (per hour).
    Avoid,
}

/// A preference on one day.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Preference {
    /// Day index.
    pub day: usize,
    /// Time window.
    pub time: TimeRange,
    /// Prefer or avoid.
    pub kind: PreferenceKind,
    /// Penalty per hour (see [`PreferenceKind`]).
    pub weight: f64,
}

/// A time the person must be on a desk (hard, while they are available then).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FixedAssignment {
    /// Day index.
    pub day: usize,
    /// Desk index.
    pub desk: usize,
    /// Every slot of this range must be covered by one of the person's shifts at this desk.
    pub time: TimeRange,
}

/// A named fixed shift, e.g. `early 08:30-12:30` at the Service Desk.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShiftTemplate {
    /// Name, e.g. `"early"`.
    pub name: String,
    /// Desk index.
    pub desk: usize,
    /// Hours of the shift.
    pub time: TimeRange,
}

/// Coverage of one template on one day (the benchmark's style of coverage).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TemplateCover {
    /// Day index.
    pub day: usize,
    /// Template index.
    pub template: usize,
    /// Preferred number of people.
    pub requirement: u32,
    /// Penalty per person short.
    pub weight_under: f64,
    /// Penalty per person over.
    pub weight_over: f64,
}

/// A weighted request to work (`on`) or not to work (`!on`) a template on a day.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShiftRequest {
    /// Day index.
    pub day: usize,
    /// Template index.
    pub template: usize,
    /// `true`: wants to work it (cost if not assigned); `false`: wants it off (cost if assigned).
    pub on: bool,
    /// Penalty.
    pub weight: f64,
}

/// One shift in a roster: a person at a desk for one continuous stretch on one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shift {
    /// Day index.
    pub day: usize,
    /// Desk index.
    pub desk: usize,
    /// Hours.
    pub time: TimeRange,
    /// Person index.
    pub person: usize,
}

/// A roster: the shifts, sorted by day, desk, start, end, person (the derive order of [`Shift`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    /// Shifts in canonical order.
    pub shifts: Vec<Shift>,
}

impl Roster {
    /// A roster from shifts in any order; sorted and deduplicated.
    pub fn new(mut shifts: Vec<Shift>) -> Roster {
        shifts.sort();
        shifts.dedup();
        Roster { shifts }
    }

    /// Number of people on `desk` during the slot `[t, t + slot)` of `day`.
    pub fn staffed(&self, day: usize, desk: usize, t: Minute) -> usize {
        self.shifts
            .iter()
            .filter(|s| s.day == day && s.desk == desk && s.time.start <= t && t < s.time.end)
            .count()
    }
}

impl Problem {
    /// Index of the week (Monday to Sunday) that contains day index `day`; week 0 contains the
    /// first day.
    pub fn week_of(&self, day: usize) -> usize {
        let first = self
            .days
            .first()
            .map(|d| d.weekday().num_days_from_monday() as usize);
        (day + first.unwrap_or(0)) / 7
    }

    /// Number of weeks touched by the horizon.
    pub fn num_weeks(&self) -> usize {
        if self.days.is_empty() {
            0
        } else {
            self.week_of(self.days.len() - 1) + 1
        }
    }

    /// True when day index `day` is a Saturday or Sunday.
    pub fn is_weekend(&self, day: usize) -> bool {
        self.days
            .get(day)
            .is_some_and(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// Index of a person by name.
    pub fn person_index(&self, name: &str) -> Option<usize> {
        self.people.iter().position(|p| p.name == name)
    }

    /// Index of a desk by name.
    pub fn desk_index(&self, name: &str) -> Option<usize> {
        self.desks.iter().position(|d| d.name == name)
    }

    /// A day for messages: `"Wed 2027-02-03"` (or `"day #N"` for an index outside the horizon).
    pub fn day_label(&self, day: usize) -> String {
        self.days.get(day).map_or_else(
            || format!("day #{day}"),
            |d| d.format("%a %Y-%m-%d").to_string(),
        )
    }

    /// Index of a day by date.
    pub fn day_index(&self, date: NaiveDate) -> Option<usize> {
        let first = *self.days.first()?;
        let i = (date - first).num_days();
        (i >= 0 && (i as usize) < self.days.len()).then_some(i as usize)
    }

    /// True when a shift at `desk` on `day` covering `time` counts as an evening shift.
    pub fn is_evening(&self, time: &TimeRange) -> bool {
        time.end > self.evening_start
    }

    /// True when the shift ends when the desk closes that day.
    pub fn is_closing(&self, shift: &Shift) -> bool {
        self.desks
            .get(shift.desk)
            .and_then(|d| d.days.get(shift.day))
            .and_then(|d| d.as_ref())
            .is_some_and(|dd| dd.open.end == shift.time.end)
    }

    /// Checks the structural invariants listed on [`Problem`].
    ///
    /// # Errors
    /// Returns a message naming the first broken invariant.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.days.len();
        let slot = self.slot_minutes;
        if slot == 0 || 1440 % slot != 0 {
            return Err(format!("slot length {slot} minutes must divide a day"));
        }
        for w in self.days.windows(2) {
            if w[1] != w[0].succ_opt().unwrap_or(w[0]) {
                return Err(format!("days must be consecutive: {} then {}", w[0], w[1]));
            }
        }
        for d in &self.desks {
            if d.days.len() != n {
                return Err(format!(
                    "desk {:?} has {} days, expected {n}",
                    d.name,
                    d.days.len()
                ));
            }
            for dd in d.days.iter().flatten() {
                if dd.open.start % slot != 0 || dd.open.end % slot != 0 {
                    return Err(format!(
                        "desk {:?} opens {} off the slot grid",
                        d.name, dd.open
                    ));
                }
                if dd.cover.len() as u32 * slot != dd.open.minutes() {
                    return Err(format!(
                        "desk {:?}: one cover entry per slot expected",
                        d.name
                    ));
                }
                if dd.cover.iter().any(|c| c.min > c.max || c.target > c.max) {
                    return Err(format!("desk {:?}: min/target above max", d.name));
                }
            }
        }
        for p in &self.people {
            if p.group >= self.groups.len() {
                return Err(format!("{}: unknown group", p.name));
            }
            if p.availability.len() != n {
                return Err(format!(
                    "{}: one availability entry per day expected",
                    p.name
                ));
            }
            if p.desks.iter().any(|&d| d >= self.desks.len()) {
                return Err(format!("{}: unknown desk", p.name));
            }
            if p.skills.iter().any(|g| g.skill >= self.skills.len()) {
                return Err(format!("{}: unknown skill", p.name));
            }
            for f in &p.fixed {
                if f.day >= n || f.desk >= self.desks.len() {
                    return Err(format!("{}: fixed assignment out of range", p.name));
                }
            }
        }
        for r in &self.requirements {
            if r.desk >= self.desks.len() || r.day >= n {
                return Err(format!("requirement {:?} out of range", r.label));
            }
        }
        let r = &self.rules;
        if r.min_length == 0 || r.min_length > r.max_length {
            return Err("shift lengths: need 0 < min_length <= max_length".into());
        }
        if r.min_length % slot != 0 || r.max_length % slot != 0 || r.min_gap % slot != 0 {
            return Err("shift lengths and gaps must be whole slots".into());
        }
        Ok(())
    }
}

/// How good a solved roster is known to be.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SolveSummary {
    /// Objective value of the roster (equals the checker's penalty total).
    pub objective: f64,
    /// Best proven lower bound on any roster's objective.
    pub bound: f64,
    /// Relative gap `(objective - bound) / max(1, |objective|)`.
    pub gap: f64,
    /// True when the roster is proven optimal (within the requested gap).
    pub proven_optimal: bool,
    /// Wall-clock seconds spent solving.
    pub seconds: f64,
}
