//! LP diving: a roster by rounding the relaxation of a block's model step by step.
//!
//! The relaxation is solved once; then, round after round, shifts the LP takes whole are kept,
//! and the LP's largest fractional shifts (at most one per person and day, a share of those
//! left, [`BATCHES`]) are fixed to 1 and the LP is solved again from its previous basis. A fixing that
//! makes the LP infeasible, or raises its cost more than the requested gap above the
//! relaxation's optimum, is halved (the largest shifts stay) down to a single shift; a single
//! shift that still does is dropped (fixed to 0), and if dropping it raises the cost too, the
//! dive goes on without the cost limit, and a second dive with smaller steps follows it. A dive
//! ends when no shift is fractional: the roster is the fixed shifts.
//!
//! On loose problems (many people, every rule satisfiable, e.g. the generated 60-person term) the
//! relaxation's optimum is often reached by an integral roster and the dive finds one in a few
//! LP solves: 2–6 s for a 28 000-column week of the generated 60-person term, where HiGHS's
//! own search takes 28 s and the greedy roster with the neighbourhood search 16–96 s. On tight
//! problems (the sample term) its rosters are poor; the caller keeps the better of its roster and
//! others. The relaxation's optimum is returned too: a lower bound on the block's cost.

use std::collections::HashSet;
use std::time::Instant;

use highs::{Col, HighsModelStatus as S, RowProblem, Sense};

use crate::formulate::{BlockError, Matrix};
use crate::model::Shift;

/// What a dive found.
#[derive(Clone, Debug)]
pub(crate) struct Dived {
    /// The optimum of the relaxation (with the objective's constant): a lower bound.
    pub bound: f64,
    /// The roster, when the dive reached one before its end.
    pub shifts: Option<Vec<Shift>>,
    /// LP solves made (the first included).
    pub solves: usize,
    /// Time taken, in seconds.
    pub seconds: f64,
}

fn lp(model: highs::Model) -> Result<highs::SolvedModel, BlockError> {
    model
        .try_solve()
        .map_err(|e| BlockError::Solver(format!("{e:?}")))
}

/// Dives from the relaxation of `m` until a roster or `end`. Fixings that would take the
/// relaxation's cost more than `gap` (relative) above its optimum are halved, then skipped.
/// When a dive cannot keep to that, one more starts from the relaxation with smaller steps
/// ([`BATCHES`]); the cheaper roster is returned. A `quick` dive makes one attempt and gives up
/// (no roster) as soon as the cost cannot be kept: a cheap try before the full model.
///
/// # Errors
/// [`BlockError::NoSolution`] when the relaxation itself is infeasible; solver errors.
pub(crate) fn dive(
    m: &Matrix,
    gap: f64,
    end: Option<Instant>,
    quick: bool,
) -> Result<Dived, BlockError> {
    let t0 = Instant::now();
    let mut pb = RowProblem::new();
    let cols: Vec<Col> = (0..m.cost.len())
        .map(|j| pb.add_column(m.cost[j], m.lower[j]..=m.upper[j]))
        .collect();
    let mut rows: Vec<Vec<(Col, f64)>> = vec![Vec::new(); m.row_lower.len()];
    for (j, entries) in m.columns.iter().enumerate() {
        for &(r, a) in entries {
            if let Some(row) = rows.get_mut(r) {
                row.push((cols[j], a));
            }
        }
    }
    for (r, entries) in rows.into_iter().enumerate() {
        pb.add_row(m.row_lower[r]..=m.row_upper[r], entries);
    }
    let mut model = pb
        .try_optimise(Sense::Minimise)
        .map_err(|e| BlockError::Solver(format!("{e:?}")))?;
    model.make_quiet();
    let _ = model.try_set_option("threads", 1);
    let _ = model.try_set_option("random_seed", 0);
    // Re-solves start from the previous basis: presolve would only get in the way.
    let _ = model.try_set_option("presolve", "off");
    let mut diver = Diver {
        m,
        cols,
        shift_cols: (0..m.shift.len())
            .filter(|&j| m.shift[j].is_some())
            .collect(),
        solves: 0,
        end,
    };
    let mut solved = diver.lp(model)?;
    if !matches!(solved.status(), S::Optimal) {
        return Err(BlockError::NoSolution);
    }
    let bound = solved.objective_value() + m.constant;
    // Fixings must keep the relaxation feasible and within `gap` of its optimum.
    let limit = bound + gap * bound.abs() + 1e-9 - m.constant;
    let mut best: Option<(f64, Vec<Shift>)> = None;
    let attempts = if quick { 1 } else { BATCHES.len() };
    for (attempt, &batch) in BATCHES.iter().take(attempts).enumerate() {
        if attempt > 0 {
            // Back to the relaxation: every shift free again.
            let mut model = highs::Model::from(solved);
            for &j in &diver.shift_cols {
                model.change_column_bounds(diver.cols[j], m.lower[j]..=m.upper[j]);
            }
            solved = diver.lp(model)?;
        }
        let (s, outcome) = diver.attempt(solved, batch, limit, quick)?;
        solved = s;
        let Some((cost, shifts, kept)) = outcome else {
            break;
        };
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, shifts));
        }
        if kept {
            break;
        }
    }
    Ok(Dived {
        bound,
        shifts: best.map(|(_, s)| s),
        solves: diver.solves,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// The share of the fractional shifts fixed per round, per attempt.
const BATCHES: [f64; 3] = [0.3, 0.1, 0.03];

struct Diver<'a> {
    m: &'a Matrix,
    cols: Vec<Col>,
    shift_cols: Vec<usize>,
    solves: usize,
    end: Option<Instant>,
}

/// What one attempt ended with: the roster's cost in the relaxation, its shifts, and whether
/// the cost limit held all the way; `None` when it stopped without a roster.
type Attempt = Option<(f64, Vec<Shift>, bool)>;

impl Diver<'_> {
    fn lp(&mut self, model: highs::Model) -> Result<highs::SolvedModel, BlockError> {
        self.solves += 1;
        lp(model)
    }

    /// One dive from the relaxation solved in `solved`, fixing a share `batch` of the
    /// fractional shifts per round while the relaxation's cost stays within `limit` (with
    /// `give_up`, ending without a roster as soon as it cannot).
    fn attempt(
        &mut self,
        mut solved: highs::SolvedModel,
        batch: f64,
        mut limit: f64,
        give_up: bool,
    ) -> Result<(highs::SolvedModel, Attempt), BlockError> {
        let m = self.m;
        let mut fixed = vec![false; m.cost.len()];
        let mut dropped = vec![false; m.cost.len()];
        let good = |s: &highs::SolvedModel, limit: f64| {
            matches!(s.status(), S::Optimal) && s.objective_value() <= limit
        };
        let day = |j: usize| m.shift[j].map(|s| (s.person, s.day));
        loop {
            if self.end.is_some_and(|e| Instant::now() >= e) {
                return Ok((solved, None));
            }
            let values = solved.get_solution().columns().to_vec();
            let mut open: Vec<(f64, usize)> = Vec::new();
            // Shifts the LP takes whole are kept: fixing them leaves its solution feasible.
            let mut whole: Vec<usize> = Vec::new();
            for &j in &self.shift_cols {
                let v = values.get(j).copied().unwrap_or(0.0);
                if fixed[j] || dropped[j] || v <= 1e-6 {
                    continue;
                }
                if v >= 1.0 - 1e-6 {
                    fixed[j] = true;
                    whole.push(j);
                } else {
                    open.push((v, j));
                }
            }
            if open.is_empty() {
                break;
            }
            // Largest first; ties by column, so the dive is deterministic.
            open.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut busy: HashSet<(usize, usize)> = self
                .shift_cols
                .iter()
                .filter(|&&j| fixed[j])
                .filter_map(|&j| day(j))
                .collect();
            let want = ((open.len() as f64 * batch).ceil() as usize).max(1);
            let mut pick: Vec<usize> = Vec::with_capacity(want);
            for &(_, j) in &open {
                if day(j).is_some_and(|k| busy.insert(k)) {
                    pick.push(j);
                    if pick.len() == want {
                        break;
                    }
                }
            }
            if pick.is_empty() {
                pick.push(open[0].1);
            }
            let mut model = highs::Model::from(solved);
            for &j in whole.iter().chain(&pick) {
                model.change_column_bounds(self.cols[j], 1.0..=1.0);
            }
            solved = self.lp(model)?;
            // Too much at once: keep halving the fixing (the largest shifts stay).
            while !good(&solved, limit) && pick.len() > 1 {
                let mut model = highs::Model::from(solved);
                for &j in &pick[pick.len() / 2..] {
                    model.change_column_bounds(self.cols[j], m.lower[j]..=m.upper[j]);
                }
                pick.truncate(pick.len() / 2);
                solved = self.lp(model)?;
            }
            if good(&solved, limit) {
                for &j in &pick {
                    fixed[j] = true;
                }
                continue;
            }
            // Not even the largest shift alone: the dive goes on without it.
            let top = pick[0];
            let mut model = highs::Model::from(solved);
            model.change_column_bounds(self.cols[top], 0.0..=0.0);
            dropped[top] = true;
            solved = self.lp(model)?;
            if !matches!(solved.status(), S::Optimal) {
                return Ok((solved, None));
            }
            if !good(&solved, limit) {
                if give_up {
                    return Ok((solved, None));
                }
                // The relaxation's cost cannot be kept: dive on without a limit.
                limit = f64::INFINITY;
            }
        }
        let cost = solved.objective_value() + m.constant;
        let shifts: Vec<Shift> = self
            .shift_cols
            .iter()
            .filter(|&&j| fixed[j])
            .filter_map(|&j| m.shift[j])
            .collect();
        Ok((solved, Some((cost, shifts, limit.is_finite()))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::formulate::{formulate, Block, BlockSettings};
    use crate::model::{Problem, Roster};
    use crate::synth::{generate, SynthSpec};

    fn week(p: &Problem) -> (Matrix, f64) {
        let block = Block {
            days: (0..7).collect(),
            ..Block::default()
        };
        let optimum = formulate(p, &block)
            .and_then(|f| f.solve(&BlockSettings::default()))
            .expect("solves")
            .objective;
        let matrix = formulate(p, &block)
            .and_then(|f| f.matrix())
            .expect("a matrix");
        (matrix, optimum)
    }

    #[test]
    fn a_dive_gives_a_legal_roster_above_the_optimum_and_a_bound_below_it() {
        for seed in 1..4 {
            let p = generate(&SynthSpec {
                people: 8,
                desks: 2,
                weeks: 1,
                seed,
                term_budgets: false,
            });
            let (matrix, optimum) = week(&p);
            let d = dive(&matrix, 0.0, None, false).expect("no solver error");
            assert!(
                d.bound <= optimum + 1e-6,
                "seed {seed}: bound {} > {optimum}",
                d.bound
            );
            let shifts = d.shifts.expect("a roster");
            let report = check(&p, &Roster::new(shifts));
            assert!(
                report.violations.is_empty(),
                "seed {seed}: {:?}",
                report.violations
            );
            assert!(
                report.penalties.total() >= optimum - 1e-6,
                "seed {seed}: {} below the optimum {optimum}",
                report.penalties.total()
            );
        }
    }

    #[test]
    fn on_a_loose_week_the_dive_reaches_the_relaxations_optimum() {
        // Many people for two desks: every rule can be met, the relaxation's optimum is an
        // integral roster's cost.
        let p = generate(&SynthSpec {
            people: 30,
            desks: 2,
            weeks: 1,
            seed: 1,
            term_budgets: false,
        });
        let (matrix, optimum) = week(&p);
        let d = dive(&matrix, 0.0, None, false).expect("no solver error");
        let cost = check(&p, &Roster::new(d.shifts.expect("a roster")))
            .penalties
            .total();
        assert!(
            (cost - optimum).abs() < 1e-6,
            "dive {cost}, optimum {optimum}"
        );
        assert!(
            (d.bound - optimum).abs() < 1e-6,
            "bound {}, optimum {optimum}",
            d.bound
        );
    }

    #[test]
    fn a_dive_past_its_end_returns_the_bound_only() {
        let p = generate(&SynthSpec {
            people: 6,
            desks: 1,
            weeks: 1,
            seed: 2,
            term_budgets: false,
        });
        let (matrix, optimum) = week(&p);
        let d = dive(&matrix, 0.0, Some(Instant::now()), false).expect("no solver error");
        assert!(d.shifts.is_none());
        assert!(d.bound <= optimum + 1e-6);
    }
}
