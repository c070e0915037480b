//! Simulated annealing over a day grid: a quick first roster for long template rosters.
//!
//! On the Curtois & Qu instances with many people or days (13, 15, 19–24) HiGHS needs minutes
//! for the full model's first roster, and the large-neighbourhood search then starts far from the
//! optimum (Curtois 20 at three times the optimum after 240 s). Rosters made of fixed templates,
//! one shift a day, have a simple shape: each person's line is one choice a day (off or a
//! template). A local search over those lines moves millions of times a second: it changes a
//! few days of one person, or swaps a stretch of days between two people, and keeps a move by
//! the annealing rule. The hard rules (template limits, term hours, runs of days on and off,
//! weekends, successions) are penalties whose weight rises as the temperature falls, so the
//! search may cross them early and ends on rosters that keep them. What it leaves broken is
//! mended by re-solving the people concerned exactly (see `formulate::solve_block`), and the
//! large-neighbourhood search goes on from there.
//!
//! It applies only where its own cost is the block's whole objective ([`applies`]): a fresh
//! solve of the whole horizon in template mode, one shift a day, no slot coverage, no fairness,
//! no weekly rules. Its moves are drawn from a seeded generator, but how many it makes depends
//! on the time given and the machine's speed.

use std::time::Instant;

use crate::columns::person_day_columns;
use crate::formulate::{preference_cost, Block};
use crate::model::{Problem, Shift};
use crate::synth::Rng;

/// The temperature the search starts from and ends at, in units of the objective. Tuned on the
/// Curtois instances (cover weights 100 and 1, requests 1–3): from 20 the search crosses
/// under-covered days freely; at 0.05 it only descends.
const FIRST_TEMPERATURE: f64 = 20.0;
const LAST_TEMPERATURE: f64 = 0.05;

/// Weight of one unit of a broken hard rule at the start, and how many times more it weighs at
/// the end. A unit is a shift over a template limit, a day over or under a run rule, a weekend
/// over the limit, a forbidden succession, or up to four hours over or under a term limit.
/// Curtois 19, 30 s: a fixed weight of 100 left 28 units broken, 500 rising 20-fold none.
const HARD_WEIGHT: f64 = 500.0;
const HARD_RAMP: f64 = 20.0;

/// Minutes of a term-limit unit.
const TERM_UNIT_MINUTES: u32 = 240;

/// Longest stretch of days one move changes or swaps.
const MOVE_MAX_DAYS: usize = 7;

/// "Off" in a person's line.
const OFF: u16 = u16::MAX;

/// Whether the annealing's cost is the whole objective of `block`, so that its roster can be
/// compared with the integer program's.
pub(crate) fn applies(problem: &Problem, block: &Block) -> bool {
    let n = problem.days.len();
    let people = problem.people.len();
    let whole = block.days.len() == n && block.days.iter().enumerate().all(|(i, &d)| i == d);
    let fresh = block.context.is_empty()
        && block.pinned.is_empty()
        && block.base.is_none()
        && block.caps.iter().all(Option::is_none)
        && !block.ignore_term
        && !block.weekend_off.contains(&true)
        && block.earliest.is_none()
        && !block.only_pinned
        && block.frozen.is_empty();
    let w = &problem.weights;
    let no_slot_costs = problem.requirements.is_empty()
        && problem.desks.iter().all(|d| {
            d.days.iter().flatten().all(|dd| {
                dd.cover
                    .iter()
                    .all(|c| c.min == 0 && c.target == 0 && c.max as usize >= people)
            })
        })
        && w.fair_evenings == 0.0
        && w.fair_weekends == 0.0
        && w.fair_closings == 0.0;
    let no_weekly_rules = problem.people.iter().all(|p| {
        let c = &p.contract;
        c.min_week == 0 && c.max_week.is_none() && c.max_days_week.is_none() && p.fixed.is_empty()
    });
    whole
        && n > 0
        && people > 0
        && fresh
        && !problem.templates.is_empty()
        && problem.templates.len() < usize::from(OFF)
        && problem.rules.max_shifts_per_day == 1
        && no_slot_costs
        && no_weekly_rules
}

/// What the annealing found.
#[derive(Clone, Debug)]
pub(crate) struct Annealed {
    /// The roster, sorted.
    pub shifts: Vec<Shift>,
    /// Per person, whether a hard rule of theirs is still broken.
    pub broken: Vec<bool>,
    /// Per person, the stretches of days `first..end` where a rule is broken: each broken run
    /// (with its successions), or the whole horizon for a rule over all of it (a template limit,
    /// a term limit, the weekends).
    pub broken_spans: Vec<Vec<(usize, usize)>>,
    /// The roster's cost by the annealing's own count (exact where nothing is broken).
    pub cost: f64,
}

/// The day grid: per person and day, the cost of each template (NaN where the person cannot
/// work it), and the rules of each person's line.
struct Grid<'a> {
    problem: &'a Problem,
    days: usize,
    templates: usize,
    /// `cost[(p * days + d) * templates + t]`, NaN where not allowed.
    cost: Vec<f64>,
    /// Constant part of the objective (requests to work, paid unless met).
    constant: f64,
    /// `limit[p * templates + t]`: most shifts of template t.
    limit: Vec<u32>,
    /// `forbidden[a * templates + b]`: b may not follow a on the next day.
    forbidden: Vec<bool>,
    minutes: Vec<u32>,
    /// Weekend index of each day, if it is one.
    weekend: Vec<Option<usize>>,
    /// `(requirement, under, over)` per `d * templates + t`.
    cover: Vec<(i64, f64, f64)>,
}

impl<'a> Grid<'a> {
    fn new(problem: &'a Problem) -> Grid<'a> {
        let days = problem.days.len();
        let templates = problem.templates.len();
        let people = problem.people.len();
        let mut cost = vec![f64::NAN; people * days * templates];
        let mut constant = 0.0;
        let mut limit = vec![u32::MAX; people * templates];
        for (p, person) in problem.people.iter().enumerate() {
            for &(t, lim) in &person.template_limits {
                if t < templates {
                    limit[p * templates + t] = limit[p * templates + t].min(lim);
                }
            }
            for d in 0..days {
                for c in person_day_columns(problem, p, d) {
                    if let Some(t) = c.template {
                        cost[(p * days + d) * templates + t] = preference_cost(problem, &c.shift);
                    }
                }
            }
            for r in &person.requests {
                if r.day >= days || r.template >= templates {
                    continue;
                }
                let i = (p * days + r.day) * templates + r.template;
                if r.on {
                    constant += r.weight;
                    cost[i] -= r.weight;
                } else {
                    cost[i] += r.weight;
                }
            }
        }
        let mut forbidden = vec![false; templates * templates];
        for (a, ta) in problem.templates.iter().enumerate() {
            for (b, tb) in problem.templates.iter().enumerate() {
                let rest = 1440 + u64::from(tb.time.start)
                    < u64::from(problem.rules.min_rest) + u64::from(ta.time.end);
                forbidden[a * templates + b] =
                    rest || problem.forbidden_successions.contains(&(a, b));
            }
        }
        let mut cover = vec![(0i64, 0.0, 0.0); days * templates];
        for tc in &problem.template_cover {
            if tc.day < days && tc.template < templates {
                cover[tc.day * templates + tc.template] =
                    (i64::from(tc.requirement), tc.weight_under, tc.weight_over);
            }
        }
        Grid {
            problem,
            days,
            templates,
            cost,
            constant,
            limit,
            forbidden,
            minutes: problem.templates.iter().map(|t| t.time.minutes()).collect(),
            weekend: (0..days)
                .map(|d| problem.is_weekend(d).then(|| problem.week_of(d)))
                .collect(),
            cover,
        }
    }

    fn allowed(&self, p: usize, d: usize, t: u16) -> bool {
        t == OFF || !self.cost[(p * self.days + d) * self.templates + usize::from(t)].is_nan()
    }

    /// Cost of `count` people on cover cell `i`.
    fn cover_cost(&self, i: usize, count: i64) -> f64 {
        let (req, under, over) = self.cover[i];
        if count < req {
            (req - count) as f64 * under
        } else {
            (count - req) as f64 * over
        }
    }

    /// `(cost, broken units)` of person `p`'s line.
    fn person(&self, p: usize, line: &[u16]) -> (f64, u64) {
        let (days, templates) = (self.days, self.templates);
        let c = &self.problem.people[p].contract;
        let mut cost = 0.0;
        let mut broken = 0u64;
        let mut counts = [0u32; 64];
        let mut big_counts = Vec::new();
        if templates > counts.len() {
            big_counts = vec![0u32; templates];
        }
        let mut minutes = 0u32;
        let mut run_on = 0u32;
        let mut run_off = 0u32;
        let mut on_from_start = true;
        let mut off_from_start = true;
        let mut weekends = 0u32;
        let mut last_weekend = usize::MAX;
        let max_run = c.max_consecutive_days.unwrap_or(u32::MAX);
        let min_run = c.min_consecutive_days.unwrap_or(0);
        let min_off = c.min_consecutive_days_off.unwrap_or(0);
        for d in 0..days {
            let t = line[d];
            if t == OFF {
                if run_on > 0 {
                    broken += u64::from(run_on.saturating_sub(max_run));
                    if !on_from_start {
                        broken += u64::from(min_run.saturating_sub(run_on));
                    }
                    run_on = 0;
                }
                if run_off == 0 {
                    off_from_start = d == 0;
                }
                run_off += 1;
                continue;
            }
            let ti = usize::from(t);
            cost += self.cost[(p * days + d) * templates + ti];
            if big_counts.is_empty() {
                counts[ti] += 1;
            } else {
                big_counts[ti] += 1;
            }
            minutes += self.minutes[ti];
            if d > 0
                && line[d - 1] != OFF
                && self.forbidden[usize::from(line[d - 1]) * templates + ti]
            {
                broken += 1;
            }
            if run_off > 0 {
                if !off_from_start {
                    broken += u64::from(min_off.saturating_sub(run_off));
                }
                run_off = 0;
            }
            if run_on == 0 {
                on_from_start = d == 0;
            }
            run_on += 1;
            if let Some(w) = self.weekend[d] {
                if w != last_weekend {
                    weekends += 1;
                    last_weekend = w;
                }
            }
        }
        // Runs touching the end of the horizon are exempt from the minimums.
        broken += u64::from(run_on.saturating_sub(max_run));
        for t in 0..templates {
            let n = if big_counts.is_empty() {
                counts[t]
            } else {
                big_counts[t]
            };
            broken += u64::from(n.saturating_sub(self.limit[p * templates + t]));
        }
        let unit = |excess: u32| u64::from(excess.div_ceil(TERM_UNIT_MINUTES));
        if let Some(max) = c.max_term {
            broken += unit(minutes.saturating_sub(max));
        }
        if let Some(min) = c.min_term {
            broken += unit(min.saturating_sub(minutes));
        }
        if let Some(max) = c.max_weekends {
            broken += u64::from(weekends.saturating_sub(max));
        }
        (cost, broken)
    }
}

/// What the search keeps of one person's line, so that a change is priced by reading only the
/// days around it (on Curtois 22, 364 days, reading the whole line took most of each move).
#[derive(Clone, Debug, PartialEq)]
struct Tally {
    cost: f64,
    /// Broken units of runs and successions.
    local: u64,
    counts: Vec<u32>,
    minutes: u32,
    /// Worked days of each weekend.
    weekend_days: Vec<u8>,
    weekends: u32,
}

impl Grid<'_> {
    fn on(t: u16) -> bool {
        t != OFF
    }

    /// The tally of person `p`'s whole line.
    fn tally(&self, p: usize, line: &[u16]) -> Tally {
        let weekends = self.weekend.iter().flatten().max().map_or(0, |w| w + 1);
        let mut tally = Tally {
            cost: 0.0,
            local: self.local(p, line, 0, self.days),
            counts: vec![0; self.templates],
            minutes: 0,
            weekend_days: vec![0; weekends],
            weekends: 0,
        };
        for (d, &t) in line.iter().enumerate() {
            self.add(p, &mut tally, d, t, true);
        }
        tally
    }

    /// Adds (or takes away) choice `t` on day `d` to `tally`, but for the local part.
    fn add(&self, p: usize, tally: &mut Tally, d: usize, t: u16, adding: bool) {
        if t == OFF {
            return;
        }
        let ti = usize::from(t);
        let cost = self.cost[(p * self.days + d) * self.templates + ti];
        if adding {
            tally.cost += cost;
            tally.counts[ti] += 1;
            tally.minutes += self.minutes[ti];
        } else {
            tally.cost -= cost;
            tally.counts[ti] -= 1;
            tally.minutes -= self.minutes[ti];
        }
        if let Some(w) = self.weekend[d] {
            let days = &mut tally.weekend_days[w];
            if adding {
                *days += 1;
                tally.weekends += u32::from(*days == 1);
            } else {
                *days -= 1;
                tally.weekends -= u32::from(*days == 0);
            }
        }
    }

    /// Broken units of person `p` by their tally.
    fn broken(&self, p: usize, tally: &Tally) -> u64 {
        let c = &self.problem.people[p].contract;
        let limits = &self.limit[p * self.templates..(p + 1) * self.templates];
        let mut broken = tally.local;
        for (&n, &limit) in tally.counts.iter().zip(limits) {
            broken += u64::from(n.saturating_sub(limit));
        }
        let unit = |excess: u32| u64::from(excess.div_ceil(TERM_UNIT_MINUTES));
        if let Some(max) = c.max_term {
            broken += unit(tally.minutes.saturating_sub(max));
        }
        if let Some(min) = c.min_term {
            broken += unit(min.saturating_sub(tally.minutes));
        }
        if let Some(max) = c.max_weekends {
            broken += u64::from(tally.weekends.saturating_sub(max));
        }
        broken
    }

    /// Broken units of the runs wholly inside days `lo..hi` of `line` (runs touching the
    /// horizon's ends exempt from the minimums) and of the successions within it. `lo` and `hi`
    /// must be run boundaries.
    fn local(&self, p: usize, line: &[u16], lo: usize, hi: usize) -> u64 {
        let c = &self.problem.people[p].contract;
        let max_run = c.max_consecutive_days.unwrap_or(u32::MAX);
        let min_run = c.min_consecutive_days.unwrap_or(0);
        let min_off = c.min_consecutive_days_off.unwrap_or(0);
        let mut broken = 0u64;
        let mut first = lo;
        while first < hi {
            let on = Self::on(line[first]);
            let mut end = first + 1;
            while end < hi && Self::on(line[end]) == on {
                end += 1;
            }
            let len = (end - first) as u32;
            let inner = first > 0 && end < self.days;
            if on {
                broken += u64::from(len.saturating_sub(max_run));
                if inner {
                    broken += u64::from(min_run.saturating_sub(len));
                }
                for d in first + 1..end {
                    let (a, b) = (usize::from(line[d - 1]), usize::from(line[d]));
                    broken += u64::from(self.forbidden[a * self.templates + b]);
                }
            } else if inner {
                broken += u64::from(min_off.saturating_sub(len));
            }
            first = end;
        }
        broken
    }

    /// The stretches of person `p`'s `line` where a rule is broken (see
    /// [`Annealed::broken_spans`]).
    fn broken_spans(&self, p: usize, line: &[u16]) -> Vec<(usize, usize)> {
        let mut tally = self.tally(p, line);
        tally.local = 0;
        if self.broken(p, &tally) > 0 {
            return vec![(0, self.days)];
        }
        let mut spans = Vec::new();
        let mut first = 0;
        while first < self.days {
            let on = Self::on(line[first]);
            let mut end = first + 1;
            while end < self.days && Self::on(line[end]) == on {
                end += 1;
            }
            if self.local(p, line, first, end) > 0 {
                spans.push((first, end));
            }
            first = end;
        }
        spans
    }

    /// The run boundaries around days `from..to` of `line`: from the start of the run holding
    /// the day before to the end of the run holding the day after.
    fn window(&self, line: &[u16], from: usize, to: usize) -> (usize, usize) {
        let mut lo = from;
        if lo > 0 {
            lo -= 1;
            let on = Self::on(line[lo]);
            while lo > 0 && Self::on(line[lo - 1]) == on {
                lo -= 1;
            }
        }
        let mut hi = to;
        if hi < self.days {
            let on = Self::on(line[hi]);
            while hi < self.days && Self::on(line[hi]) == on {
                hi += 1;
            }
        }
        (lo, hi)
    }

    /// Person `p`'s tally after their line changes from `old` to `new` on days `from..to`
    /// (`before` is the tally of `old`), written into `after`; returns its broken units.
    #[allow(clippy::too_many_arguments)]
    fn moved(
        &self,
        p: usize,
        before: &Tally,
        after: &mut Tally,
        old: &[u16],
        new: &[u16],
        from: usize,
        to: usize,
    ) -> u64 {
        after.clone_from(before);
        self.retally(p, after, old, new, from, to);
        self.broken(p, after)
    }

    /// `tally` (of `old`) turned into the tally of `new`, which differs from `old` only on days
    /// `from..to`.
    fn retally(
        &self,
        p: usize,
        tally: &mut Tally,
        old: &[u16],
        new: &[u16],
        from: usize,
        to: usize,
    ) {
        let (lo, hi) = self.window(old, from, to);
        tally.local = tally.local + self.local(p, new, lo, hi) - self.local(p, old, lo, hi);
        for d in from..to {
            if old[d] != new[d] {
                self.add(p, tally, d, old[d], false);
                self.add(p, tally, d, new[d], true);
            }
        }
    }
}

/// One move of the search.
enum Move {
    /// Person `p`'s days `a` and `b` trade their choices.
    Trade { p: usize, a: usize, b: usize },
    /// Person `p`'s days `from..to` all take one choice.
    Set { p: usize, from: usize, to: usize },
    /// People `p` and `q` swap their days `from..to`.
    Swap {
        p: usize,
        q: usize,
        from: usize,
        to: usize,
    },
}

/// Anneals for `seconds` from an empty roster. `None` when the grid is empty.
pub(crate) fn anneal(problem: &Problem, seconds: f64, seed: u64) -> Option<Annealed> {
    let started = Instant::now();
    let grid = Grid::new(problem);
    let (days, templates, people) = (grid.days, grid.templates, problem.people.len());
    if days == 0 || people == 0 {
        return None;
    }
    // Per person, the templates they may work on some day (off first).
    let choices: Vec<Vec<u16>> = (0..people)
        .map(|p| {
            let mut v = vec![OFF];
            v.extend((0..templates as u16).filter(|&t| (0..days).any(|d| grid.allowed(p, d, t))));
            v
        })
        .collect();
    let mut line = vec![OFF; people * days];
    let mut count = vec![0i64; days * templates];
    let mut tallies: Vec<Tally> = (0..people)
        .map(|p| grid.tally(p, &line[p * days..(p + 1) * days]))
        .collect();
    let mut broken_of: Vec<u64> = (0..people).map(|p| grid.broken(p, &tallies[p])).collect();
    let (mut after_p, mut after_q) = (tallies[0].clone(), tallies[0].clone());
    let mut cover: f64 = (0..days * templates).map(|i| grid.cover_cost(i, 0)).sum();
    let mut broken: u64 = broken_of.iter().sum();
    let mut cost: f64 = tallies.iter().map(|t| t.cost).sum();
    let mut best: Option<(f64, Vec<u16>)> = None;
    let mut best_any: (f64, u64, Vec<u16>) = (f64::INFINITY, u64::MAX, line.clone());
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut temperature = FIRST_TEMPERATURE;
    let mut weight = HARD_WEIGHT;
    let mut new_p = vec![OFF; days];
    let mut new_q = vec![OFF; days];
    let mut moves: u64 = 0;
    loop {
        moves += 1;
        if moves % 1024 == 0 {
            let spent = started.elapsed().as_secs_f64();
            if spent >= seconds {
                break;
            }
            let progress = spent / seconds;
            temperature = FIRST_TEMPERATURE * (LAST_TEMPERATURE / FIRST_TEMPERATURE).powf(progress);
            weight = HARD_WEIGHT * (1.0 + HARD_RAMP * progress);
        }
        let mv = draw(&mut rng, people, days);
        // The person (or two) it changes, and the days it may change.
        let (p, other, from, to) = match mv {
            Move::Trade { p, a, b } => (p, None, a.min(b), a.max(b) + 1),
            Move::Set { p, from, to } => (p, None, from, to),
            Move::Swap { p, q, from, to } => (p, Some(q), from, to),
        };
        new_p.copy_from_slice(&line[p * days..(p + 1) * days]);
        let mut changed = false;
        let mut legal = true;
        match mv {
            Move::Trade { a, b, .. } => {
                let (x, y) = (new_p[a], new_p[b]);
                legal = grid.allowed(p, a, y) && grid.allowed(p, b, x);
                changed = x != y;
                new_p[a] = y;
                new_p[b] = x;
            }
            Move::Set { from, to, .. } => {
                let v = choices[p][rng.below(choices[p].len() as u64) as usize];
                for (d, choice) in new_p.iter_mut().enumerate().take(to).skip(from) {
                    legal &= grid.allowed(p, d, v);
                    changed |= *choice != v;
                    *choice = v;
                }
            }
            Move::Swap { q, from, to, .. } => {
                new_q.copy_from_slice(&line[q * days..(q + 1) * days]);
                for d in from..to {
                    let (x, y) = (new_p[d], new_q[d]);
                    legal &= grid.allowed(p, d, y) && grid.allowed(q, d, x);
                    changed |= x != y;
                    new_p[d] = y;
                    new_q[d] = x;
                }
            }
        }
        if !legal || !changed {
            continue;
        }
        // Cover: only a change of one person's days moves the counts.
        let mut delta_cover = 0.0;
        if other.is_none() {
            let old = &line[p * days..(p + 1) * days];
            let mut shift = |d: usize, t: u16, by: i64, delta: &mut f64| {
                let i = d * templates + usize::from(t);
                *delta += grid.cover_cost(i, count[i] + by) - grid.cover_cost(i, count[i]);
                count[i] += by;
            };
            for d in from..to {
                if old[d] != new_p[d] {
                    if old[d] != OFF {
                        shift(d, old[d], -1, &mut delta_cover);
                    }
                    if new_p[d] != OFF {
                        shift(d, new_p[d], 1, &mut delta_cover);
                    }
                }
            }
            // Undone below unless the move is kept.
        }
        let line_of = |x: usize| &line[x * days..(x + 1) * days];
        let broken_p = grid.moved(p, &tallies[p], &mut after_p, line_of(p), &new_p, from, to);
        let (mut before_cost, mut after_cost) = (tallies[p].cost, after_p.cost);
        let (mut before_broken, mut after_broken) = (broken_of[p], broken_p);
        let mut broken_q = 0;
        if let Some(q) = other {
            broken_q = grid.moved(q, &tallies[q], &mut after_q, line_of(q), &new_q, from, to);
            before_cost += tallies[q].cost;
            after_cost += after_q.cost;
            before_broken += broken_of[q];
            after_broken += broken_q;
        }
        let delta = after_cost - before_cost
            + delta_cover
            + weight * (after_broken as f64 - before_broken as f64);
        let keep = delta <= 0.0 || unit(&mut rng) < (-delta / temperature).exp();
        if !keep {
            if other.is_none() {
                let old = &line[p * days..(p + 1) * days];
                for d in from..to {
                    if old[d] != new_p[d] {
                        if new_p[d] != OFF {
                            count[d * templates + usize::from(new_p[d])] -= 1;
                        }
                        if old[d] != OFF {
                            count[d * templates + usize::from(old[d])] += 1;
                        }
                    }
                }
            }
            continue;
        }
        line[p * days..(p + 1) * days].copy_from_slice(&new_p);
        std::mem::swap(&mut tallies[p], &mut after_p);
        broken_of[p] = broken_p;
        if let Some(q) = other {
            line[q * days..(q + 1) * days].copy_from_slice(&new_q);
            std::mem::swap(&mut tallies[q], &mut after_q);
            broken_of[q] = broken_q;
        }
        cover += delta_cover;
        cost += after_cost - before_cost;
        broken = broken + after_broken - before_broken;
        let total = cost + cover;
        if broken == 0 {
            if best.as_ref().is_none_or(|(b, _)| total < b - 1e-9) {
                best = Some((total, line.clone()));
            }
        } else if best.is_none() && (broken, total) < (best_any.1, best_any.0) {
            best_any = (total, broken, line.clone());
        }
    }
    let line = match best {
        Some((_, line)) => line,
        None => best_any.2,
    };
    // Counted afresh: the running total gathers rounding over millions of moves.
    let mut final_count = vec![0i64; days * templates];
    let mut cost = 0.0;
    let mut shifts = Vec::new();
    let mut broken = vec![false; people];
    let mut broken_spans = Vec::with_capacity(people);
    for p in 0..people {
        let mine = &line[p * days..(p + 1) * days];
        let (own, units) = grid.person(p, mine);
        cost += own;
        broken[p] = units > 0;
        broken_spans.push(if broken[p] {
            grid.broken_spans(p, mine)
        } else {
            Vec::new()
        });
        for (d, &t) in mine.iter().enumerate().filter(|&(_, &t)| t != OFF) {
            final_count[d * templates + usize::from(t)] += 1;
        }
        for (d, &t) in mine.iter().enumerate() {
            if t != OFF {
                let tmpl = &problem.templates[usize::from(t)];
                shifts.push(Shift {
                    day: d,
                    desk: tmpl.desk,
                    time: tmpl.time,
                    person: p,
                });
            }
        }
    }
    cost += final_count
        .iter()
        .enumerate()
        .map(|(i, &n)| grid.cover_cost(i, n))
        .sum::<f64>();
    shifts.sort();
    if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
        eprintln!(
            "anneal: {moves} moves in {:.1}s, cost {:.1}, {} people with a broken rule",
            started.elapsed().as_secs_f64(),
            cost + grid.constant,
            broken.iter().filter(|&&b| b).count()
        );
    }
    Some(Annealed {
        shifts,
        broken,
        broken_spans,
        cost: cost + grid.constant,
    })
}

/// A uniform draw in [0, 1).
fn unit(rng: &mut Rng) -> f64 {
    (rng.next() >> 11) as f64 / (1u64 << 53) as f64
}

/// A random move, in the shares tuned on Curtois 8, 13 and 19: a fifth trades two days of one
/// person, a fifth sets one to four days of one person to one choice, three fifths swap one day
/// (half of them) or a stretch of up to a week between two people.
fn draw(rng: &mut Rng, people: usize, days: usize) -> Move {
    let kind = rng.below(10);
    let p = rng.below(people as u64) as usize;
    let from = rng.below(days as u64) as usize;
    if kind < 2 {
        let b = rng.below(days as u64) as usize;
        return Move::Trade { p, a: from, b };
    }
    if kind < 4 || people < 2 {
        let len = if kind == 2 {
            1
        } else {
            1 + rng.below(4) as usize
        };
        return Move::Set {
            p,
            from,
            to: (from + len).min(days),
        };
    }
    let mut q = rng.below(people as u64 - 1) as usize;
    if q >= p {
        q += 1;
    }
    let len = if kind < 7 {
        1
    } else {
        1 + rng.below(MOVE_MAX_DAYS as u64) as usize
    };
    Move::Swap {
        p,
        q,
        from,
        to: (from + len).min(days),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::model::Roster;
    use crate::solve::{solve, SolveOptions};

    /// Three people over two weeks, two shift types (a late shift may not be followed by an
    /// early one), with run, weekend, term and template rules, requests and uneven cover.
    fn two_weeks() -> Problem {
        let mut t = String::from(
            "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nE,480,\nL,480,E\n\n\
             SECTION_STAFF\nA,E=10|L=10,4800,2880,5,2,2,1\nB,E=10|L=4,4800,2880,4,2,2,1\n\
             C,E=0|L=10,4800,1920,4,1,1,2\n\n\
             SECTION_DAYS_OFF\nA,3\nB\nC,10\n\n\
             SECTION_SHIFT_ON_REQUESTS\nA,0,E,2\nB,5,L,3\nC,7,L,1\n\n\
             SECTION_SHIFT_OFF_REQUESTS\nA,1,L,2\nB,2,E,1\n\nSECTION_COVER\n",
        );
        for d in 0..14 {
            let early = if d % 7 < 5 { 2 } else { 1 };
            t += &format!("{d},E,{early},100,1\n{d},L,1,100,1\n");
        }
        crate::curtois::parse(&t, "two weeks").expect("parses")
    }

    fn whole(problem: &Problem) -> Block {
        Block {
            days: (0..problem.days.len()).collect(),
            ..Block::default()
        }
    }

    #[test]
    fn the_annealed_roster_keeps_the_rules_costs_what_the_checker_says_and_is_optimal() {
        let problem = two_weeks();
        assert!(applies(&problem, &whole(&problem)));
        let found = anneal(&problem, 1.0, 7).expect("a grid");
        assert!(!found.broken.contains(&true), "{:?}", found.broken);
        let report = check(&problem, &Roster::new(found.shifts.clone()));
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        assert!((report.penalties.total() - found.cost).abs() < 1e-9);
        let optimum = solve(
            &problem,
            &SolveOptions {
                gap: 0.0,
                no_decompose: true,
                ..SolveOptions::default()
            },
        )
        .expect("solves");
        assert!(optimum.summary.proven_optimal);
        assert!((found.cost - optimum.summary.objective).abs() < 1e-6);
    }

    #[test]
    fn a_broken_rule_is_counted_against_the_person() {
        let problem = two_weeks();
        let grid = Grid::new(&problem);
        // A works an early shift every day but the day off: a run of 10 days (limit 5), a
        // single day off (minimum 2), 13 early shifts (limit 10), 6 240 minutes (1 440 over the
        // cap: 6 units of 240), two weekends (limit 1). The first run touches the start and is
        // exempt from the minimum run.
        let mut line = vec![0u16; 14];
        line[3] = OFF;
        let (_, broken) = grid.person(0, &line);
        assert_eq!(broken, 5 + 1 + 3 + 6 + 1);
        // An early shift after a late one is a forbidden succession.
        let mut line = vec![OFF; 14];
        line[0] = 1;
        line[1] = 0;
        assert_eq!(
            grid.person(0, &line).1,
            1 + 8,
            "a succession, 1 920 minutes short"
        );
    }

    #[test]
    fn a_change_priced_from_the_days_around_it_matches_a_full_count() {
        let problem = two_weeks();
        let grid = Grid::new(&problem);
        let days = grid.days;
        let mut rng = Rng(11);
        for p in 0..problem.people.len() {
            let mut line = vec![OFF; days];
            let mut tally = grid.tally(p, &line);
            for _ in 0..2000 {
                let from = rng.below(days as u64) as usize;
                let to = (from + 1 + rng.below(4) as usize).min(days);
                let mut new = line.clone();
                for (d, choice) in new.iter_mut().enumerate().take(to).skip(from) {
                    let pick = rng.below(grid.templates as u64 + 1) as u16;
                    let pick = if pick == 0 { OFF } else { pick - 1 };
                    if grid.allowed(p, d, pick) {
                        *choice = pick;
                    }
                }
                grid.retally(p, &mut tally, &line, &new, from, to);
                line = new;
                let full = grid.tally(p, &line);
                assert_eq!(tally.local, full.local, "{line:?}");
                assert_eq!(tally.counts, full.counts);
                assert_eq!(tally.weekends, full.weekends);
                assert!((tally.cost - full.cost).abs() < 1e-9);
                assert_eq!(grid.broken(p, &tally), grid.person(p, &line).1, "{line:?}");
            }
        }
    }

    #[test]
    fn a_broken_run_is_a_span_and_a_term_rule_the_whole_horizon() {
        let mut text = String::from(
            "SECTION_HORIZON\n28\n\nSECTION_SHIFTS\nE,480,\n\nSECTION_STAFF\n\
             A,E=28,13440,0,5,2,2,4\nB,E=28,13440,960,5,2,2,4\n\n\
             SECTION_DAYS_OFF\nA\nB\n\nSECTION_COVER\n",
        );
        for d in 0..28 {
            text += &format!("{d},E,1,100,1\n");
        }
        let problem = crate::curtois::parse(&text, "four weeks").expect("parses");
        let grid = Grid::new(&problem);
        // Day 14 alone is a run of one, below the minimum of two.
        let mut line = vec![OFF; 28];
        line[14] = 0;
        assert_eq!(grid.person(0, &line).1, 1);
        assert_eq!(grid.broken_spans(0, &line), vec![(14, 15)]);
        // B's term minimum (960 minutes) is not met either: every day may change.
        assert_eq!(grid.broken_spans(1, &line), vec![(0, 28)]);
    }

    #[test]
    fn applies_only_to_a_fresh_solve_of_a_template_roster() {
        let problem = two_weeks();
        let mut block = whole(&problem);
        block.pinned = vec![Shift {
            day: 0,
            desk: problem.templates[0].desk,
            time: problem.templates[0].time,
            person: 0,
        }];
        assert!(!applies(&problem, &block), "a repair keeps shifts");
        let mut week = whole(&problem);
        week.days.truncate(7);
        assert!(!applies(&problem, &week), "one week of two");
        let desk = crate::synth::generate(&crate::synth::SynthSpec::default());
        assert!(
            !applies(&desk, &whole(&desk)),
            "free-form shifts with slot coverage"
        );
    }
}
