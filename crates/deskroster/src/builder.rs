//! Build a [`Problem`] in code, by name, without writing a term folder.
//!
//! [`ProblemBuilder`] is for tests, property tests, examples and tools that embed deskroster. It
//! takes names (`"Service Desk"`, `"keyholder"`), human times (`"09:00-17:00"`, or [`hm`]) and
//! day selections ([`Weekdays`], a date, or an inclusive date range) and resolves them into the
//! index-based, per-day [`Problem`] that the solver and the checker read.
//!
//! Mistakes (a bad time, an unknown name, a duplicate person) do not stop the chain: they are
//! collected and [`ProblemBuilder::build`] returns the first one, so a whole problem reads as one
//! expression.
//!
//! # Example: one desk, two people
//!
//! ```
//! use deskroster::builder::{ProblemBuilder, Weekdays, Who};
//! use deskroster::model::ShiftRules;
//!
//! let p = ProblemBuilder::new("2027-01-04".parse()?, 7) // Monday, one week
//!     .slot_minutes(30)
//!     .desk("Service Desk", |d| {
//!         d.open(Weekdays::mon_fri(), "09:00-17:00")
//!             .open(Weekdays::weekend(), "11:00-17:00")
//!             .cover("09:00-17:00", 1, 2, 3)
//!     })
//!     .group("staff")
//!     .group("student")
//!     .skill("keyholder")
//!     .person("Ana", "staff", |p| {
//!         p.skill("keyholder")
//!             .available(Weekdays::all(), "08:00-22:00")
//!             .max_week_hours(20)
//!     })
//!     .person("Ben", "student", |p| {
//!         p.available(Weekdays::mon_fri(), "12:00-17:00")
//!             .unavailable("2027-01-06".parse::<chrono::NaiveDate>().unwrap(), "12:00-14:00")
//!             .max_day_hours(4)
//!     })
//!     .requirement_at_opening("keyholder at opening", "Service Desk", Who::skill("keyholder"), 1, 1000.0)
//!     .rules(ShiftRules { min_length: 120, max_length: 300, ..ShiftRules::default() })
//!     .build()?;
//!
//! assert_eq!(p.days.len(), 7);
//! assert_eq!(p.people[1].availability[2][0].start, 14 * 60); // Wed: from 14:00
//! assert_eq!(p.requirements.len(), 7); // one per open day
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ops::RangeInclusive;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::model::{
    Contract, Cover, Desk, DeskDay, FixedAssignment, Minute, Person, Preference, PreferenceKind,
    Problem, Requirement, ShiftRequest, ShiftRules, ShiftTemplate, SkillGrant, TemplateCover,
    TimeRange, Weights, Who as ModelWho,
};

/// Why a [`ProblemBuilder`] could not build a problem.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// Occurs when a time or time range cannot be read, e.g. `"25:00"` or `"17:00-09:00"`.
    #[error("invalid time {value:?}: {reason}")]
    Time {
        /// The text or numbers given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Occurs when a desk, skill, group, person or template name is not declared.
    #[error("unknown {kind} {name:?}")]
    Unknown {
        /// `"desk"`, `"skill"`, `"group"`, `"person"` or `"template"`.
        kind: &'static str,
        /// The name used.
        name: String,
    },
    /// Occurs when a desk, skill, group, person or template name is declared twice.
    #[error("duplicate {kind} {name:?}")]
    Duplicate {
        /// `"desk"`, `"skill"`, `"group"`, `"person"` or `"template"`.
        kind: &'static str,
        /// The name declared twice.
        name: String,
    },
    /// Occurs when the assembled problem breaks an invariant of [`Problem::validate`].
    #[error("invalid problem: {0}")]
    Invalid(String),
}

/// Minutes after midnight for `h:m`, e.g. `hm(8, 30) == 510`.
pub const fn hm(h: u32, m: u32) -> Minute {
    h * 60 + m
}

/// Reads `"HH:MM"` (or `"H:MM"`), `00:00` to `24:00`.
///
/// # Errors
/// [`BuildError::Time`] when the text is not a time of day.
pub fn parse_time(s: &str) -> Result<Minute, BuildError> {
    let bad = |reason: &str| BuildError::Time {
        value: s.to_string(),
        reason: reason.to_string(),
    };
    let (h, m) = s
        .trim()
        .split_once(':')
        .ok_or_else(|| bad("expected HH:MM"))?;
    let h: u32 = h.parse().map_err(|_| bad("expected HH:MM"))?;
    let m: u32 = m.parse().map_err(|_| bad("expected HH:MM"))?;
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(bad("expected a time between 00:00 and 24:00"));
    }
    Ok(hm(h, m))
}

/// Reads `"HH:MM-HH:MM"` into a [`TimeRange`].
///
/// ```
/// use deskroster::builder::parse_range;
/// assert_eq!(parse_range("08:30-21:00").unwrap().start, 510);
/// assert!(parse_range("17:00-09:00").is_err());
/// ```
///
/// # Errors
/// [`BuildError::Time`] when either end is not a time or the end is not after the start.
pub fn parse_range(s: &str) -> Result<TimeRange, BuildError> {
    let (a, b) = s.split_once('-').ok_or_else(|| BuildError::Time {
        value: s.to_string(),
        reason: "expected HH:MM-HH:MM".into(),
    })?;
    let (a, b) = (parse_time(a)?, parse_time(b)?);
    TimeRange::new(a, b).ok_or_else(|| BuildError::Time {
        value: s.to_string(),
        reason: "the end must be after the start".into(),
    })
}

/// Something that names a time range: `"09:00-17:00"`, a [`TimeRange`] or `(start, end)` minutes.
pub trait IntoTimeRange {
    /// The range, or why it is not one.
    ///
    /// # Errors
    /// [`BuildError::Time`] when the value is not a valid range.
    fn into_time_range(self) -> Result<TimeRange, BuildError>;
}

impl IntoTimeRange for &str {
    fn into_time_range(self) -> Result<TimeRange, BuildError> {
        parse_range(self)
    }
}

impl IntoTimeRange for &String {
    fn into_time_range(self) -> Result<TimeRange, BuildError> {
        parse_range(self)
    }
}

impl IntoTimeRange for String {
    fn into_time_range(self) -> Result<TimeRange, BuildError> {
        parse_range(&self)
    }
}

impl IntoTimeRange for TimeRange {
    fn into_time_range(self) -> Result<TimeRange, BuildError> {
        TimeRange::new(self.start, self.end).ok_or_else(|| BuildError::Time {
            value: format!("{}..{}", self.start, self.end),
            reason: "need start < end <= 1440".into(),
        })
    }
}

impl IntoTimeRange for (Minute, Minute) {
    fn into_time_range(self) -> Result<TimeRange, BuildError> {
        TimeRange::new(self.0, self.1).ok_or_else(|| BuildError::Time {
            value: format!("{}..{}", self.0, self.1),
            reason: "need start < end <= 1440".into(),
        })
    }
}

/// A set of weekdays, e.g. Monday to Friday.
///
/// ```
/// use deskroster::builder::Weekdays;
/// use chrono::Weekday;
/// let w: Weekdays = "mon-thu,sat".parse().unwrap();
/// assert!(w.contains(Weekday::Wed) && w.contains(Weekday::Sat) && !w.contains(Weekday::Fri));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Weekdays(u8);

impl Weekdays {
    /// No day.
    pub const fn none() -> Weekdays {
        Weekdays(0)
    }
    /// Every day of the week.
    pub const fn all() -> Weekdays {
        Weekdays(0b111_1111)
    }
    /// Monday to Friday.
    pub const fn mon_fri() -> Weekdays {
        Weekdays(0b001_1111)
    }
    /// Saturday and Sunday.
    pub const fn weekend() -> Weekdays {
        Weekdays(0b110_0000)
    }
    /// Exactly these days.
    pub fn of(days: &[Weekday]) -> Weekdays {
        days.iter().fold(Weekdays::none(), |w, &d| w.and(d))
    }
    /// This set plus `day`.
    pub fn and(self, day: Weekday) -> Weekdays {
        Weekdays(self.0 | 1 << day.num_days_from_monday())
    }
    /// True when `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }
}

impl From<Weekday> for Weekdays {
    fn from(d: Weekday) -> Weekdays {
        Weekdays::none().and(d)
    }
}

impl FromStr for Weekdays {
    type Err = String;

    /// Reads comma-separated days or day ranges: `"mon-thu"`, `"sat,sun"`, `"all"`.
    fn from_str(s: &str) -> Result<Weekdays, String> {
        let day = |t: &str| {
            t.trim()
                .parse::<Weekday>()
                .map_err(|_| format!("unknown weekday {:?} in {s:?}", t.trim()))
        };
        let mut w = Weekdays::none();
        for part in s.split(',') {
            match part.trim() {
                "all" => w = Weekdays::all(),
                p => match p.split_once('-') {
                    Some((a, b)) => {
                        let (mut d, b) = (day(a)?, day(b)?);
                        w = w.and(d);
                        while d != b {
                            d = d.succ();
                            w = w.and(d);
                        }
                    }
                    None => w = w.and(day(p)?),
                },
            }
        }
        Ok(w)
    }
}

/// Which days of the horizon a setting applies to: weekdays, one date, or a date range
/// (inclusive). Anything that converts with `From`: [`Weekdays`], [`Weekday`], [`NaiveDate`],
/// `(NaiveDate, NaiveDate)` or `NaiveDate..=NaiveDate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Days {
    /// Every date falling on one of these weekdays.
    Weekly(Weekdays),
    /// Every date from the first to the second, inclusive.
    Between(NaiveDate, NaiveDate),
}

impl Days {
    /// True when `date` is selected.
    pub fn matches(&self, date: NaiveDate) -> bool {
        match *self {
            Days::Weekly(w) => w.contains(date.weekday()),
            Days::Between(a, b) => a <= date && date <= b,
        }
    }
}

impl From<Weekdays> for Days {
    fn from(w: Weekdays) -> Days {
        Days::Weekly(w)
    }
}
impl From<Weekday> for Days {
    fn from(w: Weekday) -> Days {
        Days::Weekly(w.into())
    }
}
impl From<NaiveDate> for Days {
    fn from(d: NaiveDate) -> Days {
        Days::Between(d, d)
    }
}
impl From<(NaiveDate, NaiveDate)> for Days {
    fn from((a, b): (NaiveDate, NaiveDate)) -> Days {
        Days::Between(a, b)
    }
}
impl From<RangeInclusive<NaiveDate>> for Days {
    fn from(r: RangeInclusive<NaiveDate>) -> Days {
        Days::Between(*r.start(), *r.end())
    }
}

/// Who counts towards a requirement, by name (resolved to [`crate::model::Who`] on build).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// People holding this skill on the day.
    Skill(String),
    /// People in this group.
    Group(String),
}

impl Who {
    /// People holding skill `name`.
    pub fn skill(name: &str) -> Who {
        Who::Skill(name.to_string())
    }
    /// People in group `name`.
    pub fn group(name: &str) -> Who {
        Who::Group(name.to_string())
    }
}

fn push_err<T>(errors: &mut Vec<BuildError>, r: Result<T, BuildError>) -> Option<T> {
    match r {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

#[derive(Clone, Debug)]
enum DeskOp {
    Open(Days, Option<TimeRange>),
    Cover(Days, TimeRange, Cover),
}

/// Opening hours and coverage of one desk; see [`ProblemBuilder::desk`].
///
/// Later calls override earlier ones on the days they select. Slots without a `cover` call need
/// nobody (`min = target = 0`) and allow everyone (`max` = number of people).
#[derive(Clone, Debug)]
pub struct DeskBuilder {
    ops: Vec<DeskOp>,
    errors: Vec<BuildError>,
}

impl DeskBuilder {
    /// Opens the desk during `time` on `days` (replacing earlier hours on those days).
    pub fn open(mut self, days: impl Into<Days>, time: impl IntoTimeRange) -> Self {
        if let Some(t) = push_err(&mut self.errors, time.into_time_range()) {
            self.ops.push(DeskOp::Open(days.into(), Some(t)));
        }
        self
    }

    /// Closes the desk on `days` (a holiday, a weekday it never opens).
    pub fn closed(mut self, days: impl Into<Days>) -> Self {
        self.ops.push(DeskOp::Open(days.into(), None));
        self
    }

    /// Sets `min`, `target` and `max` people for the open slots inside `time`, every day.
    pub fn cover(self, time: impl IntoTimeRange, min: u32, target: u32, max: u32) -> Self {
        self.cover_on(Weekdays::all(), time, min, target, max)
    }

    /// Sets `min`, `target` and `max` people for the open slots inside `time` on `days`.
    pub fn cover_on(
        mut self,
        days: impl Into<Days>,
        time: impl IntoTimeRange,
        min: u32,
        target: u32,
        max: u32,
    ) -> Self {
        if let Some(t) = push_err(&mut self.errors, time.into_time_range()) {
            self.ops
                .push(DeskOp::Cover(days.into(), t, Cover { min, target, max }));
        }
        self
    }
}

/// One person's skills, desks, contract, availability and wishes; see [`ProblemBuilder::person`].
///
/// Availability is the union of every `available` window on a day minus every `unavailable`
/// window (or whole-day absence) on it. With no `desk` call the person may staff every desk.
#[derive(Clone, Debug)]
pub struct PersonBuilder {
    skills: Vec<(String, Option<NaiveDate>, Option<NaiveDate>)>,
    desks: Option<Vec<String>>,
    contract: Contract,
    available: Vec<(Days, TimeRange)>,
    unavailable: Vec<(Days, Option<TimeRange>)>,
    preferences: Vec<(Days, TimeRange, PreferenceKind, f64)>,
    fixed: Vec<(Days, String, TimeRange)>,
    requests: Vec<(Days, String, bool, f64)>,
    template_limits: Vec<(String, u32)>,
    errors: Vec<BuildError>,
}

impl PersonBuilder {
    /// Holds skill `name` on every day.
    pub fn skill(self, name: &str) -> Self {
        self.skill_valid(name, None, None)
    }

    /// Holds skill `name` from `from` (training completed) until `until` (expiry), inclusive.
    pub fn skill_valid(
        mut self,
        name: &str,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
    ) -> Self {
        self.skills.push((name.to_string(), from, until));
        self
    }

    /// May staff desk `name` (call once per desk; without any call, every desk).
    pub fn desk(mut self, name: &str) -> Self {
        self.desks
            .get_or_insert_with(Vec::new)
            .push(name.to_string());
        self
    }

    /// Replaces the whole contract (all limits in minutes).
    pub fn contract(mut self, contract: Contract) -> Self {
        self.contract = contract;
        self
    }

    /// Soft weekly minimum, in hours.
    pub fn min_week_hours(mut self, hours: u32) -> Self {
        self.contract.min_week = hours * 60;
        self
    }
    /// Hard weekly maximum, in hours.
    pub fn max_week_hours(mut self, hours: u32) -> Self {
        self.contract.max_week = Some(hours * 60);
        self
    }
    /// Hard daily maximum, in hours.
    pub fn max_day_hours(mut self, hours: u32) -> Self {
        self.contract.max_day = Some(hours * 60);
        self
    }
    /// Hard maximum over the horizon, in hours.
    pub fn max_term_hours(mut self, hours: u32) -> Self {
        self.contract.max_term = Some(hours * 60);
        self
    }
    /// Hard minimum over the horizon, in hours.
    pub fn min_term_hours(mut self, hours: u32) -> Self {
        self.contract.min_term = Some(hours * 60);
        self
    }
    /// Most working days per week.
    pub fn max_days_week(mut self, days: u32) -> Self {
        self.contract.max_days_week = Some(days);
        self
    }
    /// Most working days in a row.
    pub fn max_consecutive_days(mut self, days: u32) -> Self {
        self.contract.max_consecutive_days = Some(days);
        self
    }
    /// Fewest working days in a row.
    pub fn min_consecutive_days(mut self, days: u32) -> Self {
        self.contract.min_consecutive_days = Some(days);
        self
    }
    /// Fewest days off in a row.
    pub fn min_consecutive_days_off(mut self, days: u32) -> Self {
        self.contract.min_consecutive_days_off = Some(days);
        self
    }
    /// Most weekends worked.
    pub fn max_weekends(mut self, weekends: u32) -> Self {
        self.contract.max_weekends = Some(weekends);
        self
    }

    /// Can work during `time` on `days`.
    pub fn available(mut self, days: impl Into<Days>, time: impl IntoTimeRange) -> Self {
        if let Some(t) = push_err(&mut self.errors, time.into_time_range()) {
            self.available.push((days.into(), t));
        }
        self
    }

    /// Cannot work during `time` on `days` (exams, an appointment), whatever `available` says.
    pub fn unavailable(mut self, days: impl Into<Days>, time: impl IntoTimeRange) -> Self {
        if let Some(t) = push_err(&mut self.errors, time.into_time_range()) {
            self.unavailable.push((days.into(), Some(t)));
        }
        self
    }

    /// Cannot work at all on `days` (vacation, sick).
    pub fn absent(mut self, days: impl Into<Days>) -> Self {
        self.unavailable.push((days.into(), None));
        self
    }

    /// Would like to work during `time` on `days`: hours outside cost `weight` each.
    pub fn prefer(self, days: impl Into<Days>, time: impl IntoTimeRange, weight: f64) -> Self {
        self.preference(days, time, PreferenceKind::Prefer, weight)
    }

    /// Would rather not work during `time` on `days`: hours inside cost `weight` each.
    pub fn avoid(self, days: impl Into<Days>, time: impl IntoTimeRange, weight: f64) -> Self {
        self.preference(days, time, PreferenceKind::Avoid, weight)
    }

    fn preference(
        mut self,
        days: impl Into<Days>,
        time: impl IntoTimeRange,
        kind: PreferenceKind,
        weight: f64,
    ) -> Self {
        if let Some(t) = push_err(&mut self.errors, time.into_time_range()) {
            self.preferences.push((days.into(), t, kind, weight));
        }
        self
    }

    /// Must be at desk `desk` during `time` on `days` ("always opens Monday").
    pub fn fixed(mut self, days: impl Into<Days>, desk: &str, time: impl IntoTimeRange) -> Self {
        if let Some(t) = push_err(&mut self.errors, time.into_time_range()) {
            self.fixed.push((days.into(), desk.to_string(), t));
        }
        self
    }

    /// Asks to work template `template` on `days` (cost `weight` per day it is not rostered).
    pub fn request_on(mut self, days: impl Into<Days>, template: &str, weight: f64) -> Self {
        self.requests
            .push((days.into(), template.to_string(), true, weight));
        self
    }

    /// Asks not to work template `template` on `days` (cost `weight` per day it is rostered).
    pub fn request_off(mut self, days: impl Into<Days>, template: &str, weight: f64) -> Self {
        self.requests
            .push((days.into(), template.to_string(), false, weight));
        self
    }

    /// Works template `template` at most `limit` times over the horizon.
    pub fn template_limit(mut self, template: &str, limit: u32) -> Self {
        self.template_limits.push((template.to_string(), limit));
        self
    }
}

#[derive(Clone, Debug)]
enum ReqTime {
    Range(Days, TimeRange),
    Opening,
    Closing,
}

#[derive(Clone, Debug)]
struct ReqSpec {
    label: String,
    desk: String,
    time: ReqTime,
    who: Who,
    need: u32,
    weight: f64,
}

/// Builds a [`Problem`] by name; see the [module docs](self) for an example.
#[derive(Clone, Debug)]
pub struct ProblemBuilder {
    name: String,
    timezone: String,
    slot_minutes: u32,
    days: Vec<NaiveDate>,
    desks: Vec<(String, DeskBuilder)>,
    skills: Vec<String>,
    groups: Vec<String>,
    people: Vec<(String, String, PersonBuilder)>,
    requirements: Vec<ReqSpec>,
    rules: ShiftRules,
    weights: Weights,
    evening_start: Minute,
    templates: Vec<(String, String, TimeRange)>,
    successions: Vec<(String, String)>,
    template_cover: Vec<(Days, String, u32, f64, f64)>,
    errors: Vec<BuildError>,
}

impl ProblemBuilder {
    /// A problem of `num_days` consecutive days starting on `first`, named `"untitled"`, in UTC,
    /// with 30-minute slots, default [`ShiftRules`] and [`Weights`], and evenings from 18:00.
    pub fn new(first: NaiveDate, num_days: usize) -> ProblemBuilder {
        let days = first.iter_days().take(num_days).collect();
        ProblemBuilder {
            name: "untitled".into(),
            timezone: "UTC".into(),
            slot_minutes: 30,
            days,
            desks: Vec::new(),
            skills: Vec::new(),
            groups: Vec::new(),
            people: Vec::new(),
            requirements: Vec::new(),
            rules: ShiftRules::default(),
            weights: Weights::default(),
            evening_start: hm(18, 0),
            templates: Vec::new(),
            successions: Vec::new(),
            template_cover: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Sets the term name.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Sets the IANA time zone name.
    pub fn timezone(mut self, tz: &str) -> Self {
        self.timezone = tz.to_string();
        self
    }

    /// Sets the slot length in minutes.
    pub fn slot_minutes(mut self, minutes: u32) -> Self {
        self.slot_minutes = minutes;
        self
    }

    /// Sets the shift rules.
    pub fn rules(mut self, rules: ShiftRules) -> Self {
        self.rules = rules;
        self
    }

    /// Sets the objective weights.
    pub fn weights(mut self, weights: Weights) -> Self {
        self.weights = weights;
        self
    }

    /// Sets when evenings start (`"18:00"`), for fairness.
    pub fn evening_start(mut self, time: &str) -> Self {
        if let Some(t) = push_err(&mut self.errors, parse_time(time)) {
            self.evening_start = t;
        }
        self
    }

    /// Declares a desk; `f` sets its hours and coverage (closed every day until opened).
    pub fn desk(mut self, name: &str, f: impl FnOnce(DeskBuilder) -> DeskBuilder) -> Self {
        if self.desks.iter().any(|(n, _)| n == name) {
            self.errors.push(BuildError::Duplicate {
                kind: "desk",
                name: name.to_string(),
            });
        }
        let d = f(DeskBuilder {
            ops: Vec::new(),
            errors: Vec::new(),
        });
        self.desks.push((name.to_string(), d));
        self
    }

    /// Declares a group.
    pub fn group(mut self, name: &str) -> Self {
        if self.groups.iter().any(|n| n == name) {
            self.errors.push(BuildError::Duplicate {
                kind: "group",
                name: name.to_string(),
            });
        }
        self.groups.push(name.to_string());
        self
    }

    /// Declares a skill.
    pub fn skill(mut self, name: &str) -> Self {
        if self.skills.iter().any(|n| n == name) {
            self.errors.push(BuildError::Duplicate {
                kind: "skill",
                name: name.to_string(),
            });
        }
        self.skills.push(name.to_string());
        self
    }

    /// Declares a person of group `group`; `f` sets skills, desks, contract and availability.
    pub fn person(
        mut self,
        name: &str,
        group: &str,
        f: impl FnOnce(PersonBuilder) -> PersonBuilder,
    ) -> Self {
        if self.people.iter().any(|(n, _, _)| n == name) {
            self.errors.push(BuildError::Duplicate {
                kind: "person",
                name: name.to_string(),
            });
        }
        let p = f(PersonBuilder {
            skills: Vec::new(),
            desks: None,
            contract: Contract::default(),
            available: Vec::new(),
            unavailable: Vec::new(),
            preferences: Vec::new(),
            fixed: Vec::new(),
            requests: Vec::new(),
            template_limits: Vec::new(),
            errors: Vec::new(),
        });
        self.people.push((name.to_string(), group.to_string(), p));
        self
    }

    /// At least `need` people of kind `who` on `desk` in every open slot of `time` on `days`
    /// (clipped to the opening hours; closed days are skipped). One [`Requirement`] per day.
    #[allow(clippy::too_many_arguments)]
    pub fn requirement(
        mut self,
        label: &str,
        desk: &str,
        days: impl Into<Days>,
        time: impl IntoTimeRange,
        who: Who,
        need: u32,
        weight: f64,
    ) -> Self {
        if let Some(t) = push_err(&mut self.errors, time.into_time_range()) {
            self.requirements.push(ReqSpec {
                label: label.to_string(),
                desk: desk.to_string(),
                time: ReqTime::Range(days.into(), t),
                who,
                need,
                weight,
            });
        }
        self
    }

    /// At least `need` people of kind `who` in the first slot of every open day of `desk`.
    pub fn requirement_at_opening(
        mut self,
        label: &str,
        desk: &str,
        who: Who,
        need: u32,
        weight: f64,
    ) -> Self {
        self.requirements.push(ReqSpec {
            label: label.to_string(),
            desk: desk.to_string(),
            time: ReqTime::Opening,
            who,
            need,
            weight,
        });
        self
    }

    /// At least `need` people of kind `who` in the last slot of every open day of `desk`.
    pub fn requirement_at_closing(
        mut self,
        label: &str,
        desk: &str,
        who: Who,
        need: u32,
        weight: f64,
    ) -> Self {
        self.requirements.push(ReqSpec {
            label: label.to_string(),
            desk: desk.to_string(),
            time: ReqTime::Closing,
            who,
            need,
            weight,
        });
        self
    }

    /// Declares a shift template (switches the problem to template mode).
    pub fn template(mut self, name: &str, desk: &str, time: impl IntoTimeRange) -> Self {
        if self.templates.iter().any(|(n, _, _)| n == name) {
            self.errors.push(BuildError::Duplicate {
                kind: "template",
                name: name.to_string(),
            });
        }
        if let Some(t) = push_err(&mut self.errors, time.into_time_range()) {
            self.templates.push((name.to_string(), desk.to_string(), t));
        }
        self
    }

    /// Forbids working template `second` the day after template `first`.
    pub fn forbid_succession(mut self, first: &str, second: &str) -> Self {
        self.successions
            .push((first.to_string(), second.to_string()));
        self
    }

    /// Wants `requirement` people on template `template` on `days`, each one short costing
    /// `weight_under` and each one over `weight_over`. One [`TemplateCover`] row per day.
    pub fn template_cover(
        mut self,
        days: impl Into<Days>,
        template: &str,
        requirement: u32,
        weight_under: f64,
        weight_over: f64,
    ) -> Self {
        self.template_cover.push((
            days.into(),
            template.to_string(),
            requirement,
            weight_under,
            weight_over,
        ));
        self
    }

    /// Resolves every name and day selection and validates the result.
    ///
    /// # Errors
    /// The first mistake recorded along the chain ([`BuildError::Time`],
    /// [`BuildError::Duplicate`]), a name that was never declared ([`BuildError::Unknown`]), or
    /// a broken [`Problem`] invariant ([`BuildError::Invalid`]).
    pub fn build(self) -> Result<Problem, BuildError> {
        if let Some(e) = self.errors.first() {
            return Err(e.clone());
        }
        for (_, d) in &self.desks {
            if let Some(e) = d.errors.first() {
                return Err(e.clone());
            }
        }
        for (_, _, p) in &self.people {
            if let Some(e) = p.errors.first() {
                return Err(e.clone());
            }
        }
        let slot = self.slot_minutes.max(1);
        let n_people = self.people.len() as u32;
        let find = |list: &[String], kind: &'static str, name: &str| {
            list.iter()
                .position(|n| n == name)
                .ok_or_else(|| BuildError::Unknown {
                    kind,
                    name: name.to_string(),
                })
        };
        let desk_names: Vec<String> = self.desks.iter().map(|(n, _)| n.clone()).collect();
        let template_names: Vec<String> = self.templates.iter().map(|t| t.0.clone()).collect();

        let desks = self
            .desks
            .iter()
            .map(|(name, b)| Desk {
                name: name.clone(),
                days: self
                    .days
                    .iter()
                    .map(|&date| desk_day(b, date, slot, n_people))
                    .collect(),
            })
            .collect::<Vec<_>>();

        let mut people = Vec::new();
        for (name, group, b) in &self.people {
            let group = find(&self.groups, "group", group)?;
            let mut skills = Vec::new();
            for (s, from, until) in &b.skills {
                let skill = find(&self.skills, "skill", s)?;
                skills.push(SkillGrant {
                    skill,
                    from: *from,
                    until: *until,
                });
            }
            let desks_allowed = match &b.desks {
                None => (0..desks.len()).collect(),
                Some(names) => {
                    let mut v = names
                        .iter()
                        .map(|n| find(&desk_names, "desk", n))
                        .collect::<Result<Vec<_>, _>>()?;
                    v.sort_unstable();
                    v.dedup();
                    v
                }
            };
            let availability = self
                .days
                .iter()
                .map(|&date| availability(b, date))
                .collect();
            let mut preferences = Vec::new();
            let mut fixed = Vec::new();
            let mut requests = Vec::new();
            for (day, &date) in self.days.iter().enumerate() {
                for (sel, time, kind, weight) in &b.preferences {
                    if sel.matches(date) {
                        preferences.push(Preference {
                            day,
                            time: *time,
                            kind: *kind,
                            weight: *weight,
                        });
                    }
                }
                for (sel, desk, time) in &b.fixed {
                    if sel.matches(date) {
                        let desk = find(&desk_names, "desk", desk)?;
                        fixed.push(FixedAssignment {
                            day,
                            desk,
                            time: *time,
                        });
                    }
                }
                for (sel, tpl, on, weight) in &b.requests {
                    if sel.matches(date) {
                        let template = find(&template_names, "template", tpl)?;
                        requests.push(ShiftRequest {
                            day,
                            template,
                            on: *on,
                            weight: *weight,
                        });
                    }
                }
            }
            let template_limits = b
                .template_limits
                .iter()
                .map(|(t, l)| Ok((find(&template_names, "template", t)?, *l)))
                .collect::<Result<Vec<_>, BuildError>>()?;
            people.push(Person {
                name: name.clone(),
                group,
                skills,
                desks: desks_allowed,
                contract: b.contract.clone(),
                availability,
                preferences,
                fixed,
                requests,
                template_limits,
            });
        }

        let mut requirements = Vec::new();
        for r in &self.requirements {
            let desk = find(&desk_names, "desk", &r.desk)?;
            let who = match &r.who {
                Who::Skill(s) => ModelWho::Skill(find(&self.skills, "skill", s)?),
                Who::Group(g) => ModelWho::Group(find(&self.groups, "group", g)?),
            };
            for (day, &date) in self.days.iter().enumerate() {
                let Some(open) = desks[desk]
                    .days
                    .get(day)
                    .and_then(|d| d.as_ref())
                    .map(|d| d.open)
                else {
                    continue;
                };
                let time = match &r.time {
                    ReqTime::Range(sel, t) if sel.matches(date) => {
                        TimeRange::new(t.start.max(open.start), t.end.min(open.end))
                    }
                    ReqTime::Range(..) => None,
                    ReqTime::Opening => {
                        TimeRange::new(open.start, (open.start + slot).min(open.end))
                    }
                    ReqTime::Closing => {
                        TimeRange::new(open.end.saturating_sub(slot).max(open.start), open.end)
                    }
                };
                if let Some(time) = time {
                    requirements.push(Requirement {
                        label: r.label.clone(),
                        desk,
                        day,
                        time,
                        need: r.need,
                        who,
                        weight: r.weight,
                    });
                }
            }
        }

        let templates = self
            .templates
            .iter()
            .map(|(name, desk, time)| {
                Ok(ShiftTemplate {
                    name: name.clone(),
                    desk: find(&desk_names, "desk", desk)?,
                    time: *time,
                })
            })
            .collect::<Result<Vec<_>, BuildError>>()?;
        let forbidden_successions = self
            .successions
            .iter()
            .map(|(a, b)| {
                Ok((
                    find(&template_names, "template", a)?,
                    find(&template_names, "template", b)?,
                ))
            })
            .collect::<Result<Vec<_>, BuildError>>()?;
        let mut template_cover = Vec::new();
        for (sel, tpl, requirement, under, over) in &self.template_cover {
            let template = find(&template_names, "template", tpl)?;
            for (day, &date) in self.days.iter().enumerate() {
                if sel.matches(date) {
                    template_cover.push(TemplateCover {
                        day,
                        template,
                        requirement: *requirement,
                        weight_under: *under,
                        weight_over: *over,
                    });
                }
            }
        }

        let problem = Problem {
            name: self.name,
            timezone: self.timezone,
            slot_minutes: self.slot_minutes,
            days: self.days,
            desks,
            skills: self.skills,
            groups: self.groups,
            people,
            requirements,
            rules: self.rules,
            weights: self.weights,
            evening_start: self.evening_start,
            templates,
            forbidden_successions,
            template_cover,
        };
        problem.validate().map_err(BuildError::Invalid)?;
        Ok(problem)
    }
}

/// A tiny ready-made problem for examples and doc tests: one Monday (2027-01-04), a Service
/// Desk open 09:00-17:00 needing one person (two wanted), a keyholder at opening, and two people.
///
/// ```
/// let p = deskroster::builder::example_problem()?;
/// assert_eq!((p.days.len(), p.people.len()), (1, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// None in practice; the `Result` is the one of [`ProblemBuilder::build`].
pub fn example_problem() -> Result<Problem, BuildError> {
    let monday = NaiveDate::from_ymd_opt(2027, 1, 4)
        .ok_or_else(|| BuildError::Invalid("bad example date".into()))?;
    ProblemBuilder::new(monday, 1)
        .name("example")
        .desk("Service Desk", |d| {
            d.open(Weekdays::all(), "09:00-17:00")
                .cover("09:00-17:00", 1, 2, 2)
        })
        .group("staff")
        .group("student")
        .skill("keyholder")
        .person("Ana", "staff", |p| {
            p.skill("keyholder")
                .available(Weekdays::all(), "08:00-17:00")
                .max_day_hours(8)
        })
        .person("Ben", "student", |p| {
            p.available(Weekdays::all(), "12:00-17:00").max_day_hours(4)
        })
        .requirement_at_opening(
            "keyholder at opening",
            "Service Desk",
            Who::skill("keyholder"),
            1,
            1000.0,
        )
        .build()
}

/// The desk's hours and coverage on `date`: the last `open`/`closed` selecting it, then every
/// `cover` selecting it, in call order.
fn desk_day(b: &DeskBuilder, date: NaiveDate, slot: u32, n_people: u32) -> Option<DeskDay> {
    let mut open = None;
    for op in &b.ops {
        if let DeskOp::Open(sel, t) = op {
            if sel.matches(date) {
                open = *t;
            }
        }
    }
    let open = open?;
    let slots = open.minutes().div_ceil(slot) as usize;
    let mut cover = vec![
        Cover {
            min: 0,
            target: 0,
            max: n_people
        };
        slots
    ];
    for op in &b.ops {
        if let DeskOp::Cover(sel, t, c) = op {
            if sel.matches(date) {
                for (i, slot_cover) in cover.iter_mut().enumerate() {
                    let start = open.start + i as u32 * slot;
                    if t.start <= start && start < t.end {
                        *slot_cover = *c;
                    }
                }
            }
        }
    }
    Some(DeskDay { open, cover })
}

/// The person's availability on `date`: union of `available` windows minus `unavailable` ones,
/// as sorted, disjoint, non-touching ranges.
fn availability(b: &PersonBuilder, date: NaiveDate) -> Vec<TimeRange> {
    let mut minutes = vec![false; 1440];
    for (sel, t) in &b.available {
        if sel.matches(date) {
            minutes[t.start as usize..t.end as usize].fill(true);
        }
    }
    for (sel, t) in &b.unavailable {
        if sel.matches(date) {
            match t {
                Some(t) => minutes[t.start as usize..t.end as usize].fill(false),
                None => minutes.fill(false),
            }
        }
    }
    let mut out = Vec::new();
    let mut start = None;
    for m in 0..=1440usize {
        let on = minutes.get(m).copied().unwrap_or(false);
        match (on, start) {
            (true, None) => start = Some(m as u32),
            (false, Some(s)) => {
                out.extend(TimeRange::new(s, m as u32));
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn resolves_openings_cover_and_closures() {
        let p = ProblemBuilder::new(date("2027-01-04"), 7)
            .desk("Desk", |d| {
                d.open(Weekdays::all(), "09:00-12:00")
                    .closed(Weekday::Sun)
                    .open(date("2027-01-05"), "10:00-11:00")
                    .cover("09:00-10:00", 1, 2, 3)
            })
            .group("g")
            .build()
            .unwrap();
        let days = &p.desks[0].days;
        let mon = days[0].as_ref().unwrap();
        assert_eq!(mon.cover.len(), 6);
        assert_eq!(
            mon.cover[0],
            Cover {
                min: 1,
                target: 2,
                max: 3
            }
        );
        assert_eq!(
            mon.cover[2],
            Cover {
                min: 0,
                target: 0,
                max: 0
            }
        );
        assert_eq!(
            days[1].as_ref().unwrap().open,
            parse_range("10:00-11:00").unwrap()
        );
        assert!(days[6].is_none());
    }

    #[test]
    fn availability_subtracts_absences_and_merges() {
        let p = ProblemBuilder::new(date("2027-01-04"), 3)
            .group("g")
            .person("Ana", "g", |p| {
                p.available(Weekdays::all(), "08:00-12:00")
                    .available(Weekdays::all(), "12:00-16:00")
                    .unavailable(date("2027-01-05"), "10:00-11:00")
                    .absent(date("2027-01-06"))
            })
            .build()
            .unwrap();
        let a = &p.people[0].availability;
        assert_eq!(a[0], vec![parse_range("08:00-16:00").unwrap()]);
        assert_eq!(
            a[1],
            vec![
                parse_range("08:00-10:00").unwrap(),
                parse_range("11:00-16:00").unwrap()
            ]
        );
        assert!(a[2].is_empty());
    }

    #[test]
    fn reports_unknown_names_and_bad_times() {
        let e = ProblemBuilder::new(date("2027-01-04"), 1)
            .group("g")
            .person("A", "h", |p| p)
            .build();
        assert_eq!(
            e.unwrap_err(),
            BuildError::Unknown {
                kind: "group",
                name: "h".into()
            }
        );
        let e = ProblemBuilder::new(date("2027-01-04"), 1)
            .desk("D", |d| d.open(Weekdays::all(), "25:00-26:00"))
            .build();
        assert!(matches!(e, Err(BuildError::Time { .. })));
        let e = ProblemBuilder::new(date("2027-01-04"), 1)
            .group("g")
            .group("g")
            .build();
        assert!(matches!(e, Err(BuildError::Duplicate { .. })));
    }

    #[test]
    fn resolves_templates_requests_and_requirements() {
        let p = ProblemBuilder::new(date("2027-01-04"), 2)
            .desk("D", |d| d.open(Weekdays::all(), "08:00-16:00"))
            .group("g")
            .skill("key")
            .template("early", "D", "08:00-12:00")
            .template("late", "D", "12:00-16:00")
            .forbid_succession("late", "early")
            .template_cover(Weekdays::all(), "early", 1, 100.0, 1.0)
            .person("A", "g", |p| {
                p.skill_valid("key", Some(date("2027-01-05")), None)
                    .request_on(date("2027-01-04"), "late", 5.0)
                    .template_limit("early", 1)
                    .fixed(Weekday::Mon, "D", "08:00-12:00")
                    .avoid(Weekdays::all(), "14:00-16:00", 2.0)
            })
            .requirement_at_closing("key at close", "D", Who::skill("key"), 1, 50.0)
            .requirement(
                "g",
                "D",
                Weekday::Tue,
                "07:00-09:00",
                Who::group("g"),
                1,
                5.0,
            )
            .build()
            .unwrap();
        assert_eq!(p.forbidden_successions, vec![(1, 0)]);
        assert_eq!(p.template_cover.len(), 2);
        let a = &p.people[0];
        assert_eq!(a.requests.len(), 1);
        assert_eq!(a.template_limits, vec![(0, 1)]);
        assert_eq!(a.fixed.len(), 1);
        assert_eq!(a.preferences.len(), 2);
        assert!(!a.has_skill(0, date("2027-01-04")) && a.has_skill(0, date("2027-01-05")));
        assert_eq!(p.requirements.len(), 3);
        assert_eq!(p.requirements[2].time, parse_range("08:00-09:00").unwrap());
        assert_eq!(p.requirements[0].time, parse_range("15:30-16:00").unwrap());
    }
}
