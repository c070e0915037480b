//! Column generation by person: a Dantzig–Wolfe decomposition of a block's model.
//!
//! The per-shift model's LP bound is weak where each person's rules interact (consecutive days,
//! days off, term hours, one shift a day from a few templates: the Curtois & Qu instances, where
//! the LP is often 30–50% below the optimum). Here the same model is split by person: every row
//! that touches one person only stays with that person; the rows that link people (coverage,
//! staff mix) form a *master* problem whose columns are whole rosters of one person over the block
//! ("patterns"). The master's LP is solved over the patterns found so far; its duals price each
//! person's rows, and each person's best pattern at those prices (a small integer program, solved
//! exactly) joins the master when it is cheaper than the person's current price. Every round gives
//! a valid lower bound (the Lagrangian bound); at the end, the master restricted to the patterns
//! found, with integer choices, gives a roster ("price and branch").
//!
//! The decomposition is read from the model itself (see [`Matrix`]), so every rule the model has
//! is in it, in the person's part or in the master.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

use highs::{ColProblem, HighsModelStatus as S, HighsSolutionStatus, Row, Sense};

use crate::formulate::{Block, BlockError, Matrix};
use crate::labelling::{Paths, Pricer};
use crate::model::{Problem, Shift};

/// Rounds a generation typically needs to converge, pricing to `PRICING_GAP` first (43–56 on
/// Curtois & Qu instances 4–6).
const EXPECTED_ROUNDS: f64 = 50.0;

/// Relative gap each person's pricing is solved to, until a round finds nothing.
const PRICING_GAP: f64 = 0.02;

/// What the generation found.
#[derive(Debug)]
pub(crate) struct Generated {
    /// A lower bound on the block's cost (constant included).
    pub bound: f64,
    /// Rosters the patterns combine into: the restricted master's integer program's, then the
    /// dive's (either may be missing).
    pub rosters: Vec<Vec<Shift>>,
    /// Rounds of pricing done.
    pub rounds: usize,
    /// Whether the last round found no pattern to add (the bound is the decomposition's).
    pub converged: bool,
}

/// The model split by person.
struct Split {
    /// Rows that link people, in master order.
    linking: Vec<usize>,
    /// Master position of each linking row.
    link_pos: Vec<Option<usize>>,
    /// Columns of the master itself (slacks and counts of linking rows).
    master_cols: Vec<usize>,
    /// Each person's columns and rows.
    person_cols: Vec<Vec<usize>>,
    person_rows: Vec<Vec<usize>>,
}

fn split(m: &Matrix) -> Split {
    let (ncols, nrows) = (m.cost.len(), m.row_lower.len());
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); nrows];
    for (j, col) in m.columns.iter().enumerate() {
        for &(r, _) in col {
            if let Some(row) = rows.get_mut(r) {
                row.push(j);
            }
        }
    }
    let mut owner: Vec<Option<usize>> = m.shift.iter().map(|s| s.map(|s| s.person)).collect();
    let mut linking = vec![false; nrows];
    let mut master = vec![false; ncols];
    let owners = |row: &[usize], owner: &[Option<usize>]| {
        let mut ps: Vec<usize> = row.iter().filter_map(|&j| owner[j]).collect();
        ps.sort_unstable();
        ps.dedup();
        ps
    };
    for (r, row) in rows.iter().enumerate() {
        if owners(row, &owner).len() > 1 {
            linking[r] = true;
        }
    }
    loop {
        let mut changed = false;
        for (r, row) in rows.iter().enumerate() {
            if linking[r] {
                for &j in row {
                    if owner[j].is_none() && !master[j] {
                        master[j] = true;
                        changed = true;
                    }
                }
            } else if row.iter().any(|&j| master[j]) {
                linking[r] = true;
                changed = true;
            } else {
                let ps = owners(row, &owner);
                match ps.as_slice() {
                    [p] => {
                        for &j in row {
                            if owner[j].is_none() {
                                owner[j] = Some(*p);
                                changed = true;
                            }
                        }
                    }
                    [] => {}
                    _ => {
                        linking[r] = true;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            // Rows of auxiliary columns only, that no person claimed: the master keeps them.
            let mut more = false;
            for (r, row) in rows.iter().enumerate() {
                if !linking[r] && !row.is_empty() && owners(row, &owner).is_empty() {
                    linking[r] = true;
                    more = true;
                }
            }
            if !more {
                break;
            }
        }
    }
    let people = owner.iter().flatten().max().map_or(0, |&p| p + 1);
    let mut person_cols = vec![Vec::new(); people];
    let mut master_cols = Vec::new();
    for j in 0..ncols {
        match owner[j] {
            Some(p) if !master[j] => person_cols[p].push(j),
            _ => master_cols.push(j),
        }
    }
    let mut person_rows = vec![Vec::new(); people];
    let mut link_pos = vec![None; nrows];
    let mut link = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        if linking[r] {
            link_pos[r] = Some(link.len());
            link.push(r);
        } else if let Some(p) = row.first().and_then(|&j| owner[j]) {
            person_rows[p].push(r);
        }
    }
    Split {
        linking: link,
        link_pos,
        master_cols,
        person_cols,
        person_rows,
    }
}

/// One person's roster over the block, as a master column.
struct Pattern {
    person: usize,
    /// Part of the seed roster.
    seed: bool,
    cost: f64,
    /// Entries in the linking rows (master positions).
    link: Vec<(usize, f64)>,
    shifts: Vec<Shift>,
}

fn quiet(model: &mut highs::Model, limit: f64, gap: f64) {
    model.make_quiet();
    let _ = model.try_set_option("threads", 1);
    let _ = model.try_set_option("random_seed", 0);
    let _ = model.try_set_option("mip_rel_gap", gap);
    let _ = model.try_set_option("time_limit", limit.max(0.01));
}

/// The master without patterns: its linking rows, one convexity row per person, and its own
/// columns (integer where the model's are, with `integer`).
fn frame(m: &Matrix, sp: &Split, integer: bool) -> (ColProblem, Vec<Row>, Vec<Row>) {
    let mut pb = ColProblem::new();
    let rows: Vec<Row> = sp
        .linking
        .iter()
        .map(|&r| pb.add_row(m.row_lower[r]..=m.row_upper[r]))
        .collect();
    let convexity: Vec<Row> = sp
        .person_cols
        .iter()
        .map(|_| pb.add_row(1.0..=1.0))
        .collect();
    for &j in &sp.master_cols {
        let entries: Vec<(Row, f64)> = m.columns[j]
            .iter()
            .filter_map(|&(r, a)| sp.link_pos[r].map(|i| (rows[i], a)))
            .collect();
        pb.add_column_with_integrality(
            m.cost[j],
            m.lower[j]..=m.upper[j],
            entries,
            integer && m.integer[j],
        );
    }
    (pb, rows, convexity)
}

/// The master over `patterns`: an LP (`integer` false) or the restricted integer program.
fn master(
    m: &Matrix,
    sp: &Split,
    patterns: &[&Pattern],
    integer: bool,
    limit: f64,
    start: Option<&[bool]>,
) -> Result<highs::SolvedModel, BlockError> {
    let (mut pb, rows, convexity) = frame(m, sp, integer);
    for p in patterns {
        let mut entries: Vec<(Row, f64)> = p.link.iter().map(|&(i, a)| (rows[i], a)).collect();
        entries.push((convexity[p.person], 1.0));
        // Without an upper bound in the LP (see `LiveMaster::sync`).
        let upper = if integer { 1.0 } else { f64::INFINITY };
        pb.add_column_with_integrality(p.cost, 0.0..=upper, entries, integer);
    }
    let mut model = pb
        .try_optimise(Sense::Minimise)
        .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
    quiet(&mut model, limit, 0.0);
    // A start: which patterns are chosen; HiGHS completes the master's own columns (the roster
    // it returns is re-evaluated exactly by the caller).
    if let Some(chosen) = start {
        let mut values = vec![f64::INFINITY; sp.master_cols.len()];
        values.extend(chosen.iter().map(|&c| if c { 1.0 } else { 0.0 }));
        let _ = model.try_set_solution(Some(&values), None, None, None);
    }
    model
        .try_solve()
        .map_err(|e| BlockError::Solver(format!("{e:?}")))
}

/// The master's LP kept alive between rounds: new patterns are added as columns and HiGHS
/// starts from the last basis, instead of building and solving the LP afresh each round (on
/// Curtois 8, with 1 500 patterns, a fresh solve took about 0.1 s).
struct LiveMaster {
    model: Option<highs::Model>,
    rows: Vec<Row>,
    convexity: Vec<Row>,
    /// The column of each pattern added so far, in pattern order.
    cols: Vec<highs::Col>,
    /// Master columns before the patterns.
    own: usize,
}

/// What a master LP solve gives: objective, each pattern's value, and the duals of the linking
/// rows and of the convexity rows.
struct MasterLp {
    objective: f64,
    lambda: Vec<f64>,
    link: Vec<f64>,
    conv: Vec<f64>,
}

impl LiveMaster {
    fn new(m: &Matrix, sp: &Split) -> Result<LiveMaster, BlockError> {
        let (pb, rows, convexity) = frame(m, sp, false);
        let mut model = pb
            .try_optimise(Sense::Minimise)
            .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
        quiet(&mut model, f64::INFINITY, 0.0);
        Ok(LiveMaster {
            model: Some(model),
            rows,
            convexity,
            cols: Vec::new(),
            own: sp.master_cols.len(),
        })
    }

    /// Adds the patterns not in the LP yet.
    fn sync(&mut self, patterns: &[Pattern]) -> Result<(), BlockError> {
        let model = self.model.as_mut().ok_or(BlockError::NoSolution)?;
        for p in &patterns[self.cols.len()..] {
            let mut entries: Vec<(Row, f64)> =
                p.link.iter().map(|&(i, a)| (self.rows[i], a)).collect();
            entries.push((self.convexity[p.person], 1.0));
            // No upper bound (the convexity row implies 1): a pattern column at an upper bound
            // may keep a negative reduced cost at the optimum, and the pricing would then find
            // it again and again.
            let col = model
                .try_add_column(p.cost, 0.0.., entries)
                .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
            self.cols.push(col);
        }
        Ok(())
    }

    /// Allows pattern `i` in the LP, or keeps it at 0. A pattern not synced yet is allowed when
    /// it is.
    fn allow(&mut self, i: usize, allowed: bool) {
        if i >= self.cols.len() {
            return;
        }
        if let Some(model) = self.model.as_mut() {
            let upper = if allowed { f64::INFINITY } else { 0.0 };
            model.change_column_bounds(self.cols[i], 0.0..=upper);
        }
    }

    /// Solves the LP over the patterns added; `None` when it does not end optimal.
    #[allow(unsafe_code)]
    fn solve(&mut self, limit: f64) -> Result<Option<MasterLp>, BlockError> {
        let mut model = self.model.take().ok_or(BlockError::NoSolution)?;
        let _ = model.try_set_option("time_limit", limit.max(0.01));
        // HiGHS's clock adds up every run of one instance and checks the time limit against
        // the sum: without this, a live master stops with "time limit reached" after enough
        // rounds (Curtois 14: the dive's first LP, with 69 s of its limit left).
        // SAFETY: the pointer is the live HiGHS instance owned by `model`.
        unsafe {
            highs_sys::Highs_zeroAllClocks(model.as_mut_ptr());
        }
        let solved = model
            .try_solve()
            .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
        let out = if matches!(solved.status(), S::Optimal) {
            let sol = solved.get_solution();
            let (link, conv) = sol.dual_rows().split_at(self.rows.len());
            Some(MasterLp {
                objective: solved.objective_value(),
                lambda: sol.columns()[self.own..].to_vec(),
                link: link.to_vec(),
                conv: conv.to_vec(),
            })
        } else {
            None
        };
        self.model = Some(solved.into());
        Ok(out)
    }
}

/// Fixes people to patterns one step at a time: every person whose pattern the master's LP
/// takes (almost) whole, or else the person with the largest share of one pattern, then solves
/// the LP again over the patterns left. Returns which patterns make the roster, or `None` when
/// `end` passes first.
fn dive(
    m: &Matrix,
    sp: &Split,
    patterns: &[Pattern],
    end: Instant,
) -> Result<Option<Vec<bool>>, BlockError> {
    let people = sp.person_cols.len();
    let mut fixed: Vec<Option<usize>> = vec![None; people];
    while fixed.iter().any(Option::is_none) {
        let left = end.saturating_duration_since(Instant::now()).as_secs_f64();
        if left <= 0.0 {
            return Ok(None);
        }
        let open: Vec<usize> = (0..patterns.len())
            .filter(|&i| fixed[patterns[i].person].is_none_or(|f| f == i))
            .collect();
        let subset: Vec<&Pattern> = open.iter().map(|&i| &patterns[i]).collect();
        let lp = master(m, sp, &subset, false, left, None)?;
        if !matches!(lp.status(), S::Optimal) {
            return Ok(None);
        }
        let sol = lp.get_solution();
        let lambda = &sol.columns()[sp.master_cols.len()..];
        let mut best: Vec<Option<(f64, usize)>> = vec![None; people];
        for (&i, &v) in open.iter().zip(lambda) {
            let p = patterns[i].person;
            if fixed[p].is_none() && best[p].is_none_or(|(b, _)| v > b) {
                best[p] = Some((v, i));
            }
        }
        let mut any = false;
        for p in 0..people {
            if let Some((v, i)) = best[p] {
                if v >= 0.99 {
                    fixed[p] = Some(i);
                    any = true;
                }
            }
        }
        if !any {
            let top = (0..people)
                .filter_map(|p| best[p].map(|(v, i)| (v, p, i)))
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
            match top {
                Some((_, p, i)) => fixed[p] = Some(i),
                None => return Ok(None),
            }
        }
    }
    let mut chosen = vec![false; patterns.len()];
    for i in fixed.into_iter().flatten() {
        chosen[i] = true;
    }
    Ok(Some(chosen))
}

/// Seconds the restricted master's integer program gets after a priced dive found a roster.
const IP_AFTER_DIVE_SECONDS: f64 = 2.0;

/// Further dives are made only when the first roster is within this share of the bound.
const FURTHER_DIVES_MAX_GAP: f64 = 0.02;

/// Most generation rounds at each step of [`dive_priced`] before it fixes the next person.
const DIVE_ROUNDS: usize = 10;

/// Adds a pattern from column values unless it is there already: its index and whether it is new.
type Add<'a> = dyn FnMut(&mut Vec<Pattern>, usize, &[f64]) -> (usize, bool) + 'a;

/// A dive that keeps generating: like [`dive`], it fixes people to the pattern the master's LP
/// takes most of, but before each step it prices the people still open against the master
/// restricted to the fixed patterns, so the rest of the roster adapts to what is fixed. (The
/// plain dive, which never prices again, ends far from the bound: Curtois 7, 1670 against a
/// bound of 1055, where this one gives 1057–1072. Fixing single days, worked with a given shift
/// or off, instead of whole patterns gave 1076–1085 on Curtois 7 and 1716 instead of 1404 on
/// 8.) Patterns found on the way join `patterns`. Returns which patterns make the roster, or
/// `None` when `end` passes first.
#[allow(clippy::too_many_arguments)]
fn dive_priced(
    m: &Matrix,
    sp: &Split,
    pricers: &[Option<Pricer>],
    live: &mut LiveMaster,
    patterns: &mut Vec<Pattern>,
    add: &mut Add,
    end: Instant,
    workers: usize,
    variant: u64,
) -> Result<Option<(Vec<bool>, f64)>, BlockError> {
    let people = sp.person_cols.len();
    let left = || end.saturating_duration_since(Instant::now()).as_secs_f64();
    let mut fixed: Vec<Option<usize>> = vec![None; people];
    let mut step = 0u64;
    // Odd dives fix patterns the LP takes most of (on Curtois 8: 1305 and 1308 against 1310).
    let whole_share = if variant % 2 == 0 { 0.99 } else { 0.8 };
    let perturb = variant >= 2;
    while fixed.iter().any(Option::is_none) {
        step += 1;
        let mut rounds = 0;
        let lambda = loop {
            if left() <= 0.0 {
                return Ok(None);
            }
            live.sync(patterns)?;
            let Some(lp) = live.solve(left())? else {
                return Ok(None);
            };
            rounds += 1;
            if rounds > DIVE_ROUNDS {
                break lp.lambda;
            }
            let free: Vec<usize> = (0..people).filter(|&p| fixed[p].is_none()).collect();
            let mut added = 0;
            let priced = price_all(
                m,
                sp,
                pricers,
                &free,
                &lp.link,
                left(),
                PRICING_GAP,
                workers,
            );
            for (&p, priced) in free.iter().zip(priced) {
                let Some((value, _, values)) = priced? else {
                    return Ok(None);
                };
                let cheaper = value - lp.conv[p] < -1e-6 * lp.objective.abs().max(1.0);
                if cheaper && add(patterns, p, &values).1 {
                    added += 1;
                }
            }
            if added == 0 {
                break lp.lambda;
            }
        };
        let mut best: Vec<Option<(f64, usize)>> = vec![None; people];
        for (i, &v) in lambda.iter().enumerate() {
            let p = patterns[i].person;
            if fixed[p].is_none() && best[p].is_none_or(|(b, _)| v > b) {
                best[p] = Some((v, i));
            }
        }
        let mut fix = |p: usize, i: usize, fixed: &mut Vec<Option<usize>>| {
            fixed[p] = Some(i);
            for (k, pat) in patterns.iter().enumerate() {
                if pat.person == p && k != i {
                    live.allow(k, false);
                }
            }
        };
        let whole: Vec<(usize, usize)> = best
            .iter()
            .enumerate()
            .filter_map(|(p, b)| b.filter(|&(v, _)| v >= whole_share).map(|(_, i)| (p, i)))
            .collect();
        for &(p, i) in &whole {
            fix(p, i, &mut fixed);
        }
        if whole.is_empty() {
            // The person with the largest share of one pattern; in later dives, one of the
            // three largest, by a hash of the dive and the step.
            let mut order: Vec<(f64, usize, usize)> = (0..people)
                .filter_map(|p| best[p].map(|(v, i)| (v, p, i)))
                .collect();
            order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let pick = if !perturb || order.is_empty() {
                0
            } else {
                let h = (variant.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ step)
                    .wrapping_mul(0xBF58_476D_1CE4_E5B9);
                (h >> 33) as usize % order.len().min(3)
            };
            match order.get(pick) {
                Some(&(_, p, i)) => fix(p, i, &mut fixed),
                None => return Ok(None),
            }
        }
    }
    // The roster's cost: the master's LP with every person fixed (its own columns still free).
    live.sync(patterns)?;
    let Some(lp) = live.solve(left())? else {
        return Ok(None);
    };
    let mut chosen = vec![false; patterns.len()];
    for i in fixed.into_iter().flatten() {
        chosen[i] = true;
    }
    Ok(Some((chosen, lp.objective)))
}

/// Person `p`'s best pattern at prices `duals` (of the linking rows): its objective, a lower
/// bound on it, and its column values. `None` when the person's rules cannot all hold.
fn price(
    m: &Matrix,
    sp: &Split,
    p: usize,
    duals: &[f64],
    limit: f64,
    gap: f64,
) -> Result<Option<(f64, f64, Vec<f64>)>, BlockError> {
    price_with(m, sp, p, duals, limit, gap, None)
}

/// [`price`], with the person's shifts fixed to `fixed` when given: the pattern of a roster.
fn price_with(
    m: &Matrix,
    sp: &Split,
    p: usize,
    duals: &[f64],
    limit: f64,
    gap: f64,
    fixed: Option<&HashSet<Shift>>,
) -> Result<Option<(f64, f64, Vec<f64>)>, BlockError> {
    let mut pb = ColProblem::new();
    let mut local = vec![None; m.row_lower.len()];
    let rows: Vec<Row> = sp.person_rows[p]
        .iter()
        .enumerate()
        .map(|(i, &r)| {
            local[r] = Some(i);
            pb.add_row(m.row_lower[r]..=m.row_upper[r])
        })
        .collect();
    for &j in &sp.person_cols[p] {
        let mut cost = m.cost[j];
        let mut entries = Vec::new();
        for &(r, a) in &m.columns[j] {
            if let Some(i) = sp.link_pos[r] {
                cost -= duals[i] * a;
            } else if let Some(i) = local[r] {
                entries.push((rows[i], a));
            }
        }
        let (lower, upper) = match (fixed, m.shift[j]) {
            (Some(set), Some(shift)) => {
                let on = if set.contains(&shift) { 1.0 } else { 0.0 };
                (on, on)
            }
            _ => (m.lower[j], m.upper[j]),
        };
        pb.add_column_with_integrality(cost, lower..=upper, entries, m.integer[j]);
    }
    let mut model = pb
        .try_optimise(Sense::Minimise)
        .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
    quiet(&mut model, limit, gap);
    // Restarts and symmetry detection cost these small programs more than they save: on a
    // Curtois 6 person, 0.25 s with them, 0.13 s without.
    let _ = model.try_set_option("mip_allow_restart", false);
    let _ = model.try_set_option("mip_detect_symmetry", false);
    let solved = model
        .try_solve()
        .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
    match solved.status() {
        S::Infeasible | S::UnboundedOrInfeasible => return Ok(None),
        S::ModelEmpty => return Ok(Some((0.0, 0.0, Vec::new()))),
        _ => {}
    }
    if solved.primal_solution_status() != HighsSolutionStatus::Feasible {
        return Err(BlockError::NoSolution);
    }
    let objective = solved.objective_value();
    let reported = solved
        .double_info_value(c"mip_dual_bound")
        .ok()
        .filter(|b| b.is_finite());
    let bound = if matches!(solved.status(), S::Optimal) {
        // An LP (no integer column) reports no MIP bound: its optimum is the bound.
        reported.unwrap_or(objective).min(objective)
    } else {
        reported.unwrap_or(f64::NEG_INFINITY)
    };
    Ok(Some((
        objective,
        bound,
        solved.get_solution().columns().to_vec(),
    )))
}

type Priced = Result<Option<(f64, f64, Vec<f64>)>, BlockError>;

/// Prices the people `who` on up to `workers` threads; the results come in the order of `who`,
/// whatever thread finished first.
#[allow(clippy::too_many_arguments)]
fn price_all(
    m: &Matrix,
    sp: &Split,
    pricers: &[Option<Pricer>],
    who: &[usize],
    duals: &[f64],
    limit: f64,
    gap: f64,
    workers: usize,
) -> Vec<Priced> {
    let people = who.len();
    let price = |p: usize| match pricers.get(p).and_then(Option::as_ref) {
        Some(pricer) => match label(m, sp, pricer, p, duals) {
            Some(found) => Ok(found),
            None => price(m, sp, p, duals, limit, gap),
        },
        None => price(m, sp, p, duals, limit, gap),
    };
    let workers = workers.clamp(1, people.max(1));
    if workers == 1 {
        return who.iter().map(|&p| price(p)).collect();
    }
    let mut out: Vec<Option<Priced>> = (0..people).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let price = &price;
                scope.spawn(move || {
                    (w..people)
                        .step_by(workers)
                        .map(|i| (i, price(who[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // A thread that panicked leaves its people unpriced: reported below.
            if let Ok(done) = h.join() {
                for (i, r) in done {
                    out[i] = Some(r);
                }
            }
        }
    });
    out.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(BlockError::Solver("pricing thread failed".into()))))
        .collect()
}

/// Person `p`'s best pattern at prices `duals` by labelling (see `labelling`), in the form
/// [`price`] gives: value, lower bound (the same: labelling is exact) and column values (1 on
/// the shifts worked; the person's auxiliary columns, free of cost and of the linking rows, are
/// left at 0). `None` when the labels outgrow their cap: the caller prices with the integer
/// program instead.
fn label(
    m: &Matrix,
    sp: &Split,
    pricer: &Pricer,
    p: usize,
    duals: &[f64],
) -> Option<Option<(f64, f64, Vec<f64>)>> {
    let cols = &sp.person_cols[p];
    let found = pricer.cheapest(&priced_costs(m, sp, p, duals)).ok()?;
    Some(found.map(|(value, chosen)| {
        let mut values = vec![0.0; cols.len()];
        for k in chosen {
            values[k] = 1.0;
        }
        (value, value, values)
    }))
}

/// The cost of each of person `p`'s columns at prices `duals` of the linking rows.
fn priced_costs(m: &Matrix, sp: &Split, p: usize, duals: &[f64]) -> Vec<f64> {
    sp.person_cols[p]
        .iter()
        .map(|&j| {
            let mut c = m.cost[j];
            for &(r, a) in &m.columns[j] {
                if let Some(i) = sp.link_pos[r] {
                    c -= duals[i] * a;
                }
            }
            c
        })
        .collect()
}

/// Most arcs [`solve_paths`] keeps before merging (Curtois 7: 15 165 within its gap, 9 884
/// merged, solved to the optimum in 11.5 s; 8: 362 402 within its gap, in which HiGHS found no
/// roster in 13.6 s).
const PATHS_MAX_ARCS: usize = 30_000;

/// What [`solve_paths`] found: a roster and its cost, if any, and a lower bound on every
/// roster's cost (constants left out).
struct PathsFound {
    roster: Option<(Vec<Shift>, f64)>,
    bound: f64,
}

/// The block as a flow through each person's state graph (see [`Pricer::paths`]), keeping
/// only the arcs whose cheapest roster has a reduced cost of at most `tau` at the converged
/// master's prices `prices` (LP value `z`); the linking rows and the master's own columns are
/// the model's. A roster costs at least `z` plus the reduced costs of its patterns, so every
/// roster costing at most `z + tau` is a flow of the arcs kept, and the flow's LP is at least
/// the decomposition's bound: a strong model, small where the prices leave few arcs cheap.
///
/// `tau` is the largest that keeps at most `PATHS_MAX_ARCS` arcs, up to `below - z`: only
/// rosters costing at most `below` are sought (HiGHS prunes the rest); when no roster of the
/// flow costs that little, every roster costs at least `beyond`. Returns the cheapest roster
/// found and a lower bound on every roster; `None` when someone is not priced by labelling or
/// their states outgrow the cap.
#[allow(clippy::too_many_arguments)]
fn solve_paths(
    m: &Matrix,
    sp: &Split,
    graphs: &[Paths],
    prices: &MasterLp,
    below: f64,
    beyond: f64,
    limit: f64,
) -> Result<Option<PathsFound>, BlockError> {
    if let Some(none) = none_below(prices, below, beyond) {
        return Ok(Some(none));
    }
    let z = prices.objective;
    let slack = 1e-6 * z.abs().max(1.0);
    let mut tau = below - z;
    let log = std::env::var_os("DESKROSTER_LNS_LOG").is_some();
    let started = Instant::now();
    // The reduced cost of each arc's cheapest pattern, and the largest `tau` within the cap.
    let reduced = |p: usize, a: &crate::labelling::Arc| a.through - prices.conv[p];
    let mut all: Vec<f64> = graphs
        .iter()
        .enumerate()
        .flat_map(|(p, g)| g.arcs.iter().map(move |a| reduced(p, a)))
        .collect();
    let mut threshold = below;
    if all.len() > PATHS_MAX_ARCS {
        // The cheapest arc left out at the cap.
        let (_, &mut first_out, _) = all.select_nth_unstable_by(PATHS_MAX_ARCS, f64::total_cmp);
        if first_out <= tau + slack {
            // Arcs tied with the first left out are left out too.
            tau = first_out - 2.0 * slack;
            threshold = z + tau;
            if tau < 0.0 {
                return Ok(None);
            }
        }
    }
    // Each person's convexity row is where their flow starts: one unit out of the start.
    let (mut pb, rows, convexity) = frame(m, sp, true);
    let mut arcs = 0;
    let mut kept: Vec<Vec<(usize, Option<usize>)>> = Vec::new();
    for (p, g) in graphs.iter().enumerate() {
        let g = g.flow(|a| reduced(p, a) <= tau + slack).merged();
        let mut node_rows: Vec<Option<Row>> = vec![None; g.last.len()];
        let mut row = |pb: &mut ColProblem, v: usize| {
            if g.last[v] {
                return None;
            }
            Some(*node_rows[v].get_or_insert_with(|| pb.add_row(0.0..=0.0)))
        };
        let mut mine = Vec::new();
        for &(from, to, col) in &g.arcs {
            let mut entries: Vec<(Row, f64)> = Vec::new();
            match from {
                None => entries.push((convexity[p], 1.0)),
                Some(u) => entries.extend(row(&mut pb, u).map(|r| (r, -1.0))),
            }
            entries.extend(row(&mut pb, to).map(|r| (r, 1.0)));
            let mut cost = 0.0;
            if let Some(k) = col {
                let j = sp.person_cols[p][k];
                cost = m.cost[j];
                for &(r, c) in &m.columns[j] {
                    if let Some(i) = sp.link_pos[r] {
                        entries.push((rows[i], c));
                    }
                }
            }
            pb.add_column_with_integrality(cost, 0.0..=1.0, entries, col.is_some());
            mine.push((pb.num_cols() - 1, col));
            arcs += 1;
        }
        kept.push(mine);
    }
    let mut model = pb
        .try_optimise(Sense::Minimise)
        .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
    quiet(&mut model, limit, 0.0);
    // Only rosters costing at most `below` are sought.
    let _ = model.try_set_option("objective_bound", below + slack);
    if let Ok(dir) = std::env::var("DESKROSTER_DUMP_MODELS") {
        let path = std::path::Path::new(&dir).join("flow.mps");
        let _ = model.try_set_option("write_model_to_file", true);
        let _ = model.try_set_option("write_model_file", path.to_string_lossy().as_ref());
    }
    if log {
        eprintln!(
            "colgen: paths within {tau:.3} of {:.3}: {arcs} arcs, built in {:.2} s",
            below - z,
            started.elapsed().as_secs_f64()
        );
    }
    let solved = model
        .try_solve()
        .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
    let status = solved.status();
    // Nothing solved (`DESKROSTER_DUMP_MODELS` only writes the model): the highs crate panics
    // on the solution status HiGHS leaves unset.
    if status == S::NotSet {
        return Ok(None);
    }
    let feasible = solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    let roster = feasible.then(|| {
        let solution = solved.get_solution();
        let values = solution.columns();
        let mut shifts: Vec<Shift> = Vec::new();
        for (p, mine) in kept.iter().enumerate() {
            for &(c, col) in mine {
                if let (Some(k), Some(&v)) = (col, values.get(c)) {
                    if v > 0.5 {
                        shifts.extend(m.shift[sp.person_cols[p][k]]);
                    }
                }
            }
        }
        shifts.sort_unstable();
        (shifts, solved.objective_value())
    });
    // Over the flow: a finished search proves its roster the cheapest, or (with nothing at
    // most `below`, HiGHS's cutoff) that every roster of the flow costs at least `beyond`.
    let cheapest = roster.as_ref().map_or(f64::INFINITY, |r| r.1);
    let over_flow = match status {
        S::Optimal | S::Infeasible if cheapest <= below + slack => cheapest,
        S::Optimal | S::Infeasible => beyond,
        _ => solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite())
            .unwrap_or(z)
            .min(beyond),
    };
    // Rosters outside the flow cost more than `threshold` (at least `beyond` when every arc
    // within `below` was kept).
    let outside = if threshold >= below {
        beyond
    } else {
        threshold
    };
    let bound = over_flow.min(outside).max(z);
    if log {
        eprintln!(
            "colgen: paths model {status:?}: {:?}, bound {bound:.3} after {:.2} s",
            roster.as_ref().map(|r| r.1),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Some(PathsFound { roster, bound }))
}

/// No roster where `below` is under the master's LP value `z`: every roster costs at least
/// `z`, so at least `beyond` too when that is above it.
fn none_below(prices: &MasterLp, below: f64, beyond: f64) -> Option<PathsFound> {
    let z = prices.objective;
    (below < z).then(|| PathsFound {
        roster: None,
        bound: z.max(beyond),
    })
}

/// Every person's state graph at the converged prices (see [`Pricer::paths`]). `None` when
/// someone is not priced by labelling or their states outgrow the cap.
fn state_graphs(
    m: &Matrix,
    sp: &Split,
    pricers: &[Option<Pricer>],
    prices: &MasterLp,
) -> Option<Vec<Paths>> {
    (0..sp.person_cols.len())
        .map(|p| {
            let pricer = pricers.get(p).and_then(Option::as_ref)?;
            pricer.paths(&priced_costs(m, sp, p, &prices.link)).ok()
        })
        .collect()
}

/// How many arcs of the state graphs [`solve_paths`] needs to hold every roster costing at
/// most `below`.
fn arcs_within(graphs: &[Paths], prices: &MasterLp, below: f64) -> usize {
    let tau = below - prices.objective;
    let slack = 1e-6 * prices.objective.abs().max(1.0);
    graphs
        .iter()
        .enumerate()
        .map(|(p, g)| {
            g.arcs
                .iter()
                .filter(|a| a.through - prices.conv[p] <= tau + slack)
                .count()
        })
        .sum()
}

/// Most patterns [`solve_pool`] lists for all people together (Curtois 8: 6 680 within 0.75
/// of the converged bound, where HiGHS finds the optimum 1 300 in 20–36 s; 12 915 within 1.0:
/// 1 300 after 80 s; 3 207 within 0.5: 1 305 at best).
const POOL_MAX_PATTERNS: usize = 8_000;

/// The regrets [`solve_pool`] tries, from the smallest: the largest whose patterns fit in
/// `POOL_MAX_PATTERNS` is kept.
const POOL_REGRETS: [f64; 12] = [
    0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0,
];

/// The master over every pattern within a regret: where the flow of cheap paths would need too
/// many arcs, each person's patterns whose reduced cost at the converged prices is at most
/// `tau` are listed (`tau` the largest of `POOL_REGRETS`, up to `below - z`, whose patterns fit
/// in `POOL_MAX_PATTERNS`), and HiGHS solves the master over them with the person's shifts
/// as the integer variables and the patterns' weights continuous ("branching on the original
/// variables": a person's shifts at 0 or 1 within the hull of their patterns are one of
/// them, since 0/1 points are vertices of the hull). Branching on shifts splits the
/// set-partitioning master's LP far more evenly than branching on patterns: on Curtois 8 the
/// restricted master over the same 12 915 patterns with integer pattern weights found 1 308
/// in 29 s, this one 1 300, the optimum.
///
/// Returns the cheapest roster found costing at most `below` (constants left out) and a bound:
/// a roster outside the pool has a pattern of reduced cost above `tau`, so it costs more than
/// `z + tau`; within the pool, a finished search proves its roster cheapest, or (none within
/// `below`) that every roster costs at least `beyond`.
#[allow(clippy::too_many_arguments)]
fn solve_pool(
    m: &Matrix,
    sp: &Split,
    graphs: &[Paths],
    prices: &MasterLp,
    below: f64,
    beyond: f64,
    limit: f64,
    workers: usize,
) -> Result<Option<PathsFound>, BlockError> {
    if let Some(none) = none_below(prices, below, beyond) {
        return Ok(Some(none));
    }
    let z = prices.objective;
    let slack = 1e-6 * z.abs().max(1.0);
    let most = below - z;
    let log = std::env::var_os("DESKROSTER_LNS_LOG").is_some();
    let started = Instant::now();
    let people = sp.person_cols.len();
    let flows: Vec<crate::labelling::Flow> = graphs
        .iter()
        .enumerate()
        .map(|(p, g)| {
            g.flow(|a| a.through - prices.conv[p] <= most + slack)
                .merged()
        })
        .collect();
    let costs: Vec<Vec<f64>> = (0..people)
        .map(|p| priced_costs(m, sp, p, &prices.link))
        .collect();
    // Each person's patterns within `tau`: all within `most` when they fit, else the largest
    // regret on the list that fits.
    let list = |tau: f64| -> Option<Vec<Vec<crate::labelling::Listed>>> {
        let mut left = POOL_MAX_PATTERNS;
        let mut all = Vec::with_capacity(people);
        for (p, flow) in flows.iter().enumerate() {
            let found = flow.within(&costs[p], tau, left)?;
            left -= found.len();
            all.push(found);
        }
        Some(all)
    };
    let mut pool = None;
    let mut tau = most;
    if let Some(all) = list(most) {
        pool = Some(all);
    } else {
        for &t in POOL_REGRETS.iter().take_while(|&&t| t < most) {
            match list(t) {
                Some(all) => {
                    pool = Some(all);
                    tau = t;
                }
                None => break,
            }
        }
    }
    let Some(pool) = pool else {
        return Ok(None);
    };
    let complete = tau >= most;
    let (mut pb, rows, convexity) = frame(m, sp, true);
    // Each person's shifts on some pattern: integer, counted in the linking rows, and tied to
    // the patterns' weights by one row each.
    let mut shift_cols: Vec<Vec<(usize, usize)>> = Vec::with_capacity(people);
    let mut tie: Vec<HashMap<usize, Row>> = Vec::with_capacity(people);
    for (p, patterns) in pool.iter().enumerate() {
        let mut used: Vec<usize> = patterns.iter().flat_map(|x| x.1.iter().copied()).collect();
        used.sort_unstable();
        used.dedup();
        let mut rows_of = HashMap::new();
        let mut mine = Vec::with_capacity(used.len());
        for k in used {
            let r = pb.add_row(0.0..=0.0);
            rows_of.insert(k, r);
            let j = sp.person_cols[p][k];
            let mut entries = vec![(r, 1.0)];
            entries.extend(
                m.columns[j]
                    .iter()
                    .filter_map(|&(q, a)| sp.link_pos[q].map(|i| (rows[i], a))),
            );
            pb.add_column_with_integrality(m.cost[j], 0.0..=1.0, entries, true);
            mine.push((pb.num_cols() - 1, k));
        }
        shift_cols.push(mine);
        tie.push(rows_of);
    }
    let mut listed = 0;
    for (p, patterns) in pool.iter().enumerate() {
        for (_, worked) in patterns {
            let mut entries = vec![(convexity[p], 1.0)];
            entries.extend(worked.iter().map(|k| (tie[p][k], -1.0)));
            pb.add_column_with_integrality(0.0, 0.0..=1.0, entries, false);
            listed += 1;
        }
    }
    if log {
        eprintln!(
            "colgen: pool of {listed} patterns within {tau:.3} of {:.3} (complete {complete}), built in {:.2} s",
            z + m.constant,
            started.elapsed().as_secs_f64()
        );
    }
    // The same model under several random seeds at once, one thread each: the time HiGHS takes
    // to find the optimum varies widely with the seed (Curtois 8, 6 680 patterns: 6.6 s with
    // seed 1, 30–39 s with seeds 4–6, over 60 s with seed 0). The cheapest run's roster is
    // kept (the lowest seed among equals), and a run that finished speaks for all.
    let seeds = workers.clamp(1, POOL_MAX_SEEDS);
    let dump = std::env::var("DESKROSTER_DUMP_MODELS").ok();
    let runs: Vec<Result<PoolRun, BlockError>> = if seeds == 1 {
        vec![run_pool(pb, 0, limit, below + slack, dump.as_deref())]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..seeds)
                .map(|seed| {
                    let pb = pb.clone();
                    let dump = if seed == 0 { dump.as_deref() } else { None };
                    scope.spawn(move || run_pool(pb, seed, limit, below + slack, dump))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a pool run panicked"))
                .collect()
        })
    };
    let runs: Vec<PoolRun> = runs.into_iter().collect::<Result<_, _>>()?;
    if runs.iter().all(|r| r.status == S::NotSet) {
        return Ok(None);
    }
    // Only rosters within `below`: HiGHS may report a solution above its objective bound,
    // with the status optimal, where it proved none within (seen in the tests: 897 for 894).
    let best = runs
        .iter()
        .filter(|r| r.values.is_some() && r.objective <= below + slack)
        .min_by(|a, b| a.objective.total_cmp(&b.objective));
    let roster = best.and_then(|r| {
        let values = r.values.as_ref()?;
        let mut shifts: Vec<Shift> = Vec::new();
        for (p, mine) in shift_cols.iter().enumerate() {
            for &(c, k) in mine {
                if values.get(c).is_some_and(|&v| v > 0.5) {
                    shifts.extend(m.shift[sp.person_cols[p][k]]);
                }
            }
        }
        shifts.sort_unstable();
        Some((shifts, r.objective))
    });
    let finished = runs
        .iter()
        .find(|r| matches!(r.status, S::Optimal | S::Infeasible));
    let status = finished.map_or(runs[0].status, |r| r.status);
    let dual = runs
        .iter()
        .filter_map(|r| r.dual_bound)
        .fold(f64::NEG_INFINITY, f64::max);
    let cheapest = roster.as_ref().map_or(f64::INFINITY, |r| r.1);
    let over_pool = match status {
        S::Optimal | S::Infeasible if cheapest <= below + slack => cheapest,
        S::Optimal | S::Infeasible => beyond,
        _ if dual.is_finite() => dual.min(beyond),
        _ => z,
    };
    // Rosters outside the pool cost more than `z + tau` (at least `beyond` when it is whole).
    let outside = if complete { beyond } else { z + tau };
    let bound = over_pool.min(outside).max(z);
    if log {
        eprintln!(
            "colgen: pool model {status:?}: {:?}, bound {:.3} after {:.2} s",
            roster.as_ref().map(|r| r.1 + m.constant),
            bound + m.constant,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Some(PathsFound { roster, bound }))
}

/// Most random seeds [`solve_pool`] runs at once (one thread each).
const POOL_MAX_SEEDS: usize = 2;

/// What one HiGHS run of the pool master gave.
struct PoolRun {
    status: S,
    /// The column values of its best solution, if it has one.
    values: Option<Vec<f64>>,
    objective: f64,
    /// The proven lower bound where the search stopped early.
    dual_bound: Option<f64>,
}

/// Solves the pool master `pb` with HiGHS's random seed `seed`, looking only for solutions
/// costing at most `below`; writes the model to `dump/pool.mps` when asked.
fn run_pool(
    pb: ColProblem,
    seed: usize,
    limit: f64,
    below: f64,
    dump: Option<&str>,
) -> Result<PoolRun, BlockError> {
    let mut model = pb
        .try_optimise(Sense::Minimise)
        .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
    quiet(&mut model, limit, 0.0);
    let _ = model.try_set_option("random_seed", seed as i32);
    let _ = model.try_set_option("objective_bound", below);
    if let Some(dir) = dump {
        let path = std::path::Path::new(dir).join("pool.mps");
        let _ = model.try_set_option("write_model_to_file", true);
        let _ = model.try_set_option("write_model_file", path.to_string_lossy().as_ref());
    }
    let solved = model
        .try_solve()
        .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
    let feasible = solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    Ok(PoolRun {
        status: solved.status(),
        values: feasible.then(|| solved.get_solution().columns().to_vec()),
        objective: solved.objective_value(),
        dual_bound: solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite()),
    })
}

/// The pattern that person `p`'s column values (from pricing) make.
fn pattern(m: &Matrix, sp: &Split, p: usize, values: &[f64]) -> Pattern {
    let mut cost = 0.0;
    let mut link: Vec<(usize, f64)> = Vec::new();
    let mut shifts = Vec::new();
    for (&j, &v) in sp.person_cols[p].iter().zip(values) {
        // Integer columns are rounded: the pattern is an exact roster of the person.
        let v = if m.integer[j] { v.round() } else { v };
        if v.abs() < 1e-9 {
            continue;
        }
        cost += m.cost[j] * v;
        for &(r, a) in &m.columns[j] {
            if let Some(i) = sp.link_pos[r] {
                link.push((i, a * v));
            }
        }
        if let Some(s) = m.shift[j] {
            if v > 0.5 {
                shifts.push(s);
            }
        }
    }
    link.sort_by_key(|&(i, _)| i);
    link.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
    Pattern {
        person: p,
        seed: false,
        cost,
        link,
        shifts,
    }
}

/// Whether every roster costs a whole number: the constant and the costs of integer columns are
/// whole, and each continuous column with a cost is a slack, with coefficient ±1 in rows whose
/// other columns are integer with whole coefficients and whose bounds are whole, so that at the
/// cheapest it takes a whole value too.
fn whole_costs(m: &Matrix) -> bool {
    let whole = |v: f64| !v.is_finite() || (v - v.round()).abs() < 1e-9;
    if !whole(m.constant) {
        return false;
    }
    // Each row's entries other than integer columns with whole coefficients.
    let mut odd: Vec<Vec<usize>> = vec![Vec::new(); m.row_lower.len()];
    for (j, col) in m.columns.iter().enumerate() {
        for &(r, a) in col {
            if !(m.integer[j] && whole(a)) {
                odd[r].push(j);
            }
        }
    }
    (0..m.cost.len()).all(|j| {
        if !whole(m.cost[j]) {
            return false;
        }
        if m.integer[j] || m.cost[j] == 0.0 {
            return true;
        }
        whole(m.lower[j])
            && whole(m.upper[j])
            && m.columns[j].iter().all(|&(r, a)| {
                (a.abs() - 1.0).abs() < 1e-9
                    && whole(m.row_lower[r])
                    && whole(m.row_upper[r])
                    && odd[r] == [j]
            })
    })
}

/// Generates patterns until no person has a cheaper one or `until` passes, then dives and solves
/// the restricted master as an integer program, all by the first of `deadline(the instant the
/// generation ended)`; with a priced dive and a roster within `FURTHER_DIVES_MAX_GAP` of the
/// bound, further dives for up to `more_dives` seconds; the first dive and the pool of cheap
/// patterns (see `solve_pool`) may run until the second. The patterns of `seed`, a roster of
/// the block, start the master. `None` when the model does not split (one person) or a
/// person's own rules cannot hold;
/// `BlockError::NoSolution` when no round finished in time or the rounds were too slow for the
/// time given (the generation then gives its time back).
#[allow(clippy::too_many_arguments)]
pub(crate) fn generate(
    m: &Matrix,
    context: Option<(&Problem, &Block)>,
    seed: Option<&[Shift]>,
    until: Instant,
    deadline: impl Fn(Instant) -> (Instant, Instant),
    workers: usize,
    more_dives: f64,
) -> Result<Option<Generated>, BlockError> {
    let sp = split(m);
    let people = sp.person_cols.len();
    if people < 2 || sp.linking.is_empty() {
        return Ok(None);
    }
    let left = |t: Instant| t.saturating_duration_since(Instant::now()).as_secs_f64();
    // People whose rules the labelling pricer models are priced by it.
    let pricers: Vec<Option<Pricer>> = match context {
        Some((pb, block)) if std::env::var_os("DESKROSTER_NO_LABELLING").is_none() => (0..people)
            .map(|p| Pricer::new(pb, block, p, m, &sp.person_cols[p], &sp.link_pos))
            .collect(),
        _ => Vec::new(),
    };
    let mut patterns: Vec<Pattern> = Vec::new();
    // Patterns are told apart by every value, auxiliary columns included.
    let mut seen: HashMap<(usize, Vec<i64>), usize> = HashMap::new();
    // Adds a pattern unless it is there already; returns its index and whether it is new.
    let mut add = |patterns: &mut Vec<Pattern>, p: usize, values: &[f64]| {
        let key = values.iter().map(|v| (v * 1e6).round() as i64).collect();
        match seen.entry((p, key)) {
            Entry::Occupied(e) => (*e.get(), false),
            Entry::Vacant(e) => {
                e.insert(patterns.len());
                patterns.push(pattern(m, &sp, p, values));
                (patterns.len() - 1, true)
            }
        }
    };
    let everyone: Vec<usize> = (0..people).collect();
    // Each person's cheapest roster on their own.
    let zero = vec![0.0; sp.linking.len()];
    for (p, priced) in price_all(
        m,
        &sp,
        &pricers,
        &everyone,
        &zero,
        left(until),
        0.0,
        workers,
    )
    .into_iter()
    .enumerate()
    {
        match priced? {
            Some((_, _, values)) => {
                add(&mut patterns, p, &values);
            }
            None => return Ok(None),
        }
    }
    // The seed roster's patterns: the restricted master then always holds that roster.
    if let Some(seed) = seed {
        let set: HashSet<Shift> = seed.iter().copied().collect();
        for p in 0..people {
            if let Some((_, _, values)) =
                price_with(m, &sp, p, &zero, left(until), 0.0, Some(&set))?
            {
                let (i, _) = add(&mut patterns, p, &values);
                patterns[i].seed = true;
            }
        }
    }
    let started = Instant::now();
    let budget = left(until);
    let mut bound = f64::NEG_INFINITY;
    let mut rounds = 0;
    let mut converged = false;
    // People are priced to within `PRICING_GAP` (the bound uses each pricing's own lower bound,
    // so it stays valid); a round that finds nothing is redone exactly before convergence is
    // declared.
    let mut gap = PRICING_GAP;
    let mut live = LiveMaster::new(m, &sp)?;
    // The converged master's LP: its prices restrict the flow model (see `solve_paths`).
    let mut last_prices: Option<MasterLp> = None;
    while left(until) > 0.0 {
        rounds += 1;
        let round_start = Instant::now();
        live.sync(&patterns)?;
        let Some(lp) = live.solve(left(until))? else {
            break;
        };
        let objective = lp.objective;
        let (link, conv) = (&lp.link, &lp.conv);
        let mut lagrange = objective;
        let (mut added, mut cheaper) = (0, 0);
        for (p, priced) in price_all(m, &sp, &pricers, &everyone, link, left(until), gap, workers)
            .into_iter()
            .enumerate()
        {
            let Some((value, lower, values)) = priced? else {
                return Ok(None);
            };
            lagrange += (lower - conv[p]).min(0.0);
            if value - conv[p] < -1e-6 * objective.abs().max(1.0) {
                cheaper += 1;
                if add(&mut patterns, p, &values).1 {
                    added += 1;
                }
            }
        }
        bound = bound.max(lagrange);
        if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
            eprintln!(
                "colgen round {rounds}: master {objective:.3} bound {bound:.3} added {added} \
                 patterns {} ({:.2} s left)",
                patterns.len(),
                left(until)
            );
        }
        // Rounds so slow that the bound cannot get near the decomposition's in time: give the
        // time back to the caller. From the third round on, the last round alone counts too:
        // rounds get slower as the prices spread (Curtois 15, labels past their cap: 3 s a
        // round); the first is left out (on Curtois 12 it is slow, the later ones 0.1–0.5 s).
        let per_round = started.elapsed().as_secs_f64() / rounds as f64;
        let last = if rounds >= 3 {
            round_start.elapsed().as_secs_f64()
        } else {
            0.0
        };
        if rounds >= 2 && per_round.max(last) * EXPECTED_ROUNDS > 2.0 * budget {
            return Err(BlockError::NoSolution);
        }
        if cheaper == 0 && gap > 0.0 {
            gap = 0.0;
            continue;
        }
        // No cheaper pattern anywhere: the master's LP value is the decomposition's bound.
        if cheaper == 0 {
            converged = true;
            bound = bound.max(objective);
            last_prices = Some(lp);
            break;
        }
        // Cheaper patterns that are all in the master already (round-off): stop, keeping the
        // Lagrangian bound.
        if added == 0 {
            break;
        }
    }
    if !bound.is_finite() {
        return Err(BlockError::NoSolution);
    }
    // Round-off in the LP solves: keep the bound on the safe side; where every roster costs a
    // whole number, the next whole number is a bound too.
    let whole = whole_costs(m);
    let safe = |bound: f64| {
        let bound = bound - 1e-7 * bound.abs().max(1.0) + m.constant;
        if whole {
            (bound - 1e-6).ceil()
        } else {
            bound
        }
    };
    let mut bound = safe(bound);
    let (ip_end, latest) = deadline(Instant::now());
    let mut rosters = Vec::new();
    // A dive through the master's LP: a quick roster, and the integer program's start.
    // The priced dive wherever labelling prices someone (people it does not price are priced
    // by their integer program at each step): on Curtois 14 two people out of 32 are not, and
    // the plain dive found no roster.
    let priced_dive = pricers.iter().any(Option::is_some);
    let reached = |cost: f64, bound: f64| cost + m.constant <= bound + 1e-6 * bound.abs().max(1.0);
    // One dive (`variant`), logged; the next starts from the whole master again.
    let dive_once = |variant: u64,
                     end: Instant,
                     live: &mut LiveMaster,
                     patterns: &mut Vec<Pattern>,
                     add: &mut Add|
     -> Result<Option<(Vec<bool>, f64)>, BlockError> {
        let dive_start = Instant::now();
        let found = dive_priced(m, &sp, &pricers, live, patterns, add, end, workers, variant)?;
        if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
            eprintln!(
                "colgen: dive {variant} took {:.2} s, cost {:?}",
                dive_start.elapsed().as_secs_f64(),
                found.as_ref().map(|f| f.1 + m.constant)
            );
        }
        for k in 0..patterns.len() {
            live.allow(k, true);
        }
        Ok(found)
    };
    let mut dived = if priced_dive {
        // The first dive may run until `latest`, past the window: without its roster
        // the search starts from a far worse one (Curtois 18: 25 059 against 5 228).
        dive_once(0, latest, &mut live, &mut patterns, &mut add)?
    } else {
        dive(m, &sp, &patterns, ip_end)?.map(|chosen| (chosen, f64::INFINITY))
    };
    let chosen_roster = |patterns: &[Pattern], chosen: &[bool]| {
        let mut roster: Vec<Shift> = patterns
            .iter()
            .zip(chosen)
            .filter(|(_, &c)| c)
            .flat_map(|(p, _)| p.shifts.iter().copied())
            .collect();
        roster.sort_unstable();
        roster
    };
    let seed: Vec<bool> = patterns.iter().map(|p| p.seed).collect();
    let start = match &dived {
        Some((chosen, _)) => Some(chosen.as_slice()),
        None => seed.iter().any(|&c| c).then_some(seed.as_slice()),
    };
    let all: Vec<&Pattern> = patterns.iter().collect();
    // After a priced dive the integer program rarely finds better (Curtois 7 and 8: never in
    // 10–13 s): it gets a short look only.
    let ip_limit = if priced_dive && dived.is_some() {
        left(ip_end).min(IP_AFTER_DIVE_SECONDS)
    } else {
        left(ip_end)
    };
    let ip = master(m, &sp, &all, true, ip_limit, start)?;
    let mut cheapest = dived.as_ref().map_or(f64::INFINITY, |d| d.1);
    if ip.primal_solution_status() == HighsSolutionStatus::Feasible {
        let sol = ip.get_solution();
        let chosen: Vec<bool> = sol.columns()[sp.master_cols.len()..]
            .iter()
            .map(|&v| v > 0.5)
            .collect();
        rosters.push(chosen_roster(&patterns, &chosen));
        cheapest = cheapest.min(ip.objective_value());
    }
    let everyone_labelled = pricers.len() == people && pricers.iter().all(Option::is_some);
    // Only a roster at least a unit cheaper is worth finding where costs are whole.
    let window = |cheapest: f64| {
        let total = cheapest + m.constant;
        if whole {
            let below = total.round() - 1.0 - m.constant;
            (below, below + 1.0)
        } else {
            let below = cheapest - 1e-6 * total.abs().max(1.0);
            (below, below)
        }
    };
    // With the converged prices, each person's state graph: where the flow of cheap paths
    // (see `solve_paths`) would need more arcs than it keeps, the master over the patterns
    // within a regret (see `solve_pool`) comes first, and the further dives and the flow get
    // what time it leaves. (Curtois 8: 362 402 arcs within 1 309; the flow found nothing, the
    // pool finds the optimum 1 300 in its 31 s. Curtois 7: 149 267 arcs within 1 072; its pool
    // proves in 0.9 s that it holds nothing cheaper, and the dives and the flow find 1 056.)
    let graphs = match &last_prices {
        Some(prices) if everyone_labelled && !reached(cheapest, bound) => {
            state_graphs(m, &sp, &pricers, prices)
        }
        _ => None,
    };
    let pool_first = match (&graphs, &last_prices) {
        (Some(graphs), Some(prices)) if std::env::var_os("DESKROSTER_NO_POOL").is_none() => {
            let arcs = arcs_within(graphs, prices, window(cheapest).0);
            if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
                eprintln!(
                    "colgen: {arcs} arcs within {:.1}",
                    window(cheapest).0 + m.constant
                );
            }
            arcs > PATHS_MAX_ARCS
        }
        _ => false,
    };
    if let (true, Some(graphs), Some(prices)) = (pool_first, &graphs, &last_prices) {
        let (below, beyond) = window(cheapest);
        // Until `latest`, past the window: the pool is the likeliest part to find a cheaper
        // roster here (Curtois 8 on a machine 2.3 times slower: the generation and the first
        // dive left the pool 10 s before the window's end, and no roster below 1 310; with 10 s
        // more, 1 300 in two runs of two).
        if let Some(found) =
            solve_pool(m, &sp, graphs, prices, below, beyond, left(latest), workers)?
        {
            bound = bound.max(safe(found.bound));
            if let Some((roster, cost)) = found.roster {
                cheapest = cheapest.min(cost);
                rosters.push(roster);
            }
        }
    }
    // Further dives take other people first where the LP leaves a choice, until one
    // reaches the bound or `more_dives` seconds pass; the cheapest dive is kept. (Curtois 7:
    // 1057 in ten dives of about 1.5 s, where the first gives 1073.) Only where the bound is
    // close: a weak bound is more often the reason for the gap (Curtois 1: 607 at once, bound
    // 558, which the full model proves in 0.1 s).
    let total = cheapest + m.constant;
    let close = total - bound <= FURTHER_DIVES_MAX_GAP * total.abs();
    if priced_dive && close && !reached(cheapest, bound) {
        let dives_end =
            (Instant::now() + std::time::Duration::from_secs_f64(more_dives)).min(ip_end);
        let mut variant = 1;
        while Instant::now() < dives_end && !reached(cheapest, bound) {
            if let Some(found) = dive_once(variant, ip_end, &mut live, &mut patterns, &mut add)? {
                if found.1 < cheapest {
                    cheapest = found.1;
                    dived = Some(found);
                }
            }
            variant += 1;
        }
    }
    // Then the flow through each person's state graph, restricted to the arcs that can be in
    // a cheaper roster (see `solve_paths`), until `ip_end`. (Curtois 7: 1056, the optimum,
    // which no dive found; the dives come first, as the cheaper their roster, the fewer arcs
    // the flow needs. Curtois 1, 49 above the bound: all 356 arcs, and the optimum proven in
    // 0.02 s.)
    if let (Some(graphs), Some(prices)) = (&graphs, &last_prices) {
        if !reached(cheapest, bound) && left(ip_end) > 0.0 {
            let (below, beyond) = window(cheapest);
            if let Some(found) = solve_paths(m, &sp, graphs, prices, below, beyond, left(ip_end))? {
                bound = bound.max(safe(found.bound));
                if let Some((roster, _)) = found.roster {
                    rosters.push(roster);
                }
            }
        }
    }
    if let Some((chosen, _)) = &dived {
        rosters.push(chosen_roster(&patterns, chosen));
    }
    Ok(Some(Generated {
        bound,
        rosters,
        rounds,
        converged,
    }))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::check::check;
    use crate::formulate::{formulate, Block, BlockOutcome, BlockSettings};
    use crate::model::{Problem, Roster};

    /// Three people, two weeks, two shift types, the benchmark's run rules: the shape column
    /// generation is for.
    fn instance(seed: usize) -> Problem {
        instance_with(seed, 0)
    }

    /// The tiny instance; `c_early` is the most early shifts C may work (with none, some cover
    /// rows have a single person's columns: that person owns them and is priced by HiGHS).
    fn instance_with(seed: usize, c_early: u32) -> Problem {
        let mut t = String::from("SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nE,480,\nL,480,E\n\n");
        t += "SECTION_STAFF\nA,E=14|L=14,4800,2400,4,2,2,1\nB,E=14|L=4,4800,1920,3,2,1,2\n";
        t += &format!(
            "C,E={c_early}|L=14,3840,1920,5,1,2,1\n\nSECTION_DAYS_OFF\nA,3\nB\nC,9,10\n\n"
        );
        t += "SECTION_SHIFT_ON_REQUESTS\nA,1,E,2\nB,5,L,3\n\nSECTION_SHIFT_OFF_REQUESTS\nC,2,L,1\n\n";
        t += "SECTION_COVER\n";
        for d in 0..14 {
            let (e, l) = ((d * 7 + seed) % 3, (d * 5 + seed) % 2 + 1);
            t += &format!("{d},E,{e},100,1\n{d},L,{l},100,1\n");
        }
        crate::curtois::parse(&t, "tiny").expect("parses")
    }

    /// The tiny instance (see [`instance_with`]) over its whole horizon: the problem, its block,
    /// its optimum by the full model and the model's matrix.
    fn solved(seed: usize, c_early: u32) -> (Problem, Block, BlockOutcome, Matrix) {
        let p = instance_with(seed, c_early);
        let block = Block {
            days: (0..14).collect(),
            ..Block::default()
        };
        let optimum = formulate(&p, &block)
            .and_then(|f| f.solve(&BlockSettings::default()))
            .expect("solves");
        let matrix = formulate(&p, &block)
            .and_then(|f| f.matrix())
            .expect("a matrix");
        (p, block, optimum, matrix)
    }

    #[test]
    fn a_generation_without_time_gives_up_and_one_that_cannot_split_does_not_apply() {
        let (_, _, _, matrix) = solved(0, 0);
        // No time for a round: the caller is told it gave up for time, not that it does not
        // apply (so that the annealing may take its place, see `formulate::solve_block`).
        let past = Instant::now();
        let given_up = generate(&matrix, None, None, past, |_| (past, past), 1, 0.0);
        assert!(
            matches!(given_up, Err(BlockError::NoSolution)),
            "{:?}",
            given_up.map(|g| g.map(|g| g.rounds))
        );
        // One person: nothing to decompose.
        let mut alone = instance(0);
        alone.people.truncate(1);
        let block = Block {
            days: (0..14).collect(),
            ..Block::default()
        };
        let m = formulate(&alone, &block)
            .and_then(|f| f.matrix())
            .expect("a matrix");
        let far = Instant::now() + Duration::from_secs(60);
        assert!(matches!(
            generate(&m, None, None, far, |_| (far, far), 1, 0.0),
            Ok(None)
        ));
    }

    #[test]
    fn the_bound_lies_between_the_lp_and_the_optimum_and_the_seed_is_kept() {
        for seed in 0..2 {
            let (p, _, optimum, matrix) = solved(seed, 0);
            // A dive that ends at once: only the relaxation's optimum.
            let lp = crate::dive::dive(&matrix, 0.0, Some(Instant::now()), false)
                .expect("an LP bound")
                .bound;
            let far = Instant::now() + Duration::from_secs(120);
            let g = generate(&matrix, None, None, far, |_| (far, far), 2, 0.0)
                .expect("no solver error")
                .expect("the model splits by person");
            assert!(g.converged, "seed {seed}");
            assert!(g.bound >= lp - 1e-6, "seed {seed}: {} < LP {lp}", g.bound);
            assert!(
                g.bound <= optimum.objective + 1e-6,
                "seed {seed}: bound {} above the optimum {}",
                g.bound,
                optimum.objective
            );
            // The rosters found are real rosters: never below the optimum.
            assert!(!g.rosters.is_empty(), "seed {seed}");
            for roster in g.rosters {
                let report = check(&p, &Roster::new(roster));
                assert!(report.violations.is_empty(), "seed {seed}");
                assert!(report.penalties.total() >= optimum.objective - 1e-6);
            }
            // Seeded with the optimal roster, the master holds it: its roster is optimal too.
            let seeded = generate(
                &matrix,
                None,
                Some(&optimum.shifts),
                far,
                |_| (far, far),
                1,
                0.0,
            )
            .expect("no solver error")
            .expect("the model splits by person");
            let ip = seeded.rosters.into_iter().next().expect("a roster");
            let report = check(&p, &Roster::new(ip));
            assert!(report.violations.is_empty(), "seed {seed}");
            assert!(
                (report.penalties.total() - optimum.objective).abs() < 1e-6,
                "seed {seed}: {} vs {}",
                report.penalties.total(),
                optimum.objective
            );
        }
    }

    #[test]
    fn further_dives_never_give_a_dearer_roster_and_whole_costs_round_the_bound() {
        for seed in 0..2 {
            let (p, block, optimum, matrix) = solved(seed, 0);
            let optimum = optimum.objective;
            assert!(
                crate::labelling::applies(&p, &block),
                "the priced dive runs"
            );
            assert!(whole_costs(&matrix), "the benchmark's costs are whole");
            let far = Instant::now() + Duration::from_secs(120);
            let cheapest = |more: f64| {
                let g = generate(
                    &matrix,
                    Some((&p, &block)),
                    None,
                    far,
                    |_| (far, far),
                    1,
                    more,
                )
                .expect("no solver error")
                .expect("the model splits by person");
                assert_eq!(g.bound, g.bound.round(), "seed {seed}");
                assert!(g.bound <= optimum + 1e-6, "seed {seed}");
                g.rosters
                    .into_iter()
                    .map(|r| {
                        let report = check(&p, &Roster::new(r));
                        assert!(report.violations.is_empty(), "seed {seed}");
                        report.penalties.total()
                    })
                    .fold(f64::INFINITY, f64::min)
            };
            let (one, more) = (cheapest(0.0), cheapest(1.0));
            assert!(more <= one + 1e-6, "seed {seed}: {more} > {one}");
            assert!(more >= optimum - 1e-6, "seed {seed}");
        }
    }

    /// The master's LP generated to convergence by labelling alone, from each person's
    /// cheapest roster.
    fn converged(m: &Matrix, sp: &Split, pricers: &[Option<Pricer>]) -> MasterLp {
        let people = sp.person_cols.len();
        let priced = |p: usize, duals: &[f64]| {
            let pricer = pricers[p].as_ref().expect("labelled");
            label(m, sp, pricer, p, duals)
                .expect("within the cap")
                .expect("a roster")
        };
        let zero = vec![0.0; sp.linking.len()];
        let mut patterns: Vec<Pattern> = (0..people)
            .map(|p| pattern(m, sp, p, &priced(p, &zero).2))
            .collect();
        let mut live = LiveMaster::new(m, sp).expect("a master");
        loop {
            live.sync(&patterns).expect("synced");
            let lp = live.solve(60.0).expect("solves").expect("optimal");
            let mut added = 0;
            for p in 0..people {
                let (value, _, values) = priced(p, &lp.link);
                let new = pattern(m, sp, p, &values);
                let known = patterns
                    .iter()
                    .any(|q| q.person == p && q.shifts == new.shifts);
                if value - lp.conv[p] < -1e-6 && !known {
                    patterns.push(new);
                    added += 1;
                }
            }
            if added == 0 {
                return lp;
            }
        }
    }

    #[test]
    fn the_flow_of_cheap_paths_holds_every_cheap_roster_and_proves_the_optimum() {
        for seed in 0..6 {
            let (p, block, optimum, m) = solved(seed, 3);
            let optimum = optimum.objective.round();
            let sp = split(&m);
            let pricers: Vec<Option<Pricer>> = (0..sp.person_cols.len())
                .map(|q| Pricer::new(&p, &block, q, &m, &sp.person_cols[q], &sp.link_pos))
                .collect();
            assert!(pricers.iter().all(Option::is_some), "everyone is labelled");
            let prices = converged(&m, &sp, &pricers);
            let raw = optimum - m.constant;
            // Rosters costing at most the optimum: the flow holds one and proves it cheapest.
            let graphs = state_graphs(&m, &sp, &pricers, &prices).expect("graphs");
            let found = solve_paths(&m, &sp, &graphs, &prices, raw, raw + 1.0, 60.0)
                .expect("no solver error")
                .expect("the flow is built");
            let (roster, cost) = found.roster.expect("a roster");
            let report = check(&p, &Roster::new(roster));
            assert!(report.violations.is_empty(), "seed {seed}");
            assert_eq!(report.penalties.total(), optimum, "seed {seed}");
            assert!((cost + m.constant - optimum).abs() < 1e-6, "seed {seed}");
            assert!(
                (found.bound + m.constant - optimum).abs() < 1e-6,
                "seed {seed}"
            );
            // A unit less: none, and the bound is the optimum.
            let none = solve_paths(&m, &sp, &graphs, &prices, raw - 1.0, raw, 60.0)
                .expect("no solver error")
                .expect("the flow is built");
            assert!(
                none.roster.is_none_or(|r| r.1 > raw - 1.0 + 1e-6),
                "seed {seed}: a roster below the optimum"
            );
            assert!(
                none.bound + m.constant >= optimum - 1e-6,
                "seed {seed}: bound {} below the optimum {optimum}",
                none.bound + m.constant
            );
        }
    }

    #[test]
    fn the_pool_of_cheap_patterns_finds_the_optimum_and_proves_none_cheaper() {
        for seed in 0..6 {
            let (p, block, optimum, m) = solved(seed, 3);
            let optimum = optimum.objective.round();
            let sp = split(&m);
            let pricers: Vec<Option<Pricer>> = (0..sp.person_cols.len())
                .map(|q| Pricer::new(&p, &block, q, &m, &sp.person_cols[q], &sp.link_pos))
                .collect();
            let prices = converged(&m, &sp, &pricers);
            let graphs = state_graphs(&m, &sp, &pricers, &prices).expect("graphs");
            let raw = optimum - m.constant;
            // One seed or two: the optimum, proven (the pool holds every pattern that can
            // be in a roster costing at most the optimum).
            for workers in [1, 2] {
                let found = solve_pool(&m, &sp, &graphs, &prices, raw, raw + 1.0, 60.0, workers)
                    .expect("no solver error")
                    .expect("the pool fits");
                let (roster, cost) = found.roster.expect("a roster");
                let report = check(&p, &Roster::new(roster));
                assert!(report.violations.is_empty(), "seed {seed}");
                assert_eq!(report.penalties.total(), optimum, "seed {seed}");
                assert!((cost + m.constant - optimum).abs() < 1e-6, "seed {seed}");
                assert!(
                    (found.bound + m.constant - optimum).abs() < 1e-6,
                    "seed {seed}, {workers} workers: bound {}",
                    found.bound + m.constant
                );
            }
            // A unit less: none, and the bound is the optimum.
            let none = solve_pool(&m, &sp, &graphs, &prices, raw - 1.0, raw, 60.0, 2)
                .expect("no solver error")
                .expect("the pool fits");
            assert!(
                none.roster.is_none(),
                "seed {seed}: a roster below the optimum"
            );
            assert!(
                none.bound + m.constant >= optimum - 1e-6,
                "seed {seed}: bound {} below the optimum {optimum}",
                none.bound + m.constant
            );
        }
    }

    #[test]
    fn a_fractional_cost_or_a_shared_slack_is_not_whole() {
        let p = instance(0);
        let block = Block {
            days: (0..14).collect(),
            ..Block::default()
        };
        let matrix = formulate(&p, &block)
            .and_then(|f| f.matrix())
            .expect("a matrix");
        assert!(whole_costs(&matrix));
        let slack = (0..matrix.cost.len())
            .find(|&j| !matrix.integer[j] && matrix.cost[j] != 0.0)
            .expect("a slack with a cost");
        let mut half = matrix.clone();
        half.cost[slack] = 0.5;
        assert!(!whole_costs(&half));
        let mut shared = matrix.clone();
        let row = matrix.columns[slack][0].0;
        let other = (0..matrix.cost.len())
            .find(|&j| j != slack && !matrix.integer[j])
            .expect("another continuous column");
        shared.columns[other].push((row, 1.0));
        assert!(!whole_costs(&shared));
        let mut constant = matrix;
        constant.constant += 0.25;
        assert!(!whole_costs(&constant));
    }

    mod labelling {
        use std::collections::HashSet;

        use proptest::prelude::*;

        use super::super::*;
        use crate::formulate::{formulate, Block};

        /// One person's line of the benchmark's staff section, with days off.
        #[derive(Clone, Debug)]
        struct Staff {
            max_shifts: [u32; 3],
            /// Fewest and most minutes, in hours.
            min_hours: u32,
            extra_hours: u32,
            max_on: u32,
            min_on: u32,
            min_off: u32,
            max_weekends: u32,
            days_off: Vec<usize>,
        }

        prop_compose! {
            fn staff(days: usize)(
                max_shifts in prop::array::uniform3(0u32..=8),
                min_hours in 0u32..=40,
                extra_hours in 0u32..=60,
                max_on in 1u32..=6,
                min_on in 1u32..=3,
                min_off in 1u32..=3,
                max_weekends in 0u32..=2,
                days_off in prop::collection::vec(0..days, 0..=2),
            ) -> Staff {
                Staff { max_shifts, min_hours, extra_hours, max_on, min_on, min_off, max_weekends, days_off }
            }
        }

        /// A horizon of 3–16 days in the benchmark's format: three templates of different
        /// lengths with forbidden successions, three people, requests and cover.
        fn instance() -> impl Strategy<Value = (String, Vec<f64>)> {
            (3usize..=16).prop_flat_map(|days| {
                (
                    prop::collection::vec(staff(days), 3),
                    prop::collection::vec(
                        (0usize..3, 0..days, 0usize..3, 1u32..=3, any::<bool>()),
                        0..=6,
                    ),
                    prop::collection::vec(-40.0f64..120.0, 1..=64),
                )
                    .prop_map(move |(staff, requests, duals)| {
                        (text(days, &staff, &requests), duals)
                    })
            })
        }

        const NAMES: [&str; 3] = ["E", "D", "L"];

        fn text(
            days: usize,
            staff: &[Staff],
            requests: &[(usize, usize, usize, u32, bool)],
        ) -> String {
            let mut t =
                format!("SECTION_HORIZON\n{days}\n\nSECTION_SHIFTS\nE,480,\nD,360,E\nL,600,E|D\n");
            t += "\nSECTION_STAFF\n";
            for (p, s) in staff.iter().enumerate() {
                let limits: Vec<String> = (0..3)
                    .map(|i| format!("{}={}", NAMES[i], s.max_shifts[i]))
                    .collect();
                t += &format!(
                    "P{p},{},{},{},{},{},{},{}\n",
                    limits.join("|"),
                    (s.min_hours + s.extra_hours) * 60,
                    s.min_hours * 60,
                    s.max_on,
                    s.min_on,
                    s.min_off,
                    s.max_weekends
                );
            }
            t += "\nSECTION_DAYS_OFF\n";
            for (p, s) in staff.iter().enumerate() {
                let mut off = s.days_off.clone();
                off.sort_unstable();
                off.dedup();
                let off: Vec<String> = off.iter().map(ToString::to_string).collect();
                t += &format!("P{p},{}\n", off.join(","));
            }
            for (section, on) in [("ON", true), ("OFF", false)] {
                t += &format!("\nSECTION_SHIFT_{section}_REQUESTS\n");
                for &(p, d, i, w, _) in requests.iter().filter(|r| r.4 == on) {
                    t += &format!("P{p},{d},{},{w}\n", NAMES[i]);
                }
            }
            t += "\nSECTION_COVER\n";
            for d in 0..days {
                for (i, name) in NAMES.iter().enumerate() {
                    t += &format!("{d},{name},{},100,1\n", (d + i) % 3);
                }
            }
            t
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

            /// The labelling pricer finds the same cheapest roster value as the integer program
            /// at any prices, its roster is one the model accepts at that value, and it finds
            /// none exactly when the integer program finds none.
            #[test]
            fn labelling_matches_the_integer_program((t, prices) in instance()) {
                let pb = crate::curtois::parse(&t, "t").expect("parses");
                let block = Block { days: (0..pb.days.len()).collect(), ..Block::default() };
                let m = formulate(&pb, &block).and_then(|f| f.matrix()).expect("a matrix");
                let sp = split(&m);
                let duals: Vec<f64> = (0..sp.linking.len()).map(|i| prices[i % prices.len()]).collect();
                for p in 0..sp.person_cols.len() {
                    // A person with no column at all (every template limited to 0): the split
                    // keeps none of their rows (a row with no column has no owner), so the
                    // integer program prices the empty roster at 0 even when a minimum cannot
                    // hold, where labelling finds no roster. The full model then has no roster
                    // either. Nothing to compare.
                    if sp.person_cols[p].is_empty() {
                        continue;
                    }
                    // People alone on a template and day own that cover row and its penalty:
                    // the integer program prices them.
                    let Some(pricer) = Pricer::new(&pb, &block, p, &m, &sp.person_cols[p], &sp.link_pos) else {
                        continue;
                    };
                    let mip = price(&m, &sp, p, &duals, 60.0, 0.0).expect("HiGHS solves");
                    let dp = label(&m, &sp, &pricer, p, &duals).expect("labels within their cap");
                    match (mip, dp) {
                        (None, None) => {}
                        (Some((v, ..)), Some((w, lower, values))) => {
                            prop_assert!((v - w).abs() <= 1e-6 * v.abs().max(1.0), "person {p}: integer program {v}, labelling {w}");
                            prop_assert_eq!(lower, w);
                            let shifts: HashSet<Shift> = pattern(&m, &sp, p, &values).shifts.into_iter().collect();
                            let fixed = price_with(&m, &sp, p, &duals, 60.0, 0.0, Some(&shifts)).expect("HiGHS solves");
                            prop_assert!(
                                fixed.as_ref().is_some_and(|f| (f.0 - w).abs() <= 1e-6 * w.abs().max(1.0)),
                                "person {p}: the labelled roster costs {:?} in the model, not {w}", fixed.map(|f| f.0)
                            );
                            // The state graph: its arcs' cheapest rosters, its merged flow's
                            // cheapest path and the path of first arcs agree with the model.
                            let cost = priced_costs(&m, &sp, p, &duals);
                            let paths = pricer.paths(&cost).expect("states within their cap");
                            let tol = 1e-6 * w.abs().max(1.0);
                            let first = paths.arcs.iter().filter(|a| a.from.is_none()).map(|a| a.through).fold(f64::INFINITY, f64::min);
                            prop_assert!((first - w).abs() <= tol, "person {p}: graph {first}, labelling {w}");
                            prop_assert!(paths.arcs.iter().all(|a| a.through >= w - tol));
                            let flow = paths.flow(|_| true);
                            let merged = flow.merged();
                            prop_assert!(merged.last.len() <= flow.last.len());
                            let mut dist = vec![f64::INFINITY; merged.last.len()];
                            let mut next = vec![None; merged.last.len()];
                            let mut start = None;
                            for &(from, to, col) in &merged.arcs {
                                prop_assert!(from.is_none_or(|u| u < to), "arcs go forward");
                                let base = from.map_or(0.0, |u| dist[u]);
                                dist[to] = dist[to].min(base + col.map_or(0.0, |k| cost[k]));
                                match from {
                                    None => { start.get_or_insert((to, col)); }
                                    Some(u) => { next[u].get_or_insert((to, col)); }
                                }
                            }
                            let best = (0..merged.last.len()).filter(|&v| merged.last[v]).map(|v| dist[v]).fold(f64::INFINITY, f64::min);
                            prop_assert!((best - w).abs() <= tol, "person {p}: merged flow {best}, labelling {w}");
                            let mut cols = Vec::new();
                            let mut at = start;
                            while let Some((v, col)) = at {
                                cols.extend(col);
                                at = next[v];
                            }
                            let shifts: HashSet<Shift> = cols.iter().filter_map(|&k| m.shift[sp.person_cols[p][k]]).collect();
                            let walked = price_with(&m, &sp, p, &duals, 60.0, 0.0, Some(&shifts)).expect("HiGHS solves");
                            let value: f64 = cols.iter().map(|&k| cost[k]).sum();
                            prop_assert!(
                                walked.as_ref().is_some_and(|f| (f.0 - value).abs() <= tol),
                                "person {p}: a path of the flow costs {:?} in the model, not {value}", walked.map(|f| f.0)
                            );
                        }
                        (mip, dp) => prop_assert!(false, "person {p}: integer program {:?}, labelling {:?}", mip.map(|f| f.0), dp.map(|f| f.0)),
                    }
                }
            }
        }
    }
}
