//! Solving a whole term: split it into independent blocks of weeks, solve each to proven
//! optimality, share term budgets when they bind, and re-check the result.
//!
//! # Example: one desk, two people, one day
//! ```
//! use deskroster::builder::ProblemBuilder;
//! use deskroster::solve::{solve, SolveOptions};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let problem = deskroster::builder::example_problem()?;
//! let solution = solve(&problem, &SolveOptions::default())?;
//! assert!(solution.summary.proven_optimal);
//! let report = deskroster::check::check(&problem, &solution.roster);
//! assert!(report.violations.is_empty());
//! assert!((report.penalties.total() - solution.summary.objective).abs() < 1e-6);
//! # Ok(()) }
//! ```

use std::path::PathBuf;
use std::time::Instant;

use crate::columns::person_day_columns;
use crate::formulate::{export, solve_block, Block, BlockError, BlockOutcome, BlockSettings};
use crate::model::{Problem, Roster, Shift, SolveSummary};

/// Settings of a solve.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Stop after this many seconds in total (the roster found so far is returned, with its gap).
    pub time_limit: Option<f64>,
    /// Accept a roster once it is proven within this relative gap of optimal (default 1e-4).
    pub gap: f64,
    /// Independent weeks solved at the same time, one solver thread each (default: the number
    /// of cores). The result does not depend on it.
    pub threads: u32,
    /// Solve the whole horizon as one model, even when weeks are independent.
    pub no_decompose: bool,
    /// Write the whole-horizon integer program to this file (`.mps` or `.lp`) before solving.
    pub export_model: Option<PathBuf>,
    /// Experimental: start each week from a greedy roster that HiGHS completes. It halved the
    /// generated large case, but HiGHS's completion of partial starts gave non-optimal results
    /// in repairs, so it is off by default (DESIGN.md).
    pub warm_start: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit: None,
            gap: 1e-4,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
            no_decompose: false,
            export_model: None,
            warm_start: false,
        }
    }
}

/// Progress of a solve, for a progress bar.
#[derive(Clone, Debug)]
pub struct Progress {
    /// Blocks finished so far.
    pub done: usize,
    /// Blocks in all.
    pub total: usize,
    /// Sum of the objectives of the distinct blocks solved so far (identical weeks count once
    /// until the end).
    pub objective: f64,
    /// Sum of their bounds.
    pub bound: f64,
    /// Seconds since the solve started.
    pub elapsed: f64,
    /// What is happening now, e.g. `"week 3 of 15"`.
    pub stage: String,
}

/// Statistics of one solved block.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BlockStats {
    /// First day index of the block.
    pub first_day: usize,
    /// Number of days.
    pub days: usize,
    /// Shift columns in the model.
    pub columns: usize,
    /// Rows in the model.
    pub rows: usize,
    /// Objective of the block.
    pub objective: f64,
    /// Proven bound of the block.
    pub bound: f64,
    /// Seconds.
    pub seconds: f64,
    /// True when solved by copying an identical week.
    pub reused: bool,
    /// True when proven from a week that relaxes it, without a solve (see `DESIGN.md`).
    pub derived: bool,
}

/// A solved roster.
#[derive(Clone, Debug)]
pub struct Solution {
    /// The roster.
    pub roster: Roster,
    /// Objective, bound, gap, time.
    pub summary: SolveSummary,
    /// Per block statistics.
    pub blocks: Vec<BlockStats>,
}

/// Why no roster could be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SolveError {
    /// The problem breaks a structural invariant.
    #[error("invalid problem: {0}")]
    Invalid(String),
    /// Hard rules contradict each other (fixed assignments, pinned shifts, term minimums).
    #[error("no roster satisfies the hard rules of {0}: check fixed assignments, pinned shifts and minimum term hours")]
    Infeasible(String),
    /// Time ran out before any roster was found.
    #[error("no roster found within the time limit ({0})")]
    NoSolution(String),
    /// The solver failed.
    #[error("solver error: {0}")]
    Solver(String),
    /// The model could not be written.
    #[error("could not export the model: {0}")]
    Export(String),
}

fn block_error(e: BlockError, what: &str) -> SolveError {
    match e {
        BlockError::Infeasible => SolveError::Infeasible(what.to_string()),
        BlockError::NoSolution | BlockError::NothingCheaper => {
            SolveError::NoSolution(what.to_string())
        }
        BlockError::Solver(s) => SolveError::Solver(s),
    }
}

/// Describes a block of days for messages: "week of 2027-01-04" or "2027-01-04 to 2027-04-18".
pub(crate) fn describe_days(problem: &Problem, days: &[usize]) -> String {
    let first = days.first().and_then(|&d| problem.days.get(d));
    let last = days.last().and_then(|&d| problem.days.get(d));
    match (first, last) {
        (Some(a), Some(b)) if days.len() <= 7 => format!("the week of {a} ({a} to {b})"),
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "an empty horizon".to_string(),
    }
}

/// Maximum minutes a person could possibly work over the horizon, given availability, opening,
/// daily and weekly caps: when this is within `max_term`, the term cap cannot bind.
fn term_reach(problem: &Problem, person: usize) -> u64 {
    let p = &problem.people[person];
    let mut per_week: std::collections::BTreeMap<usize, u64> = Default::default();
    for d in 0..problem.days.len() {
        let cols = person_day_columns(problem, person, d);
        if cols.is_empty() {
            continue;
        }
        // Upper bound on a day's minutes: union of column coverage, capped.
        let mut minutes: Vec<(u32, u32)> = cols
            .iter()
            .map(|c| (c.shift.time.start, c.shift.time.end))
            .collect();
        minutes.sort_unstable();
        let mut total = 0u64;
        let mut cur: Option<(u32, u32)> = None;
        for (s, e) in minutes {
            cur = match cur {
                Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
                Some((cs, ce)) => {
                    total += u64::from(ce - cs);
                    Some((s, e))
                }
                None => Some((s, e)),
            };
        }
        if let Some((cs, ce)) = cur {
            total += u64::from(ce - cs);
        }
        let spd = u64::from(problem.rules.max_shifts_per_day) * u64::from(problem.rules.max_length);
        let day = total
            .min(spd)
            .min(p.contract.max_day.map_or(u64::MAX, u64::from));
        *per_week.entry(problem.week_of(d)).or_default() += day;
    }
    per_week
        .values()
        .map(|&m| m.min(p.contract.max_week.map_or(u64::MAX, u64::from)))
        .sum()
}

/// A key equal for two blocks whose models are the same up to a shift of day indices: same
/// weekdays, opening, coverage, requirements, availability, preferences, fixed assignments, skills
/// valid on each day, and whether the week is whole (contract minimums apply to whole weeks).
fn block_key(problem: &Problem, days: &[usize]) -> Option<String> {
    use std::fmt::Write;
    let first = *days.first()?;
    let mut key = String::new();
    let whole = days.len() == 7;
    let _ = write!(key, "n{}w{}|", days.len(), whole);
    for (off, &d) in days.iter().enumerate() {
        if d != first + off {
            return None;
        }
        key.push_str(&day_key(problem, off, d, true)?);
    }
    Some(key)
}

/// The part of [`block_key`] for day `d`, the block's day `off`; without each person's
/// availability and skills when `people_ranges` is false (see [`relaxes`]).
fn day_key(problem: &Problem, off: usize, d: usize, people_ranges: bool) -> Option<String> {
    use std::fmt::Write;
    let mut key = String::new();
    let date = problem.days.get(d)?;
    let _ = write!(key, "D{}:{:?}|", off, chrono::Datelike::weekday(date));
    for desk in &problem.desks {
        let _ = write!(key, "{:?}|", serde_json::to_string(&desk.days.get(d)).ok()?);
    }
    for r in problem.requirements.iter().filter(|r| r.day == d) {
        let _ = write!(
            key,
            "R{}:{}:{:?}:{}:{:?}:{}|",
            r.label, r.desk, r.time, r.need, r.who, r.weight
        );
    }
    for p in &problem.people {
        if people_ranges {
            let _ = write!(key, "A{:?}|", p.availability.get(d)?);
        }
        for pr in p.preferences.iter().filter(|pr| pr.day == d) {
            let _ = write!(key, "P{:?}{:?}{}|", pr.time, pr.kind, pr.weight);
        }
        for f in p.fixed.iter().filter(|f| f.day == d) {
            let _ = write!(key, "F{}{:?}|", f.desk, f.time);
        }
        for r in p.requests.iter().filter(|r| r.day == d) {
            let _ = write!(key, "Q{}{}{}|", r.template, r.on, r.weight);
        }
        if people_ranges {
            let _ = write!(key, "S{:?}|", skills_on(problem, p, date));
        }
    }
    for tc in problem.template_cover.iter().filter(|tc| tc.day == d) {
        let _ = write!(
            key,
            "T{}:{}:{}:{}|",
            tc.template, tc.requirement, tc.weight_under, tc.weight_over
        );
    }
    Some(key)
}

/// The skills `person` holds on `date`.
fn skills_on(
    problem: &Problem,
    person: &crate::model::Person,
    date: &chrono::NaiveDate,
) -> Vec<usize> {
    (0..problem.skills.len())
        .filter(|&k| person.has_skill(k, *date))
        .collect()
}

/// A block's days with its shape: what must be equal day by day for one block to relax another
/// (the day keys without people's hours and skills; `None` for an empty or broken run of days).
struct Shaped<'a> {
    days: &'a [usize],
    shape: Option<Vec<String>>,
}

impl<'a> Shaped<'a> {
    fn new(problem: &Problem, days: &'a [usize]) -> Shaped<'a> {
        let contiguous = days.windows(2).all(|w| w[1] == w[0] + 1);
        let shape = (!days.is_empty() && contiguous)
            .then(|| {
                days.iter()
                    .enumerate()
                    .map(|(off, &d)| day_key(problem, off, d, false))
                    .collect()
            })
            .flatten();
        Shaped { days, shape }
    }
}

/// Whether block `a` relaxes block `b`: the same shape day by day (weekdays, opening, coverage,
/// requirements, preferences, fixed assignments, requests), and on each day everyone at least as
/// available in `a` (each of their hours in `b` inside one of their hours in `a`) and holding at
/// least the skills they hold in `b`, with the same people available at all in each. Every roster
/// of `b` is then a roster of `a` (shifted by the blocks' distance) costing no more there: more
/// hours only add shifts to choose from, and skills only count towards staff-mix rules, which
/// only ever ask for at least so many. So `a`'s bound is a bound for `b`.
fn relaxes(problem: &Problem, a: &Shaped, b: &Shaped) -> bool {
    a.shape.is_some() && a.shape == b.shape && more_available(problem, a.days, b.days)
}

/// The rest of [`relaxes`], for blocks of the same shape: everyone at least as available and as
/// skilled in `a` as in `b`, and available at all in the same weeks.
fn more_available(problem: &Problem, a: &[usize], b: &[usize]) -> bool {
    let inside = |outer: &[crate::model::TimeRange], inner: &[crate::model::TimeRange]| {
        inner
            .iter()
            .all(|t| outer.iter().any(|o| o.start <= t.start && t.end <= o.end))
    };
    a.len() == b.len()
        && problem.people.iter().all(|p| {
            // Available at all in each week (contract minimums apply only then).
            let worked = |days: &[usize], wk: usize| {
                days.iter()
                    .zip(a)
                    .filter(|&(_, &da)| problem.week_of(da) == wk)
                    .any(|(&d, _)| p.availability.get(d).is_some_and(|r| !r.is_empty()))
            };
            a.iter()
                .all(|&da| worked(a, problem.week_of(da)) == worked(b, problem.week_of(da)))
                && a.iter().zip(b).all(|(&da, &db)| {
                    let (Some(ra), Some(rb)) = (p.availability.get(da), p.availability.get(db))
                    else {
                        return false;
                    };
                    let (Some(xa), Some(xb)) = (problem.days.get(da), problem.days.get(db)) else {
                        return false;
                    };
                    let (sa, sb) = (skills_on(problem, p, xa), skills_on(problem, p, xb));
                    inside(ra, rb) && sb.iter().all(|k| sa.contains(k))
                })
        })
}

/// Number of weekends on which a person could work at all.
fn weekend_reach(problem: &Problem, person: usize) -> usize {
    let mut weeks = std::collections::BTreeSet::new();
    for d in (0..problem.days.len()).filter(|&d| problem.is_weekend(d)) {
        if !person_day_columns(problem, person, d).is_empty() {
            weeks.insert(problem.week_of(d));
        }
    }
    weeks.len()
}

/// Weekend minutes of `person` in each block.
fn weekend_use(
    problem: &Problem,
    day_blocks: &[Vec<usize>],
    shifts: &[Shift],
    person: usize,
) -> Vec<u32> {
    day_blocks
        .iter()
        .map(|days| {
            shifts
                .iter()
                .filter(|s| {
                    s.person == person && days.contains(&s.day) && problem.is_weekend(s.day)
                })
                .map(|s| s.time.minutes())
                .sum()
        })
        .collect()
}

/// Groups the horizon's weeks into blocks that no rule links.
///
/// Returns the blocks (day lists) and the people whose term caps link weeks and were relaxed.
fn blocks(problem: &Problem, no_decompose: bool) -> (Vec<Vec<usize>>, Vec<usize>) {
    let n = problem.days.len();
    if n == 0 {
        return (Vec::new(), Vec::new());
    }
    let weeks = problem.num_weeks();
    let all = || vec![(0..n).collect::<Vec<_>>()];
    if no_decompose || weeks <= 1 {
        return (all(), Vec::new());
    }
    // Rules that link every day of the horizon.
    let day_chains = problem.people.iter().any(|p| {
        let c = &p.contract;
        c.max_consecutive_days.is_some()
            || c.min_consecutive_days.is_some()
            || c.min_consecutive_days_off.is_some()
            || c.min_term.is_some()
            || !p.template_limits.is_empty()
    }) || !problem.forbidden_successions.is_empty();
    if day_chains {
        return (all(), Vec::new());
    }
    // Links between consecutive weeks: a rest conflict across Sunday night.
    let mut linked = vec![false; weeks];
    for (pi, _) in problem.people.iter().enumerate() {
        for d in 0..n.saturating_sub(1) {
            if problem.week_of(d) == problem.week_of(d + 1) {
                continue;
            }
            let late = person_day_columns(problem, pi, d);
            let early = person_day_columns(problem, pi, d + 1);
            let latest_end = late.iter().map(|c| c.shift.time.end).max();
            let earliest_start = early.iter().map(|c| c.shift.time.start).min();
            if let (Some(e), Some(s)) = (latest_end, earliest_start) {
                if 1440 - e + s < problem.rules.min_rest {
                    linked[problem.week_of(d)] = true;
                }
            }
        }
    }
    let binding: Vec<usize> = (0..problem.people.len())
        .filter(|&p| {
            let c = &problem.people[p].contract;
            c.max_term
                .is_some_and(|cap| term_reach(problem, p) > u64::from(cap))
                || c.max_weekends
                    .is_some_and(|cap| weekend_reach(problem, p) > cap as usize)
        })
        .collect();
    // Caps over the term that bind are shared out over the weeks after a relaxation, which
    // proves nothing (see `solve_with_progress`); a horizon of two weeks at most (a few days
    // across a weekend) is small enough to solve whole, exactly.
    if !binding.is_empty() && weeks <= 2 {
        return (all(), Vec::new());
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    for d in 0..n {
        cur.push(d);
        let end_of_week = d + 1 == n || problem.week_of(d + 1) != problem.week_of(d);
        if end_of_week && !linked[problem.week_of(d)] {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    (out, binding)
}

/// The time a block may use when `jobs_left` blocks (this one included) have yet to start on
/// `workers` threads and `left` seconds remain: an equal share of the rounds still to come, so
/// that slow early weeks cannot leave nothing for the last ones. A block that finishes early
/// leaves its time to those after it.
fn time_share(left: f64, jobs_left: usize, workers: usize) -> f64 {
    let rounds = jobs_left.max(1).div_ceil(workers.max(1));
    left / rounds as f64
}

/// The order in which `jobs` are started: the most open desk-minutes first (ties in block
/// order), so that the slowest weeks do not start last and leave one thread idle at the end.
/// On the sample the exam weeks (7.6 and 9.0 s side by side, 0.6–5.1 s for the others) now
/// start first and both threads end within 0.4 s of each other, though the term's time did not
/// measurably change (22.8–24.2 s, 24.2 s in block order). Each block is solved the same way
/// whatever the order, so the roster does not depend on it.
fn start_order(problem: &Problem, jobs: &[Block]) -> Vec<usize> {
    let open = |block: &Block| -> u32 {
        block
            .days
            .iter()
            .flat_map(|&d| problem.desks.iter().filter_map(move |k| k.days.get(d)))
            .flatten()
            .map(|day| day.open.minutes())
            .sum()
    };
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_cached_key(|&i| std::cmp::Reverse(open(&jobs[i])));
    order
}

/// Solves independent blocks on up to `workers` threads (each HiGHS run single-threaded), in a
/// deterministic way: results come back in job order whatever finishes first.
fn run_blocks(
    problem: &Problem,
    jobs: &[Block],
    settings: &BlockSettings,
    workers: u32,
    deadline: Option<Instant>,
    progress: &mut dyn FnMut(usize, usize, f64, f64, String),
) -> Result<Vec<(BlockOutcome, f64)>, SolveError> {
    let deps = vec![Vec::new(); jobs.len()];
    let done = run_graph(
        problem,
        jobs,
        settings,
        workers,
        deadline,
        &deps,
        &|_, _| Ok(Step::Solve(None, None)),
        progress,
    )?;
    Ok(done.into_iter().map(|(o, secs, _)| (o, secs)).collect())
}

/// What becomes of a block once the blocks it waits for are done.
enum Step {
    /// Settled without a solve.
    Settled(BlockOutcome),
    /// Solved, with a lower bound on its cost known from those blocks, if any, and a roster of
    /// it to start from, if any.
    Solve(Option<f64>, Option<Vec<Shift>>),
}

/// What a block's dependencies tell about it: its index and their outcomes, in the order given
/// (`None` for one that failed).
type Shortcut<'a> = dyn Fn(usize, &[Option<&BlockOutcome>]) -> Result<Step, SolveError> + Sync + 'a;

/// [`run_blocks`] where block `j` starts only once the blocks `deps[j]` are done, and is first
/// offered to `shortcut` with their outcomes (the results say which blocks it settled). Each
/// block's result depends only on those of its dependencies, never on which thread finished
/// first.
#[allow(clippy::too_many_arguments)]
fn run_graph(
    problem: &Problem,
    jobs: &[Block],
    settings: &BlockSettings,
    workers: u32,
    deadline: Option<Instant>,
    deps: &[Vec<usize>],
    shortcut: &Shortcut,
    progress: &mut dyn FnMut(usize, usize, f64, f64, String),
) -> Result<Vec<(BlockOutcome, f64, bool)>, SolveError> {
    use std::sync::mpsc;
    use std::sync::{Condvar, Mutex};
    type Done = Result<(BlockOutcome, f64, bool), SolveError>;
    /// Which blocks have started, and the outcomes of those done.
    struct Board {
        started: Vec<bool>,
        done: Vec<Option<Done>>,
    }
    let n = jobs.len();
    let order = start_order(problem, jobs);
    let workers = (workers.max(1) as usize).min(n.max(1));
    let state = Mutex::new(Board {
        started: vec![false; n],
        done: (0..n).map(|_| None).collect(),
    });
    let changed = Condvar::new();
    // Which block is done, for the progress report.
    let (tx, rx) = mpsc::channel::<usize>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (state, changed, order) = (&state, &changed, &order);
            scope.spawn(move || loop {
                // The first block in the start order whose dependencies are done.
                let (i, before, started) = {
                    let Ok(mut st) = state.lock() else { return };
                    loop {
                        if st.started.iter().all(|&s| s) {
                            return;
                        }
                        let ready = order.iter().copied().find(|&i| {
                            !st.started[i] && deps[i].iter().all(|&d| st.done[d].is_some())
                        });
                        if let Some(i) = ready {
                            st.started[i] = true;
                            let before: Vec<Option<BlockOutcome>> = deps[i]
                                .iter()
                                .map(|&d| match &st.done[d] {
                                    Some(Ok((o, _, _))) => Some(o.clone()),
                                    _ => None,
                                })
                                .collect();
                            let started = st.started.iter().filter(|&&s| s).count();
                            break (i, before, started);
                        }
                        let Ok(next) = changed.wait(st) else { return };
                        st = next;
                    }
                };
                let t0 = Instant::now();
                let block = &jobs[i];
                let failed = |e| block_error(e, &describe_days(problem, &block.days));
                let refs: Vec<Option<&BlockOutcome>> = before.iter().map(Option::as_ref).collect();
                let run = || match shortcut(i, &refs) {
                    Ok(Step::Settled(out)) => Ok((out, t0.elapsed().as_secs_f64(), true)),
                    Err(e) => Err(e),
                    Ok(Step::Solve(known, start)) => {
                        let mut st = settings.clone();
                        st.known_bound = known;
                        if start.is_some() {
                            st.initial = start;
                        }
                        if let Some(d) = deadline {
                            let left = d.saturating_duration_since(Instant::now()).as_secs_f64();
                            st.time_limit = Some(time_share(left, n - started + 1, workers));
                        }
                        solve_block(problem, block, &st)
                            .map(|o| (o, t0.elapsed().as_secs_f64(), false))
                            .map_err(failed)
                    }
                };
                // A block that panicked still counts as done (with an error), so that the blocks
                // waiting for it are not left waiting for ever.
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
                    .unwrap_or_else(|_| Err(SolveError::Solver("a solver thread stopped".into())));
                if let Ok(mut st) = state.lock() {
                    st.done[i] = Some(r);
                }
                changed.notify_all();
                if tx.send(i).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut done = 0;
        let (mut objective, mut bound) = (0.0, 0.0);
        progress(
            0,
            n,
            0.0,
            0.0,
            format!("solving {n} distinct block(s) on {workers} thread(s)"),
        );
        for i in rx {
            done += 1;
            let days = describe_days(problem, &jobs[i].days);
            let stage = {
                let Ok(st) = state.lock() else { break };
                match &st.done[i] {
                    Some(Ok((o, _, short))) => {
                        objective += o.objective;
                        bound += o.bound;
                        if *short {
                            format!("{days} from a week like it")
                        } else {
                            format!("solved {days}")
                        }
                    }
                    Some(Err(e)) => format!("failed: {e}"),
                    None => String::new(),
                }
            };
            progress(done, n, objective, bound, stage);
        }
    });
    let board = state
        .into_inner()
        .map_err(|_| SolveError::Solver("a solver thread stopped".into()))?;
    board
        .done
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(SolveError::Solver("a solver thread stopped".into()))))
        .collect()
}

/// Solves the distinct blocks `jobs`. A block that another relaxes (see [`relaxes`]) waits for
/// the blocks related to it that come first: those that relax it (their bound is its bound) and
/// those it relaxes (their rosters fit it at no higher cost). It is then not solved at all when
/// one of their rosters, moved to it, fits it within the gap of that bound (on the sample, the
/// weeks before February differ from each other only in a skill gained or a day's absence).
/// Blocks come in waves: first those no other block relaxes, then, each time, those that relax
/// none of the blocks still waiting. Results in job order; deterministic, as each block's
/// result depends only on those of the blocks it waits for.
fn solve_jobs(
    problem: &Problem,
    jobs: &[Block],
    settings: &BlockSettings,
    threads: u32,
    deadline: Option<Instant>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<(BlockOutcome, f64, bool)>, SolveError> {
    let n = jobs.len();
    // Each block's shape computed once.
    let shaped: Vec<Shaped> = jobs.iter().map(|b| Shaped::new(problem, &b.days)).collect();
    let relax = |i: usize, j: usize| relaxes(problem, &shaped[i], &shaped[j]);
    let relaxed_by: Vec<Vec<usize>> = (0..n)
        .map(|j| {
            (0..n)
                .filter(|&i| i != j && relax(i, j) && !relax(j, i))
                .collect()
        })
        .collect();
    // Waves: 0 for the blocks no other relaxes; then, for those left, each time those that
    // relax none of the blocks still waiting.
    let mut wave: Vec<usize> = (0..n)
        .map(|j| {
            if relaxed_by[j].is_empty() {
                0
            } else {
                usize::MAX
            }
        })
        .collect();
    let mut w = 0;
    while wave.contains(&usize::MAX) {
        w += 1;
        let waiting: Vec<usize> = (0..n).filter(|&j| wave[j] == usize::MAX).collect();
        let minimal: Vec<usize> = waiting
            .iter()
            .copied()
            .filter(|&j| {
                !waiting
                    .iter()
                    .any(|&i| i != j && relaxed_by[i].contains(&j))
            })
            .collect();
        // Relaxing is a strict order, so some block is always minimal; should none be, the
        // rest goes at once rather than never.
        let next = if minimal.is_empty() { waiting } else { minimal };
        for j in next {
            wave[j] = w;
        }
    }
    let related = |i: usize, j: usize| relaxed_by[j].contains(&i) || relaxed_by[i].contains(&j);
    let deps: Vec<Vec<usize>> = (0..n)
        .map(|j| {
            (0..n)
                .filter(|&i| wave[i] < wave[j] && related(i, j))
                .collect()
        })
        .collect();
    let shortcut = |j: usize, before: &[Option<&BlockOutcome>]| {
        if wave[j] == 0 {
            return Ok(Step::Solve(None, None));
        }
        // The best bound of the blocks that relax it.
        let Some(bound) = deps[j]
            .iter()
            .zip(before)
            .filter(|(&i, _)| relaxed_by[j].contains(&i))
            .filter_map(|(_, o)| o.map(|o| o.bound))
            .reduce(f64::max)
        else {
            return Ok(Step::Solve(None, None));
        };
        let rosters: Vec<(&Block, &BlockOutcome)> = deps[j]
            .iter()
            .zip(before)
            .filter_map(|(&i, o)| o.map(|o| (&jobs[i], o)))
            .collect();
        Ok(
            match from_relaxations(problem, &jobs[j], bound, &rosters, settings)? {
                Some(out) => Step::Settled(out),
                // The bound still holds: HiGHS may stop at its first roster within the gap of it
                // (on the sample's first week, 3.4 s instead of 5.0 s).
                None => Step::Solve(Some(bound), None),
            },
        )
    };
    run_graph(
        problem,
        jobs,
        settings,
        threads,
        deadline,
        &deps,
        &shortcut,
        &mut |done, total, objective, bound, stage| {
            progress(Progress {
                done,
                total,
                objective,
                bound,
                elapsed: 0.0,
                stage,
            })
        },
    )
}

/// `shifts` of a block starting on day `from`, moved to the block starting on day `to` (`None`
/// when one is before `from`).
fn moved(shifts: &[Shift], from: usize, to: usize) -> Option<Vec<Shift>> {
    shifts
        .iter()
        .map(|s| s.day.checked_sub(from).map(|d| Shift { day: d + to, ..*s }))
        .collect()
}

/// Block `job`'s roster from the blocks related to it, given `bound`, the best bound of the
/// blocks that relax it (a bound for it too): the rosters of `rosters` (blocks that relax it or
/// that it relaxes, with their outcomes), moved to its days, are rosters of it where everyone is
/// available (nothing else differs), at its own cost. The cheapest, when within the gap of that
/// bound; `None` otherwise.
fn from_relaxations(
    problem: &Problem,
    job: &Block,
    bound: f64,
    rosters: &[(&Block, &BlockOutcome)],
    settings: &BlockSettings,
) -> Result<Option<BlockOutcome>, SolveError> {
    let mut best: Option<(f64, Vec<Shift>)> = None;
    for (other, out) in rosters {
        let (Some(&to), Some(&at)) = (job.days.first(), other.days.first()) else {
            continue;
        };
        let Some(moved) = moved(&out.shifts, at, to) else {
            continue;
        };
        let fits = moved.iter().all(|s| {
            job.days.contains(&s.day) && problem.people[s.person].is_available(s.day, &s.time)
        });
        if !fits {
            continue;
        }
        let cost = crate::formulate::evaluate(problem, job, settings, &moved)
            .map_err(|e| block_error(e, &describe_days(problem, &job.days)))?;
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, moved));
        }
    }
    Ok(best.and_then(|(cost, mut shifts)| {
        shifts.sort_unstable();
        crate::formulate::within_gap(settings, cost, bound).then(|| BlockOutcome {
            shifts,
            objective: cost,
            bound: bound.min(cost),
            proven: true,
            columns: 0,
            rows: 0,
        })
    }))
}

/// Solves the problem: a roster and how close to optimal it is proven.
///
/// # Errors
/// [`SolveError::Invalid`] when the problem breaks an invariant, [`SolveError::Infeasible`] when
/// hard rules contradict each other (coverage never makes a problem infeasible: holes are
/// penalised and reported), [`SolveError::NoSolution`] when time runs out before any roster.
pub fn solve(problem: &Problem, options: &SolveOptions) -> Result<Solution, SolveError> {
    solve_with_progress(problem, options, &mut |_| {})
}

/// [`solve`], reporting progress after every block.
///
/// # Errors
/// As [`solve`].
pub fn solve_with_progress(
    problem: &Problem,
    options: &SolveOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Solution, SolveError> {
    problem.validate().map_err(SolveError::Invalid)?;
    let start = Instant::now();
    let n = problem.days.len();
    if let Some(path) = &options.export_model {
        let block = Block {
            days: (0..n).collect(),
            ..Block::default()
        };
        export(problem, &block, path).map_err(|e| SolveError::Export(format!("{e:?}")))?;
    }
    let (day_blocks, binding) = blocks(problem, options.no_decompose);
    let relax = !binding.is_empty() && day_blocks.len() > 1;
    let total = day_blocks.len();
    let deadline = options
        .time_limit
        .map(|t| start + std::time::Duration::from_secs_f64(t));

    // Identical weeks are solved once; distinct ones in parallel, one HiGHS thread each.
    let keys: Vec<Option<String>> = day_blocks.iter().map(|d| block_key(problem, d)).collect();
    let mut first_with_key: std::collections::HashMap<&str, usize> = Default::default();
    let mut source: Vec<usize> = Vec::with_capacity(total);
    for (i, k) in keys.iter().enumerate() {
        let src = match k {
            Some(k) => *first_with_key.entry(k.as_str()).or_insert(i),
            None => i,
        };
        source.push(src);
    }
    let jobs: Vec<Block> = (0..total)
        .filter(|&i| source[i] == i)
        .map(|i| Block {
            days: day_blocks[i].clone(),
            ignore_term: relax,
            ..Block::default()
        })
        .collect();
    let job_of: Vec<usize> = {
        let firsts: Vec<usize> = (0..total).filter(|&i| source[i] == i).collect();
        source
            .iter()
            .map(|s| firsts.iter().position(|f| f == s).unwrap_or(0))
            .collect()
    };
    // The gap asked for is the term's: blocks solved side by side first stop within a looser
    // gap of their own, and only those whose gaps would put the term outside it are solved
    // again (`tighten`). Under a time limit, every block keeps the term's gap.
    let spread = jobs.len() > 1 && deadline.is_none();
    let settings = BlockSettings {
        time_limit: options.time_limit,
        gap: if spread {
            options.gap * BLOCK_GAP_FACTOR
        } else {
            options.gap
        },
        threads: 1,
        initial: None,
        export: None,
        warm_start: options.warm_start,
        // Alone, a block may spend its time limit on a search around its roster; blocks solved
        // side by side keep the whole limit for the full model.
        lns: jobs.len() == 1,
        // A block solved alone prices people on every thread.
        workers: if jobs.len() == 1 {
            options.threads.max(1) as usize
        } else {
            1
        },
        cutoff: None,
        known_bound: None,
    };
    let mut solved = solve_jobs(
        problem,
        &jobs,
        &settings,
        options.threads,
        deadline,
        &mut |p| {
            progress(&Progress {
                elapsed: start.elapsed().as_secs_f64(),
                ..p
            })
        },
    )?;
    if spread {
        let repeats: Vec<usize> = (0..jobs.len())
            .map(|j| job_of.iter().filter(|&&k| k == j).count())
            .collect();
        let term = BlockSettings {
            gap: options.gap,
            ..settings.clone()
        };
        tighten(
            problem,
            &jobs,
            &repeats,
            &mut solved,
            &term,
            options.threads,
            &mut |done, n, objective, bound, stage| {
                progress(&Progress {
                    done,
                    total: n,
                    objective,
                    bound,
                    elapsed: start.elapsed().as_secs_f64(),
                    stage: format!("closing the term's gap: {stage}"),
                })
            },
        )?;
    }
    let mut outcomes: Vec<(Vec<usize>, BlockOutcome, f64)> = Vec::with_capacity(total);
    let mut reused: Vec<bool> = Vec::with_capacity(total);
    let mut derived: Vec<bool> = Vec::with_capacity(total);
    for (i, days) in day_blocks.iter().enumerate() {
        let (src, secs, from_relaxation) = &solved[job_of[i]];
        derived.push(*from_relaxation && source[i] == i);
        let mut out = src.clone();
        out.shifts = moved(&src.shifts, day_blocks[source[i]][0], days[0])
            .ok_or_else(|| SolveError::Solver("a week copied before its source".into()))?;
        outcomes.push((days.clone(), out, if source[i] == i { *secs } else { 0.0 }));
        reused.push(source[i] != i);
    }

    let mut shifts: Vec<Shift> = outcomes
        .iter()
        .flat_map(|(_, o, _)| o.shifts.iter().copied())
        .collect();
    let mut proven = outcomes.iter().all(|(_, o, _)| o.proven);
    let mut objective: f64 = outcomes.iter().map(|(_, o, _)| o.objective).sum();
    let lower: f64 = outcomes.iter().map(|(_, o, _)| o.bound).sum();
    let mut blocks_stats: Vec<BlockStats> = outcomes
        .iter()
        .zip(reused.iter().zip(&derived))
        .map(|((days, o, secs), (&reused, &derived))| BlockStats {
            first_day: days.first().copied().unwrap_or(0),
            days: days.len(),
            columns: o.columns,
            rows: o.rows,
            objective: o.objective,
            bound: o.bound,
            seconds: *secs,
            reused,
            derived,
        })
        .collect();

    if relax {
        // The relaxation dropped term caps. Where one is exceeded, share the cap out over the
        // weeks in proportion to the relaxed use and re-solve the weeks that change.
        let over: Vec<usize> = binding
            .iter()
            .copied()
            .filter(|&p| {
                let used: u32 = shifts
                    .iter()
                    .filter(|s| s.person == p)
                    .map(|s| s.time.minutes())
                    .sum();
                problem.people[p]
                    .contract
                    .max_term
                    .is_some_and(|cap| used > cap)
            })
            .collect();
        // Weekends: keep the person's busiest weekends up to the cap, none in the others.
        let mut weekend_off = vec![vec![false; problem.people.len()]; day_blocks.len()];
        let mut weekends_over = false;
        for &p in &binding {
            let Some(cap) = problem.people[p].contract.max_weekends else {
                continue;
            };
            let used = weekend_use(problem, &day_blocks, &shifts, p);
            let worked: Vec<usize> = (0..used.len()).filter(|&b| used[b] > 0).collect();
            if worked.len() <= cap as usize {
                continue;
            }
            weekends_over = true;
            let mut order = worked.clone();
            order.sort_by_key(|&b| (std::cmp::Reverse(used[b]), b));
            for &b in order.iter().skip(cap as usize) {
                weekend_off[b][p] = true;
            }
        }
        if !over.is_empty() || weekends_over {
            progress(&Progress {
                done: total,
                total,
                objective,
                bound: lower,
                elapsed: start.elapsed().as_secs_f64(),
                stage: "sharing term budgets over the weeks".into(),
            });
            let caps = share_budgets(problem, &day_blocks, &shifts, &over);
            let touched: Vec<usize> = (0..outcomes.len())
                .filter(|&bi| {
                    caps[bi].iter().any(|c| c.is_some()) || weekend_off[bi].iter().any(|&w| w)
                })
                .collect();
            let jobs: Vec<Block> = touched
                .iter()
                .map(|&bi| Block {
                    days: outcomes[bi].0.clone(),
                    ignore_term: true,
                    caps: caps[bi].clone(),
                    weekend_off: weekend_off[bi].clone(),
                    ..Block::default()
                })
                .collect();
            let settings = BlockSettings {
                time_limit: None,
                gap: options.gap,
                threads: 1,
                initial: None,
                export: None,
                warm_start: options.warm_start,
                lns: false,
                workers: 1,
                cutoff: None,
                known_bound: None,
            };
            let redone = run_blocks(
                problem,
                &jobs,
                &settings,
                options.threads,
                deadline,
                &mut |done, n, _, _, stage| {
                    progress(&Progress {
                        done,
                        total: n,
                        objective,
                        bound: lower,
                        elapsed: start.elapsed().as_secs_f64(),
                        stage: format!("sharing term caps: {stage}"),
                    })
                },
            )?;
            for (&bi, (o, secs)) in touched.iter().zip(redone) {
                blocks_stats[bi].objective = o.objective;
                blocks_stats[bi].seconds += secs;
                blocks_stats[bi].derived = false;
                outcomes[bi].1 = o;
            }
            let new_shifts: Vec<Shift> = outcomes
                .iter()
                .flat_map(|(_, o, _)| o.shifts.iter().copied())
                .collect();
            objective = outcomes.iter().map(|(_, o, _)| o.objective).sum();
            shifts = new_shifts;
            proven = (objective - lower) <= options.gap * objective.abs().max(1.0);
        }
    }

    let roster = Roster::new(shifts);
    let gap = ((objective - lower) / objective.abs().max(1.0)).max(0.0);
    let summary = SolveSummary {
        objective,
        bound: lower,
        gap,
        // Blocks side by side were proven within a looser gap each; the term's is what counts.
        proven_optimal: (proven && !spread) || gap <= options.gap,
        seconds: start.elapsed().as_secs_f64(),
    };
    progress(&Progress {
        done: total,
        total,
        objective,
        bound: lower,
        elapsed: summary.seconds,
        stage: "done".into(),
    });
    Ok(Solution {
        roster,
        summary,
        blocks: blocks_stats,
    })
}

/// Blocks solved side by side stop within this many times the term's gap of their own bound.
/// On the sample (ten distinct weeks, 0.5%) most weeks end well inside 0.5% of their bound
/// anyway; the first exam week stops at its first roster within 2% (1 573 against 1 572, 4.7 s
/// instead of 6.6 s) and the term ends within 0.25% (0.45% with HiGHS's presolve enumeration
/// off, which changes the rosters found; BENCHMARKS.md, twentieth session).
const BLOCK_GAP_FACTOR: f64 = 4.0;

/// Brings the term within `settings.gap`: while the blocks' gaps (each times its `repeats`)
/// put it outside, the blocks with the largest share of it are solved again at that gap, from
/// their roster and their bound. Each block at most once; the choice depends only on the
/// blocks' results, so the roster does not depend on the threads.
fn tighten(
    problem: &Problem,
    jobs: &[Block],
    repeats: &[usize],
    solved: &mut [(BlockOutcome, f64, bool)],
    settings: &BlockSettings,
    threads: u32,
    progress: &mut dyn FnMut(usize, usize, f64, f64, String),
) -> Result<(), SolveError> {
    let mut tightened = vec![false; jobs.len()];
    loop {
        let sum = |f: &dyn Fn(&BlockOutcome) -> f64| -> f64 {
            solved
                .iter()
                .zip(repeats)
                .map(|((o, _, _), &r)| r as f64 * f(o))
                .sum()
        };
        let objective = sum(&|o| o.objective);
        let bound = sum(&|o| o.bound);
        let mut excess = (objective - bound) - settings.gap * objective.abs().max(1.0);
        // What re-solving a block at the term's gap can save at least, largest first.
        let saving = |j: usize| {
            let o = &solved[j].0;
            repeats[j] as f64 * ((o.objective - o.bound) - settings.gap * o.objective.abs())
        };
        let mut order: Vec<usize> = (0..jobs.len())
            .filter(|&j| !tightened[j] && saving(j) > 1e-9)
            .collect();
        order.sort_by(|&a, &b| saving(b).total_cmp(&saving(a)).then(a.cmp(&b)));
        let mut chosen = Vec::new();
        for j in order {
            if excess <= 1e-9 {
                break;
            }
            excess -= saving(j);
            chosen.push(j);
        }
        if chosen.is_empty() {
            return Ok(());
        }
        let again: Vec<Block> = chosen.iter().map(|&j| jobs[j].clone()).collect();
        let starts: Vec<(f64, Vec<Shift>)> = chosen
            .iter()
            .map(|&j| (solved[j].0.bound, solved[j].0.shifts.clone()))
            .collect();
        let deps = vec![Vec::new(); again.len()];
        let redone = run_graph(
            problem,
            &again,
            settings,
            threads,
            None,
            &deps,
            &|k, _| Ok(Step::Solve(Some(starts[k].0), Some(starts[k].1.clone()))),
            progress,
        )?;
        for (&j, (out, secs, _)) in chosen.iter().zip(redone) {
            tightened[j] = true;
            let (old, spent, _) = &solved[j];
            // The block's roster is never worse than the one it started from.
            let out = if out.objective <= old.objective {
                out
            } else {
                BlockOutcome {
                    bound: out.bound.max(old.bound),
                    ..old.clone()
                }
            };
            solved[j] = (out, spent + secs, false);
        }
    }
}

/// Splits each over-budget person's term cap over the blocks, in proportion to what the
/// relaxation gave them, rounded down to whole slots. Returns per block, per person caps.
fn share_budgets(
    problem: &Problem,
    day_blocks: &[Vec<usize>],
    shifts: &[Shift],
    over: &[usize],
) -> Vec<Vec<Option<u32>>> {
    let slot = problem.slot_minutes.max(1);
    let mut caps = vec![vec![None; problem.people.len()]; day_blocks.len()];
    for &p in over {
        let Some(cap) = problem.people[p].contract.max_term else {
            continue;
        };
        let used: Vec<u32> = day_blocks
            .iter()
            .map(|days| {
                shifts
                    .iter()
                    .filter(|s| s.person == p && days.contains(&s.day))
                    .map(|s| s.time.minutes())
                    .sum()
            })
            .collect();
        let total: u32 = used.iter().sum();
        if total == 0 {
            continue;
        }
        let mut given = 0u32;
        let shares: Vec<u32> = used
            .iter()
            .map(|&u| {
                let s = (u64::from(cap) * u64::from(u) / u64::from(total)) as u32 / slot * slot;
                given += s;
                s
            })
            .collect();
        // Hand out what rounding left, a slot at a time, to the blocks that used the most.
        let mut left = cap.saturating_sub(given);
        let mut order: Vec<usize> = (0..used.len()).collect();
        order.sort_by_key(|&b| std::cmp::Reverse(used[b]));
        let mut shares = shares;
        'outer: while left >= slot {
            let before = left;
            for &b in &order {
                if left < slot {
                    break 'outer;
                }
                if shares[b] + slot <= used[b] {
                    shares[b] += slot;
                    left -= slot;
                }
            }
            if before == left {
                break;
            }
        }
        for (b, s) in shares.into_iter().enumerate() {
            if s < used[b] {
                caps[b][p] = Some(s);
            }
        }
    }
    caps
}

#[cfg(test)]
mod tests {
    use super::{
        from_relaxations, relaxes, run_graph, start_order, tighten, time_share, Shaped, SolveError,
        Step,
    };
    use crate::builder::{ProblemBuilder, Weekdays, Who};
    use crate::formulate::Block;
    use crate::formulate::BlockOutcome;
    use crate::formulate::{solve_block, BlockSettings};
    use crate::model::Problem;
    use chrono::{NaiveDate, Weekday};

    #[test]
    fn blocks_with_the_most_open_hours_start_first() {
        // Three weeks: the second has long Tuesday hours, the third a closed Wednesday.
        let monday = NaiveDate::from_ymd_opt(2027, 1, 4).expect("a date");
        let date = |d: u64| monday + chrono::Days::new(d);
        let p = ProblemBuilder::new(monday, 21)
            .desk("Desk", |d| {
                d.open(Weekdays::all(), "09:00-17:00")
                    .open(date(8), "08:00-21:00")
                    .closed(date(16))
                    .cover("08:00-21:00", 1, 1, 1)
            })
            .group("staff")
            .person("Ana", "staff", |p| p.available(Weekday::Mon, "09:00-17:00"))
            .build()
            .expect("builds");
        let jobs = [week_block(2), week_block(0), week_block(1)];
        // Week 1 (its Tuesday is longer) first, then week 0 before week 2 (one day closed).
        assert_eq!(start_order(&p, &jobs), vec![2, 1, 0]);
        // Equal hours keep the block order.
        assert_eq!(start_order(&p, &[week_block(0), week_block(0)]), vec![0, 1]);
    }

    /// `p` solved to proven optimality (gap 0).
    fn solve_exact(p: &Problem) -> super::Solution {
        let options = super::SolveOptions {
            gap: 0.0,
            ..super::SolveOptions::default()
        };
        super::solve(p, &options).expect("solves")
    }

    /// Week `w` (Monday to Sunday) as a block.
    fn week_block(w: usize) -> Block {
        Block {
            days: (7 * w..7 * w + 7).collect(),
            ..Block::default()
        }
    }

    /// The `d`-th day of the three weeks below.
    fn date(d: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 4).expect("a date") + chrono::Days::new(d)
    }

    /// Three weeks of a weekday-morning desk with room for `most` people that wants a
    /// first-aider, without people yet.
    fn mornings(most: u32) -> ProblemBuilder {
        ProblemBuilder::new(date(0), 21)
            .desk("Desk", |d| {
                d.open(Weekdays::mon_fri(), "09:00-13:00")
                    .cover("09:00-13:00", 1, 1, most)
            })
            .group("staff")
            .skill("first-aid")
            .requirement(
                "first-aider",
                "Desk",
                Weekdays::mon_fri(),
                "09:00-13:00",
                Who::skill("first-aid"),
                1,
                5.0,
            )
    }

    /// Three mornings-desk weeks: Ana is trained from the third week on, Ben is away on the
    /// second week's Wednesday.
    fn three_weeks() -> Problem {
        mornings(2)
            .person("Ana", "staff", |p| {
                p.available(Weekdays::mon_fri(), "09:00-13:00")
                    .skill_valid("first-aid", Some(date(14)), None)
                    .prefer(Weekdays::mon_fri(), "09:00-11:00", 1.0)
            })
            .person("Ben", "staff", |p| {
                p.available(Weekdays::mon_fri(), "09:00-13:00")
                    .absent(date(9))
            })
            .build()
            .expect("builds")
    }

    #[test]
    fn a_week_with_more_hours_or_skills_relaxes_one_with_fewer() {
        let p = three_weeks();
        let week = |w: usize| (7 * w..7 * w + 7).collect::<Vec<usize>>();
        let rel = |a: &[usize], b: &[usize]| relaxes(&p, &Shaped::new(&p, a), &Shaped::new(&p, b));
        // The third week (Ana trained) relaxes both others; the first (Ben there all week)
        // relaxes the second; never the other way round.
        assert!(rel(&week(2), &week(0)));
        assert!(rel(&week(2), &week(1)));
        assert!(rel(&week(0), &week(1)));
        assert!(!rel(&week(0), &week(2)));
        assert!(!rel(&week(1), &week(0)));
        assert!(!rel(&week(1), &week(2)));
        // A block against itself, and blocks of different lengths or shapes.
        assert!(rel(&week(0), &week(0)));
        assert!(!rel(&week(0), &week(1)[..6]));
        assert!(!rel(&(1..8).collect::<Vec<_>>(), &week(1)));
    }

    #[test]
    fn a_week_nobody_can_work_is_proven_at_its_cost() {
        // Ana is away the whole first week: its model has no shift to choose (HiGHS solves
        // its shortfall columns as an LP and leaves no MIP bound), yet its cost is its optimum.
        let p = mornings(1)
            .person("Ana", "staff", |p| {
                (0..5).fold(p.available(Weekdays::mon_fri(), "09:00-13:00"), |p, d| {
                    p.absent(date(d))
                })
            })
            .build()
            .expect("builds");
        let s = solve_exact(&p);
        let first = &s.blocks[0];
        assert_eq!(first.columns, 0);
        assert!(first.objective > 0.0, "the first week's holes cost");
        assert!((first.bound - first.objective).abs() < 1e-9, "{first:?}");
        assert!((s.summary.bound - s.summary.objective).abs() < 1e-9);
        assert!(s.summary.proven_optimal);
    }

    #[test]
    fn the_terms_gap_re_solves_only_the_weeks_whose_gaps_put_the_term_outside_it() {
        let p = three_weeks();
        let jobs: Vec<Block> = (0..3).map(week_block).collect();
        let exact = BlockSettings::default();
        let optimal: Vec<BlockOutcome> = jobs
            .iter()
            .map(|b| solve_block(&p, b, &exact).expect("solves"))
            .collect();
        // The weeks as if solved within a looser gap each: the first proven only within 3 of
        // its cost, the second within 1, the third exactly. The seconds mark a re-solve.
        let loose = || -> Vec<(BlockOutcome, f64, bool)> {
            [3.0, 1.0, 0.0]
                .iter()
                .zip(&optimal)
                .map(|(by, o)| {
                    let bound = o.objective - by;
                    (BlockOutcome { bound, ..o.clone() }, 0.0, true)
                })
                .collect()
        };
        let re_solved = |s: &[(BlockOutcome, f64, bool)]| -> Vec<bool> {
            s.iter()
                .map(|(_, secs, derived)| *secs > 0.0 || !derived)
                .collect()
        };
        let term = |s: &[(BlockOutcome, f64, bool)], repeats: &[usize]| -> (f64, f64) {
            s.iter()
                .zip(repeats)
                .fold((0.0, 0.0), |(o, b), ((out, _, _), &r)| {
                    (o + r as f64 * out.objective, b + r as f64 * out.bound)
                })
        };
        for (repeats, allowed, expected) in [
            // Gaps 3 and 1 against 2 allowed: the first week alone is solved again.
            ([1, 1, 1], 2.0, [true, false, false]),
            // The second week counted four times: 3 + 4 against 2 allowed, both are solved again.
            ([1, 4, 1], 2.0, [true, true, false]),
            // Within the term's gap already: nothing is solved again.
            ([1, 1, 1], 4.5, [false, false, false]),
        ] {
            let mut solved = loose();
            let (objective, _) = term(&solved, &repeats);
            let settings = BlockSettings {
                gap: allowed / objective,
                ..exact.clone()
            };
            tighten(
                &p,
                &jobs,
                &repeats,
                &mut solved,
                &settings,
                2,
                &mut |_, _, _, _, _| {},
            )
            .expect("tightens");
            assert_eq!(re_solved(&solved), expected, "repeats {repeats:?}");
            let (objective, bound) = term(&solved, &repeats);
            assert!(objective - bound <= allowed + 1e-9);
            for (w, (out, _, _)) in solved.iter().enumerate() {
                // A week solved again keeps a roster at least as cheap and a bound as high.
                assert!(out.objective <= optimal[w].objective + 1e-9);
                if expected[w] {
                    assert!((out.bound - optimal[w].objective).abs() < 1e-6);
                }
            }
        }
    }

    #[test]
    fn a_relaxed_weeks_roster_proves_a_week_it_fits_and_is_refused_where_it_does_not() {
        let p = three_weeks();
        let settings = BlockSettings {
            gap: 0.0,
            ..BlockSettings::default()
        };
        let solved = |w: usize| solve_block(&p, &week_block(w), &settings).expect("solves");
        let (w0, w1, w2) = (solved(0), solved(1), solved(2));
        assert!(w0.proven && w1.proven && w2.proven);
        // Without a first-aider Ana's preference has nothing to weigh against: the third week
        // is cheaper than the first.
        assert!(w2.objective < w0.objective - 1e-9);
        let jobs = [week_block(0), week_block(1), week_block(2)];
        // The first week's roster, moved to the second, is refused where it puts Ben on his
        // day away; where it does not, it proves the second week at its own optimum.
        let from_first = from_relaxations(&p, &jobs[1], w0.bound, &[(&jobs[0], &w0)], &settings)
            .expect("evaluates");
        let uses_ben_on_wednesday = w0.shifts.iter().any(|s| s.person == 1 && s.day == 2);
        assert_eq!(from_first.is_some(), !uses_ben_on_wednesday);
        if let Some(out) = from_first {
            assert!((out.objective - w1.objective).abs() < 1e-9);
            assert!(out.proven && out.bound <= out.objective + 1e-9);
            assert!(out.shifts.iter().all(|s| (7..14).contains(&s.day)));
        }
        // A first-week roster with Ben on Wednesday does not fit the second week at all.
        let mut with_ben = w0.clone();
        with_ben.shifts.retain(|s| !(s.person == 1 && s.day == 2));
        with_ben.shifts.push(crate::model::Shift {
            day: 2,
            desk: 0,
            time: crate::model::TimeRange::new(9 * 60, 13 * 60).expect("a range"),
            person: 1,
        });
        let loose_first = BlockSettings {
            gap: 1.0,
            ..settings.clone()
        };
        assert!(from_relaxations(
            &p,
            &jobs[1],
            w0.bound,
            &[(&jobs[0], &with_ben)],
            &loose_first
        )
        .expect("evaluates")
        .is_none());
        // The third week's bound is below the first week's optimum: its roster does not prove
        // the first week (a gap of 0 asks for the bound itself).
        let from_third = from_relaxations(&p, &jobs[0], w2.bound, &[(&jobs[2], &w2)], &settings)
            .expect("evaluates");
        assert!(from_third.is_none());
        // With a gap wide enough it does, at the cost the roster has in the first week.
        let loose = BlockSettings {
            gap: 0.9,
            ..settings.clone()
        };
        let out = from_relaxations(&p, &jobs[0], w2.bound, &[(&jobs[2], &w2)], &loose)
            .expect("evaluates")
            .expect("within a 90% gap");
        assert!(out.objective >= w0.objective - 1e-9);
        assert!((out.bound - w2.bound.min(out.objective)).abs() < 1e-9);
    }

    #[test]
    fn a_term_with_related_weeks_solves_to_the_sum_of_their_optima() {
        let p = three_weeks();
        let settings = BlockSettings {
            gap: 0.0,
            ..BlockSettings::default()
        };
        let optimum: f64 = (0..3)
            .map(|w| {
                let block = Block {
                    days: (7 * w..7 * w + 7).collect(),
                    ..Block::default()
                };
                solve_block(&p, &block, &settings)
                    .expect("solves")
                    .objective
            })
            .sum();
        let first = solve_exact(&p);
        assert!((first.summary.objective - optimum).abs() < 1e-6);
        assert!((first.summary.bound - optimum).abs() < 1e-6);
        let checked = crate::check::check(&p, &first.roster);
        assert!(checked.is_valid());
        assert!((checked.penalties.total() - optimum).abs() < 1e-6);
        // The same roster on every run, whichever thread finishes first.
        let again = solve_exact(&p);
        assert_eq!(again.roster, first.roster);
    }

    #[test]
    fn a_week_that_only_loses_an_unneeded_hand_is_proven_without_a_solve() {
        // Ana, a first-aider, covers every morning; Ben would much rather not (more than Ana's
        // fifth closing of the week costs). In the third week Ben is a first-aider too (a
        // relaxation of the first); in the second he is away on Wednesday (a restriction of the
        // first). Neither changes the optimum, so neither week needs a solve of its own.
        let p = mornings(1)
            .person("Ana", "staff", |p| {
                p.available(Weekdays::mon_fri(), "09:00-13:00")
                    .skill("first-aid")
            })
            .person("Ben", "staff", |p| {
                p.available(Weekdays::mon_fri(), "09:00-13:00")
                    .skill_valid("first-aid", Some(date(14)), None)
                    .avoid(Weekdays::mon_fri(), "09:00-13:00", 10.0)
                    .absent(date(9))
            })
            .build()
            .expect("builds");
        let s = solve_exact(&p);
        let derived: Vec<usize> = s
            .blocks
            .iter()
            .filter(|b| b.derived)
            .map(|b| b.first_day)
            .collect();
        assert_eq!(derived, vec![0, 7]);
        assert!(s.summary.proven_optimal);
        let checked = crate::check::check(&p, &s.roster);
        assert!(checked.is_valid());
        assert!((checked.penalties.total() - s.summary.objective).abs() < 1e-6);
        // Ana on every morning, Ben never.
        assert_eq!(s.roster.shifts.len(), 15);
        assert!(s.roster.shifts.iter().all(|x| x.person == 0));
    }

    #[test]
    fn the_scheduler_hands_a_block_its_dependencies_outcomes_in_order_failed_ones_as_none() {
        let p = three_weeks();
        let jobs = [week_block(0), week_block(1), week_block(2)];
        let deps = vec![vec![], vec![], vec![0, 1]];
        let seen = std::sync::Mutex::new(Vec::new());
        let shortcut = |j: usize, before: &[Option<&BlockOutcome>]| {
            if j == 1 {
                return Err(SolveError::Solver("settled with an error".into()));
            }
            let objectives: Vec<Option<f64>> =
                before.iter().map(|o| o.map(|o| o.objective)).collect();
            seen.lock().expect("not poisoned").push((j, objectives));
            Ok(Step::Solve(None, None))
        };
        let out = run_graph(
            &p,
            &jobs,
            &BlockSettings::default(),
            2,
            None,
            &deps,
            &shortcut,
            &mut |_, _, _, _, _| {},
        );
        assert!(out.is_err(), "the failed block's error comes back");
        let seen = seen.into_inner().expect("not poisoned");
        let (_, third) = seen
            .iter()
            .find(|(j, _)| *j == 2)
            .expect("the third block ran");
        // Aligned with its dependencies: the first week's outcome, then nothing for the second.
        assert_eq!(third.len(), 2);
        assert!(third[0].is_some() && third[1].is_none());
    }

    #[test]
    fn time_limits_are_shared_over_the_rounds_still_to_come() {
        // 60 s, 10 weeks on 2 threads: five rounds of 12 s.
        assert!((time_share(60.0, 10, 2) - 12.0).abs() < 1e-9);
        // The last two weeks share what is left.
        assert!((time_share(20.0, 2, 2) - 20.0).abs() < 1e-9);
        // Alone, a block has all the time.
        assert!((time_share(30.0, 1, 1) - 30.0).abs() < 1e-9);
        // An odd count rounds up.
        assert!((time_share(30.0, 3, 2) - 15.0).abs() < 1e-9);
    }

    /// Nine days from a Saturday to the next Sunday (two weeks): Ana may work one weekend, Ben
    /// would rather not work weekends. Shared out after a relaxation, the weekend cap proves
    /// nothing (the relaxation lets Ana take both weekends, bound 0); two weeks are solved
    /// whole, to the proven optimum: Ben takes one weekend's mornings.
    #[test]
    fn a_two_week_horizon_with_a_binding_term_cap_is_solved_whole_and_proven() {
        let p = ProblemBuilder::new(date(5), 9)
            .desk("Desk", |d| {
                d.open(Weekdays::all(), "09:00-13:00")
                    .cover("09:00-13:00", 1, 1, 1)
            })
            .group("staff")
            .person("Ana", "staff", |p| {
                p.available(Weekdays::all(), "09:00-13:00").max_weekends(1)
            })
            .person("Ben", "staff", |p| {
                p.available(Weekdays::all(), "09:00-13:00").avoid(
                    Weekdays::of(&[chrono::Weekday::Sat, chrono::Weekday::Sun]),
                    "09:00-13:00",
                    3.0,
                )
            })
            .build()
            .expect("builds");
        let exact = |no_decompose: bool| {
            let options = super::SolveOptions {
                gap: 0.0,
                no_decompose,
                ..super::SolveOptions::default()
            };
            super::solve(&p, &options).expect("solves").summary
        };
        let (split, whole) = (exact(false), exact(true));
        assert!(split.proven_optimal, "{split:?}");
        assert!((split.objective - whole.objective).abs() < 1e-6);
        assert!(whole.objective > 0.0, "Ben works no weekend: {whole:?}");
    }
}
