//! The integer program: one binary column per legal shift, rows named after the rule they encode.
//!
//! This is the only module that imports `good_lp`. It turns a [`Block`] (a set of whole weeks,
//! plus whatever is fixed around it) into a model, solves it with HiGHS and reads the shifts back.
//! DESIGN.md states every rule and penalty; each section below cites the rule it encodes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use good_lp::solvers::highs::highs;
use good_lp::{variable, Constraint, Expression, ProblemVariables, SolverModel, Variable};

use crate::columns::{person_day_columns, Column};
use crate::model::{Minute, PreferenceKind, Problem, Shift, Who};
use crate::runs::{RunNetwork, RunState};

/// Costs that turn a re-solve into a minimal-change repair (see DESIGN.md, `changes`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ChangeWeights {
    /// Per person whose set of (desk, slot) in the block differs from the base roster.
    pub per_person: f64,
    /// Per person-hour added or removed compared with the base roster.
    pub per_hour: f64,
}

/// What to solve: some days of the problem, with the rest of the roster held fixed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Block {
    /// Day indices solved here: whole weeks, sorted.
    pub days: Vec<usize>,
    /// Shifts outside `days` that stay as they are (they count against caps and rest).
    pub context: Vec<Shift>,
    /// Shifts inside `days` that must be kept (already started, or hand-pinned).
    pub pinned: Vec<Shift>,
    /// Extra cap on each person's minutes inside the block (budget sharing).
    pub caps: Vec<Option<u32>>,
    /// Shifts of the roster being repaired that fall inside `days`.
    pub base: Option<Vec<Shift>>,
    /// Change costs, used with `base`.
    pub change: ChangeWeights,
    /// Drop the rules that link weeks through caps (`max_term`, `min_term`, `max_weekends`):
    /// the relaxation that gives a lower bound.
    pub ignore_term: bool,
    /// People who may not work at the weekend in this block (sharing `max_weekends`).
    pub weekend_off: Vec<bool>,
    /// Multiplier on `coverage_min` and on requirements weighing at least `coverage_min`, so
    /// that holes stay dominant above change costs in a repair.
    pub must_scale: f64,
    /// No new shift may start before this (day, minute): the past cannot change.
    pub earliest: Option<(usize, Minute)>,
    /// Only the pinned shifts are columns: evaluates a fixed roster exactly.
    pub only_pinned: bool,
    /// (person, day) pairs whose only columns are their pinned shifts: the part of the roster a
    /// large-neighbourhood search keeps while it re-solves the rest. A person frozen on every
    /// day of the block is left out of the model but for their shifts in the coverage rows: the
    /// objective then lacks their own costs, the same constant for every roster of the block.
    pub frozen: HashSet<(usize, usize)>,
}

impl Block {
    /// Per person, whether they are frozen on every day of the block (see `frozen`).
    pub(crate) fn kept_whole(&self, people: usize) -> Vec<bool> {
        (0..people)
            .map(|p| {
                !self.frozen.is_empty() && self.days.iter().all(|&d| self.frozen.contains(&(p, d)))
            })
            .collect()
    }
}

/// Solver settings for one block.
#[derive(Clone, Debug)]
pub(crate) struct BlockSettings {
    pub time_limit: Option<f64>,
    pub gap: f64,
    pub threads: u32,
    pub initial: Option<Vec<Shift>>,
    pub export: Option<std::path::PathBuf>,
    /// Start HiGHS from the greedy roster (see `SolveOptions::warm_start`).
    pub warm_start: bool,
    /// Under a time limit, give the full model part of the time and improve its roster with a
    /// large-neighbourhood search for the rest (see `lns`).
    pub lns: bool,
    /// Threads the column generation prices people on, and at most how many random seeds its
    /// pool of cheap patterns runs under at once (each HiGHS run uses `threads`, which must stay
    /// the same for the whole process).
    pub workers: usize,
    /// Only a roster cheaper than this is wanted (the large-neighbourhood search's parts): HiGHS
    /// prunes every node at or above it, and [`BlockError::NothingCheaper`] says it proved
    /// there is none. The bound reported is at most the cutoff. A roster returned may still cost
    /// more (HiGHS keeps what its first heuristics met): callers compare.
    pub cutoff: Option<f64>,
    /// A lower bound on the block's cost known from elsewhere (a week that relaxes it, see
    /// `solve::relaxes`): HiGHS stops at its first roster within the gap of it (its
    /// `objective_target`), and the bound reported is at least this one.
    pub known_bound: Option<f64>,
}

impl Default for BlockSettings {
    /// Solve to proven optimality (gap 0) on one thread, no time limit, no start, no export.
    fn default() -> Self {
        BlockSettings {
            time_limit: None,
            gap: 0.0,
            threads: 1,
            initial: None,
            export: None,
            warm_start: false,
            lns: false,
            workers: 1,
            cutoff: None,
            known_bound: None,
        }
    }
}

/// The outcome of one block.
#[derive(Clone, Debug)]
pub(crate) struct BlockOutcome {
    pub shifts: Vec<Shift>,
    pub objective: f64,
    pub bound: f64,
    pub proven: bool,
    pub columns: usize,
    pub rows: usize,
}

/// Why a block could not be solved.
#[derive(Clone, Debug)]
pub(crate) enum BlockError {
    /// The hard rules (fixed assignments, pinned shifts, term minimums) cannot all hold.
    Infeasible,
    /// The time limit passed before any roster was found.
    NoSolution,
    /// Proven: no roster is cheaper than the settings' cutoff.
    NothingCheaper,
    /// HiGHS failed.
    Solver(String),
}

struct Builder<'a> {
    problem: &'a Problem,
    block: &'a Block,
    vars: ProblemVariables,
    cols: Vec<Column>,
    x: Vec<Variable>,
    x_index: Vec<usize>,
    nvars: usize,
    objective: Expression,
    constant: f64,
    rows: Vec<Constraint>,
    run_networks: bool,
    /// Forbidden successions as cliques (see `SUCCESSION_CLIQUES_MIN_COLUMNS`).
    succession_cliques: bool,
}

fn slot_hours(problem: &Problem) -> f64 {
    f64::from(problem.slot_minutes) / 60.0
}

/// Preference cost of one shift, straight from DESIGN.md (`preference`).
pub(crate) fn preference_cost(problem: &Problem, s: &Shift) -> f64 {
    let Some(p) = problem.people.get(s.person) else {
        return 0.0;
    };
    let mut cost = 0.0;
    let mut prefer_w: f64 = 0.0;
    let mut prefer = Vec::new();
    for pr in p.preferences.iter().filter(|pr| pr.day == s.day) {
        match pr.kind {
            PreferenceKind::Avoid => {
                cost += pr.weight * f64::from(s.time.overlap_minutes(&pr.time)) / 60.0
            }
            PreferenceKind::Prefer => {
                prefer_w = prefer_w.max(pr.weight);
                prefer.push(pr.time);
            }
        }
    }
    if !prefer.is_empty() {
        let step = problem.slot_minutes;
        let mut outside = 0u32;
        let mut t = s.time.start;
        while t < s.time.end {
            if !prefer.iter().any(|r| r.start <= t && t < r.end) {
                outside += step;
            }
            t += step;
        }
        cost += prefer_w * f64::from(outside) / 60.0;
    }
    cost
}

/// Two shifts of one person on consecutive days that leave too little rest.
fn rest_conflict(problem: &Problem, earlier_end: Minute, later_start: Minute) -> bool {
    1440 - earlier_end + later_start < problem.rules.min_rest
}

impl<'a> Builder<'a> {
    fn new(problem: &'a Problem, block: &'a Block) -> Self {
        Builder {
            problem,
            block,
            vars: ProblemVariables::new(),
            cols: Vec::new(),
            x: Vec::new(),
            x_index: Vec::new(),
            nvars: 0,
            objective: Expression::with_capacity(4096),
            constant: 0.0,
            rows: Vec::new(),
            run_networks: false,
            succession_cliques: false,
        }
    }

    /// Enumerates the columns of the block, dropping those that clash with the fixed context.
    fn columns(&mut self) {
        let pb = self.problem;
        let in_block: HashSet<usize> = self.block.days.iter().copied().collect();
        let mut ctx_by_person_day: HashMap<(usize, usize), Vec<&Shift>> = HashMap::new();
        for s in &self.block.context {
            ctx_by_person_day
                .entry((s.person, s.day))
                .or_default()
                .push(s);
        }
        let pinned: HashSet<Shift> = self.block.pinned.iter().copied().collect();
        // Grouped once: a search part of a long block pins thousands of shifts, and looking
        // them up per person and day was most of building its model (Curtois 22).
        let mut pinned_by_person_day: HashMap<(usize, usize), Vec<&Shift>> = HashMap::new();
        for s in &self.block.pinned {
            pinned_by_person_day
                .entry((s.person, s.day))
                .or_default()
                .push(s);
        }
        for person in 0..pb.people.len() {
            for &day in &self.block.days {
                let mut cols =
                    if self.block.only_pinned || self.block.frozen.contains(&(person, day)) {
                        Vec::new()
                    } else {
                        person_day_columns(pb, person, day)
                    };
                // Pinned shifts are columns even when a hand edit made them irregular.
                for &s in pinned_by_person_day
                    .get(&(person, day))
                    .map_or(&[][..], Vec::as_slice)
                {
                    if !cols.iter().any(|c| c.shift == *s) {
                        let template = pb
                            .templates
                            .iter()
                            .position(|t| t.desk == s.desk && t.time == s.time);
                        cols.push(Column {
                            shift: *s,
                            template,
                        });
                    }
                }
                let prev = day.checked_sub(1).filter(|d| !in_block.contains(d));
                let next = Some(day + 1).filter(|d| !in_block.contains(d));
                let earliest = self.block.earliest;
                cols.retain(|c| {
                    if pinned.contains(&c.shift) {
                        return true;
                    }
                    if earliest.is_some_and(|e| (c.shift.day, c.shift.time.start) < e) {
                        return false;
                    }
                    if pb.is_weekend(c.shift.day)
                        && self.block.weekend_off.get(person).copied().unwrap_or(false)
                    {
                        return false;
                    }
                    let clash_prev = prev
                        .and_then(|d| ctx_by_person_day.get(&(person, d)))
                        .is_some_and(|v| {
                            v.iter().any(|o| {
                                rest_conflict(pb, o.time.end, c.shift.time.start)
                                    || succession_forbidden(pb, o, &c.shift)
                            })
                        });
                    let clash_next = next
                        .and_then(|d| ctx_by_person_day.get(&(person, d)))
                        .is_some_and(|v| {
                            v.iter().any(|o| {
                                rest_conflict(pb, c.shift.time.end, o.time.start)
                                    || succession_forbidden(pb, &c.shift, o)
                            })
                        });
                    !clash_prev && !clash_next
                });
                self.cols.extend(cols);
            }
        }
    }

    fn add_row(&mut self, c: Constraint) {
        self.rows.push(c);
    }

    fn new_var(&mut self, def: good_lp::VariableDefinition) -> Variable {
        self.nvars += 1;
        self.vars.add(def)
    }

    fn continuous(&mut self, max: f64) -> Variable {
        self.new_var(variable().min(0.0).max(max))
    }

    fn build(mut self) -> Result<Formulation, BlockError> {
        self.columns();
        self.succession_cliques |= self.cols.len() >= SUCCESSION_CLIQUES_MIN_COLUMNS;
        let pb = self.problem;
        let h = slot_hours(pb);
        let slot = pb.slot_minutes;
        let w = &pb.weights;
        let base: HashSet<(usize, usize, usize, Minute)> = self
            .block
            .base
            .iter()
            .flatten()
            .flat_map(|s| {
                (s.time.start..s.time.end)
                    .step_by(slot as usize)
                    .map(move |t| (s.person, s.desk, s.day, t))
            })
            .collect();
        let change = self.block.change;

        // Columns: binary variables with their own costs (shift count, preferences, changes).
        let cols = std::mem::take(&mut self.cols);
        for c in &cols {
            let s = &c.shift;
            let mut cost = preference_cost(pb, s);
            if self.block.base.is_some() {
                let mut added = 0u32;
                let mut kept = 0u32;
                for t in (s.time.start..s.time.end).step_by(slot as usize) {
                    if base.contains(&(s.person, s.desk, s.day, t)) {
                        kept += 1;
                    } else {
                        added += 1;
                    }
                }
                // |new − old| per person-slot: an added slot costs, keeping a base slot saves
                // the cost of its removal (the constant below charges every base slot once).
                cost += change.per_hour * h * (f64::from(added) - f64::from(kept));
            }
            self.x_index.push(self.nvars);
            let v = self.new_var(variable().binary());
            self.objective.add_mul(cost, v);
            self.x.push(v);
        }
        self.cols = cols;
        if self.block.base.is_some() {
            self.constant += change.per_hour * h * base.len() as f64;
        }

        // Index columns.
        let mut by_person_day: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
        let mut by_desk_day: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
        for (i, c) in self.cols.iter().enumerate() {
            by_person_day
                .entry((c.shift.person, c.shift.day))
                .or_default()
                .push(i);
            by_desk_day
                .entry((c.shift.desk, c.shift.day))
                .or_default()
                .push(i);
        }

        // Pinned shifts are kept.
        let pinned: HashSet<Shift> = self.block.pinned.iter().copied().collect();
        // What the block's roster so far has: in a repair, the roster being repaired (its
        // shifts in the block, the started ones as pinned, cut where their person left);
        // otherwise the pinned shifts. A rule it already breaks (a roster edited by hand past a
        // cap, or a run: the coordinator's call) is held to "no worse than that" instead of to a
        // limit no repair could keep: a sick call must never fail, nor cost a hole, over a
        // breach it did not make.
        let kept: Vec<Shift> =
            {
                let pinned_start: HashSet<(usize, usize, usize, Minute)> = self
                    .block
                    .pinned
                    .iter()
                    .map(|s| (s.person, s.day, s.desk, s.time.start))
                    .collect();
                let mut k: Vec<Shift> = self.block.pinned.clone();
                k.extend(
                    self.block.base.iter().flatten().filter(|s| {
                        !pinned_start.contains(&(s.person, s.day, s.desk, s.time.start))
                    }),
                );
                k.sort_unstable();
                k.dedup();
                k
            };
        let so_far: HashSet<Shift> = kept.iter().copied().collect();
        for i in 0..self.cols.len() {
            if pinned.contains(&self.cols[i].shift) {
                let v = self.x[i];
                self.add_row(Expression::from(v).eq(1.0));
            }
        }

        // People a search part keeps whole (every day of the block frozen): their shifts stay
        // in the coverage rows as fixed columns, but their own rules and costs are left out, a
        // constant every roster of the part shares (see `Block::frozen`). On Curtois 22 a part
        // freeing 4 of 50 people had 155 000 rows, nearly all of them the kept people's.
        let kept_whole = self.block.kept_whole(pb.people.len());
        by_person_day.retain(|&(p, _), _| !kept_whole[p]);

        // Which people need a "works that day" indicator.
        let one_shift_a_day = pb.rules.max_shifts_per_day <= 1;
        let needs_day = |p: usize| {
            let c = &pb.people[p].contract;
            c.max_days_week.is_some()
                || c.max_consecutive_days.is_some()
                || c.min_consecutive_days.is_some()
                || c.min_consecutive_days_off.is_some()
                || c.max_weekends.is_some()
        };
        let mut day_worked: HashMap<(usize, usize), Expression> = HashMap::new();
        // The minimum-run rules are weak in the LP as rows: on a block that is the whole horizon,
        // a person's worked-day sequence is also a path through their run network (see `runs`),
        // which gives the LP the convex hull of the sequences the run rules allow.
        let whole_horizon = self.block.days.len() == pb.days.len()
            && self.block.days.iter().enumerate().all(|(i, &d)| i == d);
        // Only on horizons where it was measured to help (see the constants), or where everyone
        // but one person is frozen (relining, see `reline`: one person's network is small
        // whatever the horizon).
        let one_free = || {
            let free = |p: usize| {
                self.block
                    .days
                    .iter()
                    .any(|&d| !self.block.frozen.contains(&(p, d)))
            };
            pb.people.len() > 1 && (0..pb.people.len()).filter(|&p| free(p)).nth(1).is_none()
        };
        let small = small_horizon(pb) || (whole_horizon && one_free());
        let with_context: HashSet<usize> = self.block.context.iter().map(|s| s.person).collect();
        let networks: Vec<Option<RunNetwork>> = pb
            .people
            .iter()
            .enumerate()
            .map(|(p, person)| {
                let c = &person.contract;
                (whole_horizon
                    && small
                    && !with_context.contains(&p)
                    && (c.min_consecutive_days.unwrap_or(1) > 1
                        || c.min_consecutive_days_off.unwrap_or(1) > 1))
                    .then(|| RunNetwork {
                        max_on: c.max_consecutive_days,
                        min_on: c.min_consecutive_days.unwrap_or(1).max(1),
                        min_off: c.min_consecutive_days_off.unwrap_or(1).max(1),
                    })
            })
            .collect();

        // `gap`, one place at a time, and `shifts_per_day`: at most one shift's extended interval
        // [start, end + min_gap) covers any minute of a person's day.
        let gap = pb.rules.min_gap;
        for (&(p, d), idx) in &by_person_day {
            let y = if needs_day(p) {
                let mut e = Expression::with_capacity(idx.len());
                for &i in idx {
                    e.add_mul(1.0, self.x[i]);
                }
                if one_shift_a_day && networks[p].is_some() {
                    // An explicit "works that day" variable for the run network: HiGHS branches
                    // on it (work or day off), which proved Curtois 5 in 12.5 s instead of 37 s.
                    let y = self.new_var(variable().binary());
                    self.rows.push((e - y).eq(0.0));
                    day_worked.insert((p, d), Expression::from(y));
                    None
                } else if one_shift_a_day {
                    day_worked.insert((p, d), e);
                    None
                } else {
                    let y = self.new_var(variable().binary());
                    self.rows.push((e - y).geq(0.0));
                    day_worked.insert((p, d), Expression::from(y));
                    Some(y)
                }
            } else {
                None
            };
            let mut starts: Vec<Minute> =
                idx.iter().map(|&i| self.cols[i].shift.time.start).collect();
            starts.sort_unstable();
            starts.dedup();
            for t in starts {
                let mut e = Expression::with_capacity(idx.len());
                let (mut n, mut started) = (0, 0.0f64);
                for &i in idx {
                    let s = &self.cols[i].shift.time;
                    if s.start <= t && t < s.end + gap {
                        e.add_mul(1.0, self.x[i]);
                        n += 1;
                        if pinned.contains(&self.cols[i].shift) {
                            started += 1.0;
                        }
                    }
                }
                // Shifts already worked that overlap (a person double-booked by hand) stay, and
                // nothing more may overlap them.
                match y {
                    Some(y) => self.rows.push((e - y).leq((started - 1.0).max(0.0))),
                    // With one shift a day, the `shifts_per_day` row below dominates these.
                    None if n > 1 && !one_shift_a_day => self.rows.push(e.leq(started.max(1.0))),
                    None => {}
                }
            }
            // `shifts`: every shift after the first of a day costs `split_shift`.
            if idx.len() > 1 && w.split_shift > 0.0 {
                let extra = self.new_var(variable().min(0.0));
                self.objective.add_mul(w.split_shift, extra);
                let mut e = Expression::with_capacity(idx.len());
                for &i in idx {
                    e.add_mul(1.0, self.x[i]);
                }
                self.rows.push((e - extra).leq(1.0));
            }
            let max_spd = pb.rules.max_shifts_per_day;
            if (idx.len() as u32) > max_spd {
                let mut e = Expression::with_capacity(idx.len());
                let mut started = 0;
                for &i in idx {
                    e.add_mul(1.0, self.x[i]);
                    started += u32::from(pinned.contains(&self.cols[i].shift));
                }
                self.rows.push(e.leq(f64::from(max_spd.max(started))));
            }
            // `max_day`
            if let Some(cap) = pb.people[p].contract.max_day {
                let mut e = Expression::with_capacity(idx.len());
                let mut longest = 0;
                let mut worked = 0;
                for &i in idx {
                    let m = self.cols[i].shift.time.minutes();
                    longest = longest.max(m);
                    e.add_mul(f64::from(m), self.x[i]);
                    if so_far.contains(&self.cols[i].shift) {
                        worked += m;
                    }
                }
                // A day already over the cap (a roster edited by hand): no more than that.
                if longest * max_spd > cap {
                    self.rows.push(e.leq(f64::from(cap.max(worked))));
                }
            }
        }

        // `rest` between consecutive days of the block.
        if pb.rules.min_rest > 0 {
            for (&(p, d), idx) in &by_person_day {
                let Some(next) = by_person_day.get(&(p, d + 1)) else {
                    continue;
                };
                let mut ends: Vec<Minute> =
                    idx.iter().map(|&i| self.cols[i].shift.time.end).collect();
                ends.sort_unstable();
                ends.dedup();
                let mut next_starts: Vec<Minute> = next
                    .iter()
                    .map(|&i| self.cols[i].shift.time.start)
                    .collect();
                next_starts.sort_unstable();
                next_starts.dedup();
                for e_end in ends {
                    for &t in next_starts.iter().filter(|&&t| rest_conflict(pb, e_end, t)) {
                        let mut e = Expression::with_capacity(16);
                        for &i in idx
                            .iter()
                            .filter(|&&i| self.cols[i].shift.time.end == e_end)
                        {
                            e.add_mul(1.0, self.x[i]);
                        }
                        for &i in next {
                            let s = &self.cols[i].shift.time;
                            if s.start <= t && t < s.end {
                                e.add_mul(1.0, self.x[i]);
                            }
                        }
                        self.rows.push(e.leq(1.0));
                    }
                }
            }
        }

        // `succession`: template b may not follow template a.
        if !pb.forbidden_successions.is_empty() {
            for (&(p, d), idx) in &by_person_day {
                let Some(next) = by_person_day.get(&(p, d + 1)) else {
                    continue;
                };
                // The next day's shifts each shift of this day may not be followed by.
                let banned_after = |i: usize| -> BTreeSet<usize> {
                    let Some(a) = self.cols[i].template else {
                        return BTreeSet::new();
                    };
                    next.iter()
                        .copied()
                        .filter(|&j| {
                            self.cols[j]
                                .template
                                .is_some_and(|b| pb.forbidden_successions.contains(&(a, b)))
                        })
                        .collect()
                };
                let banned: Vec<(usize, BTreeSet<usize>)> = idx
                    .iter()
                    .map(|&i| (i, banned_after(i)))
                    .filter(|(_, b)| !b.is_empty())
                    .collect();
                if one_shift_a_day && !self.succession_cliques {
                    for (i, b) in &banned {
                        let mut e = Expression::from(self.x[*i]);
                        for &j in b {
                            e.add_mul(1.0, self.x[j]);
                        }
                        self.rows.push(e.leq(1.0));
                    }
                } else if one_shift_a_day {
                    // A huge model: one row per distinct set S of banned shifts, over every shift
                    // of this day that bans all of S, and S: at most one of them is worked (a
                    // clique). It implies each shift's own row, and there are as many rows as
                    // sets, not as shifts (see `SUCCESSION_CLIQUES_MIN_COLUMNS`).
                    let sets: BTreeSet<&BTreeSet<usize>> = banned.iter().map(|(_, b)| b).collect();
                    for set in sets {
                        let mut e = Expression::with_capacity(set.len() + banned.len());
                        for (i, b) in &banned {
                            if b.is_superset(set) {
                                e.add_mul(1.0, self.x[*i]);
                            }
                        }
                        for &j in set {
                            e.add_mul(1.0, self.x[j]);
                        }
                        self.rows.push(e.leq(1.0));
                    }
                } else {
                    for (i, b) in &banned {
                        for &j in b {
                            let (xi, xj) = (self.x[*i], self.x[j]);
                            self.rows.push((xi + xj).leq(1.0));
                        }
                    }
                }
            }
        }

        // Per-person limits over weeks, the block and the horizon.
        let weeks: Vec<usize> = {
            let mut w: Vec<usize> = self.block.days.iter().map(|&d| pb.week_of(d)).collect();
            w.dedup();
            w
        };
        let full_week =
            |wk: usize| (0..pb.days.len()).filter(|&d| pb.week_of(d) == wk).count() == 7;
        let all_cols = self.cols.clone();
        let all_x = self.x.clone();
        let block = self.block;
        let in_block: HashSet<usize> = block.days.iter().copied().collect();
        let ctx_days: HashSet<(usize, usize)> =
            block.context.iter().map(|s| (s.person, s.day)).collect();
        // Days of the block a person works for sure: a pinned shift (one already started, in a
        // repair) keeps them on.
        let pinned_days: HashSet<(usize, usize)> =
            block.pinned.iter().map(|s| (s.person, s.day)).collect();
        // The days of the roster so far (`kept`, above).
        let kept_days: HashSet<(usize, usize)> = kept.iter().map(|s| (s.person, s.day)).collect();
        // `kept` by person, and each person's days in it, sorted (a search part of Curtois 24
        // pins tens of thousands of shifts: every person's rows must not scan them all).
        let mut kept_of: Vec<Vec<Shift>> = vec![Vec::new(); pb.people.len()];
        for s in &kept {
            if let Some(v) = kept_of.get_mut(s.person) {
                v.push(*s);
            }
        }
        let kept_days_of: Vec<Vec<usize>> = kept_of
            .iter()
            .map(|v| {
                let mut d: Vec<usize> = v.iter().map(|s| s.day).collect();
                d.dedup();
                d
            })
            .collect();
        for p in (0..pb.people.len()).filter(|&p| !kept_whole[p]) {
            let person = &pb.people[p];
            let ctx_minutes = |pred: &dyn Fn(usize) -> bool| -> u32 {
                block
                    .context
                    .iter()
                    .filter(|s| s.person == p && pred(s.day))
                    .map(|s| s.time.minutes())
                    .sum()
            };
            let mine: Vec<usize> = by_person_day
                .range((p, 0)..(p + 1, 0))
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            // The person's minutes on the block's days that satisfy `pred` in `kept` (above):
            // a cap already exceeded allows that much, no more.
            let kept_minutes = |pred: &dyn Fn(usize) -> bool| -> u32 {
                kept_of[p]
                    .iter()
                    .filter(|s| pred(s.day))
                    .map(|s| s.time.minutes())
                    .sum()
            };
            let minutes_expr = |filter: &dyn Fn(&Shift) -> bool| {
                let mut e = Expression::with_capacity(mine.len());
                let mut most = 0u32;
                for &i in &mine {
                    let s = &all_cols[i].shift;
                    if filter(s) {
                        e.add_mul(f64::from(s.time.minutes()), all_x[i]);
                        most += s.time.minutes();
                    }
                }
                (e, most)
            };
            for &wk in &weeks {
                let in_week = |s: &Shift| pb.week_of(s.day) == wk;
                let (e, most) = minutes_expr(&in_week);
                let outside = ctx_minutes(&|d| pb.week_of(d) == wk);
                // `max_week`
                if let Some(cap) = person.contract.max_week {
                    if most + outside > cap {
                        let left = f64::from(cap) - f64::from(outside);
                        let worked = f64::from(kept_minutes(&|d| pb.week_of(d) == wk));
                        self.rows.push(e.clone().leq(left.max(worked)));
                    }
                }
                // `contract_min` (soft)
                let available = (0..pb.days.len())
                    .any(|d| pb.week_of(d) == wk && !person.availability[d].is_empty());
                if person.contract.min_week > 0
                    && w.contract_min > 0.0
                    && full_week(wk)
                    && available
                {
                    let need = f64::from(person.contract.min_week) - f64::from(outside);
                    if need > 0.0 {
                        let s = self.continuous(need);
                        self.objective.add_mul(w.contract_min / 60.0, s);
                        self.rows.push((e + s).geq(need));
                    }
                }
                // `max_days_week`
                if let Some(cap) = person.contract.max_days_week {
                    let mut e = Expression::default();
                    let mut n = 0;
                    for &d in self.block.days.iter().filter(|&&d| pb.week_of(d) == wk) {
                        if let Some(y) = day_worked.get(&(p, d)) {
                            e += y.clone();
                            n += 1;
                        }
                    }
                    let ctx_days: HashSet<usize> = self
                        .block
                        .context
                        .iter()
                        .filter(|s| s.person == p && pb.week_of(s.day) == wk)
                        .map(|s| s.day)
                        .collect();
                    let left = f64::from(cap) - ctx_days.len() as f64;
                    if n as f64 > left {
                        let worked = kept_days_of[p]
                            .iter()
                            .filter(|&&d| pb.week_of(d) == wk)
                            .count() as f64;
                        self.rows.push(e.leq(left.max(worked)));
                    }
                }
            }
            // Block cap (budget sharing).
            if let Some(Some(cap)) = self.block.caps.get(p) {
                let (e, most) = minutes_expr(&|_| true);
                if most > *cap {
                    self.rows
                        .push(e.leq(f64::from((*cap).max(kept_minutes(&|_| true)))));
                }
            }
            // `max_term` / `min_term`
            if !self.block.ignore_term {
                let outside = ctx_minutes(&|_| true);
                let (_, most) = minutes_expr(&|_| true);
                // Divided by the gcd of the shift lengths, with the bounds rounded (a
                // Chvátal-Gomory strengthening): 16 eight-hour shifts, not 15.75, for 7560 min.
                let g = mine
                    .iter()
                    .fold(0u32, |g, &i| gcd(g, all_cols[i].shift.time.minutes()))
                    .max(1);
                let mut e = Expression::with_capacity(mine.len());
                for &i in &mine {
                    e.add_mul(f64::from(all_cols[i].shift.time.minutes() / g), all_x[i]);
                }
                if let Some(cap) = person.contract.max_term {
                    if most + outside > cap {
                        let left = (i64::from(cap) - i64::from(outside)).div_euclid(i64::from(g));
                        let worked = i64::from(kept_minutes(&|_| true)).div_euclid(i64::from(g));
                        self.rows.push(e.clone().leq(left.max(worked) as f64));
                    }
                }
                if let Some(floor) = person.contract.min_term {
                    let need = i64::from(floor) - i64::from(outside);
                    if need > 0 {
                        let g = i64::from(g);
                        let units = ((need + g - 1) / g) as f64;
                        if block.base.is_some() {
                            // A repair: an absence may leave the minimum out of reach, and a
                            // sick call must still get a roster. Each hour short costs what a
                            // person-hour of a hole does, so the minimum is kept wherever the
                            // roster can keep it.
                            let short = self.continuous(units);
                            let scale = if block.must_scale > 0.0 {
                                block.must_scale
                            } else {
                                1.0
                            };
                            let per_unit = w.coverage_min * scale * g as f64 / 60.0;
                            self.objective.add_mul(per_unit, short);
                            self.rows.push((e + short).geq(units));
                        } else {
                            self.rows.push(e.geq(units));
                        }
                    }
                }
            }
            // Consecutive-day rules and weekends over the block's days.
            let c = &person.contract;
            let days = &self.block.days;
            let last_day = pb.days.len().saturating_sub(1);
            let yv = |d: usize| day_worked.get(&(p, d)).cloned().unwrap_or_default();
            // Whether the person works day `d`: a column sum on the block's days, a constant
            // elsewhere (worked when the fixed context has a shift of theirs that day).
            let worked_on = |d: usize| -> (Option<Expression>, f64) {
                if in_block.contains(&d) {
                    (day_worked.get(&(p, d)).cloned(), 0.0)
                } else {
                    (None, f64::from(u8::from(ctx_days.contains(&(p, d)))))
                }
            };
            // A run-rule row `Σ coef · works(d) ≤ rhs` over days in and around the block. The
            // context's days are constants: a run that goes on outside the block (a repair's
            // window, a search part) counts whole. A row without a column of the block is left
            // out, and one the fixed days alone already break (a roster edited by hand, a sick
            // day inside a minimum run, with the day before already worked) asks only that the
            // block not make it worse. Fixed are the context's days and the block's pinned ones;
            // a row the roster being repaired breaks (`kept`) allows what it has.
            let repairing = self.block.base.is_some();
            let mut run_row = |terms: &[(f64, usize)], rhs: f64| {
                let mut e = Expression::default();
                // The fixed days' part, the least the whole left side can be, and its value on
                // the roster so far.
                let (mut any, mut fixed, mut least, mut as_kept) = (false, 0.0, 0.0, 0.0);
                for &(coef, d) in terms {
                    let (var, constant) = worked_on(d);
                    fixed += coef * constant;
                    // The whole row on the roster so far: the block's days as it has them
                    // (a day the absence takes away still counts as worked there), the others
                    // as fixed.
                    as_kept += if in_block.contains(&d) {
                        coef * f64::from(u8::from(kept_days.contains(&(p, d))))
                    } else {
                        coef * constant
                    };
                    if let Some(v) = var {
                        any = true;
                        // A pinned day is worked; another may be either.
                        let on = pinned_days.contains(&(p, d));
                        least += if on { coef } else { coef.min(0.0) };
                        e.add_mul(coef, v);
                    }
                }
                // Outside a repair the pinned shifts are a part of a roster (the people and
                // days a search part keeps), not all of it: the days it frees would count as
                // off, and a minimum run would look broken where it is not.
                if !repairing {
                    as_kept = f64::NEG_INFINITY;
                }
                if any {
                    self.rows
                        .push(e.leq(rhs.max(fixed + least).max(as_kept) - fixed));
                }
            };
            // The days whose rows may involve the block: the block's span, widened by `by`.
            let around = |by: usize| {
                let first = days.first().copied().unwrap_or(0).saturating_sub(by);
                let last = days.last().copied().map_or(0, |d| (d + by).min(last_day));
                first..=last
            };
            // `max_consecutive_days`, strengthened by the other run rules: at most
            // `window_max[L]` worked days in any L consecutive days of the horizon (see
            // `window_limits`).
            if let Some(k) = c.max_consecutive_days {
                let limits = window_limits(
                    k,
                    c.min_consecutive_days.unwrap_or(1),
                    c.min_consecutive_days_off.unwrap_or(1),
                    pb.days.len(),
                );
                for (len, most) in limits {
                    for first in around(len - 1) {
                        if first + len - 1 > last_day {
                            break;
                        }
                        let terms: Vec<(f64, usize)> =
                            (first..first + len).map(|d| (1.0, d)).collect();
                        run_row(&terms, most as f64);
                    }
                }
            }
            if let Some(k) = c.min_consecutive_days {
                for d in around(k as usize).filter(|&d| d >= 1) {
                    for j in 1..k as usize {
                        if d + j > last_day {
                            break;
                        }
                        // A block of work starting on d lasts at least k days.
                        run_row(&[(1.0, d), (-1.0, d - 1), (-1.0, d + j)], 0.0);
                    }
                }
            }
            if let Some(k) = c.min_consecutive_days_off {
                for d in around(k as usize).filter(|&d| d >= 1) {
                    for j in 1..k as usize {
                        if d + j > last_day {
                            break;
                        }
                        // A block of days off starting on d lasts at least k days.
                        run_row(&[(1.0, d - 1), (-1.0, d), (1.0, d + j)], 1.0);
                    }
                }
            }
            // The run network (see `networks`) comes on top of the run rows: HiGHS propagates
            // and cuts better with both (Curtois 7: 1068 after 13 s instead of 1267).
            if let Some(net) = networks.get(p).copied().flatten() {
                self.run_networks = true;
                let can_work: Vec<bool> = (0..days.len())
                    .map(|d| day_worked.contains_key(&(p, d)))
                    .collect();
                let arcs = net.arcs(&can_work);
                let flow: Vec<Variable> = arcs
                    .iter()
                    // Integral arcs, although the LP needs none: HiGHS finds rosters much sooner
                    // when it may branch on them (in a Python prototype of the benchmark's model,
                    // Curtois 5 and 6 proven in 13 and 19 s instead of 43 s and not in 60 s).
                    .map(|_| self.new_var(variable().binary()))
                    .collect();
                // One unit leaves the source on the first day ...
                let mut source = Expression::default();
                for (_, &f) in arcs.iter().zip(&flow).filter(|(a, _)| a.from.is_none()) {
                    source.add_mul(1.0, f);
                }
                self.rows.push(source.eq(1.0));
                // ... and is kept through every state of every day but the last.
                let mut balance: BTreeMap<(usize, RunState), Expression> = BTreeMap::new();
                let mut worked: Vec<Expression> = vec![Expression::default(); days.len()];
                for (a, &f) in arcs.iter().zip(&flow) {
                    if a.day + 1 < days.len() {
                        balance.entry((a.day, a.to)).or_default().add_mul(1.0, f);
                    }
                    if let Some(from) = a.from {
                        balance
                            .entry((a.day - 1, from))
                            .or_default()
                            .add_mul(-1.0, f);
                    }
                    if a.to.works() {
                        worked[a.day].add_mul(1.0, f);
                    }
                }
                for (_, e) in balance {
                    self.rows.push(e.eq(0.0));
                }
                // The day is worked exactly when the path is in a working state.
                for (d, e) in worked.into_iter().enumerate() {
                    if can_work[d] {
                        self.rows.push((yv(d) - e).eq(0.0));
                    }
                }
            }
            if let Some(cap) = c.max_weekends.filter(|_| !self.block.ignore_term) {
                let mut e = Expression::default();
                let mut n = 0;
                // Weekends the fixed part of the roster already works.
                let fixed_weekends: HashSet<usize> = block
                    .context
                    .iter()
                    .filter(|s| s.person == p && pb.is_weekend(s.day))
                    .map(|s| pb.week_of(s.day))
                    .collect();
                let cap = cap.saturating_sub(fixed_weekends.len() as u32);
                // Weekends the block's roster so far works.
                let worked = kept_days_of[p]
                    .iter()
                    .filter(|&&d| pb.is_weekend(d))
                    .map(|&d| pb.week_of(d))
                    .filter(|wk| !fixed_weekends.contains(wk))
                    .collect::<HashSet<usize>>()
                    .len() as u32;
                let cap = cap.max(worked);
                for &wk in weeks.iter().filter(|wk| !fixed_weekends.contains(wk)) {
                    let we: Vec<usize> = days
                        .iter()
                        .copied()
                        .filter(|&d| pb.week_of(d) == wk && pb.is_weekend(d))
                        .collect();
                    let worked: Vec<Expression> = we
                        .iter()
                        .filter(|&&d| day_worked.contains_key(&(p, d)))
                        .map(|&d| yv(d))
                        .collect();
                    if worked.is_empty() {
                        continue;
                    }
                    let z = self.new_var(variable().min(0.0).max(1.0));
                    for y in worked {
                        self.rows.push((y - z).leq(0.0));
                    }
                    e.add_mul(1.0, z);
                    n += 1;
                }
                if n > cap {
                    self.rows.push(e.leq(f64::from(cap)));
                }
            }
            // `template_limit`
            for &(t, lim) in &person.template_limits {
                let mut e = Expression::default();
                let mut n = 0u32;
                for &i in &mine {
                    if self.cols[i].template == Some(t) {
                        e.add_mul(1.0, self.x[i]);
                        n += 1;
                    }
                }
                // The person's shifts of template `t`.
                let of_t = |s: &&Shift| {
                    s.person == p
                        && pb
                            .templates
                            .get(t)
                            .is_some_and(|tt| tt.desk == s.desk && tt.time == s.time)
                };
                let used = self.block.context.iter().filter(of_t).count() as u32;
                if n + used > lim {
                    let worked = kept_of[p].iter().filter(of_t).count() as f64;
                    self.rows
                        .push(e.leq((f64::from(lim) - f64::from(used)).max(worked)));
                }
            }
            // `fixed`
            for f in person.fixed_in_force().filter(|f| days.contains(&f.day)) {
                let mut t = f.time.start;
                while t < f.time.end {
                    let mut e = Expression::default();
                    for &i in &mine {
                        let s = &self.cols[i].shift;
                        if s.day == f.day && s.desk == f.desk && s.time.start <= t && t < s.time.end
                        {
                            e.add_mul(1.0, self.x[i]);
                        }
                    }
                    self.rows.push(e.geq(1.0));
                    t += slot;
                }
            }
            // `requests`
            for r in person.requests.iter().filter(|r| days.contains(&r.day)) {
                let mut e = Expression::default();
                for &i in &mine {
                    if self.cols[i].shift.day == r.day && self.cols[i].template == Some(r.template)
                    {
                        e.add_mul(1.0, self.x[i]);
                    }
                }
                if r.on {
                    self.constant += r.weight;
                    self.objective.add_mul(-r.weight, e);
                } else {
                    self.objective.add_mul(r.weight, e);
                }
            }
        }

        // Changed people (repair): any added person-slot, or any base person-slot dropped.
        if self.block.base.is_some() && change.per_person > 0.0 {
            for p in (0..pb.people.len()).filter(|&p| !kept_whole[p]) {
                let mut rows = Vec::new();
                for (&(_, d), idx) in by_person_day.range((p, 0)..(p + 1, 0)) {
                    let mut times: Vec<Minute> = idx
                        .iter()
                        .flat_map(|&i| {
                            let s = self.cols[i].shift.time;
                            (s.start..s.end).step_by(slot as usize)
                        })
                        .collect();
                    times.sort_unstable();
                    times.dedup();
                    for t in times {
                        let mut e = Expression::default();
                        let mut n = 0;
                        for &i in idx {
                            let s = &self.cols[i].shift;
                            let covers = s.time.start <= t && t < s.time.end;
                            if covers && !base.contains(&(p, s.desk, d, t)) {
                                e.add_mul(1.0, self.x[i]);
                                n += 1;
                            }
                        }
                        if n > 0 {
                            rows.push(e);
                        }
                    }
                }
                let my_base: Vec<&(usize, usize, usize, Minute)> =
                    base.iter().filter(|k| k.0 == p).collect();
                for &&(_, desk, d, t) in &my_base {
                    let mut e = Expression::from(1.0);
                    if let Some(idx) = by_person_day.get(&(p, d)) {
                        for &i in idx {
                            let s = &self.cols[i].shift;
                            if s.desk == desk && s.time.start <= t && t < s.time.end {
                                e.add_mul(-1.0, self.x[i]);
                            }
                        }
                    }
                    rows.push(e);
                }
                if rows.is_empty() {
                    continue;
                }
                let c = self.new_var(variable().min(0.0).max(1.0));
                self.objective.add_mul(change.per_person, c);
                for e in rows {
                    self.rows.push((e - c).leq(0.0));
                }
            }
        }

        // Coverage per desk, day and slot.
        let scale = if self.block.must_scale > 0.0 {
            self.block.must_scale
        } else {
            1.0
        };
        let mut desk_days: Vec<(usize, usize)> = Vec::new();
        for (k, desk) in pb.desks.iter().enumerate() {
            for &d in &self.block.days {
                if desk.days.get(d).is_some_and(|x| x.is_some()) {
                    desk_days.push((k, d));
                }
            }
        }
        for &(k, d) in &desk_days {
            let Some(dd) = pb.desks[k].days[d].as_ref() else {
                continue;
            };
            let empty = Vec::new();
            let idx = by_desk_day.get(&(k, d)).unwrap_or(&empty);
            let people_here = idx
                .iter()
                .map(|&i| self.cols[i].shift.person)
                .collect::<HashSet<_>>()
                .len();
            for (si, cover) in dd.cover.iter().enumerate() {
                // A slot no row can bind (nothing to cover, room for everyone) needs no rows.
                let no_min = cover.min == 0 || w.coverage_min <= 0.0;
                let no_target = cover.target == 0 || w.coverage_target <= 0.0;
                if no_min && no_target && cover.max as usize >= people_here {
                    continue;
                }
                let t = dd.open.start + si as u32 * slot;
                let mut staffed = Expression::with_capacity(idx.len());
                let (mut n, mut booked) = (0u32, 0u32);
                for &i in idx {
                    let s = &self.cols[i].shift.time;
                    if s.start <= t && t < s.end {
                        staffed.add_mul(1.0, self.x[i]);
                        n += 1;
                        booked += u32::from(so_far.contains(&self.cols[i].shift));
                    }
                }
                // One integer "people on the desk" variable per slot keeps the rows below sparse.
                if n > 0 {
                    let sv = self.new_var(variable().integer().min(0.0).max(f64::from(n)));
                    self.rows.push((staffed - sv).eq(0.0));
                    staffed = Expression::from(sv);
                }
                // `coverage_max`, or what the roster being repaired already has there (more
                // people booked by hand: no more than that).
                if n > cover.max {
                    self.rows
                        .push(staffed.clone().leq(f64::from(cover.max.max(booked))));
                }
                // `coverage_min`
                if cover.min > 0 && w.coverage_min > 0.0 {
                    let u = self.continuous(f64::from(cover.min));
                    self.objective.add_mul(w.coverage_min * h * scale, u);
                    self.rows
                        .push((staffed.clone() + u).geq(f64::from(cover.min)));
                }
                // `coverage_target`
                if cover.target > 0 && w.coverage_target > 0.0 {
                    let v = self.continuous(f64::from(cover.target));
                    self.objective.add_mul(w.coverage_target * h, v);
                    self.rows.push((staffed + v).geq(f64::from(cover.target)));
                }
            }
        }

        // `requirement`: staff mix.
        for r in pb
            .requirements
            .iter()
            .filter(|r| self.block.days.contains(&r.day))
        {
            let date = pb.days[r.day];
            let empty = Vec::new();
            let idx = by_desk_day.get(&(r.desk, r.day)).unwrap_or(&empty);
            let weight = if r.weight >= w.coverage_min {
                r.weight * scale
            } else {
                r.weight
            };
            let mut t = r.time.start;
            while t < r.time.end {
                let mut e = Expression::default();
                for &i in idx {
                    let s = &self.cols[i].shift;
                    let qualified = match r.who {
                        Who::Skill(sk) => pb.people[s.person].has_skill(sk, date),
                        Who::Group(g) => pb.people[s.person].group == g,
                    };
                    if qualified && s.time.start <= t && t < s.time.end {
                        e.add_mul(1.0, self.x[i]);
                    }
                }
                let q = self.continuous(f64::from(r.need));
                self.objective.add_mul(weight * h, q);
                self.rows.push((e + q).geq(f64::from(r.need)));
                t += slot;
            }
        }

        // `fairness`: convex cost of each person's weekly count per category.
        type Category<'c> = (f64, &'c dyn Fn(&Shift) -> bool);
        let cats: [Category; 3] = [
            (w.fair_evenings, &|s: &Shift| pb.is_evening(&s.time)),
            (w.fair_weekends, &|s: &Shift| pb.is_weekend(s.day)),
            (w.fair_closings, &|s: &Shift| pb.is_closing(s)),
        ];
        for &wk in &weeks {
            for p in (0..pb.people.len()).filter(|&p| !kept_whole[p]) {
                for (weight, pred) in &cats {
                    if *weight <= 0.0 {
                        continue;
                    }
                    let mut e = Expression::default();
                    let mut days_with = HashSet::new();
                    for (_, idx) in by_person_day.range((p, 0)..(p + 1, 0)) {
                        for &i in idx {
                            let s = &self.cols[i].shift;
                            if pb.week_of(s.day) == wk && pred(s) {
                                e.add_mul(1.0, self.x[i]);
                                days_with.insert(s.day);
                            }
                        }
                    }
                    // Fixed shifts of the same week outside the block count too.
                    let fixed = self
                        .block
                        .context
                        .iter()
                        .filter(|s| s.person == p && pb.week_of(s.day) == wk && pred(s))
                        .count();
                    // At most `max_shifts_per_day` such shifts a day.
                    let most =
                        fixed + days_with.len() * pb.rules.max_shifts_per_day.max(1) as usize;
                    // n(n-1)/2 for n shifts of the kind: each further one costs one more.
                    for j in 1..most {
                        if j < fixed {
                            // Already reached by the fixed shifts: a constant.
                            self.constant += *weight * (fixed - j) as f64;
                            let ex = self.continuous(most as f64);
                            self.objective.add_mul(*weight, ex);
                            // e + fixed - j - (fixed - j) = e: excess above what is constant.
                            self.rows.push((e.clone() - ex).leq(0.0));
                            continue;
                        }
                        let ex = self.continuous(most as f64);
                        self.objective.add_mul(*weight, ex);
                        self.rows.push((e.clone() - ex).leq((j - fixed) as f64));
                    }
                }
            }
        }

        // `template_cover`
        for tc in pb
            .template_cover
            .iter()
            .filter(|tc| self.block.days.contains(&tc.day))
        {
            let mut n = Expression::default();
            for &i in by_desk_day
                .get(&(
                    pb.templates.get(tc.template).map_or(usize::MAX, |t| t.desk),
                    tc.day,
                ))
                .unwrap_or(&Vec::new())
            {
                if self.cols[i].template == Some(tc.template) {
                    n.add_mul(1.0, self.x[i]);
                }
            }
            let req = f64::from(tc.requirement);
            if tc.weight_under > 0.0 && tc.requirement > 0 {
                let u = self.continuous(req);
                self.objective.add_mul(tc.weight_under, u);
                self.rows.push((n.clone() + u).geq(req));
            }
            if tc.weight_over > 0.0 {
                let o = self.new_var(variable().min(0.0));
                self.objective.add_mul(tc.weight_over, o);
                self.rows.push((n - o).leq(req));
            }
        }

        Ok(Formulation {
            vars: self.vars,
            objective: self.objective,
            constant: self.constant,
            rows: self.rows,
            cols: self.cols,
            x: self.x_index,
            first_day: self.block.days.first().copied().unwrap_or(0),
            run_networks: self.run_networks,
        })
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Most worked days in any `len` consecutive days for every run-rule combination, found by
/// enumerating every pattern: work runs at most `k` long; runs strictly inside the window at least
/// `min_on` (work) or `min_off` (days off) long. A run touching either end of the window may go on
/// outside it (or is exempt at the horizon's edge), so only its maximum applies.
fn window_max(k: u32, min_on: u32, min_off: u32, len: usize) -> usize {
    let mut best = 0;
    for bits in 0u32..(1u32 << len) {
        let worked = bits.count_ones() as usize;
        if worked <= best {
            continue;
        }
        let mut ok = true;
        let mut i = 0;
        while i < len && ok {
            let on = bits >> i & 1 == 1;
            let mut j = i;
            while j < len && (bits >> j & 1 == 1) == on {
                j += 1;
            }
            let run = (j - i) as u32;
            let inner = i > 0 && j < len;
            ok = if on {
                run <= k && (!inner || run >= min_on)
            } else {
                !inner || run >= min_off
            };
            i = j;
        }
        if ok {
            best = worked;
        }
    }
    best
}

/// The window rows worth adding for the run rules `(k, min_on, min_off)` over a block of `days`
/// days: `(length, most worked days)` for each length whose limit is neither implied by two
/// shorter windows nor by the next longer one. Always includes the plain `k + 1` window's
/// information (the `k + min_off` window implies it).
fn window_limits(k: u32, min_on: u32, min_off: u32, days: usize) -> Vec<(usize, usize)> {
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<HashMap<(u32, u32, u32), Vec<usize>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let lmax = (2 * k as usize + min_off as usize + 2).min(18);
    let key = (k, min_on, min_off);
    let cache = CACHE.get_or_init(Default::default);
    let cached = cache.lock().ok().and_then(|c| c.get(&key).cloned());
    let most = cached.unwrap_or_else(|| {
        let v: Vec<usize> = (0..=lmax + 1)
            .map(|l| window_max(k, min_on, min_off, l))
            .collect();
        if let Ok(mut c) = cache.lock() {
            c.insert(key, v.clone());
        }
        v
    });
    let mut out = Vec::new();
    for len in 1..=lmax.min(days) {
        if most[len] >= len {
            continue;
        }
        let implied = (1..len).any(|a| most[a] + most[len - a] <= most[len]);
        let dominated = len < days && len < lmax && most[len + 1] <= most[len];
        if !implied && !dominated {
            out.push((len, most[len]));
        }
    }
    // Never weaker than the plain rule.
    if out.is_empty() && (k as usize) < days {
        out.push((k as usize + 1, k as usize));
    }
    out
}

fn succession_forbidden(problem: &Problem, first: &Shift, second: &Shift) -> bool {
    if problem.forbidden_successions.is_empty() {
        return false;
    }
    let tmpl = |s: &Shift| {
        problem
            .templates
            .iter()
            .position(|t| t.desk == s.desk && t.time == s.time)
    };
    match (tmpl(first), tmpl(second)) {
        (Some(a), Some(b)) => problem.forbidden_successions.contains(&(a, b)),
        _ => false,
    }
}

/// A built model, ready to solve.
pub(crate) struct Formulation {
    vars: ProblemVariables,
    objective: Expression,
    constant: f64,
    rows: Vec<Constraint>,
    cols: Vec<Column>,
    /// Column number in the solver of each shift column.
    x: Vec<usize>,
    /// First day of the block (names dumped models).
    first_day: usize,
    /// Whether some person's run rules are a run network (a strong LP: see `runs`).
    run_networks: bool,
}

/// Longest horizon (days) whose blocks get run networks. On longer ones (Curtois 16–24, 56 to 364
/// days) HiGHS found no roster at all in 180 s on four instances with them, and worse ones on the
/// rest.
const RUN_NETWORK_MAX_DAYS: usize = 42;

/// Most person-days whose blocks get run networks: Curtois 13 (120 people × 28 days) got 25 220
/// with them against 4 185 without; 15 (45 × 42) and 12 (60 × 28) were better with them.
const RUN_NETWORK_MAX_PERSON_DAYS: usize = 2_000;

/// Most person-days for which the column generation runs after the full model. On Curtois
/// 16–18 (1 120–1 848 person-days) it gives the bound (16: 3 224, which proves the search's
/// 3 225 at a 60 s limit; 18: 4 204); on 19 (3 360) it gave up after 10 s with nothing; on 22
/// (18 200) its first round, every person labelled over 364 days, took the 47 s the full model
/// left and 15 s more (60 s asked, 75 s taken), so the neighbourhood search never ran.
const COLGEN_AFTER_FULL_MAX_PERSON_DAYS: usize = 2_000;

/// Whether the problem's horizon is small enough for run networks and for column generation
/// first (see the constants: both were measured on Curtois 1–12, 14 and 15, not on the larger).
fn small_horizon(pb: &Problem) -> bool {
    pb.days.len() <= RUN_NETWORK_MAX_DAYS
        && pb.days.len() * pb.people.len() <= RUN_NETWORK_MAX_PERSON_DAYS
}

/// Builds the model of one block.
pub(crate) fn formulate(problem: &Problem, block: &Block) -> Result<Formulation, BlockError> {
    Builder::new(problem, block).build()
}

/// A built model as plain data, column by column: what the column generation in `colgen`
/// decomposes by person.
#[derive(Clone)]
pub(crate) struct Matrix {
    pub cost: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub integer: Vec<bool>,
    pub row_lower: Vec<f64>,
    pub row_upper: Vec<f64>,
    /// The nonzero entries of each column: (row, coefficient).
    pub columns: Vec<Vec<(usize, f64)>>,
    /// Added to the objective of every solution.
    pub constant: f64,
    /// The shift each solver column stands for (`None` for auxiliary columns).
    pub shift: Vec<Option<Shift>>,
}

impl Formulation {
    /// Solves with HiGHS and reads back the chosen shifts.
    pub(crate) fn solve(self, settings: &BlockSettings) -> Result<BlockOutcome, BlockError> {
        self.run(settings)
    }

    /// Like [`Formulation::solve`], but when the time runs out before any roster, HiGHS's bound
    /// (if it reached one) instead of [`BlockError::NoSolution`].
    pub(crate) fn solve_or_bound(
        self,
        settings: &BlockSettings,
    ) -> Result<Result<BlockOutcome, Option<f64>>, BlockError> {
        let mut bound = None;
        match self.run_with(settings, &mut bound) {
            Ok(out) => Ok(Ok(out)),
            Err(BlockError::NoSolution) => Ok(Err(bound)),
            Err(e) => Err(e),
        }
    }

    /// The model as plain data (see [`Matrix`]). The `highs` crate does not read a model back,
    /// so this asks HiGHS's C API directly: the crate's only unsafe code.
    #[allow(unsafe_code)]
    pub(crate) fn matrix(self) -> Result<Matrix, BlockError> {
        let mut problem = self.vars.minimise(self.objective).using(highs);
        for r in self.rows {
            problem.add_constraint(r);
        }
        let model = problem
            .try_into_inner()
            .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
        let ptr = model.as_ptr();
        use highs_sys::HighsInt;
        // SAFETY: `ptr` is the live HiGHS instance owned by `model`; the counts come from it and
        // every buffer below is sized from them before HiGHS writes into it.
        let (nc, nr, nz) = unsafe {
            (
                highs_sys::Highs_getNumCol(ptr),
                highs_sys::Highs_getNumRow(ptr),
                highs_sys::Highs_getNumNz(ptr),
            )
        };
        let (ncols, nrows, nnz) = (nc.max(0) as usize, nr.max(0) as usize, nz.max(0) as usize);
        let mut cost = vec![0.0; ncols];
        let mut lower = vec![0.0; ncols];
        let mut upper = vec![0.0; ncols];
        let mut row_lower = vec![0.0; nrows];
        let mut row_upper = vec![0.0; nrows];
        let mut start: Vec<HighsInt> = vec![0; ncols + 1];
        let mut index: Vec<HighsInt> = vec![0; nnz.max(1)];
        let mut value = vec![0.0; nnz.max(1)];
        let mut integrality: Vec<HighsInt> = vec![0; ncols.max(1)];
        let (mut a, mut b, mut c, mut sense, mut offset) = (0, 0, 0, 0, 0.0);
        // SAFETY: as above; format 1 is column-wise.
        let status = unsafe {
            highs_sys::Highs_getLp(
                ptr,
                1,
                &mut a,
                &mut b,
                &mut c,
                &mut sense,
                &mut offset,
                cost.as_mut_ptr(),
                lower.as_mut_ptr(),
                upper.as_mut_ptr(),
                row_lower.as_mut_ptr(),
                row_upper.as_mut_ptr(),
                start.as_mut_ptr(),
                index.as_mut_ptr(),
                value.as_mut_ptr(),
                integrality.as_mut_ptr(),
            )
        };
        if status < 0 || (a, b, c) != (nc, nr, nz) {
            return Err(BlockError::Solver("could not read the model back".into()));
        }
        start[ncols] = nz;
        let columns = (0..ncols)
            .map(|j| {
                let (from, to) = (start[j].max(0) as usize, start[j + 1].max(0) as usize);
                (from..to.min(nnz))
                    .map(|k| (index[k].max(0) as usize, value[k]))
                    .collect()
            })
            .collect();
        let mut shift = vec![None; ncols];
        for (col, &v) in self.cols.iter().zip(&self.x) {
            if let Some(slot) = shift.get_mut(v) {
                *slot = Some(col.shift);
            }
        }
        Ok(Matrix {
            cost,
            lower,
            upper,
            integer: integrality[..ncols].iter().map(|&i| i != 0).collect(),
            row_lower,
            row_upper,
            columns,
            constant: offset + self.constant,
            shift,
        })
    }

    /// One line per shift column, `column person desk day start end` (indices; minutes after
    /// midnight): what the solver's columns c0, c1, ... of an exported model mean.
    fn column_names(&self) -> String {
        self.cols
            .iter()
            .zip(&self.x)
            .map(|(c, v)| {
                let s = &c.shift;
                let t = s.time;
                format!(
                    "{v} {} {} {} {} {}\n",
                    s.person, s.desk, s.day, t.start, t.end
                )
            })
            .collect()
    }

    /// The shift columns as CSV with names: `column,person,desk,date,start,end`.
    fn columns_csv(&self, problem: &Problem) -> String {
        let mut out = String::from("column,person,desk,date,start,end\n");
        for (c, v) in self.cols.iter().zip(&self.x) {
            let s = &c.shift;
            let field = |x: &str| {
                if x.contains([',', '"', '\n']) {
                    format!("\"{}\"", x.replace('"', "\"\""))
                } else {
                    x.to_string()
                }
            };
            out.push_str(&format!(
                "c{v},{},{},{},{},{}\n",
                field(
                    problem
                        .people
                        .get(s.person)
                        .map_or("?", |p| p.name.as_str())
                ),
                field(problem.desks.get(s.desk).map_or("?", |d| d.name.as_str())),
                problem
                    .days
                    .get(s.day)
                    .map_or_else(String::new, |d| d.to_string()),
                crate::model::fmt_minute(s.time.start),
                crate::model::fmt_minute(s.time.end),
            ));
        }
        out
    }

    fn run(self, settings: &BlockSettings) -> Result<BlockOutcome, BlockError> {
        self.run_with(settings, &mut None)
    }

    /// Solves; where the time runs out before any roster, HiGHS's dual bound (when finite) is
    /// left in `bound_without_roster`.
    fn run_with(
        mut self,
        settings: &BlockSettings,
        bound_without_roster: &mut Option<f64>,
    ) -> Result<BlockOutcome, BlockError> {
        // The time limit counts from here: passing the model to HiGHS takes a second on the
        // largest Curtois instances, and HiGHS's own clock starts after it.
        let began = Instant::now();
        let ncols = self.cols.len();
        let nrows = self.rows.len();
        let initial: Option<Vec<(usize, f64)>> = settings.initial.as_ref().map(|init| {
            let chosen: HashSet<&Shift> = init.iter().collect();
            self.cols
                .iter()
                .zip(&self.x)
                .map(|(c, &v)| (v, if chosen.contains(&c.shift) { 1.0 } else { 0.0 }))
                .collect()
        });
        let names = std::env::var_os("DESKROSTER_DUMP_MODELS").map(|_| self.column_names());
        // A written model carries the objective's constant (e.g. the weights of requests to
        // work, charged unless granted) as a column fixed at 1, so that another solver's optimum
        // is the roster's cost. Models written are not solved.
        if (settings.export.is_some() || names.is_some()) && self.constant != 0.0 {
            let one = self.vars.add(variable().min(1.0).max(1.0));
            self.objective.add_mul(self.constant, one);
        }
        let mut problem = self.vars.minimise(self.objective).using(highs);
        for r in self.rows {
            problem.add_constraint(r);
        }
        let mut model = problem
            .try_into_inner()
            .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
        model.make_quiet();
        if std::env::var_os("DESKROSTER_HIGHS_LOG").is_some() {
            let _ = model.try_set_option("output_flag", true);
            let _ = model.try_set_option("log_to_console", true);
        }
        // HiGHS's presolve rule that enumerates the solutions of small rows finds almost
        // nothing here (4 of about 590 rows on a sample week) and takes 0.2 s of each week's
        // presolve (BENCHMARKS.md, twentieth session).
        let _ = model.try_set_option("presolve_rule_off", PRESOLVE_ENUMERATION);
        if let Ok(opts) = std::env::var("DESKROSTER_HIGHS_OPTS") {
            for kv in opts.split(',') {
                if let Some((k, v)) = kv.split_once('=') {
                    let ok = if let Ok(i) = v.parse::<i32>() {
                        model.try_set_option(k, i).is_ok()
                    } else if let Ok(f) = v.parse::<f64>() {
                        model.try_set_option(k, f).is_ok()
                    } else if let Ok(b) = v.parse::<bool>() {
                        model.try_set_option(k, b).is_ok()
                    } else {
                        model.try_set_option(k, v).is_ok()
                    };
                    if !ok {
                        eprintln!("deskroster: HiGHS rejected option {k}={v}");
                    }
                }
            }
        }
        let set = |m: &mut highs::Model, k: &str, v: f64| m.try_set_option(k, v).is_ok();
        set(&mut model, "mip_rel_gap", settings.gap);
        if let Some(t) = settings.time_limit {
            set(
                &mut model,
                "time_limit",
                (t - began.elapsed().as_secs_f64()).max(0.0),
            );
        }
        if let Some(cutoff) = settings.cutoff {
            // HiGHS's objective leaves the constant out.
            set(&mut model, "objective_bound", cutoff - self.constant);
        }
        if let Some(target) = settings
            .known_bound
            .and_then(|b| target_for(settings.gap, b))
        {
            // HiGHS's objective leaves the constant out.
            set(&mut model, "objective_target", target - self.constant);
        }
        let _ = model.try_set_option("threads", settings.threads.max(1) as i32);
        let _ = model.try_set_option("random_seed", 0);
        // Developer hook: every block's model as `DIR/block-<first day>.mps`.
        if let Ok(dir) = std::env::var("DESKROSTER_DUMP_MODELS") {
            let path = Path::new(&dir).join(format!("block-{:03}.mps", self.first_day));
            let _ = model.try_set_option("write_model_to_file", true);
            let _ = model.try_set_option("write_model_file", path.to_string_lossy().as_ref());
            if let Some(names) = &names {
                let _ = std::fs::write(path.with_extension("cols"), names);
            }
        }
        if let Some(path) = &settings.export {
            let _ = model.try_set_option("write_model_to_file", true);
            let _ = model.try_set_option("write_model_file", path.to_string_lossy().as_ref());
        }
        if let Some(init) = initial {
            // Undefined (infinite) values let HiGHS complete the auxiliary variables from the shifts.
            let mut v = vec![f64::INFINITY; model.num_cols()];
            for (var, val) in init {
                if let Some(slot) = v.get_mut(var) {
                    *slot = val;
                }
            }
            let _ = model.try_set_solution(Some(&v), None, None, None);
        }
        let solved = model
            .try_solve()
            .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
        use highs::{HighsModelStatus as S, HighsSolutionStatus};
        let status = solved.status();
        match status {
            // Nothing cheaper than the cutoff.
            S::Infeasible | S::UnboundedOrInfeasible if settings.cutoff.is_some() => {
                return Err(BlockError::NothingCheaper)
            }
            S::Infeasible | S::UnboundedOrInfeasible => return Err(BlockError::Infeasible),
            S::Optimal | S::ObjectiveBound | S::ObjectiveTarget => {}
            S::ReachedTimeLimit
            | S::ReachedSolutionLimit
            | S::ReachedInterrupt
            | S::ReachedIterationLimit
            | S::ReachedMemoryLimit => {}
            S::ModelEmpty => {
                return Ok(BlockOutcome {
                    shifts: Vec::new(),
                    objective: self.constant,
                    bound: self.constant,
                    proven: true,
                    columns: ncols,
                    rows: nrows,
                })
            }
            // A time limit that expires inside presolve leaves the status unset.
            S::NotSet if settings.time_limit.is_some() => return Err(BlockError::NoSolution),
            other => return Err(BlockError::Solver(format!("HiGHS status {other:?}"))),
        }
        if solved.primal_solution_status() != HighsSolutionStatus::Feasible {
            *bound_without_roster = solved
                .double_info_value(c"mip_dual_bound")
                .ok()
                .filter(|b| b.is_finite())
                .map(|b| b + self.constant);
            return Err(BlockError::NoSolution);
        }
        let sol = solved.get_solution();
        let values = sol.columns();
        let mut shifts = Vec::new();
        for (c, v) in self.cols.iter().zip(&self.x) {
            if values.get(*v).is_some_and(|&val| val > 0.5) {
                shifts.push(c.shift);
            }
        }
        let objective = solved.objective_value() + self.constant;
        // Without shift columns the empty roster is the only one, and HiGHS solves what is
        // left (the shortfall columns) as an LP, leaving its MIP dual bound at 0: the objective
        // is then the optimum.
        let dual = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite() && ncols > 0);
        let proven = matches!(status, S::Optimal);
        let bound = match dual {
            Some(b) => b + self.constant,
            None if proven => objective,
            None => f64::NEG_INFINITY,
        };
        // Parts of the search pruned by the cutoff are only known to cost at least the cutoff.
        let bound = settings.cutoff.map_or(bound, |c| bound.min(c));
        Ok(BlockOutcome {
            shifts,
            objective,
            bound: bound.min(objective),
            proven,
            columns: ncols,
            rows: nrows,
        })
    }
}

/// Share of a block's time limit the full model gets before the large-neighbourhood search.
const LNS_FULL_SHARE: f64 = 0.2;

/// The same share for a model with run networks (see `runs`): on Curtois 5 and 6 the full model
/// proves the optimum in 13 and 20 s of a 60 s limit, and not in 12 s.
const LNS_FULL_SHARE_NETWORK: f64 = 0.5;

/// ... but no more than this many seconds (and never less than `LNS_FULL_SHARE`): at 180 s, 90 s
/// for the full model left Curtois 13–15 far worse (13: 38 169 against 4 185) than the search did.
const LNS_FULL_NETWORK_MAX_SECONDS: f64 = 30.0;

/// Shift columns from which a model is huge: its first roster needs more of the limit than
/// `LNS_FULL_SHARE` (Curtois 24: 1 039 432 columns, 1.1 M rows, 29.7 M nonzeros; HiGHS's presolve
/// alone took 44–104 s, more than 20% of 180 s, and a second try builds and presolves it again;
/// with 60% and the succession cliques, feasibility jump finds a roster at 131 s).
/// The next largest instance, Curtois 23, has 332 592 and finds its roster in its 20%.
const LNS_FULL_HUGE_COLUMNS: usize = 500_000;

/// Shift columns from which forbidden successions are written as one clique row per set of banned
/// shifts instead of one row per shift. On Curtois 24 (1 039 432 columns) that is 552 k rows
/// instead of 1.1 M, and HiGHS's presolve 87 s instead of 104 s; on 23 (332 592 columns) the full
/// model's first roster at 180 s was 208 814 with the cliques, 42 227 without (19–22 were 2–40%
/// better with them, single runs).
const SUCCESSION_CLIQUES_MIN_COLUMNS: usize = LNS_FULL_HUGE_COLUMNS;

/// The full model's share of the limit when it is huge.
const LNS_FULL_SHARE_HUGE: f64 = 0.6;

/// Share of the time beyond `PHASES_MAX_SECONDS` that the first dive after the full model (see
/// `colgen_then_search`) may take past its window. Curtois 18's dive takes 48–50 s, about as
/// long as its window: when it did not end in time (thirteenth session, 240 s), the search
/// started from the full model's 25 059 and ended at 6 397, where the dive's 5 228 had led to
/// 4 683.
const FIRST_DIVE_SPARE_SHARE: f64 = 0.5;

/// Longest limit (seconds) whose shares time the steps before the large-neighbourhood search;
/// a longer limit gives its extra time to the search. With the shares of 600 s, Curtois 15 got
/// 29 619 and ended at 781 s (6 790 at 180 s); 13 got 2 349 (2 665 at 180 s).
const PHASES_MAX_SECONDS: f64 = 180.0;

/// Longest time one part of the large-neighbourhood search gets, as a share of the block's time
/// limit (at least one second).
const LNS_PART_SHARE: f64 = 0.08;

/// Solves a block. When the search stops before proving optimality, the roster found is
/// re-evaluated with every shift fixed, so that the objective is exactly its cost (a stopped
/// MIP may hand back slack variables above their minimum).
pub(crate) fn solve_block(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
) -> Result<BlockOutcome, BlockError> {
    // A time limit counts from here: building a large model takes time too (Curtois 24, 364
    // days × 150 people: 6.7 s).
    let entered = Instant::now();
    let mut settings = settings.clone();
    if settings.initial.is_none() && settings.warm_start {
        settings.initial = crate::greedy::greedy(problem, block);
    }
    let mut formulation = Some(formulate(problem, block)?);
    // `DESKROSTER_NO_HEURISTIC=1` skips the heuristic path (to measure what it brings). A block
    // solved alone under a time limit has its own search (below).
    let heuristic = std::env::var_os("DESKROSTER_NO_HEURISTIC").is_none()
        && !(settings.lns && settings.time_limit.is_some())
        && settings.initial.is_none()
        && formulation
            .as_ref()
            .is_some_and(|f| f.cols.len() >= QUICK_DIVE_MIN_COLUMNS);
    // The heuristic path's roster, kept in case the full model does no better in its time.
    let mut fallback: Option<BlockOutcome> = None;
    if heuristic {
        if let Some(f) = formulation.take() {
            let started = Instant::now();
            // Small blocks get a quick dive only (HiGHS proves most of them fast).
            let quick = f.cols.len() < HEURISTIC_MIN_COLUMNS;
            match heuristic_first(problem, block, &settings, f, quick)? {
                Heuristic::Proven(out) => return Ok(out),
                // The full model gets the time left, and this roster is kept in case it does no
                // better. It is not handed to HiGHS as a start: HiGHS completes the auxiliary
                // variables of a start by a sub-problem, a path that once reported a zero gap for
                // a non-optimal repair (DESIGN.md, "Why is the greedy warm start off by default?").
                Heuristic::Unproven(found) => {
                    // Within the gap of a bound known from elsewhere: done.
                    let found = with_known_bound(&settings, found);
                    if found.proven {
                        return Ok(found);
                    }
                    if let Some(t) = settings.time_limit.as_mut() {
                        *t = (*t - started.elapsed().as_secs_f64()).max(0.0);
                    }
                    fallback = Some(found);
                }
                Heuristic::Nothing => {}
            }
        }
    }
    // The model built above, or (after the heuristic path used it) a new one.
    let model = |f: Option<Formulation>| match f {
        Some(f) => Ok(f),
        None => formulate(problem, block),
    };
    let out = match settings.time_limit.filter(|_| settings.lns) {
        Some(limit) => {
            let deadline = entered + Duration::from_secs_f64(limit.max(0.0));
            // Every step before the search is timed as under a limit of at most
            // `PHASES_MAX_SECONDS`; the time beyond (`spare`) goes to the search, which only
            // improves, except for what a dive after the full model may need to end.
            let spare = (limit - PHASES_MAX_SECONDS).max(0.0);
            let limit = limit.min(PHASES_MAX_SECONDS);
            let colgen = std::env::var_os("DESKROSTER_NO_COLGEN").is_none();
            let mut generation_gave_up = false;
            if colgen && small_horizon(problem) && crate::labelling::applies(problem, block) {
                match colgen_first(problem, block, &settings, limit, deadline) {
                    Ok(Some(found)) => return Ok(found),
                    Ok(None) => {}
                    Err(BlockError::NoSolution) => generation_gave_up = true,
                    Err(e) => return Err(e),
                }
            }
            // Long template rosters: a first roster by annealing (see `anneal`), where the
            // column generation after the full model does not run (Curtois 18, 1 848
            // person-days: with the annealing first the generation's dive lacked time, 5 920
            // against 4 591), or where the generation first gave up and the time left is long
            // enough for the annealing it would have been followed by (Curtois 15 at 600 s on a
            // slower day: its rounds took 3.4 s instead of 2.7 s, it gave up, and the search
            // started from the full model's roster: 4 453 against 4 000).
            let person_days = block.days.len() * problem.people.len();
            let left = deadline
                .saturating_duration_since(Instant::now())
                .as_secs_f64();
            let annealed = if std::env::var_os("DESKROSTER_NO_ANNEAL").is_none()
                && (person_days > COLGEN_AFTER_FULL_MAX_PERSON_DAYS
                    || generation_gave_up && left >= ANNEAL_AFTER_GENERATION_MIN_SECONDS)
                && crate::anneal::applies(problem, block)
            {
                anneal_first(problem, block, &settings, left)?
            } else {
                None
            };
            let full = model(formulation)?;
            if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
                eprintln!(
                    "full model: {} shift columns, {} rows, built after {:.1}s",
                    full.cols.len(),
                    full.rows.len(),
                    entered.elapsed().as_secs_f64()
                );
            }
            // A model with run networks has a strong LP: its own search gets more of the time.
            let first_limit = if full.cols.len() >= LNS_FULL_HUGE_COLUMNS {
                limit * LNS_FULL_SHARE_HUGE
            } else if full.run_networks {
                (limit * LNS_FULL_SHARE_NETWORK)
                    .min(LNS_FULL_NETWORK_MAX_SECONDS)
                    .max(limit * LNS_FULL_SHARE)
            } else {
                limit * LNS_FULL_SHARE
            };
            let first = BlockSettings {
                time_limit: Some(first_limit),
                ..settings.clone()
            };
            // With the annealing's roster at hand, the full model is there for its bound above
            // all: kept even when it finds no roster in its time.
            let mut full_bound = None;
            let first_try = if annealed.is_some() {
                full.solve_or_bound(&first)?.map_err(|bound| {
                    full_bound = bound;
                    BlockError::NoSolution
                })
            } else {
                full.solve(&first)
            };
            match first_try {
                Ok(out) if out.proven => return Ok(out),
                Ok(out) => {
                    // A search stopped by its limit may overstate (or, within tolerances,
                    // understate) its roster's cost: start from the exact value.
                    let exact = evaluate(problem, block, &settings, &out.shifts)?;
                    let start = better_start(
                        BlockOutcome {
                            objective: exact,
                            ..out
                        },
                        annealed,
                    );
                    if colgen && person_days <= COLGEN_AFTER_FULL_MAX_PERSON_DAYS {
                        let f = formulate(problem, block)?;
                        if let Some(found) = colgen_then_search(
                            problem, block, &settings, f, &start, limit, spare, deadline,
                        )? {
                            return Ok(found);
                        }
                    }
                    let stop = search_until(deadline, limit);
                    crate::lns::improve(problem, block, &settings, start, stop)
                }
                // No roster from the full model, but one from the annealing: search from it.
                Err(BlockError::NoSolution) if annealed.is_some() => {
                    let mut start = annealed.ok_or(BlockError::NoSolution)?;
                    if let Some(bound) = full_bound {
                        start.bound = start.bound.max(bound).min(start.objective);
                    }
                    crate::lns::improve(
                        problem,
                        block,
                        &settings,
                        start,
                        search_until(deadline, limit),
                    )
                }
                // No roster yet: the full model keeps the rest of the time.
                Err(BlockError::NoSolution) => {
                    // Built before the time left is measured.
                    let full = formulate(problem, block)?;
                    let rest = BlockSettings {
                        time_limit: Some(
                            deadline
                                .saturating_duration_since(Instant::now())
                                .as_secs_f64(),
                        ),
                        ..settings.clone()
                    };
                    full.solve(&rest)?
                }
                Err(e) => return Err(e),
            }
        }
        None => match model(formulation)?.solve(&settings) {
            Err(BlockError::NoSolution) => return fallback.ok_or(BlockError::NoSolution),
            out => out?,
        },
    };
    if out.proven {
        return Ok(out);
    }
    let objective = evaluate(problem, block, &settings, &out.shifts)?;
    // A bound known from elsewhere counts (HiGHS stops at its target when it has one).
    let out = with_known_bound(&settings, BlockOutcome { objective, ..out });
    Ok(match fallback {
        // The heuristic's roster when the full model ran out of time with a worse one; the
        // better of the two bounds either way.
        Some(found) => {
            let bound = out.bound.max(found.bound);
            let best = if found.objective < out.objective {
                found
            } else {
                out
            };
            BlockOutcome {
                bound: bound.min(best.objective),
                proven: within_gap(&settings, best.objective, bound),
                ..best
            }
        }
        None => out,
    })
}

/// Share of a block's time limit the annealing runs for. On the long Curtois instances it
/// improves the roster faster than the search's parts solved by HiGHS (Curtois 19: 3 985 after
/// 54 s of annealing, 3 778 after 180 s more of the search; 3 556 after 200 s of annealing).
const ANNEAL_SHARE: f64 = 0.5;

/// Share of a block's time limit for mending what the annealing left broken (at most
/// `ANNEAL_MEND_MAX_SECONDS`).
const ANNEAL_MEND_SHARE: f64 = 0.1;
const ANNEAL_MEND_MAX_SECONDS: f64 = 30.0;

/// A first roster by annealing (see `anneal`), with what it leaves broken mended by solving
/// the people concerned exactly while everyone else keeps their line. `None` when the mending
/// finds no roster in its time.
fn anneal_first(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    limit: f64,
) -> Result<Option<BlockOutcome>, BlockError> {
    let Some(found) = crate::anneal::anneal(problem, limit * ANNEAL_SHARE, 1) else {
        return Ok(None);
    };
    let whole = !found.broken.contains(&true);
    let annealed_cost = found.cost;
    let shifts = if whole {
        found.shifts
    } else {
        match mend(problem, block, settings, &found, limit)? {
            Some(shifts) => shifts,
            None => return Ok(None),
        }
    };
    let objective = evaluate(problem, block, settings, &shifts)?;
    // The annealing's count of a roster that keeps every rule is the objective.
    debug_assert!(!whole || (objective - annealed_cost).abs() <= 1e-6 * objective.abs().max(1.0));
    Ok(Some(BlockOutcome {
        shifts,
        objective,
        bound: f64::NEG_INFINITY,
        proven: false,
        columns: 0,
        rows: 0,
    }))
}

/// Days on either side of every broken stretch re-solved together first (everyone else keeps
/// their line). Curtois 22: the whole lines of the 27 people left with a broken rule,
/// re-solved together, gave 427 931 in 24 s (the optimum is 30 241); a week either side was
/// infeasible, and 21 days ran out of time (24 s).
const MEND_NEAR_MARGINS: [usize; 1] = [7];

/// Days on either side of a person's broken stretches re-solved by [`reline`], in turn while
/// infeasible, before their whole line.
const RELINE_MARGINS: [usize; 2] = [7, 21];

/// Passes [`reline`] makes over the people still without a line.
const RELINE_PASSES: usize = 3;

/// Where relining (see [`reline`]) finds nothing in its time: wider margins, then the whole
/// horizon, in what is left of the mending's time.
const MEND_FAR_MARGINS: [usize; 1] = [56];

/// Share of a block's time limit for relining the people the near windows could not mend (at
/// most `RELINE_MAX_SECONDS`). Curtois 22, 240 s: 25 people relined one by one in 48 s (a
/// window of 21 days for 11 of them, the whole line for the others, three in a second pass),
/// from 34 000 (broken) to 44 938 (every rule kept); in another run with at most 60 s, five
/// people were left with no line (whole lines of 2.5–4 s found nothing), hence 0.4 and 120 s
/// (two runs: 22 and 25 people relined in 74 and 55 s). Whole lines only, at 0.4 s each, were
/// mostly the first HiGHS found (236 405 after 27 people at 120 s).
const RELINE_SHARE: f64 = 0.4;
const RELINE_MAX_SECONDS: f64 = 120.0;

/// The annealing's roster with what it left broken re-solved exactly: the broken stretches
/// with [`MEND_NEAR_MARGINS`] either side, else each broken person's whole line in turn
/// ([`reline`]), else wider windows. `None` when no roster is found in the mending's time.
fn mend(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    found: &crate::anneal::Annealed,
    limit: f64,
) -> Result<Option<Vec<Shift>>, BlockError> {
    let started = Instant::now();
    let time = (limit * ANNEAL_MEND_SHARE).min(ANNEAL_MEND_MAX_SECONDS);
    if let Some(shifts) = mend_windows(
        problem,
        block,
        settings,
        found,
        &MEND_NEAR_MARGINS,
        started,
        time,
    )? {
        return Ok(Some(shifts));
    }
    if std::env::var_os("DESKROSTER_NO_RELINE").is_none() {
        let time = (limit * RELINE_SHARE).min(RELINE_MAX_SECONDS);
        if let Some(shifts) = reline(problem, block, settings, found, time)? {
            return Ok(Some(shifts));
        }
    }
    let far: Vec<usize> = MEND_FAR_MARGINS
        .iter()
        .copied()
        .chain([block.days.len()])
        .collect();
    mend_windows(problem, block, settings, found, &far, started, time)
}

/// The annealing's roster with its broken stretches re-solved, `margin` days either side for
/// each margin in turn while infeasible, everyone else keeping their line; until `time` seconds
/// after `started`.
fn mend_windows(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    found: &crate::anneal::Annealed,
    margins: &[usize],
    started: Instant,
    time: f64,
) -> Result<Option<Vec<Shift>>, BlockError> {
    let days = block.days.len();
    for &margin in margins {
        let left = time - started.elapsed().as_secs_f64();
        if left <= 0.0 {
            break;
        }
        let free: HashSet<(usize, usize)> = found
            .broken_spans
            .iter()
            .enumerate()
            .flat_map(|(p, spans)| around(spans, margin, days).map(move |d| (p, d)))
            .collect();
        let mended = resolve_cells(
            problem,
            block,
            settings,
            &found.shifts,
            |p, d| free.contains(&(p, d)),
            left,
        );
        if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
            eprintln!(
                "anneal: mending {} people, {margin} days either side: {} after {:.1}s",
                found.broken.iter().filter(|&&b| b).count(),
                mended
                    .as_ref()
                    .map_or_else(|e| format!("{e:?}"), |o| format!("{:.1}", o.1)),
                started.elapsed().as_secs_f64()
            );
        }
        match mended {
            Ok((all, _)) => return Ok(Some(all)),
            Err(BlockError::Infeasible | BlockError::NothingCheaper) => continue,
            Err(BlockError::NoSolution) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// The annealing's roster mended one person at a time, everyone else keeping their line: each
/// person it left broken has their broken stretches re-solved with [`RELINE_MARGINS`] either
/// side in turn while that is infeasible, then their whole line. Each person's hard rules
/// concern their own line only, so the last step always has a solution wherever the person has
/// any valid line at all; the cover is priced by what the others already work. `None` when a
/// person is left without a line within `time` seconds.
fn reline(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    found: &crate::anneal::Annealed,
    time: f64,
) -> Result<Option<Vec<Shift>>, BlockError> {
    let started = Instant::now();
    let mut shifts = found.shifts.clone();
    let mut pending: Vec<usize> = (0..found.broken.len())
        .filter(|&p| found.broken[p])
        .collect();
    // People whose line was not found in their share are tried again, with a larger share,
    // once the others are done.
    for _ in 0..RELINE_PASSES {
        if pending.is_empty() || started.elapsed().as_secs_f64() >= time {
            break;
        }
        pending = reline_pass(
            problem,
            block,
            settings,
            found,
            &pending,
            &mut shifts,
            started,
            time,
        )?;
    }
    Ok(pending.is_empty().then_some(shifts))
}

/// One pass of [`reline`] over the people `broken`, mending `shifts` in place; returns the
/// people left without a line.
#[allow(clippy::too_many_arguments)]
fn reline_pass(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    found: &crate::anneal::Annealed,
    broken: &[usize],
    shifts: &mut Vec<Shift>,
    started: Instant,
    time: f64,
) -> Result<Vec<usize>, BlockError> {
    let mut left_out = Vec::new();
    let days = block.days.len();
    let log = std::env::var_os("DESKROSTER_LNS_LOG").is_some();
    for (i, &p) in broken.iter().enumerate() {
        // The time left is shared among the people still to mend.
        let share = (time - started.elapsed().as_secs_f64()) / (broken.len() - i) as f64;
        let until = Instant::now() + Duration::from_secs_f64(share.max(0.0));
        let spans = &found.broken_spans[p];
        let mut mended = None;
        for margin in RELINE_MARGINS.iter().copied().chain([days]) {
            let left = until
                .saturating_duration_since(Instant::now())
                .as_secs_f64();
            if left <= 0.0 {
                break;
            }
            // A window may take half the person's share; their whole line, what is left.
            let left = if margin >= days {
                left
            } else {
                left.min(0.5 * share)
            };
            let free: HashSet<usize> = if margin >= days {
                (0..days).collect()
            } else {
                around(spans, margin, days).collect()
            };
            let out = resolve_cells(
                problem,
                block,
                settings,
                shifts,
                |q, d| q == p && free.contains(&d),
                left,
            );
            if log {
                eprintln!(
                    "anneal: relining person {p} ({} of {}), {}: {} after {:.1}s",
                    i + 1,
                    broken.len(),
                    if margin >= days {
                        "whole line".to_string()
                    } else {
                        format!("{margin} days either side")
                    },
                    out.as_ref()
                        .map_or_else(|e| format!("{e:?}"), |o| format!("{:.1}", o.1)),
                    started.elapsed().as_secs_f64()
                );
            }
            match out {
                Ok((all, _)) => {
                    mended = Some(all);
                    break;
                }
                Err(
                    BlockError::Infeasible | BlockError::NothingCheaper | BlockError::NoSolution,
                ) => continue,
                Err(e) => return Err(e),
            }
        }
        match mended {
            Some(all) => *shifts = all,
            None => left_out.push(p),
        }
    }
    Ok(left_out)
}

/// `block` re-solved exactly (gap 0, at most `left` seconds) on the cells `(person, day)` that
/// `free` picks, every other shift of `shifts` kept and every other cell frozen: the whole
/// roster (sorted) and the part's objective (which leaves out what frozen people cost on
/// their own).
fn resolve_cells(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    shifts: &[Shift],
    free: impl Fn(usize, usize) -> bool,
    left: f64,
) -> Result<(Vec<Shift>, f64), BlockError> {
    let part = Block {
        pinned: shifts
            .iter()
            .filter(|s| !free(s.person, s.day))
            .copied()
            .collect(),
        frozen: (0..problem.people.len())
            .flat_map(|p| block.days.iter().map(move |&d| (p, d)))
            .filter(|&(p, d)| !free(p, d))
            .collect(),
        ..block.clone()
    };
    let st = BlockSettings {
        time_limit: Some(left),
        gap: 0.0,
        initial: None,
        export: None,
        warm_start: false,
        cutoff: None,
        known_bound: None,
        ..settings.clone()
    };
    let out = formulate(problem, &part)?.solve(&st)?;
    let mut all: Vec<Shift> = part.pinned.into_iter().chain(out.shifts).collect();
    all.sort();
    all.dedup();
    Ok((all, out.objective))
}

/// The days `margin` days either side of each of `spans` (`first..end`), within `0..days`.
fn around(
    spans: &[(usize, usize)],
    margin: usize,
    days: usize,
) -> impl Iterator<Item = usize> + '_ {
    spans
        .iter()
        .flat_map(move |&(first, end)| first.saturating_sub(margin)..(end + margin).min(days))
}

/// The cheaper of the full model's roster and the annealing's, with the full model's bound.
fn better_start(full: BlockOutcome, annealed: Option<BlockOutcome>) -> BlockOutcome {
    match annealed {
        Some(a) if a.objective < full.objective => BlockOutcome {
            shifts: a.shifts,
            objective: a.objective,
            ..full
        },
        _ => full,
    }
}

/// `out` with the settings' known bound taken into account (at most its objective), proven when
/// within the gap of the better bound.
fn with_known_bound(settings: &BlockSettings, out: BlockOutcome) -> BlockOutcome {
    let bound = settings
        .known_bound
        .map_or(out.bound, |k| out.bound.max(k))
        .min(out.objective);
    BlockOutcome {
        bound,
        proven: out.proven || within_gap(settings, out.objective, bound),
        ..out
    }
}

/// The highest cost within `gap` of `bound` (see [`within_gap`]), for HiGHS's objective target;
/// `None` where there is none to aim at (a gap of 100% or more, a bound of zero or below).
fn target_for(gap: f64, bound: f64) -> Option<f64> {
    (gap < 1.0 && bound > 0.0).then(|| bound / (1.0 - gap))
}

/// HiGHS's `presolve_rule_off` bit of its presolve rule that enumerates row solutions
/// (`kPresolveRuleEnumeration`).
const PRESOLVE_ENUMERATION: i32 = 1 << 16;

/// Whether `objective` is within the requested gap of `bound`.
pub(crate) fn within_gap(settings: &BlockSettings, objective: f64, bound: f64) -> bool {
    objective - bound <= settings.gap * objective.abs().max(1e-9) + 1e-9
}

/// The large-neighbourhood search's stop under a block's time limit: `deadline`, with parts of at
/// most `LNS_PART_SHARE` of the limit (at least one second).
fn search_until(deadline: Instant, limit: f64) -> crate::lns::Stop {
    crate::lns::Stop::Deadline {
        at: deadline,
        part: (limit * LNS_PART_SHARE).max(1.0),
    }
}

/// Share of a block's time limit that column generation may price patterns for (see `colgen`).
const COLGEN_SHARE: f64 = 0.35;

/// Share of a block's time limit by which the restricted master's integer program must end.
const COLGEN_IP_SHARE: f64 = 0.5;

/// Least share of a block's time limit the restricted master's integer program gets.
const COLGEN_IP_MIN_SHARE: f64 = 0.15;

/// Under a time limit, after the full model's share: column generation by person, seeded with
/// the full model's roster (`seed`, its cost exact), for a bound and a better roster, then the
/// large-neighbourhood search from the best roster until `deadline`. The bound is the better of
/// the seed's and the generation's. The first dive may run past its window by a share of
/// `spare`, the time the limit has beyond `PHASES_MAX_SECONDS`. `None` when the generation gives
/// up (the caller then searches from the seed).
#[allow(clippy::too_many_arguments)]
fn colgen_then_search(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    formulation: Formulation,
    seed: &BlockOutcome,
    limit: f64,
    spare: f64,
    deadline: Instant,
) -> Result<Option<BlockOutcome>, BlockError> {
    let generated = colgen_rosters(
        problem,
        block,
        settings,
        formulation,
        Some(seed),
        limit,
        COLGEN_IP_SHARE,
        0.0,
        spare * FIRST_DIVE_SPARE_SHARE,
        deadline,
    );
    let start = match generated {
        Ok(Some(start)) => start,
        Ok(None) | Err(BlockError::NoSolution) => return Ok(None),
        Err(e) => return Err(e),
    };
    if start.proven {
        return Ok(Some(start));
    }
    search_from(problem, block, settings, start, limit, deadline).map(Some)
}

/// The large-neighbourhood search from `start` until `deadline`, its result's cost exact.
fn search_from(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    start: BlockOutcome,
    limit: f64,
    deadline: Instant,
) -> Result<BlockOutcome, BlockError> {
    let out = crate::lns::improve(
        problem,
        block,
        settings,
        start,
        search_until(deadline, limit),
    );
    let objective = evaluate(problem, block, settings, &out.shifts)?;
    let bound = out.bound.min(objective);
    Ok(BlockOutcome {
        objective,
        bound,
        proven: within_gap(settings, objective, bound),
        ..out
    })
}

/// Share of a block's time limit by which column generation first must have its roster (the
/// priced dive's): on Curtois 12 (60 people) the dive did not always end by 50%.
const COLGEN_FIRST_ROSTER_SHARE: f64 = 0.75;

/// Share of a block's time limit that column generation first may spend on further dives after
/// the first (see `colgen::generate`), at most `COLGEN_FIRST_MORE_DIVES_SECONDS`.
const COLGEN_FIRST_MORE_DIVES: f64 = 0.25;

/// Most seconds column generation first spends on further dives.
const COLGEN_FIRST_MORE_DIVES_SECONDS: f64 = 15.0;

/// Share of a block's time limit by which the first dive and the pool of cheap patterns may
/// run past column generation first's window (see `colgen::generate`), at most
/// `COLGEN_FIRST_PAST_WINDOW_SECONDS`: the time comes from the search after, which has not
/// improved Curtois 8's roster in any run, where the pool needs 6.6–39 s on a fast machine,
/// by HiGHS's seed.
const COLGEN_FIRST_PAST_WINDOW: f64 = 0.2;

/// Most seconds the first dive and the pool may run past column generation first's window.
const COLGEN_FIRST_PAST_WINDOW_SECONDS: f64 = 10.0;

/// Share of a block's time limit the full model gets after the generation (see `colgen_first`):
/// with 30% of 60 s it proved neither Curtois 5 nor 6, with 50% both (17.5 and 26 s).
const COLGEN_FIRST_FULL_SHARE: f64 = 0.5;

/// Share of the time left that the full model after the generation may take when that is less
/// than its share of the limit: HiGHS checks its time limit between rounds of root cuts, and a
/// round on Curtois 8 took 3.4 s (the full model ran 16.5 s of its 15).
const FULL_SPARE_SHARE: f64 = 0.9;

/// The generation's gap within which the full model after it is skipped when it would be cut
/// short (see `colgen_first`).
const FULL_SKIP_GAP: f64 = 0.01;

/// Under a time limit, on a block where every person is priced by labelling (see `labelling`):
/// column generation first (it converges in seconds there, to a bound close to the optimum, and
/// its priced dive gives a good roster), then the full model, then the large-neighbourhood
/// search from the better roster until `deadline`. `None` when the generation does not apply
/// (the model does not split by person); `BlockError::NoSolution` when it gives up for time.
fn colgen_first(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    limit: f64,
    deadline: Instant,
) -> Result<Option<BlockOutcome>, BlockError> {
    let f = formulate(problem, block)?;
    let Some(start) = colgen_rosters(
        problem,
        block,
        settings,
        f,
        None,
        limit,
        COLGEN_FIRST_ROSTER_SHARE,
        (limit * COLGEN_FIRST_MORE_DIVES).min(COLGEN_FIRST_MORE_DIVES_SECONDS),
        (limit * COLGEN_FIRST_PAST_WINDOW).min(COLGEN_FIRST_PAST_WINDOW_SECONDS),
        deadline,
    )?
    else {
        return Ok(None);
    };
    if start.proven {
        return Ok(Some(start));
    }
    // Formulated before the time left is measured: building the full model takes a second
    // on Curtois 8, which its time limit would otherwise not count.
    let model = formulate(problem, block)?;
    let left = deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    // Not started from the generation's roster: with it as a start HiGHS did not prove Curtois
    // 6 in 30 s (1952), without it in 26 s (1950); on 5, 29 s against 17.5 s.
    // Nor with the generation's cost as a cutoff (see `BlockSettings::cutoff`): Curtois 5 and 6
    // were proven in 34.0 and 44.4 s with it, 32.1 and 40.9 s without.
    let full = BlockSettings {
        time_limit: Some((limit * COLGEN_FIRST_FULL_SHARE).min(left * FULL_SPARE_SHARE)),
        ..settings.clone()
    };
    // Not at all where the generation's roster is within `FULL_SKIP_GAP` of its bound and
    // less than the full model's share is left: its LP bound is far weaker than the
    // generation's there (Curtois 8: 995 at the root against 1 298), and cut short it only
    // ran past the deadline (16.5 s of HiGHS for 13.4 asked, a round of root cuts of 9 s).
    let close = start.objective - start.bound <= FULL_SKIP_GAP * start.objective.abs();
    let solved = if close && left < limit * COLGEN_FIRST_FULL_SHARE {
        Err(BlockError::NoSolution)
    } else {
        model.solve(&full)
    };
    let best = match solved {
        Ok(out) => {
            let objective = evaluate(problem, block, settings, &out.shifts)?;
            let bound = out
                .bound
                .max(start.bound)
                .min(objective.min(start.objective));
            if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
                eprintln!("full model after the generation: {objective}, bound {bound}");
            }
            let best = if objective < start.objective {
                BlockOutcome { objective, ..out }
            } else {
                start
            };
            BlockOutcome {
                bound,
                proven: within_gap(settings, best.objective, bound),
                ..best
            }
        }
        Err(BlockError::NoSolution) => start,
        Err(e) => return Err(e),
    };
    if best.proven {
        return Ok(Some(best));
    }
    // A long limit on a template roster: half the time left goes to the annealing, and the
    // search starts from the cheaper roster (Curtois 15 at 600 s).
    let left = deadline
        .saturating_duration_since(Instant::now())
        .as_secs_f64();
    let best = if left >= ANNEAL_AFTER_GENERATION_MIN_SECONDS
        && std::env::var_os("DESKROSTER_NO_ANNEAL").is_none()
        && crate::anneal::applies(problem, block)
    {
        let annealed = anneal_first(problem, block, settings, left)?;
        let best = better_start(best, annealed);
        BlockOutcome {
            proven: within_gap(settings, best.objective, best.bound),
            ..best
        }
    } else {
        best
    };
    if best.proven {
        return Ok(Some(best));
    }
    search_from(problem, block, settings, best, limit, deadline).map(Some)
}

/// Time left after the column generation first from which the annealing runs too: a 60 s limit
/// leaves less (Curtois 8, where the annealing does worse than the generation's 1 310).
const ANNEAL_AFTER_GENERATION_MIN_SECONDS: f64 = 120.0;

/// Column generation by person (see `colgen`), seeded with `seed` when given (its cost exact):
/// the cheapest of its rosters and the seed's, with the better of the two bounds. Its rosters
/// must be found by `ip_share` of the limit (at least `COLGEN_IP_MIN_SHARE` after the
/// generation); further dives may take `more_dives` seconds, and the first dive and the pool
/// of cheap patterns `past_window` seconds more, within `deadline`. `None` when the generation
/// does not apply; `BlockError::NoSolution` when it gives up for time (see `colgen::generate`).
#[allow(clippy::too_many_arguments)]
fn colgen_rosters(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    formulation: Formulation,
    seed: Option<&BlockOutcome>,
    limit: f64,
    ip_share: f64,
    more_dives: f64,
    past_window: f64,
    deadline: Instant,
) -> Result<Option<BlockOutcome>, BlockError> {
    let (columns, rows) = (formulation.cols.len(), formulation.rows.len());
    let now = Instant::now();
    let until = now + Duration::from_secs_f64(limit * COLGEN_SHARE);
    let matrix = formulation.matrix()?;
    // The restricted master's integer program ends at its share of the limit, or gets at least
    // `COLGEN_IP_MIN_SHARE` of it when the generation used more.
    // The first dive and the pool may run `past_window` seconds longer, within the deadline.
    let ip_end = |done: Instant| {
        let end = (now + Duration::from_secs_f64(limit * ip_share))
            .max(done + Duration::from_secs_f64(limit * COLGEN_IP_MIN_SHARE))
            .min(deadline);
        let latest = (end + Duration::from_secs_f64(past_window.max(0.0))).min(deadline);
        (end, latest)
    };
    let generated = match crate::colgen::generate(
        &matrix,
        Some((problem, block)),
        seed.map(|s| s.shifts.as_slice()),
        until,
        ip_end,
        settings.workers,
        more_dives,
    ) {
        Ok(Some(g)) => g,
        Ok(None) => return Ok(None),
        Err(e) => return Err(e),
    };
    if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
        eprintln!(
            "colgen: {} rounds, converged {}, bound {:.2}",
            generated.rounds, generated.converged, generated.bound
        );
    }
    // The cheapest of the generation's rosters and the seed.
    let mut candidates: Vec<(f64, Vec<Shift>)> = generated
        .rosters
        .into_iter()
        .filter_map(|shifts| Some((evaluate(problem, block, settings, &shifts).ok()?, shifts)))
        .collect();
    if let Some(seed) = seed {
        candidates.push((seed.objective, seed.shifts.clone()));
    }
    if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
        let costs: Vec<f64> = candidates.iter().map(|c| c.0).collect();
        eprintln!("colgen: rosters (master's IP, dive, seed) cost {costs:?}");
    }
    let Some((objective, shifts)) = candidates.into_iter().min_by(|a, b| a.0.total_cmp(&b.0))
    else {
        return Ok(None);
    };
    let bound = seed
        .map_or(generated.bound, |s| generated.bound.max(s.bound))
        .min(objective);
    Ok(Some(BlockOutcome {
        shifts,
        objective,
        bound,
        proven: within_gap(settings, objective, bound),
        columns,
        rows,
    }))
}

/// Rounds of large-neighbourhood search tried before the full model, without improvement.
const HEURISTIC_STALL: u32 = 6;

/// Blocks with fewer shift columns get only a quick dive before the full model (HiGHS proves
/// them quickly); from this size on, the whole heuristic path.
const HEURISTIC_MIN_COLUMNS: usize = 10_000;

/// Blocks with fewer shift columns go straight to the full model. On the sample term's weeks
/// (3 300 columns, LP 90.1 against 93.5) a quick dive never succeeds and cost 0.2–0.8 s a week
/// (the term: 26.4 and 27.6 s against 25.8 and 24.9 s); on 4 weeks of generated terms (4 200–9 700
/// columns a week, `cargo bench --bench roster -- mid`) it took 14 people/2 desks from 4.1 to
/// 2.8 s, 20/2 from 5.3 to 1.05 s, 25/3 from 13.9 to 8.1 s.
const QUICK_DIVE_MIN_COLUMNS: usize = 4_000;

/// What the heuristic path of a large block ends with.
enum Heuristic {
    /// A roster proven within the gap.
    Proven(BlockOutcome),
    /// The best roster found, not proven, with its exact cost and the relaxation's bound: kept
    /// while the full model runs.
    Unproven(BlockOutcome),
    /// No roster.
    Nothing,
}

/// The cheap path to a proof for large blocks: the LP relaxation's bound and a dive from it
/// (`dive`), then, if the dive's roster is not within the gap, the greedy roster, and without a
/// time limit a deterministic large-neighbourhood search from the better of the two. When the
/// roster comes within the gap of the bound, the block is solved without its full integer
/// program (on the generated large term, the integer program spends most of its time looking for
/// a roster of cost equal to the LP bound). Otherwise the best roster found is returned to be kept
/// while the full model runs. With `quick`, only one quick dive (see `dive`). `formulation` is the
/// block's full model (its LP gives the bound).
fn heuristic_first(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    formulation: Formulation,
    quick: bool,
) -> Result<Heuristic, BlockError> {
    let close = |objective: f64, bound: f64| within_gap(settings, objective, bound);
    let (columns, rows) = (formulation.cols.len(), formulation.rows.len());
    // The relaxation's optimum is the bound; a dive from it is the first roster tried, the
    // greedy roster the second (see `dive`).
    let end = settings
        .time_limit
        .map(|t| Instant::now() + Duration::from_secs_f64(t.max(0.0)));
    let matrix = formulation.matrix()?;
    let dived = match crate::dive::dive(&matrix, settings.gap, end, quick) {
        Ok(d) => d,
        Err(BlockError::NoSolution) => return Ok(Heuristic::Nothing),
        Err(e) => return Err(e),
    };
    let bound = dived.bound;
    // A roster that breaks a rule of this block (the greedy does not know every rule) is no
    // start.
    let exact = |shifts: Vec<Shift>| {
        evaluate(problem, block, settings, &shifts)
            .ok()
            .map(|o| (o, shifts))
    };
    let mut best = dived.shifts.and_then(exact);
    if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
        eprintln!(
            "dive (block day {}): bound {:.2}, roster {:?}, {} LP solves, {:.2}s",
            block.days.first().copied().unwrap_or(0),
            bound,
            best.as_ref().map(|b| b.0),
            dived.solves,
            dived.seconds
        );
    }
    if quick && !best.as_ref().is_some_and(|(o, _)| close(*o, bound)) {
        return Ok(match best {
            Some((objective, shifts)) => Heuristic::Unproven(BlockOutcome {
                shifts,
                objective,
                bound: bound.min(objective),
                proven: false,
                columns,
                rows,
            }),
            None => Heuristic::Nothing,
        });
    }
    if !best.as_ref().is_some_and(|(o, _)| close(*o, bound)) {
        // The greedy roster, when the dive's is not good enough.
        if let Some(g) = crate::greedy::greedy(problem, block).and_then(exact) {
            if best.as_ref().is_none_or(|(o, _)| g.0 < *o) {
                best = Some(g);
            }
        }
    }
    let Some((objective, start)) = best else {
        return Ok(Heuristic::Nothing);
    };
    let incumbent = BlockOutcome {
        shifts: start,
        objective,
        bound: bound.min(objective),
        proven: false,
        columns,
        rows,
    };
    let out = if close(objective, bound) {
        incumbent
    } else if end.is_some() {
        // Under a time limit the full model gets the time left (no search here).
        return Ok(Heuristic::Unproven(incumbent));
    } else {
        let stop = crate::lns::Stop::Stall {
            rounds: HEURISTIC_STALL,
            gap: settings.gap,
        };
        crate::lns::improve(problem, block, settings, incumbent, stop)
    };
    let Ok(objective) = evaluate(problem, block, settings, &out.shifts) else {
        return Ok(Heuristic::Nothing);
    };
    if !close(objective, bound) {
        return Ok(Heuristic::Unproven(BlockOutcome {
            objective,
            bound: bound.min(objective),
            proven: false,
            ..out
        }));
    }
    Ok(Heuristic::Proven(BlockOutcome {
        objective,
        bound: bound.min(objective),
        proven: true,
        ..out
    }))
}

/// The exact cost of a roster of the block: the model with only those shifts as columns.
pub(crate) fn evaluate(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    shifts: &[Shift],
) -> Result<f64, BlockError> {
    let exact = Block {
        pinned: shifts.to_vec(),
        only_pinned: true,
        ..block.clone()
    };
    let fixed = BlockSettings {
        time_limit: None,
        gap: 0.0,
        initial: None,
        export: None,
        warm_start: false,
        lns: false,
        ..settings.clone()
    };
    Ok(formulate(problem, &exact)?.solve(&fixed)?.objective)
}

/// Writes the model of a block in MPS or LP format (by the file's extension) without solving it.
pub(crate) fn export(problem: &Problem, block: &Block, path: &Path) -> Result<(), BlockError> {
    let _ = std::fs::remove_file(path);
    let f = formulate(problem, block)?;
    // What each column means, next to the model: `model.mps` → `model.columns.csv`.
    let map = path.with_extension("columns.csv");
    std::fs::write(&map, f.columns_csv(problem))
        .map_err(|e| BlockError::Solver(format!("cannot write {}: {e}", map.display())))?;
    let settings = BlockSettings {
        time_limit: Some(0.0),
        gap: 0.0,
        threads: 1,
        initial: None,
        export: Some(path.to_path_buf()),
        ..BlockSettings::default()
    };
    // HiGHS writes the file before it starts; with no time to search, any status is fine once
    // the file is there.
    let result = f.solve(&settings);
    if path.exists() {
        return Ok(());
    }
    result.map(|_| ())
}

#[cfg(test)]
mod heuristic_tests {
    use super::*;
    use crate::synth::{generate, SynthSpec};

    /// Two people over two weeks, one day shift wanted each day (100 a day uncovered, 1 a
    /// shift over). The annealing's roster has B on the second week and A on day 3 alone, a
    /// run shorter than A's minimum of 2. Also A's and B's best lines: the first week and
    /// the second.
    fn a_broken_day() -> (Problem, crate::anneal::Annealed, Vec<Shift>, Vec<Shift>) {
        let days = 14;
        let mut text = format!(
            "SECTION_HORIZON\n{days}\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n\
             A,D={days},6720,0,7,2,1,7\nB,D={days},6720,0,7,2,1,7\n\n\
             SECTION_DAYS_OFF\nA\nB\n\nSECTION_COVER\n",
        );
        for d in 0..days {
            text += &format!("{d},D,1,100,1\n");
        }
        let p = crate::curtois::parse(&text, "t").expect("parses");
        let t = &p.templates[0];
        let shift = |person, day| Shift {
            day,
            desk: t.desk,
            time: t.time,
            person,
        };
        let first_week: Vec<Shift> = (0..7).map(|d| shift(0, d)).collect();
        let second_week: Vec<Shift> = (7..days).map(|d| shift(1, d)).collect();
        let found = crate::anneal::Annealed {
            shifts: [shift(0, 3)]
                .into_iter()
                .chain(second_week.clone())
                .collect(),
            broken: vec![true, false],
            broken_spans: vec![vec![(3, 4)], vec![]],
            cost: 600.0,
        };
        (p, found, first_week, second_week)
    }

    /// The shifts of `person` in `shifts`.
    fn of(shifts: &[Shift], person: usize) -> Vec<Shift> {
        shifts
            .iter()
            .filter(|s| s.person == person)
            .copied()
            .collect()
    }

    #[test]
    fn relining_replaces_a_broken_line_and_keeps_everyone_else() {
        let (p, found, first_week, second_week) = a_broken_day();
        let block = Block {
            days: (0..p.days.len()).collect(),
            ..Block::default()
        };
        let relined = reline(&p, &block, &BlockSettings::default(), &found, 30.0)
            .expect("solves")
            .expect("finds a line");
        let report = crate::check::check(&p, &crate::model::Roster::new(relined.clone()));
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        assert_eq!(of(&relined, 1), second_week);
        assert_eq!(of(&relined, 0), first_week);
    }

    #[test]
    fn mending_keeps_every_rule_and_the_people_nothing_broke_for() {
        // Through the whole mending: a week either side of A's broken day, for A alone.
        let (p, found, first_week, second_week) = a_broken_day();
        let block = Block {
            days: (0..p.days.len()).collect(),
            ..Block::default()
        };
        let mended = mend(&p, &block, &BlockSettings::default(), &found, 60.0)
            .expect("solves")
            .expect("mends");
        let report = crate::check::check(&p, &crate::model::Roster::new(mended.clone()));
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        assert_eq!(report.penalties.total(), 0.0);
        assert_eq!(of(&mended, 1), second_week);
        assert_eq!(of(&mended, 0), first_week);
    }

    #[test]
    fn a_search_part_keeps_a_minimum_run_around_a_kept_day() {
        // One person over seven weeks (long enough for run rows rather than a run network),
        // runs of at least 2 days (those touching the horizon's ends exempt); only day 24 asks
        // for someone. A search part keeps day 24 as the incumbent has it (worked) and frees
        // the other days: the cheapest roster works a neighbouring day too (one shift over
        // cover: 1), not day 24 alone (0). The pinned day must not be read as a run the roster
        // already breaks, as in a repair.
        let days = 49;
        let mut text = format!(
            "SECTION_HORIZON\n{days}\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n\
             A,D={days},23520,0,7,2,1,7\n\nSECTION_DAYS_OFF\nA\n\nSECTION_COVER\n",
        );
        for d in 0..days {
            text += &format!("{d},D,{},100,1\n", u8::from(d == 24));
        }
        let p = crate::curtois::parse(&text, "t").expect("parses");
        let t = &p.templates[0];
        let kept = Shift {
            day: 24,
            desk: t.desk,
            time: t.time,
            person: 0,
        };
        let part = Block {
            days: (0..days).collect(),
            pinned: vec![kept],
            frozen: [(0, 24)].into_iter().collect(),
            ..Block::default()
        };
        let out = formulate(&p, &part)
            .and_then(|f| f.solve(&BlockSettings::default()))
            .expect("solves");
        let report = crate::check::check(&p, &crate::model::Roster::new(out.shifts));
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        assert_eq!(out.objective, 1.0);
    }

    #[test]
    fn an_exported_model_carries_the_objective_constant() {
        // One person, one day, a request to work the only shift (weight 3): the cost is 3 unless
        // the shift is worked, a constant 3 minus 3 per shift in the model.
        let text = |requests: &str| {
            format!(
                "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\n\
                 A,D=7,3360,0,7,1,1,2\nB,D=7,3360,0,7,1,1,2\n\nSECTION_DAYS_OFF\nA\nB\n\n\
                 SECTION_SHIFT_ON_REQUESTS\n{requests}\nSECTION_COVER\n0,D,1,100,1\n"
            )
        };
        let fixed_columns = |requests: &str| {
            let p = crate::curtois::parse(&text(requests), "t").expect("parses");
            let dir = tempfile::tempdir().expect("a temp dir");
            let path = dir.path().join("m.mps");
            let block = Block {
                days: (0..7).collect(),
                ..Block::default()
            };
            export(&p, &block, &path).expect("exports");
            let mps = std::fs::read_to_string(&path).expect("written");
            mps.lines()
                .filter(|l| l.trim_start().starts_with("FX"))
                .count()
        };
        assert_eq!(fixed_columns(""), 0);
        assert_eq!(fixed_columns("A,0,D,3\n"), 1);
    }

    #[test]
    fn a_known_bound_ends_the_solve_within_the_gap_and_never_claims_more() {
        let p = generate(&SynthSpec {
            people: 6,
            desks: 1,
            weeks: 1,
            seed: 2,
            term_budgets: false,
        });
        let block = Block {
            days: (0..7).collect(),
            ..Block::default()
        };
        let exact = solve_block(&p, &block, &BlockSettings::default()).expect("solves");
        assert!(exact.proven && exact.objective > 1.0);
        let with = |known: f64, gap: f64| {
            let settings = BlockSettings {
                gap,
                known_bound: Some(known),
                ..BlockSettings::default()
            };
            solve_block(&p, &block, &settings).expect("solves")
        };
        // The optimum itself as the known bound: proven at the optimum.
        let at = with(exact.objective, 0.0);
        assert!(at.proven && (at.objective - exact.objective).abs() < 1e-6);
        // A weaker bound changes nothing: HiGHS proves the optimum itself.
        let below = with(exact.objective - 1.0, 0.0);
        assert!(below.proven && (below.objective - exact.objective).abs() < 1e-6);
        // With a gap, any roster it stops at is within that gap of the known bound, at its exact
        // cost, and never below the optimum.
        let loose = with(exact.objective, 0.1);
        assert!(loose.proven);
        assert!(loose.objective >= exact.objective - 1e-6);
        assert!(loose.objective <= exact.objective / 0.9 + 1e-6);
        let report = crate::check::check(&p, &crate::model::Roster::new(loose.shifts.clone()));
        assert!((report.penalties.total() - loose.objective).abs() < 1e-6);
        assert!(loose.bound <= loose.objective + 1e-9 && loose.bound >= exact.objective - 1e-6);
        // Nothing to aim at with a gap of 100% or a bound of zero.
        assert_eq!(target_for(1.0, 10.0), None);
        assert_eq!(target_for(0.5, 0.0), None);
        assert_eq!(target_for(0.5, 10.0), Some(20.0));
    }

    #[test]
    fn the_heuristic_path_claims_a_proof_only_within_the_gap_and_reports_exact_costs() {
        let mut proven = 0;
        // The first seed where the path succeeds is checked against the full model.
        for seed in 1..=4 {
            let p = generate(&SynthSpec {
                people: 10,
                desks: 2,
                weeks: 1,
                seed,
                term_budgets: false,
            });
            let block = Block {
                days: (0..7).collect(),
                ..Block::default()
            };
            let settings = BlockSettings::default();
            let model = formulate(&p, &block).expect("a model");
            let Heuristic::Proven(out) =
                heuristic_first(&p, &block, &settings, model, false).expect("no solver error")
            else {
                continue;
            };
            proven += 1;
            let report = crate::check::check(&p, &crate::model::Roster::new(out.shifts.clone()));
            assert!(report.violations.is_empty(), "seed {seed}");
            assert!(
                (report.penalties.total() - out.objective).abs() < 1e-6,
                "seed {seed}"
            );
            // Gap 0: the roster must be optimal, as the full model confirms.
            let full = formulate(&p, &block)
                .and_then(|f| f.solve(&settings))
                .expect("solves");
            assert!((full.objective - out.objective).abs() < 1e-6, "seed {seed}");
            assert!(out.proven && out.bound <= out.objective + 1e-9);
            break;
        }
        assert!(proven > 0, "the heuristic path never succeeded");
    }

    #[test]
    fn out_of_time_the_heuristic_path_still_hands_over_a_legal_roster() {
        let p = generate(&SynthSpec {
            people: 10,
            desks: 2,
            weeks: 1,
            seed: 1,
            term_budgets: false,
        });
        let block = Block {
            days: (0..7).collect(),
            ..Block::default()
        };
        // No time for the dive: the greedy roster, exactly evaluated, is the start.
        let settings = BlockSettings {
            time_limit: Some(0.0),
            ..BlockSettings::default()
        };
        let model = formulate(&p, &block).expect("a model");
        let out =
            match heuristic_first(&p, &block, &settings, model, false).expect("no solver error") {
                Heuristic::Unproven(out) | Heuristic::Proven(out) => out,
                Heuristic::Nothing => panic!("no roster"),
            };
        let report = crate::check::check(&p, &crate::model::Roster::new(out.shifts.clone()));
        assert!(report.violations.is_empty());
        assert!((report.penalties.total() - out.objective).abs() < 1e-6);
        assert!(out.bound <= out.objective + 1e-9);
    }
}

#[cfg(test)]
mod window_tests {
    use super::{window_limits, window_max};

    #[test]
    fn window_limits_follow_the_run_rules() {
        // At most 5 in a row and 2 days off between blocks: 5 of any 7 days.
        assert_eq!(window_max(5, 2, 2, 7), 5);
        assert_eq!(window_max(5, 2, 2, 6), 5);
        assert_eq!(window_max(5, 2, 2, 8), 6);
        assert_eq!(window_limits(5, 2, 2, 28), vec![(7, 5)]);
        // Without a days-off minimum the plain k + 1 window remains.
        assert_eq!(window_limits(5, 1, 1, 28), vec![(6, 5)]);
        assert_eq!(window_limits(3, 1, 3, 28), vec![(6, 3)]);
    }
}

#[cfg(test)]
mod succession_tests {
    use super::*;
    use crate::check::check;
    use crate::model::Roster;

    /// One person over five days, four templates whose bans nest (a late shift bans the next
    /// day's early one; a night or a mid shift bans early and late), `cover` the shifts wanted
    /// (day, template, weight).
    fn week(cover: &[(usize, &str, u32)]) -> Problem {
        let mut t = String::from("SECTION_HORIZON\n5\n\nSECTION_SHIFTS\n");
        t += "E,480,\nL,480,E\nN,480,E|L\nM,480,E|L\n\nSECTION_STAFF\n";
        t += "P0,E=5|L=5|N=5|M=5,2400,0,5,1,1,1\n\nSECTION_DAYS_OFF\nP0,\n";
        t += "\nSECTION_SHIFT_ON_REQUESTS\n\nSECTION_SHIFT_OFF_REQUESTS\n\nSECTION_COVER\n";
        for d in 0..5 {
            for name in ["E", "L", "N", "M"] {
                let w = cover
                    .iter()
                    .find(|c| c.0 == d && c.1 == name)
                    .map_or(0, |c| c.2);
                t += &format!("{d},{name},{},{},1\n", u32::from(w > 0), w.max(1));
            }
        }
        crate::curtois::parse(&t, "nested").expect("a well-formed week")
    }

    /// The cheapest roster that breaks no rule, by the checker over all 5^5 weeks.
    fn brute_force(p: &Problem) -> f64 {
        let mut best = f64::INFINITY;
        for code in 0..5usize.pow(5) {
            let shifts: Vec<Shift> = (0..5)
                .filter_map(|d| {
                    let c = (code / 5usize.pow(d as u32)) % 5;
                    (c > 0).then(|| Shift {
                        day: d,
                        desk: p.templates[c - 1].desk,
                        time: p.templates[c - 1].time,
                        person: 0,
                    })
                })
                .collect();
            let report = check(p, &Roster::new(shifts));
            if report.violations.is_empty() {
                best = best.min(report.penalties.total());
            }
        }
        best
    }

    #[test]
    fn succession_cliques_keep_the_optimum_with_fewer_rows() {
        let cases: [&[(usize, &str, u32)]; 3] = [
            &[
                (0, "N", 100),
                (1, "E", 100),
                (1, "L", 60),
                (2, "M", 30),
                (3, "E", 80),
            ],
            // Late after late is legal and in no clique: both must be worked.
            &[
                (1, "L", 100),
                (2, "L", 100),
                (0, "M", 30),
                (3, "E", 40),
                (4, "N", 20),
            ],
            &[
                (0, "M", 90),
                (1, "N", 100),
                (2, "E", 70),
                (3, "L", 60),
                (4, "E", 50),
            ],
        ];
        for cover in cases {
            let p = week(cover);
            let block = Block {
                days: (0..5).collect(),
                ..Block::default()
            };
            let best = brute_force(&p);
            let mut rows = Vec::new();
            for cliques in [false, true] {
                let mut builder = Builder::new(&p, &block);
                builder.succession_cliques = cliques;
                let f = builder.build().expect("builds");
                rows.push(f.rows.len());
                let out = f.solve(&BlockSettings::default()).expect("solves");
                let report = check(&p, &Roster::new(out.shifts.clone()));
                assert!(report.violations.is_empty(), "{:?}", report.violations);
                let total = report.penalties.total();
                assert!((total - out.objective).abs() < 1e-6);
                assert!(
                    (total - best).abs() < 1e-6,
                    "cliques {cliques}: solver {total} vs brute force {best}"
                );
            }
            // Night and mid shifts ban the same set: one row for both each day.
            assert!(rows[1] < rows[0], "rows {rows:?}");
        }
    }
}
