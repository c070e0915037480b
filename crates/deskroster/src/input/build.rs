//! Builds a validated [`Problem`] from the parsed files: day patterns, dated periods, closed
//! dates, group defaults, unavailability and absences are folded into concrete days.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};

use super::error::{At, InputError, SourceFile, Span};
use super::raw::{ByDays, RawAbsences, RawContract, RawPerson, RawRequire, RawTerm, SkillItem};
use super::value::{
    day_names, items, on_grid, parse_date, parse_date_range, parse_days, parse_duration,
    parse_positive_duration, parse_range, parse_time, DateText, DayMask, OneOrMany, DAILY,
};
use super::{Absence, Term};
use crate::model::{
    fmt_minute, Contract, Cover, Desk, DeskDay, FixedAssignment, Person, Preference,
    PreferenceKind, Problem, Requirement, ShiftRequest, ShiftRules, ShiftTemplate, SkillGrant,
    TemplateCover, TimeRange, Weights, Who,
};

/// Longest horizon accepted, in days (about three years).
const MAX_DAYS: i64 = 1100;
/// Default penalty per missing person-hour of a "must" requirement.
pub(crate) const MUST_WEIGHT: f64 = 1000.0;
/// Default penalty per missing person-hour of an "if possible" requirement.
pub(crate) const IF_POSSIBLE_WEIGHT: f64 = 50.0;
/// Default weight of a prefer/avoid window, per hour.
pub(crate) const PREFERENCE_WEIGHT: f64 = 5.0;
const WHOLE_DAY: TimeRange = TimeRange {
    start: 0,
    end: 1440,
};

type Dates = toml::Spanned<OneOrMany<DateText>>;
type S = toml::Spanned<String>;

/// Formats minutes as a duration, `2h30m`.
pub(crate) fn fmt_duration(m: u32) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// Which days a rule applies to: weekdays, optionally restricted to date ranges.
struct DayFilter {
    mask: DayMask,
    ranges: Option<Vec<(NaiveDate, NaiveDate)>>,
}

fn weekday_bit(d: NaiveDate) -> DayMask {
    1 << d.weekday().num_days_from_monday()
}

impl DayFilter {
    fn matches(&self, d: NaiveDate) -> bool {
        self.mask & weekday_bit(d) != 0
            && self
                .ranges
                .as_ref()
                .is_none_or(|rs| rs.iter().any(|(a, b)| *a <= d && d <= *b))
    }
}

/// What is known about the term while people and rules are resolved.
struct Ctx {
    days: Vec<NaiveDate>,
    slot: u32,
    desks: Vec<String>,
    /// desk × day opening hours.
    open: Vec<Vec<Option<TimeRange>>>,
    skills: Vec<String>,
    groups: Vec<String>,
    templates: Vec<String>,
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none declared".to_string();
    }
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn lookup(names: &[String], s: &S, what: &str, file: &SourceFile) -> Result<usize, InputError> {
    names.iter().position(|n| n == s.get_ref()).ok_or_else(|| {
        file.err(
            s.span(),
            format!(
                "unknown {what} {:?}: expected one of {}",
                s.get_ref(),
                list(names)
            ),
        )
    })
}

fn weight(
    w: Option<&toml::Spanned<f64>>,
    default: f64,
    file: &SourceFile,
) -> Result<f64, InputError> {
    match w {
        None => Ok(default),
        Some(w) if w.get_ref().is_finite() && *w.get_ref() >= 0.0 => Ok(*w.get_ref()),
        Some(w) => Err(file.err(
            w.span(),
            format!("weight {} must be a non-negative number", w.get_ref()),
        )),
    }
}

impl Ctx {
    fn first(&self) -> NaiveDate {
        self.days.first().copied().unwrap_or_default()
    }

    fn last(&self) -> NaiveDate {
        self.days.last().copied().unwrap_or_default()
    }

    fn day_index(&self, d: NaiveDate) -> Option<usize> {
        let i = (d - self.first()).num_days();
        (i >= 0 && (i as usize) < self.days.len()).then_some(i as usize)
    }

    /// Date ranges, each inside the term.
    fn ranges(
        &self,
        dates: &Dates,
        file: &SourceFile,
    ) -> Result<Vec<(NaiveDate, NaiveDate)>, InputError> {
        let mut out = Vec::new();
        for (span, text) in items(dates) {
            out.push(self.range(&text.0, span, file)?);
        }
        if out.is_empty() {
            return Err(file.err(dates.span(), "expected at least one date or date range"));
        }
        Ok(out)
    }

    fn range(
        &self,
        text: &str,
        span: Span,
        file: &SourceFile,
    ) -> Result<(NaiveDate, NaiveDate), InputError> {
        let (a, b) = parse_date_range(text).at(file, span.clone())?;
        if a < self.first() || b > self.last() {
            return Err(file.err(
                span,
                format!(
                    "date {text:?} is outside the term ({} to {})",
                    self.first(),
                    self.last()
                ),
            ));
        }
        Ok((a, b))
    }

    fn filter(
        &self,
        days: Option<&S>,
        dates: Option<&Dates>,
        file: &SourceFile,
    ) -> Result<DayFilter, InputError> {
        let mask = match days {
            Some(d) => parse_days(d.get_ref()).at(file, d.span())?,
            None => DAILY,
        };
        let ranges = dates.map(|d| self.ranges(d, file)).transpose()?;
        Ok(DayFilter { mask, ranges })
    }

    fn matching(&self, f: &DayFilter) -> Vec<usize> {
        (0..self.days.len())
            .filter(|&i| self.days.get(i).is_some_and(|d| f.matches(*d)))
            .collect()
    }

    /// A time window on the slot grid; the whole day when absent.
    fn window(
        &self,
        time: Option<&S>,
        what: &str,
        file: &SourceFile,
    ) -> Result<TimeRange, InputError> {
        match time {
            None => Ok(WHOLE_DAY),
            Some(t) => {
                let r = parse_range(t.get_ref()).at(file, t.span())?;
                on_grid(&r, self.slot, what).at(file, t.span())?;
                Ok(r)
            }
        }
    }

    fn open(&self, desk: usize, day: usize) -> Option<TimeRange> {
        self.open
            .get(desk)
            .and_then(|d| d.get(day))
            .copied()
            .flatten()
    }

    fn desks_of(&self, desk: Option<&S>, file: &SourceFile) -> Result<Vec<usize>, InputError> {
        match desk {
            Some(d) => Ok(vec![lookup(&self.desks, d, "desk", file)?]),
            None => Ok((0..self.desks.len()).collect()),
        }
    }
}

fn intersect(a: &TimeRange, b: &TimeRange) -> Option<TimeRange> {
    TimeRange::new(a.start.max(b.start), a.end.min(b.end))
}

/// Removes `cut` from sorted disjoint ranges.
fn subtract(avail: &mut Vec<TimeRange>, cut: &TimeRange) {
    let mut out = Vec::with_capacity(avail.len() + 1);
    for r in avail.iter() {
        if !r.overlaps(cut) {
            out.push(*r);
            continue;
        }
        out.extend(TimeRange::new(r.start, cut.start));
        out.extend(TimeRange::new(cut.end, r.end));
    }
    *avail = out;
}

/// Widens a range to the slot grid (used for unavailability, which is conservative).
fn round_out(r: &TimeRange, slot: u32) -> TimeRange {
    let slot = slot.max(1);
    let start = r.start / slot * slot;
    let end = r.end.div_ceil(slot).saturating_mul(slot).min(1440);
    TimeRange::new(start, end).unwrap_or(*r)
}

/// One optional value per weekday, Monday first, with the span of its key.
type PerWeekday<T> = [Option<(toml::Spanned<T>, Span)>; 7];

/// Weekly table `pattern = value` → per weekday, with each weekday given at most once.
fn by_weekday<T: Clone>(
    table: &ByDays<T>,
    file: &SourceFile,
    what: &str,
) -> Result<PerWeekday<T>, InputError> {
    let mut out: PerWeekday<T> = Default::default();
    let mut keys: [Option<&str>; 7] = [None; 7];
    // In file order, so the error points at the later of two keys.
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (k, v) in entries {
        let mask = parse_days(k.get_ref()).at(file, k.span())?;
        for (i, (slot, key)) in out.iter_mut().zip(keys.iter_mut()).enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            if let Some(earlier) = key {
                return Err(file.err(
                    k.span(),
                    format!(
                        "{} is given twice in the {what}: in {earlier:?} and in {:?}",
                        day_names(1 << i),
                        k.get_ref()
                    ),
                ));
            }
            *slot = Some((v.clone(), k.span()));
            *key = Some(k.get_ref().as_str());
        }
    }
    Ok(out)
}

/// Opening hours per weekday: `None` closed.
fn hours(
    table: &ByDays<String>,
    slot: u32,
    file: &SourceFile,
) -> Result<[Option<TimeRange>; 7], InputError> {
    let mut out = [None; 7];
    for (o, v) in out.iter_mut().zip(by_weekday(table, file, "hours")?) {
        if let Some((v, _)) = v {
            if v.get_ref().trim() == "closed" {
                continue;
            }
            let r = parse_range(v.get_ref()).at(file, v.span())?;
            on_grid(&r, slot, "opening hours").at(file, v.span())?;
            *o = Some(r);
        }
    }
    Ok(out)
}

/// Contract fields in a fixed order, each with where it was written.
const CONTRACT_FIELDS: usize = 10;
type ContractSpec<'f> = [Option<(u32, &'f SourceFile, Span)>; CONTRACT_FIELDS];

fn contract_spec<'f>(
    raw: &RawContract,
    file: &'f SourceFile,
) -> Result<ContractSpec<'f>, InputError> {
    let dur = |v: &Option<S>,
               positive: bool|
     -> Result<Option<(u32, &'f SourceFile, Span)>, InputError> {
        v.as_ref()
            .map(|s| {
                let m = if positive {
                    parse_positive_duration(s.get_ref())
                } else {
                    parse_duration(s.get_ref())
                };
                m.at(file, s.span()).map(|m| (m, file, s.span()))
            })
            .transpose()
    };
    let count = |v: &Option<toml::Spanned<u32>>, lo: u32, hi: u32, name: &str| {
        v.as_ref()
            .map(|s| {
                let n = *s.get_ref();
                if n < lo || n > hi {
                    Err(file.err(
                        s.span(),
                        format!("{name} {n} must be between {lo} and {hi}"),
                    ))
                } else {
                    Ok((n, file, s.span()))
                }
            })
            .transpose()
    };
    Ok([
        dur(&raw.min_week, false)?,
        dur(&raw.max_week, true)?,
        dur(&raw.max_day, true)?,
        count(&raw.max_days_week, 1, 7, "max_days_week")?,
        dur(&raw.max_term, true)?,
        dur(&raw.min_term, false)?,
        count(&raw.max_consecutive_days, 1, 10_000, "max_consecutive_days")?,
        count(&raw.min_consecutive_days, 1, 10_000, "min_consecutive_days")?,
        count(
            &raw.min_consecutive_days_off,
            1,
            10_000,
            "min_consecutive_days_off",
        )?,
        count(&raw.max_weekends, 0, 10_000, "max_weekends")?,
    ])
}

fn contract(spec: &ContractSpec) -> Result<Contract, InputError> {
    let v = |i: usize| spec.get(i).and_then(|f| f.as_ref()).map(|f| f.0);
    // (min field, max field, name, is duration)
    for (lo, hi, name, dur) in [
        (0, 1, "min_week", true),
        (5, 4, "min_term", true),
        (7, 6, "min_consecutive_days", false),
    ] {
        if let (Some(Some((a, file, span))), Some(Some((b, _, _)))) = (spec.get(lo), spec.get(hi)) {
            if a > b {
                let show = |x: u32| if dur { fmt_duration(x) } else { x.to_string() };
                return Err(file.err(
                    span.clone(),
                    format!(
                        "contract {name} {} is above its maximum {}",
                        show(*a),
                        show(*b)
                    ),
                ));
            }
        }
    }
    Ok(Contract {
        min_week: v(0).unwrap_or(0),
        max_week: v(1),
        max_day: v(2),
        max_days_week: v(3),
        max_term: v(4),
        min_term: v(5),
        max_consecutive_days: v(6),
        min_consecutive_days: v(7),
        min_consecutive_days_off: v(8),
        max_weekends: v(9),
    })
}

/// Builds the whole term. `people` are in the order they should appear in the problem.
pub(crate) fn build(
    dir: PathBuf,
    term: &SourceFile,
    people: &[SourceFile],
    people_dir: PathBuf,
    absences: Option<&SourceFile>,
) -> Result<Term, InputError> {
    let raw: RawTerm = term.parse()?;
    let f = term;

    // Horizon.
    let first = parse_date(&raw.start.get_ref().0).at(f, raw.start.span())?;
    let last = parse_date(&raw.end.get_ref().0).at(f, raw.end.span())?;
    if last < first {
        return Err(f.err(
            raw.end.span(),
            format!("term end {last} is before its start {first}"),
        ));
    }
    if (last - first).num_days() >= MAX_DAYS {
        return Err(f.err(
            raw.end.span(),
            format!("term from {first} to {last} is longer than {MAX_DAYS} days"),
        ));
    }
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();

    let name = raw.name.get_ref().trim().to_string();
    if name.is_empty() {
        return Err(f.err(raw.name.span(), "term name must not be empty"));
    }
    let timezone = match &raw.timezone {
        None => "America/Toronto".to_string(),
        Some(tz) => {
            tz.get_ref().parse::<chrono_tz::Tz>().map_err(|_| {
                f.err(
                    tz.span(),
                    format!(
                        "unknown time zone {:?}: expected an IANA name like \"America/Toronto\"",
                        tz.get_ref()
                    ),
                )
            })?;
            tz.get_ref().clone()
        }
    };
    let slot = match &raw.slot {
        None => 30,
        Some(s) => {
            let m = parse_positive_duration(s.get_ref()).at(f, s.span())?;
            if m < 5 || 1440 % m != 0 {
                return Err(f.err(
                    s.span(),
                    format!("slot length {:?} must be at least 5m and divide a day (e.g. \"15m\", \"30m\", \"1h\")", s.get_ref()),
                ));
            }
            m
        }
    };
    let evening_start = match &raw.evening_start {
        None => 17 * 60,
        Some(s) => parse_time(s.get_ref()).at(f, s.span())?,
    };

    // Skills and groups.
    let mut skills: Vec<String> = Vec::new();
    for s in &raw.skills {
        let n = s.get_ref().trim();
        if n.is_empty() || skills.iter().any(|k| k == n) {
            return Err(f.err(
                s.span(),
                format!("skill {:?} is empty or declared twice", s.get_ref()),
            ));
        }
        skills.push(n.to_string());
    }
    let mut groups = Vec::new();
    let mut group_specs = Vec::new();
    for (g, c) in &raw.groups {
        groups.push(g.get_ref().clone());
        group_specs.push(contract_spec(c, f)?);
        // Report min > max in group defaults right away, in term.toml.
        contract(group_specs.last().unwrap_or(&Default::default()))?;
    }

    let mut ctx = Ctx {
        days,
        slot,
        desks: Vec::new(),
        open: Vec::new(),
        skills,
        groups,
        templates: Vec::new(),
    };

    // Closed dates.
    let mut closed = vec![false; ctx.days.len()];
    if let Some(c) = &raw.closed {
        for (a, b) in ctx.ranges(c, f)? {
            for (i, d) in ctx.days.iter().enumerate() {
                if a <= *d && *d <= b {
                    if let Some(x) = closed.get_mut(i) {
                        *x = true;
                    }
                }
            }
        }
    }

    // Desks and their opening hours.
    if raw.desks.is_empty() {
        return Err(f.err(
            0..0,
            "no desk: add at least one [[desk]] with a name and hours",
        ));
    }
    for d in &raw.desks {
        let dn = d.name.get_ref().trim().to_string();
        if dn.is_empty() || ctx.desks.contains(&dn) {
            return Err(f.err(
                d.name.span(),
                format!("desk name {:?} is empty or used twice", d.name.get_ref()),
            ));
        }
        let weekly = match &d.hours {
            Some(h) => hours(h, slot, f)?,
            None => [None; 7],
        };
        let mut periods = Vec::new();
        for p in &d.periods {
            let ranges = ctx.ranges(&p.dates, f)?;
            let closed_flag = p.closed.as_ref().is_some_and(|c| *c.get_ref());
            let ph = match (&p.hours, closed_flag) {
                (Some(_), true) => {
                    let span = p.closed.as_ref().map(|c| c.span()).unwrap_or_default();
                    return Err(f.err(
                        span,
                        "a period has either `hours` or `closed = true`, not both",
                    ));
                }
                (None, false) => {
                    let span = p
                        .name
                        .as_ref()
                        .map(|n| n.span())
                        .unwrap_or_else(|| p.dates.span());
                    return Err(f.err(span, "a period needs `hours = { ... }` or `closed = true`"));
                }
                (Some(h), false) => hours(h, slot, f)?,
                (None, true) => [None; 7],
            };
            periods.push((ranges, ph));
        }
        let open: Vec<Option<TimeRange>> = ctx
            .days
            .iter()
            .enumerate()
            .map(|(i, day)| {
                if closed.get(i).copied().unwrap_or(false) {
                    return None;
                }
                let wd = day.weekday().num_days_from_monday() as usize;
                let table = periods
                    .iter()
                    .rev()
                    .find(|(rs, _)| rs.iter().any(|(a, b)| a <= day && day <= b))
                    .map(|(_, h)| h)
                    .unwrap_or(&weekly);
                table.get(wd).copied().flatten()
            })
            .collect();
        ctx.desks.push(dn);
        ctx.open.push(open);
    }

    // Templates (issue 5).
    let mut templates = Vec::new();
    for t in &raw.templates {
        let tn = t.name.get_ref().trim().to_string();
        if tn.is_empty() || ctx.templates.contains(&tn) {
            return Err(f.err(
                t.name.span(),
                format!(
                    "template name {:?} is empty or used twice",
                    t.name.get_ref()
                ),
            ));
        }
        let desk = lookup(&ctx.desks, &t.desk, "desk", f)?;
        let time = ctx.window(Some(&t.time), "template", f)?;
        ctx.templates.push(tn.clone());
        templates.push(ShiftTemplate {
            name: tn,
            desk,
            time,
        });
    }
    let mut forbidden_successions = Vec::new();
    for pair in &raw.forbidden_successions {
        let (a, b) = pair.get_ref();
        let idx = |n: &String| {
            ctx.templates.iter().position(|t| t == n).ok_or_else(|| {
                f.err(
                    pair.span(),
                    format!(
                        "unknown template {n:?}: expected one of {}",
                        list(&ctx.templates)
                    ),
                )
            })
        };
        forbidden_successions.push((idx(a)?, idx(b)?));
    }
    let mut template_cover = Vec::new();
    for tc in &raw.template_cover {
        let template = lookup(&ctx.templates, &tc.template, "template", f)?;
        let filter = ctx.filter(tc.days.as_ref(), tc.dates.as_ref(), f)?;
        let weight_under = weight(tc.weight_under.as_ref(), 1.0, f)?;
        let weight_over = weight(tc.weight_over.as_ref(), 1.0, f)?;
        for day in ctx.matching(&filter) {
            template_cover.push(TemplateCover {
                day,
                template,
                requirement: tc.requirement,
                weight_under,
                weight_over,
            });
        }
    }

    // People.
    if people.is_empty() {
        return Err(InputError::folder(people_dir, "no person files (*.toml) found")
            .with_help("add one file per person, e.g. people/ana-silva.toml with name, group and [available]"));
    }
    let mut persons: Vec<Person> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for pf in people {
        let rp: RawPerson = pf.parse()?;
        let p = build_person(&ctx, &group_specs, pf, &rp)?;
        if let Some(other) = seen.get(&p.name) {
            return Err(pf.err(
                rp.name.span(),
                format!(
                    "duplicate person name {:?}: also in {}",
                    p.name,
                    other.display()
                ),
            ));
        }
        seen.insert(p.name.clone(), pf.path.clone());
        persons.push(p);
    }
    let n_people = u32::try_from(persons.len()).unwrap_or(u32::MAX);

    // Coverage.
    let mut desks: Vec<Desk> = ctx
        .desks
        .iter()
        .zip(&ctx.open)
        .map(|(name, open)| Desk {
            name: name.clone(),
            days: open
                .iter()
                .map(|o| {
                    o.map(|open| DeskDay {
                        open,
                        cover: vec![
                            Cover {
                                min: 0,
                                target: 0,
                                max: n_people
                            };
                            (open.minutes() / slot) as usize
                        ],
                    })
                })
                .collect(),
        })
        .collect();
    for c in &raw.cover {
        let targets = ctx.desks_of(c.desk.as_ref(), f)?;
        let filter = ctx.filter(c.days.as_ref(), c.dates.as_ref(), f)?;
        let window = ctx.window(c.time.as_ref(), "coverage window", f)?;
        let min = c.min.as_ref().map(|m| *m.get_ref()).unwrap_or(0);
        let target = c.target.as_ref().map(|m| *m.get_ref()).unwrap_or(min);
        let max = c.max.as_ref().map(|m| *m.get_ref()).unwrap_or(n_people);
        let max_txt = if c.max.is_some() {
            format!("max {max}")
        } else {
            format!("max {max} (the number of people)")
        };
        if min > max {
            let span = c.min.as_ref().map(|m| m.span()).unwrap_or_default();
            return Err(f.err(span, format!("coverage min {min} is above {max_txt}")));
        }
        if target > max {
            let span = c
                .target
                .as_ref()
                .or(c.min.as_ref())
                .map(|m| m.span())
                .unwrap_or_default();
            return Err(f.err(span, format!("coverage target {target} is above {max_txt}")));
        }
        let cover = Cover { min, target, max };
        for &desk in &targets {
            for day in ctx.matching(&filter) {
                let Some(Some(dd)) = desks.get_mut(desk).and_then(|d| d.days.get_mut(day)) else {
                    continue;
                };
                let start = dd.open.start;
                for (i, slot_cover) in dd.cover.iter_mut().enumerate() {
                    let t = start + i as u32 * slot;
                    if window.start <= t && t < window.end {
                        *slot_cover = cover;
                    }
                }
            }
        }
    }

    // Staff-mix requirements.
    let mut requirements = Vec::new();
    for r in &raw.require {
        requirements.extend(requirement(&ctx, r, f)?);
    }

    // Rules and weights.
    let rules = shift_rules(raw.rules.as_ref(), raw.slot.as_ref(), slot, f)?;
    let weights = weights(raw.weights.as_ref(), f)?;

    // Absences.
    let absences = match absences {
        Some(af) => apply_absences(&ctx, af, &mut persons)?,
        None => Vec::new(),
    };
    for p in &mut persons {
        let avail = p.availability.clone();
        p.fixed.retain(|fa| {
            avail
                .get(fa.day)
                .is_some_and(|w| w.iter().any(|r| r.contains(&fa.time)))
        });
    }

    let problem = Problem {
        name,
        timezone,
        slot_minutes: slot,
        days: ctx.days,
        desks,
        skills: ctx.skills,
        groups: ctx.groups,
        people: persons,
        requirements,
        rules,
        weights,
        evening_start,
        templates,
        forbidden_successions,
        template_cover,
    };
    problem
        .validate()
        .map_err(|m| InputError::folder(term.path.clone(), format!("internal error: {m}")))?;
    Ok(Term {
        problem,
        absences,
        dir,
    })
}

fn requirement(ctx: &Ctx, r: &RawRequire, f: &SourceFile) -> Result<Vec<Requirement>, InputError> {
    let targets = ctx.desks_of(r.desk.as_ref(), f)?;
    let filter = ctx.filter(r.days.as_ref(), r.dates.as_ref(), f)?;
    let (who, who_txt) = match (&r.skill, &r.group) {
        (Some(s), None) => (
            Who::Skill(lookup(&ctx.skills, s, "skill", f)?),
            s.get_ref().clone(),
        ),
        (None, Some(g)) => (
            Who::Group(lookup(&ctx.groups, g, "group", f)?),
            format!("from group {}", g.get_ref()),
        ),
        (Some(_), Some(g)) => {
            return Err(f.err(
                g.span(),
                "a requirement names either `skill` or `group`, not both",
            ))
        }
        (None, None) => {
            let span = r
                .label
                .as_ref()
                .or(r.desk.as_ref())
                .map(|s| s.span())
                .unwrap_or_default();
            return Err(f.err(
                span,
                "a requirement needs `skill = \"...\"` or `group = \"...\"`",
            ));
        }
    };
    let need = match &r.need {
        None => 1,
        Some(n) if *n.get_ref() == 0 => return Err(f.err(n.span(), "need must be at least 1")),
        Some(n) => *n.get_ref(),
    };
    #[derive(Clone, Copy)]
    enum When {
        Opening,
        Closing,
        Window(TimeRange),
    }
    let when = match (&r.at, &r.time) {
        (Some(_), Some(t)) => {
            return Err(f.err(
                t.span(),
                "a requirement has either `at` or `time`, not both",
            ))
        }
        (Some(a), None) => match a.get_ref().trim() {
            "opening" => When::Opening,
            "closing" => When::Closing,
            other => {
                return Err(f.err(
                    a.span(),
                    format!("unknown `at` value {other:?}: expected \"opening\" or \"closing\""),
                ))
            }
        },
        (None, t) => When::Window(ctx.window(t.as_ref(), "requirement window", f)?),
    };
    let default_weight = if r.if_possible.unwrap_or(false) {
        IF_POSSIBLE_WEIGHT
    } else {
        MUST_WEIGHT
    };
    let w = weight(r.weight.as_ref(), default_weight, f)?;
    let label = match &r.label {
        Some(l) => l.get_ref().clone(),
        None => {
            let place = match (when, &r.time) {
                (When::Opening, _) => " at opening".to_string(),
                (When::Closing, _) => " at closing".to_string(),
                (When::Window(_), Some(t)) => format!(" {}", t.get_ref()),
                (When::Window(_), None) => String::new(),
            };
            format!("{need} {who_txt}{place}")
        }
    };
    let mut out = Vec::new();
    for &desk in &targets {
        for day in ctx.matching(&filter) {
            let Some(open) = ctx.open(desk, day) else {
                continue;
            };
            let time = match when {
                When::Opening => TimeRange::new(open.start, open.start + ctx.slot),
                When::Closing => TimeRange::new(open.end.saturating_sub(ctx.slot), open.end),
                When::Window(w) => intersect(&w, &open),
            };
            if let Some(time) = time {
                out.push(Requirement {
                    label: label.clone(),
                    desk,
                    day,
                    time,
                    need,
                    who,
                    weight: w,
                });
            }
        }
    }
    Ok(out)
}

fn shift_rules(
    raw: Option<&super::raw::RawRules>,
    slot_key: Option<&S>,
    slot: u32,
    f: &SourceFile,
) -> Result<ShiftRules, InputError> {
    let d = ShiftRules::default();
    let default = super::raw::RawRules::default();
    let r = raw.unwrap_or(&default);
    let dur =
        |v: &Option<S>, dflt: u32, positive: bool| -> Result<(u32, Option<Span>), InputError> {
            match v {
                None => Ok((dflt, None)),
                Some(s) => {
                    let m = if positive {
                        parse_positive_duration(s.get_ref())
                    } else {
                        parse_duration(s.get_ref())
                    };
                    Ok((m.at(f, s.span())?, Some(s.span())))
                }
            }
        };
    let (min_length, min_span) = dur(&r.min_length, d.min_length, true)?;
    let (max_length, max_span) = dur(&r.max_length, d.max_length, true)?;
    let (min_gap, gap_span) = dur(&r.min_gap, d.min_gap, false)?;
    let (meal_after, meal_after_span) = dur(&r.meal_break_after, 300, true)?;
    let (meal, meal_span) = dur(&r.meal_break, 30, false)?;
    let (min_rest, _) = dur(&r.min_rest, d.min_rest, false)?;
    let max_shifts_per_day = match &r.max_shifts_per_day {
        None => d.max_shifts_per_day,
        Some(n) if *n.get_ref() == 0 => {
            return Err(f.err(n.span(), "max_shifts_per_day must be at least 1"))
        }
        Some(n) => *n.get_ref(),
    };
    let (max_length, max_span) = if meal_after < max_length {
        (meal_after, meal_after_span)
    } else {
        (max_length, max_span)
    };
    let (min_gap, gap_span) = if meal > min_gap {
        (meal, meal_span)
    } else {
        (min_gap, gap_span)
    };
    if min_length > max_length {
        let span = min_span.or(max_span).unwrap_or_default();
        return Err(f.err(
            span,
            format!(
                "min_length {} is above the longest allowed shift {} (max_length, capped by meal_break_after)",
                fmt_duration(min_length),
                fmt_duration(max_length)
            ),
        ));
    }
    for (value, span, name) in [
        (min_length, min_span, "min_length"),
        (max_length, max_span, "max_length"),
        (min_gap, gap_span, "min_gap"),
    ] {
        if value % slot != 0 {
            let span = span.or(slot_key.map(|s| s.span())).unwrap_or_default();
            return Err(f.err(
                span,
                format!(
                    "the slot length {} does not divide {name} {}",
                    fmt_duration(slot),
                    fmt_duration(value)
                ),
            ));
        }
    }
    Ok(ShiftRules {
        min_length,
        max_length,
        max_shifts_per_day,
        min_gap,
        min_rest,
    })
}

fn weights(raw: Option<&super::raw::RawWeights>, f: &SourceFile) -> Result<Weights, InputError> {
    let d = Weights::default();
    let Some(r) = raw else { return Ok(d) };
    Ok(Weights {
        coverage_min: weight(r.coverage_min.as_ref(), d.coverage_min, f)?,
        coverage_target: weight(r.coverage_target.as_ref(), d.coverage_target, f)?,
        contract_min: weight(r.contract_min.as_ref(), d.contract_min, f)?,
        split_shift: weight(r.split_shift.as_ref(), d.split_shift, f)?,
        fair_evenings: weight(r.fair_evenings.as_ref(), d.fair_evenings, f)?,
        fair_weekends: weight(r.fair_weekends.as_ref(), d.fair_weekends, f)?,
        fair_closings: weight(r.fair_closings.as_ref(), d.fair_closings, f)?,
    })
}

fn build_person(
    ctx: &Ctx,
    group_specs: &[ContractSpec],
    f: &SourceFile,
    rp: &RawPerson,
) -> Result<Person, InputError> {
    let name = rp.name.get_ref().trim().to_string();
    if name.is_empty() {
        return Err(f.err(rp.name.span(), "person name must not be empty"));
    }
    let group = lookup(&ctx.groups, &rp.group, "group", f)?;

    let mut skills = Vec::new();
    if let Some(sk) = &rp.skills {
        for (span, item) in items(sk) {
            let (sname, sspan, from, until) = match item {
                SkillItem::Name(n) => (n.clone(), span, None, None),
                SkillItem::Table(t) => (
                    t.name.get_ref().clone(),
                    t.name.span(),
                    t.from.as_ref(),
                    t.until.as_ref(),
                ),
            };
            let skill = ctx.skills.iter().position(|s| *s == sname).ok_or_else(|| {
                f.err(
                    sspan,
                    format!(
                        "unknown skill {sname:?}: expected one of {}",
                        list(&ctx.skills)
                    ),
                )
            })?;
            let date = |d: Option<&toml::Spanned<DateText>>| {
                d.map(|d| parse_date(&d.get_ref().0).at(f, d.span()))
                    .transpose()
            };
            let (from_d, until_d) = (date(from)?, date(until)?);
            if let (Some(a), Some(b), Some(u)) = (from_d, until_d, until) {
                if b < a {
                    return Err(f.err(
                        u.span(),
                        format!("skill {sname:?} expires ({b}) before it is valid ({a})"),
                    ));
                }
            }
            skills.push(SkillGrant {
                skill,
                from: from_d,
                until: until_d,
            });
        }
    }

    let desks = match &rp.desks {
        None => (0..ctx.desks.len()).collect(),
        Some(ds) => {
            let mut out = Vec::new();
            for (span, d) in items(ds) {
                let i = ctx.desks.iter().position(|x| x == d).ok_or_else(|| {
                    f.err(
                        span,
                        format!("unknown desk {d:?}: expected one of {}", list(&ctx.desks)),
                    )
                })?;
                out.push(i);
            }
            out.sort_unstable();
            out.dedup();
            out
        }
    };

    // Contract: group defaults, overridden field by field.
    let own = match &rp.contract {
        Some(c) => contract_spec(c, f)?,
        None => Default::default(),
    };
    let mut spec = group_specs.get(group).cloned().unwrap_or_default();
    for (s, o) in spec.iter_mut().zip(own) {
        if o.is_some() {
            *s = o;
        }
    }
    let contract = contract(&spec)?;

    // Weekly availability.
    let no_avail = |span: Span| {
        f.err(span, format!("{name:?} has no availability at all"))
            .with_help("add an [available] table, e.g. mon = [\"09:00-12:00\", \"13:00-17:00\"]")
    };
    let Some(avail) = &rp.available else {
        return Err(no_avail(rp.name.span()));
    };
    let mut weekly: [Vec<(TimeRange, Span)>; 7] = Default::default();
    for (k, v) in avail.get_ref() {
        let mask = parse_days(k.get_ref()).at(f, k.span())?;
        for (span, w) in items(v) {
            let r = parse_range(w).at(f, span.clone())?;
            on_grid(&r, ctx.slot, "availability window").at(f, span.clone())?;
            for (i, day) in weekly.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    day.push((r, span.clone()));
                }
            }
        }
    }
    let mut week: [Vec<TimeRange>; 7] = Default::default();
    for (i, (ws, out)) in weekly.iter_mut().zip(week.iter_mut()).enumerate() {
        ws.sort_by_key(|(r, _)| (r.start, r.end));
        for (r, span) in ws.iter() {
            match out.last_mut() {
                Some(prev) if prev.overlaps(r) => {
                    return Err(f.err(
                        span.clone(),
                        format!(
                            "availability windows {prev} and {r} overlap on {}",
                            day_names(1 << i)
                        ),
                    ))
                }
                Some(prev) if prev.end == r.start => prev.end = r.end,
                _ => out.push(*r),
            }
        }
    }
    let mut availability: Vec<Vec<TimeRange>> = ctx
        .days
        .iter()
        .map(|d| {
            week.get(d.weekday().num_days_from_monday() as usize)
                .cloned()
                .unwrap_or_default()
        })
        .collect();

    // Dated unavailability.
    for u in &rp.unavailable {
        let filter = ctx.filter(u.days.as_ref(), Some(&u.dates), f)?;
        let time = match &u.time {
            None => WHOLE_DAY,
            Some(t) => round_out(&parse_range(t.get_ref()).at(f, t.span())?, ctx.slot),
        };
        for day in ctx.matching(&filter) {
            if let Some(a) = availability.get_mut(day) {
                subtract(a, &time);
            }
        }
    }
    if availability.iter().all(Vec::is_empty) {
        return Err(no_avail(avail.span()));
    }

    // Preferences.
    let mut preferences = Vec::new();
    for (list_, kind) in [
        (&rp.prefer, PreferenceKind::Prefer),
        (&rp.avoid, PreferenceKind::Avoid),
    ] {
        for p in list_ {
            let filter = ctx.filter(p.days.as_ref(), p.dates.as_ref(), f)?;
            let time = match &p.time {
                None => WHOLE_DAY,
                Some(t) => parse_range(t.get_ref()).at(f, t.span())?,
            };
            let w = weight(p.weight.as_ref(), PREFERENCE_WEIGHT, f)?;
            for day in ctx.matching(&filter) {
                preferences.push(Preference {
                    day,
                    time,
                    kind,
                    weight: w,
                });
            }
        }
    }

    // Fixed assignments.
    let mut fixed = Vec::new();
    for fa in &rp.fixed {
        let desk = lookup(&ctx.desks, &fa.desk, "desk", f)?;
        if !desks.contains(&desk) {
            return Err(f.err(
                fa.desk.span(),
                format!(
                    "{name:?} may not staff desk {:?} (see `desks`)",
                    fa.desk.get_ref()
                ),
            ));
        }
        let filter = ctx.filter(fa.days.as_ref(), fa.dates.as_ref(), f)?;
        let time = ctx.window(Some(&fa.time), "fixed assignment", f)?;
        for day in ctx.matching(&filter) {
            if let Some(t) = ctx.open(desk, day).and_then(|o| intersect(&o, &time)) {
                fixed.push(FixedAssignment { day, desk, time: t });
            }
        }
    }

    // Template requests and limits (issue 5).
    let mut requests = Vec::new();
    for r in &rp.requests {
        let template = lookup(&ctx.templates, &r.template, "template", f)?;
        let filter = ctx.filter(r.days.as_ref(), r.dates.as_ref(), f)?;
        let w = weight(r.weight.as_ref(), 1.0, f)?;
        for day in ctx.matching(&filter) {
            requests.push(ShiftRequest {
                day,
                template,
                on: r.on.unwrap_or(true),
                weight: w,
            });
        }
    }
    let mut template_limits = Vec::new();
    for (t, n) in rp.template_limits.iter().flatten() {
        template_limits.push((lookup(&ctx.templates, t, "template", f)?, *n.get_ref()));
    }

    Ok(Person {
        name,
        group,
        skills,
        desks,
        contract,
        availability,
        preferences,
        fixed,
        requests,
        template_limits,
    })
}

/// Parses `absences.toml`, removes each absence from its person's availability and returns
/// the list.
fn apply_absences(
    ctx: &Ctx,
    f: &SourceFile,
    people: &mut [Person],
) -> Result<Vec<Absence>, InputError> {
    let raw: RawAbsences = f.parse()?;
    let mut out = Vec::new();
    for a in &raw.absence {
        let person = people
            .iter()
            .position(|p| p.name == *a.person.get_ref())
            .ok_or_else(|| {
                let names: Vec<String> = people.iter().map(|p| p.name.clone()).collect();
                f.err(
                    a.person.span(),
                    format!(
                        "unknown person {:?}: expected one of {}",
                        a.person.get_ref(),
                        list(&names)
                    ),
                )
            })?;
        let d =
            match (&a.date, &a.dates) {
                (Some(d), None) | (None, Some(d)) => d,
                (Some(_), Some(d)) => {
                    return Err(f.err(
                        d.span(),
                        "an absence has either `date` or `dates`, not both",
                    ))
                }
                (None, None) => return Err(f.err(
                    a.person.span(),
                    "an absence needs `date = 2027-02-03` or `dates = \"2027-02-03..2027-02-07\"",
                )),
            };
        let (first, last) = ctx.range(&d.get_ref().0, d.span(), f)?;
        let time = |t: &Option<S>| {
            t.as_ref()
                .map(|t| parse_time(t.get_ref()).at(f, t.span()))
                .transpose()
        };
        let (from, to) = (time(&a.from)?, time(&a.to)?);
        let cut = TimeRange::new(from.unwrap_or(0), to.unwrap_or(1440)).ok_or_else(|| {
            let span =
                a.to.as_ref()
                    .or(a.from.as_ref())
                    .map(|s| s.span())
                    .unwrap_or_default();
            f.err(
                span,
                format!(
                    "absence from {} to {} ends before it starts",
                    fmt_minute(from.unwrap_or(0)),
                    fmt_minute(to.unwrap_or(1440))
                ),
            )
        })?;
        let cut = round_out(&cut, ctx.slot);
        if let Some(p) = people.get_mut(person) {
            let (Some(i), Some(j)) = (ctx.day_index(first), ctx.day_index(last)) else {
                continue;
            };
            for day in i..=j {
                if let Some(av) = p.availability.get_mut(day) {
                    subtract(av, &cut);
                }
            }
        }
        out.push(Absence {
            person: a.person.get_ref().clone(),
            first,
            last,
            from,
            to,
            reason: a.reason.clone(),
        });
    }
    Ok(out)
}
