//! Large-neighbourhood search: improves a roster found under a time limit by re-solving parts of
//! it.
//!
//! When HiGHS cannot prove a block optimal in its time, it often also has a poor roster: on the
//! Curtois & Qu instances the bound is within 1% of the optimum long before the incumbent is.
//! Here the block's roster is improved by freeing a part of it (a few people over the whole
//! block, everyone over a few days, or on a long block a few people over a few weeks), keeping
//! the rest fixed (`Block::frozen`), and solving
//! that much smaller integer program exactly. A better roster replaces the incumbent; the size of
//! the part adapts to how quickly the parts solve. The bound stays the one the full model proved,
//! so the reported gap is honest.
//!
//! Choices are drawn from a seeded generator: the same run makes the same choices, but with a time
//! limit the result still depends on the machine's speed.

use std::collections::{BTreeSet, HashSet};
use std::time::Instant;

use crate::formulate::{evaluate, formulate, Block, BlockError, BlockOutcome, BlockSettings};
use crate::model::{Problem, Shift};
use crate::synth::Rng;

/// Which part of the roster is re-solved.
#[derive(Clone, Copy, Debug)]
enum Part {
    /// These many people, over all days of the block.
    People(usize),
    /// Everyone, over these many consecutive days.
    Days(usize),
    /// Twice these many people, over half the days.
    Mixed(usize),
    /// These many people over these many consecutive days: the part of a long block.
    Rect(usize, usize),
}

/// A block longer than this many days is searched by [`Part::Rect`] parts too. On Curtois 22
/// (364 days, 50 people) one person over the whole year is a model HiGHS needs about 10 s for
/// (the search's part limit), and everyone over a few days, or half the people over half the
/// year, longer still; four people over four weeks solve in under a second. On Curtois 18 (84
/// days, 22 people, a roster near the optimum) rectangles alone did worse than whole-block
/// parts (4 800 against 4 678 at 240 s): the search keeps both and favours the kind that has
/// improved the roster faster.
const LONG_BLOCK_DAYS: usize = 56;

/// On a long block, the kind of part that has lately improved the roster more slowly still gets
/// this share of the search's time.
const EXPLORE_SHARE: f64 = 0.1;

/// Weight of a kind's earlier parts against its last one in its recent improvement a second.
const RECENT_DECAY: f64 = 0.8;

/// The first [`Part::Rect`] parts free this many person-days; quick parts grow it, parts that
/// reach their limit shrink it.
const RECT_FIRST_AREA: usize = 112;

/// People freed together in a [`Part::Rect`], in turn: few people over many days, or the
/// other way round.
const RECT_PEOPLE: [usize; 3] = [2, 4, 8];

/// When the search stops.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stop {
    /// At instant `at`; each part gets at most `part` seconds, and parts adapt their size to
    /// how fast they solve.
    Deadline { at: Instant, part: f64 },
    /// After these many rounds in a row without improvement, or once the roster is within
    /// `gap` of the bound. Parts are solved to optimality and grow after each round that does not
    /// improve: the search is deterministic.
    Stall { rounds: u32, gap: f64 },
}

/// Improves `incumbent` until `stop`. Returns the best roster found, with the objective HiGHS
/// gave it (the caller re-evaluates it exactly) and the incumbent's bound.
pub(crate) fn improve(
    problem: &Problem,
    block: &Block,
    settings: &BlockSettings,
    incumbent: BlockOutcome,
    stop: Stop,
) -> BlockOutcome {
    let people = problem.people.len();
    let days = block.days.len();
    if people == 0 || days == 0 {
        return incumbent;
    }
    let mut best = incumbent;
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut by_days = (days / 4).clamp(1, days);
    let mut round = 0u64;
    let (deadline, part_limit, stall_limit, gap) = match stop {
        Stop::Deadline { at, part } => (Some(at), part, u32::MAX, settings.gap),
        Stop::Stall { rounds, gap } => (None, f64::INFINITY, rounds, gap),
    };
    // The first parts free a tenth of the people under a deadline (parts that solve quickly
    // grow from there), a fifth in the deterministic mode. Curtois 15 at 180 s: every people
    // part of a fifth (9 of 45) hit its time limit in the search's first 80 s; those of a
    // tenth start at 4, and the first two solved in 7.4 and 2.6 s. A tenth left 15 at 6 790 in
    // two runs (8 518–8 694 with a fifth) and 13 at 2 966 and 3 059 (4 185); a twentieth
    // 7 445 and 2 973.
    let share = if deadline.is_some() { 10 } else { 5 };
    let mut by_people = (people / share).max(2).min(people);
    let mut stalled = 0u32;
    // Long blocks under a deadline are searched in rectangles of people and days too.
    let long = deadline.is_some() && days > LONG_BLOCK_DAYS;
    let mut rect_area = RECT_FIRST_AREA;
    // Improvement and seconds of the recent whole-block parts and rectangles.
    let mut recent = [(0.0f64, 0.0f64); 2];
    // Seconds spent on each kind.
    let mut spent = [0.0f64; 2];
    let (mut whole_round, mut rect_round) = (0u64, 0u64);
    // Deterministic mode: at most this many people or days free at once.
    let (most_people, most_days) = ((people / 3).max(4).min(people), (days / 2).max(1));
    if deadline.is_none() {
        by_people = by_people.min(most_people);
        by_days = by_days.min(most_days);
    }
    loop {
        let left = deadline.map_or(f64::INFINITY, |d| {
            d.saturating_duration_since(Instant::now()).as_secs_f64()
        });
        let done = best.objective - best.bound <= gap * best.objective.abs() + 1e-9;
        if left < 0.2 || done || stalled >= stall_limit {
            break;
        }
        round += 1;
        // On a long block, the kind of part that has improved the roster faster lately, or the
        // other one while it has had less than its share of the time.
        let rect = long && {
            // Untried kinds first (rectangles before whole-block parts).
            let rate = |(gain, time): (f64, f64)| {
                if time > 0.0 {
                    gain / time
                } else {
                    f64::INFINITY
                }
            };
            let faster = usize::from(rate(recent[1]) >= rate(recent[0]));
            let slower = 1 - faster;
            let explore = spent[slower] < EXPLORE_SHARE * (spent[0] + spent[1]);
            (if explore { slower } else { faster }) == 1
        };
        let part = if rect {
            rect_round += 1;
            let n = RECT_PEOPLE[(rect_round % RECT_PEOPLE.len() as u64) as usize].min(people);
            Part::Rect(n, (rect_area / n).clamp(1, days))
        } else {
            whole_round += 1;
            match whole_round % 4 {
                0 => Part::Days(by_days),
                2 => Part::Mixed(by_people),
                _ => Part::People(by_people),
            }
        };
        let before = best.objective;
        let frozen = freeze(problem, block, part, &mut rng);
        let (sub, outside) = part_block(block, people, &best.shifts, frozen, long);
        let t0 = Instant::now();
        // The part's model may leave out the days it keeps (`part_block`) and the people it
        // keeps whole but for their shifts in the coverage rows (`Block::frozen`): its
        // objective is then the roster's cost less theirs, a constant. The incumbent's value in
        // it turns the part's objective into a roster's cost.
        let kept_whole = sub.kept_whole(people).contains(&true);
        let offset = if kept_whole || sub.days.len() < days {
            let incumbent: Vec<Shift> = in_days(&sub.days, block.pinned.iter().chain(&best.shifts));
            match evaluate(problem, &sub, settings, &incumbent) {
                Ok(value) => best.objective - value,
                // The incumbent is a roster of every part; a solver failure ends the search.
                Err(e) => {
                    if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
                        eprintln!(
                            "lns round {round}: {part:?}: the incumbent fails its part: {e:?}"
                        );
                    }
                    break;
                }
            }
        } else {
            0.0
        };
        let formulated = formulate(problem, &sub);
        // The part's time limit counts from here: building its model and pricing the
        // incumbent are not on HiGHS's clock (Curtois 8 at 60 s ended 0.6 s late).
        let limit = deadline.map(|d| {
            d.saturating_duration_since(Instant::now())
                .as_secs_f64()
                .min(part_limit)
        });
        let st = BlockSettings {
            time_limit: limit,
            gap: 0.0,
            initial: None,
            export: None,
            warm_start: false,
            // Only a cheaper roster is of use: HiGHS prunes the rest from the start.
            cutoff: Some(best.objective - offset - 1e-6 * best.objective.abs().max(1.0)),
            ..settings.clone()
        };
        let built = t0.elapsed().as_secs_f64();
        let result = formulated
            .and_then(|f| f.solve(&st))
            .map(|out| BlockOutcome {
                objective: out.objective + offset,
                shifts: outside.iter().chain(&out.shifts).copied().collect(),
                ..out
            });
        let took = t0.elapsed().as_secs_f64();
        let quick = limit.is_some_and(|l| took < l * 0.25);
        if std::env::var_os("DESKROSTER_LNS_LOG").is_some() {
            let found = result.as_ref().map_or(f64::NAN, |o| o.objective);
            eprintln!(
                "lns round {round}: {part:?} {took:.2}s (built in {built:.2}s) found {found:.1} best {:.1}",
                best.objective
            );
        }
        let improved = match result {
            Ok(out) if out.objective < best.objective - 1e-6 => {
                best = BlockOutcome {
                    shifts: out.shifts,
                    objective: out.objective,
                    ..best
                };
                true
            }
            Ok(_) | Err(BlockError::NoSolution | BlockError::NothingCheaper) => false,
            // The parts never make the block infeasible (the incumbent is a solution of each);
            // a solver failure ends the search with what was found.
            Err(_) => break,
        };
        if long {
            let kind = usize::from(rect);
            spent[kind] += took;
            // Gain and time of the kind's recent parts, the older ones weighing less.
            recent[kind].0 = recent[kind].0 * RECENT_DECAY + (before - best.objective);
            recent[kind].1 = recent[kind].1 * RECENT_DECAY + took.max(1e-3);
        }
        if deadline.is_none() {
            // Deterministic: a part that brings nothing grows.
            if improved {
                stalled = 0;
            } else {
                stalled += 1;
                match part {
                    Part::People(n) => by_people = (n + 1).min(most_people),
                    Part::Days(n) => by_days = (n + 1).min(most_days),
                    Part::Mixed(_) | Part::Rect(..) => {}
                }
            }
            continue;
        }
        // Parts that solve quickly grow; parts that hit the limit shrink.
        let grow = |n: usize| n + n.div_ceil(2);
        match part {
            Part::People(n) if quick => by_people = grow(n).min(people),
            Part::People(n) => by_people = n.saturating_sub(1).max(1),
            Part::Days(n) if quick => by_days = grow(n).min(days),
            Part::Days(n) => by_days = n.saturating_sub(1).max(1),
            // Rectangles grow only when a quick one brings nothing: on a roster far from the
            // optimum nearly every part improves it, and small ones do so many times a second.
            Part::Rect(..) if quick && !improved => rect_area = grow(rect_area).min(people * days),
            Part::Rect(..) if quick => {}
            Part::Rect(..) => rect_area = (rect_area * 2 / 3).max(RECT_PEOPLE[0]),
            Part::Mixed(_) => {}
        }
    }
    best
}

/// The block a part re-solves: `block` with the incumbent's shifts on the `frozen` (person, day)
/// pairs pinned, and the shifts the part keeps outside it. On a long block (`window`) a part
/// that keeps some days whole is a block of its other days alone, the kept days' shifts its
/// fixed context (Curtois 24: a part of 8 people over 2 days was a model of all 364 days, 0.3 s
/// to build and presolve for a problem of 16 person-days). Not when the block shares a budget
/// (`caps`) or prices changes against a base roster: both count over the block's days.
fn part_block(
    block: &Block,
    people: usize,
    incumbent: &[Shift],
    frozen: HashSet<(usize, usize)>,
    window: bool,
) -> (Block, Vec<Shift>) {
    let window = window && block.base.is_none() && block.caps.iter().all(Option::is_none);
    let days: Vec<usize> = if window {
        let kept_whole = |d: usize| (0..people).all(|p| frozen.contains(&(p, d)));
        block
            .days
            .iter()
            .copied()
            .filter(|&d| !kept_whole(d))
            .collect()
    } else {
        block.days.clone()
    };
    let fixed = incumbent
        .iter()
        .filter(|s| frozen.contains(&(s.person, s.day)));
    // Ordered, so that the sub-model's columns come in the same order every run.
    let pinned = in_days(&days, block.pinned.iter().chain(fixed));
    if days.len() == block.days.len() {
        let sub = Block {
            pinned,
            frozen,
            ..block.clone()
        };
        return (sub, Vec::new());
    }
    let inside: HashSet<usize> = days.iter().copied().collect();
    let outside: Vec<Shift> = incumbent
        .iter()
        .filter(|s| !inside.contains(&s.day))
        .copied()
        .collect();
    let sub = Block {
        context: block.context.iter().chain(&outside).copied().collect(),
        pinned,
        frozen: frozen
            .into_iter()
            .filter(|(_, d)| inside.contains(d))
            .collect(),
        days,
        ..block.clone()
    };
    (sub, outside)
}

/// The shifts of `shifts` on `days`, ordered and without repeats.
fn in_days<'a>(days: &[usize], shifts: impl Iterator<Item = &'a Shift>) -> Vec<Shift> {
    let days: HashSet<usize> = days.iter().copied().collect();
    shifts
        .filter(|s| days.contains(&s.day))
        .copied()
        .collect::<BTreeSet<Shift>>()
        .into_iter()
        .collect()
}

/// The (person, day) pairs kept fixed for one neighbourhood.
fn freeze(problem: &Problem, block: &Block, part: Part, rng: &mut Rng) -> HashSet<(usize, usize)> {
    let people = problem.people.len();
    let mut frozen = HashSet::new();
    match part {
        // The rectangle of twice the people over half the days.
        Part::Mixed(n) => {
            let half = block.days.len().div_ceil(2);
            return freeze(problem, block, Part::Rect(2 * n, half), rng);
        }
        Part::Rect(n, len) => {
            let free = pick(people, n.min(people), rng);
            let all = block.days.len();
            let len = len.min(all);
            let first = rng.below((all - len + 1) as u64) as usize;
            for (p, &free) in free.iter().enumerate() {
                for (i, &d) in block.days.iter().enumerate() {
                    if !free || i < first || i >= first + len {
                        frozen.insert((p, d));
                    }
                }
            }
        }
        Part::People(n) => {
            let free = pick(people, n, rng);
            for p in (0..people).filter(|&p| !free[p]) {
                for &d in &block.days {
                    frozen.insert((p, d));
                }
            }
        }
        Part::Days(n) => {
            let len = block.days.len();
            let n = n.min(len);
            let first = rng.below((len - n + 1) as u64) as usize;
            for (i, &d) in block.days.iter().enumerate() {
                if i < first || i >= first + n {
                    for p in 0..people {
                        frozen.insert((p, d));
                    }
                }
            }
        }
    }
    frozen
}

/// Marks `n` of `people` people, drawn at random.
fn pick(people: usize, n: usize, rng: &mut Rng) -> Vec<bool> {
    let mut order: Vec<usize> = (0..people).collect();
    // Partial Fisher-Yates: the first n are drawn.
    for i in 0..n.min(people) {
        let j = i + rng.below((people - i) as u64) as usize;
        order.swap(i, j);
    }
    let mut chosen = vec![false; people];
    for &p in &order[..n.min(people)] {
        chosen[p] = true;
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::formulate::solve_block;
    use crate::model::Roster;
    use crate::synth::{generate, SynthSpec};
    use std::time::Duration;

    fn settings() -> BlockSettings {
        BlockSettings::default()
    }

    /// The exact cost of a roster of a one-block problem, from the independent checker.
    fn cost(p: &Problem, shifts: &[Shift]) -> (f64, usize) {
        let report = check(p, &Roster::new(shifts.to_vec()));
        (report.penalties.total(), report.violations.len())
    }

    /// The search of the block of `p`'s first `days` days from an empty roster, for 3 s (parts
    /// of at most 1 s). An empty roster must break no hard rule of `p`; the search's roster
    /// must break none either, cost less, and never cost more than the search says: the cost
    /// HiGHS gave a part stopped by its time limit may overstate its roster's (its auxiliary
    /// columns not yet at their cheapest: 13 664 against the checker's 13 662 once, on a loaded
    /// machine), never understate it; the caller re-evaluates it exactly.
    fn search_from_empty(p: &Problem, days: usize) -> (Block, BlockOutcome) {
        let block = Block {
            days: (0..days).collect(),
            ..Block::default()
        };
        // Every hole is a penalty, not a broken rule.
        let (empty, broken) = cost(p, &[]);
        assert_eq!(broken, 0);
        let start = BlockOutcome {
            shifts: Vec::new(),
            objective: empty,
            bound: 0.0,
            proven: false,
            columns: 0,
            rows: 0,
        };
        let stop = Stop::Deadline {
            at: Instant::now() + Duration::from_secs(3),
            part: 1.0,
        };
        let out = improve(p, &block, &settings(), start, stop);
        let (checked, broken) = cost(p, &out.shifts);
        assert_eq!(broken, 0, "the search broke a hard rule");
        assert!(out.objective < empty - 1.0, "no improvement on {empty}");
        assert!(
            checked <= out.objective + 1e-6,
            "search says {}, checker {checked}",
            out.objective
        );
        (block, out)
    }

    #[test]
    fn the_search_improves_an_empty_roster_and_never_understates_its_cost() {
        let p = generate(&SynthSpec {
            people: 8,
            desks: 1,
            weeks: 1,
            seed: 3,
            term_budgets: false,
        });
        let (block, out) = search_from_empty(&p, 7);
        // Never better than the optimum.
        let best = solve_block(&p, &block, &settings()).expect("solves");
        assert!(out.objective >= best.objective - 1e-6);
    }

    #[test]
    fn a_cutoff_keeps_every_cheaper_roster_and_claims_none_below_the_optimum() {
        let p = generate(&SynthSpec {
            people: 6,
            desks: 1,
            weeks: 1,
            seed: 4,
            term_budgets: false,
        });
        let block = Block {
            days: (0..7).collect(),
            ..Block::default()
        };
        let solve = |cutoff: Option<f64>| {
            let st = BlockSettings {
                cutoff,
                ..settings()
            };
            formulate(&p, &block).and_then(|f| f.solve(&st))
        };
        let optimum = solve(None).expect("solves").objective;
        // Above the optimum: the optimum is found.
        let above = solve(Some(optimum + 0.5)).expect("a roster below the cutoff");
        assert!((above.objective - optimum).abs() < 1e-6);
        assert!(above.bound <= optimum + 1e-6);
        // At the optimum: nothing cheaper (HiGHS may still hand back a dearer roster it met).
        match solve(Some(optimum - 1e-6)) {
            Err(BlockError::NothingCheaper) => {}
            Ok(out) => assert!(
                out.objective >= optimum - 1e-6,
                "{} < {optimum}",
                out.objective
            ),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_time_limited_block_with_the_search_keeps_solver_and_checker_equal() {
        let p = generate(&SynthSpec {
            people: 10,
            desks: 2,
            weeks: 1,
            seed: 5,
            term_budgets: false,
        });
        let block = Block {
            days: (0..7).collect(),
            ..Block::default()
        };
        let st = BlockSettings {
            time_limit: Some(2.0),
            lns: true,
            ..settings()
        };
        let out = solve_block(&p, &block, &st).expect("a roster in time");
        let (checked, broken) = cost(&p, &out.shifts);
        assert_eq!(broken, 0);
        assert!((checked - out.objective).abs() < 1e-6);
        assert!(out.bound <= out.objective + 1e-9);
    }

    #[test]
    fn a_part_prices_rosters_up_to_the_constant_cost_of_the_people_it_keeps_whole() {
        let p = generate(&SynthSpec {
            people: 8,
            desks: 1,
            weeks: 1,
            seed: 3,
            term_budgets: false,
        });
        let block = Block {
            days: (0..7).collect(),
            ..Block::default()
        };
        let best = solve_block(&p, &block, &settings()).expect("solves");
        // People 0-4 kept whole; 5-7 free. The other roster leaves the free people off.
        let kept = |s: &Shift| s.person < 5;
        let other: Vec<Shift> = best.shifts.iter().copied().filter(kept).collect();
        assert!(other.len() < best.shifts.len(), "the free people work");
        let part = |days_kept: usize| Block {
            frozen: (0..5)
                .flat_map(|q| (0..days_kept).map(move |d| (q, d)))
                .collect(),
            ..block.clone()
        };
        let (whole, nearly) = (part(7), part(6));
        let value = |b: &Block, shifts: &[Shift]| evaluate(&p, b, &settings(), shifts).unwrap();
        let constant = value(&block, &best.shifts) - value(&whole, &best.shifts);
        let other_constant = value(&block, &other) - value(&whole, &other);
        assert!(
            (constant - other_constant).abs() < 1e-6,
            "{constant} against {other_constant}"
        );
        // Their own costs are that constant (some, in this term).
        assert!(constant > 1.0, "{constant}");
        // Kept on every day but one, they are in the model with all their rules.
        assert!((value(&block, &other) - value(&nearly, &other)).abs() < 1e-6);
    }

    #[test]
    fn neighbourhoods_free_the_requested_part() {
        let p = generate(&SynthSpec {
            people: 6,
            desks: 1,
            weeks: 2,
            seed: 1,
            term_budgets: false,
        });
        let block = Block {
            days: (0..14).collect(),
            ..Block::default()
        };
        let mut rng = Rng(7);
        let all = 6 * 14;
        assert_eq!(
            freeze(&p, &block, Part::People(2), &mut rng).len(),
            all - 2 * 14
        );
        assert_eq!(
            freeze(&p, &block, Part::Days(3), &mut rng).len(),
            all - 6 * 3
        );
        assert_eq!(
            freeze(&p, &block, Part::Mixed(1), &mut rng).len(),
            all - 2 * 7
        );
        // A rectangle: two people over five consecutive days.
        let frozen = freeze(&p, &block, Part::Rect(2, 5), &mut rng);
        let free: Vec<(usize, usize)> = (0..6)
            .flat_map(|person| (0..14).map(move |day| (person, day)))
            .filter(|pair| !frozen.contains(pair))
            .collect();
        assert_eq!(free.len(), 2 * 5);
        let people: BTreeSet<usize> = free.iter().map(|&(person, _)| person).collect();
        let days: BTreeSet<usize> = free.iter().map(|&(_, day)| day).collect();
        assert_eq!(people.len(), 2);
        let (first, last) = (*days.first().unwrap(), *days.last().unwrap());
        assert_eq!(
            (days.len(), last - first),
            (5, 4),
            "not consecutive: {days:?}"
        );
    }

    #[test]
    fn the_search_of_a_long_block_improves_and_breaks_no_rule() {
        // Nine weeks: longer than LONG_BLOCK_DAYS, so rectangles and whole-block parts take turns
        // (the shape of a rectangle is checked in `neighbourhoods_free_the_requested_part`).
        let p = generate(&SynthSpec {
            people: 6,
            desks: 1,
            weeks: 9,
            seed: 2,
            term_budgets: false,
        });
        let days = 63;
        assert!(days > LONG_BLOCK_DAYS);
        search_from_empty(&p, days);
    }

    #[test]
    fn parts_of_a_long_block_keep_the_run_rules_across_their_days() {
        // Nine weeks in the Curtois & Qu format: runs of 2-4 working days, at least 2 days off,
        // at most 5 weekends, a late shift never followed by an early one; two of each shift a
        // day keep everyone near their limits. A rectangle of a long block is solved as a block
        // of its own days, the rest of the roster its context.
        let days = 63;
        let mut text = format!(
            "SECTION_HORIZON\n{days}\n\nSECTION_SHIFTS\nE,480,\nL,480,E\n\nSECTION_STAFF\n"
        );
        for p in 0..6 {
            text += &format!("P{p},E={days}|L={days},{},0,4,2,2,5\n", 480 * days);
        }
        text += "\nSECTION_COVER\n";
        for d in 0..days {
            text += &format!("{d},E,2,100,1\n{d},L,2,100,1\n");
        }
        let p = crate::curtois::parse(&text, "nine weeks").expect("parses");
        search_from_empty(&p, days);
    }
}
