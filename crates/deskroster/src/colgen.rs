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

use std::collections::HashSet;
use std::time::Instant;

use highs::{ColProblem, HighsModelStatus as S, HighsSolutionStatus, Row, Sense};

use crate::formulate::{BlockError, Matrix};
use crate::model::Shift;

/// Rounds a generation typically needs to converge (27–42 on Curtois & Qu instances 3–6).
const EXPECTED_ROUNDS: f64 = 25.0;

/// What the generation found.
#[derive(Debug)]
pub(crate) struct Generated {
    /// A lower bound on the block's cost (constant included).
    pub bound: f64,
    /// The cheapest roster the patterns combine into, when the restricted master found one.
    pub shifts: Option<Vec<Shift>>,
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
    cost: f64,
    /// Entries in the linking rows (master positions).
    link: Vec<(usize, f64)>,
    shifts: Vec<Shift>,
}

fn quiet(model: &mut highs::Model, limit: f64) {
    model.make_quiet();
    let _ = model.try_set_option("threads", 1);
    let _ = model.try_set_option("random_seed", 0);
    let _ = model.try_set_option("mip_rel_gap", 0.0);
    let _ = model.try_set_option("time_limit", limit.max(0.01));
}

/// The master over `patterns`: an LP (`integer` false) or the restricted integer program.
fn master(
    m: &Matrix,
    sp: &Split,
    patterns: &[Pattern],
    integer: bool,
    limit: f64,
) -> Result<highs::SolvedModel, BlockError> {
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
    for p in patterns {
        let mut entries: Vec<(Row, f64)> = p.link.iter().map(|&(i, a)| (rows[i], a)).collect();
        entries.push((convexity[p.person], 1.0));
        pb.add_column_with_integrality(p.cost, 0.0..=1.0, entries, integer);
    }
    let mut model = pb
        .try_optimise(Sense::Minimise)
        .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
    quiet(&mut model, limit);
    model
        .try_solve()
        .map_err(|e| BlockError::Solver(format!("{e:?}")))
}

/// Person `p`'s best pattern at prices `duals` (of the linking rows): its objective, a lower
/// bound on it, and its column values. `None` when the person's rules cannot all hold.
fn price(
    m: &Matrix,
    sp: &Split,
    p: usize,
    duals: &[f64],
    limit: f64,
) -> Result<Option<(f64, f64, Vec<f64>)>, BlockError> {
    price_with(m, sp, p, duals, limit, None)
}

/// [`price`], with the person's shifts fixed to `fixed` when given: the pattern of a roster.
fn price_with(
    m: &Matrix,
    sp: &Split,
    p: usize,
    duals: &[f64],
    limit: f64,
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
    quiet(&mut model, limit);
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
    let bound = if matches!(solved.status(), S::Optimal) {
        // An LP (no integer column) reports no MIP bound: its optimum is the bound.
        solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite())
            .unwrap_or(objective)
            .min(objective)
    } else {
        solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite())
            .unwrap_or(f64::NEG_INFINITY)
    };
    Ok(Some((
        objective,
        bound,
        solved.get_solution().columns().to_vec(),
    )))
}

type Priced = Result<Option<(f64, f64, Vec<f64>)>, BlockError>;

/// Prices every person on up to `workers` threads; the results come in person order, whatever
/// thread finished first.
fn price_all(m: &Matrix, sp: &Split, duals: &[f64], limit: f64, workers: usize) -> Vec<Priced> {
    let people = sp.person_cols.len();
    let workers = workers.clamp(1, people.max(1));
    if workers == 1 {
        return (0..people).map(|p| price(m, sp, p, duals, limit)).collect();
    }
    let mut out: Vec<Option<Priced>> = (0..people).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || {
                    (w..people)
                        .step_by(workers)
                        .map(|p| (p, price(m, sp, p, duals, limit)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // A thread that panicked leaves its people unpriced: reported below.
            if let Ok(done) = h.join() {
                for (p, r) in done {
                    out[p] = Some(r);
                }
            }
        }
    });
    out.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(BlockError::Solver("pricing thread failed".into()))))
        .collect()
}

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
        cost,
        link,
        shifts,
    }
}

/// Generates patterns until no person has a cheaper one or `until` passes, then solves the
/// restricted master as an integer program until `deadline`. The patterns of `seed`, a roster of
/// the block, start the master. `None` when the model does not
/// split (one person), a person's own rules cannot hold, or no round finished in time.
pub(crate) fn generate(
    m: &Matrix,
    seed: Option<&[Shift]>,
    until: Instant,
    deadline: Instant,
    workers: usize,
) -> Result<Option<Generated>, BlockError> {
    let sp = split(m);
    let people = sp.person_cols.len();
    if people < 2 || sp.linking.is_empty() {
        return Ok(None);
    }
    let left = |t: Instant| t.saturating_duration_since(Instant::now()).as_secs_f64();
    let mut patterns: Vec<Pattern> = Vec::new();
    // Patterns are told apart by every value, auxiliary columns included.
    let mut seen: HashSet<(usize, Vec<i64>)> = HashSet::new();
    let mut add = |patterns: &mut Vec<Pattern>, p: usize, values: &[f64]| {
        let key = values.iter().map(|v| (v * 1e6).round() as i64).collect();
        if seen.insert((p, key)) {
            patterns.push(pattern(m, &sp, p, values));
            true
        } else {
            false
        }
    };
    // Each person's cheapest roster on their own.
    let zero = vec![0.0; sp.linking.len()];
    for (p, priced) in price_all(m, &sp, &zero, left(until), workers)
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
            if let Some((_, _, values)) = price_with(m, &sp, p, &zero, left(until), Some(&set))? {
                add(&mut patterns, p, &values);
            }
        }
    }
    let started = Instant::now();
    let budget = left(until);
    let mut bound = f64::NEG_INFINITY;
    let mut rounds = 0;
    let mut converged = false;
    while left(until) > 0.0 {
        rounds += 1;
        let lp = master(m, &sp, &patterns, false, left(until))?;
        if !matches!(lp.status(), S::Optimal) {
            break;
        }
        let objective = lp.objective_value();
        let sol = lp.get_solution();
        let duals = sol.dual_rows();
        let (link, conv) = duals.split_at(sp.linking.len());
        let mut lagrange = objective;
        let (mut added, mut cheaper) = (0, 0);
        for (p, priced) in price_all(m, &sp, link, left(until), workers)
            .into_iter()
            .enumerate()
        {
            let Some((value, lower, values)) = priced? else {
                return Ok(None);
            };
            lagrange += (lower - conv[p]).min(0.0);
            if value - conv[p] < -1e-6 * objective.abs().max(1.0) {
                cheaper += 1;
                if add(&mut patterns, p, &values) {
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
        // time back to the caller.
        let per_round = started.elapsed().as_secs_f64() / rounds as f64;
        if rounds >= 2 && per_round * EXPECTED_ROUNDS > 2.0 * budget {
            return Ok(None);
        }
        // No cheaper pattern anywhere: the master's LP value is the decomposition's bound.
        if cheaper == 0 {
            converged = true;
            bound = bound.max(objective);
            break;
        }
        // Cheaper patterns that are all in the master already (round-off): stop, keeping the
        // Lagrangian bound.
        if added == 0 {
            break;
        }
    }
    if !bound.is_finite() {
        return Ok(None);
    }
    // Round-off in the LP solves: keep the bound on the safe side.
    let bound = bound - 1e-7 * bound.abs().max(1.0) + m.constant;
    let ip = master(m, &sp, &patterns, true, left(deadline))?;
    let mut shifts = None;
    if ip.primal_solution_status() == HighsSolutionStatus::Feasible {
        let sol = ip.get_solution();
        let lambda = &sol.columns()[sp.master_cols.len()..];
        let mut roster = Vec::new();
        for (p, &v) in patterns.iter().zip(lambda) {
            if v > 0.5 {
                roster.extend_from_slice(&p.shifts);
            }
        }
        roster.sort_unstable();
        shifts = Some(roster);
    }
    Ok(Some(Generated {
        bound,
        shifts,
        rounds,
        converged,
    }))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::check::check;
    use crate::formulate::{formulate, Block, BlockSettings};
    use crate::model::{Problem, Roster};

    /// Three people, two weeks, two shift types, the benchmark's run rules: the shape column
    /// generation is for.
    fn instance(seed: usize) -> Problem {
        let mut t = String::from("SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nE,480,\nL,480,E\n\n");
        t += "SECTION_STAFF\nA,E=14|L=14,4800,2400,4,2,2,1\nB,E=14|L=4,4800,1920,3,2,1,2\n";
        t += "C,E=0|L=14,3840,1920,5,1,2,1\n\nSECTION_DAYS_OFF\nA,3\nB\nC,9,10\n\n";
        t += "SECTION_SHIFT_ON_REQUESTS\nA,1,E,2\nB,5,L,3\n\nSECTION_SHIFT_OFF_REQUESTS\nC,2,L,1\n\n";
        t += "SECTION_COVER\n";
        for d in 0..14 {
            let (e, l) = ((d * 7 + seed) % 3, (d * 5 + seed) % 2 + 1);
            t += &format!("{d},E,{e},100,1\n{d},L,{l},100,1\n");
        }
        crate::curtois::parse(&t, "tiny").expect("parses")
    }

    #[test]
    fn the_bound_lies_between_the_lp_and_the_optimum_and_the_seed_is_kept() {
        for seed in 0..2 {
            let p = instance(seed);
            let block = Block {
                days: (0..14).collect(),
                ..Block::default()
            };
            let settings = BlockSettings::default();
            let optimum = formulate(&p, &block)
                .and_then(|f| f.solve(&settings))
                .expect("solves");
            let lp = formulate(&p, &block)
                .and_then(|f| f.lp_bound(&settings))
                .expect("an LP bound");
            let matrix = formulate(&p, &block)
                .and_then(|f| f.matrix())
                .expect("a matrix");
            let far = Instant::now() + Duration::from_secs(120);
            let g = generate(&matrix, None, far, far, 2)
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
            // The restricted master's roster is a real roster: never below the optimum.
            let roster = g.shifts.expect("a roster");
            let report = check(&p, &Roster::new(roster));
            assert!(report.violations.is_empty(), "seed {seed}");
            assert!(report.penalties.total() >= optimum.objective - 1e-6);
            // Seeded with the optimal roster, the master holds it: its roster is optimal too.
            let seeded = generate(&matrix, Some(&optimum.shifts), far, far, 1)
                .expect("no solver error")
                .expect("the model splits by person");
            let report = check(&p, &Roster::new(seeded.shifts.expect("a roster")));
            assert!(report.violations.is_empty(), "seed {seed}");
            assert!(
                (report.penalties.total() - optimum.objective).abs() < 1e-6,
                "seed {seed}: {} vs {}",
                report.penalties.total(),
                optimum.objective
            );
        }
    }
}
