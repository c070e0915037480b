//! Benchmarks of the issues' figures (not timed tests): `cargo bench --bench roster [-- NAME...]`.
//!
//! - `sample`: solve the sample term (schedules/winter-2027), proven within 0.5%.
//! - `large`: a generated term, 60 people, 4 desks, 15 weeks (`LARGE_SEED=n` for another one).
//! - `mid`: generated 4-week terms of 14, 20 and 25 people (the quick dive's range).
//! - `check`: the independent checker on the sample term's roster.
//! - `sick-day`, `sick-week`: a one-day / a week-long absence repaired on the sample roster.
//!
//! Each prints wall time, the solver's figures and peak memory (VmHWM of this process).

use std::path::Path;
use std::time::Instant;

use deskroster::check::check;
use deskroster::input::load_term;
use deskroster::model::{Problem, Roster};
use deskroster::repair::{repair, RepairOptions};
use deskroster::solve::{solve, SolveOptions};
use deskroster::synth::{generate, SynthSpec};

fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn sample() -> Problem {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schedules/winter-2027");
    match load_term(&dir) {
        Ok(t) => t.problem,
        Err(e) => panic!("cannot load the sample term: {e}"),
    }
}

fn options(gap: f64) -> SolveOptions {
    SolveOptions {
        warm_start: std::env::var_os("WARM_START").is_some(),
        // `TIME_LIMIT=s`: stop after s seconds.
        time_limit: std::env::var("TIME_LIMIT")
            .ok()
            .and_then(|t| t.parse().ok()),
        gap,
        ..SolveOptions::default()
    }
}

fn solve_and_report(name: &str, p: &Problem, gap: f64) -> Roster {
    let t = Instant::now();
    let s = match solve(p, &options(gap)) {
        Ok(s) => s,
        Err(e) => panic!("{name}: {e}"),
    };
    let secs = t.elapsed().as_secs_f64();
    let report = check(p, &s.roster);
    let holes = report
        .shortfalls
        .iter()
        .filter(|x| deskroster::output::is_hole(p, x))
        .count();
    let distinct = s.blocks.iter().filter(|b| !b.reused).count();
    let derived = s.blocks.iter().filter(|b| b.derived).count();
    let name = if std::env::var_os("WARM_START").is_some() {
        format!("{name} [warm start]")
    } else {
        name.to_string()
    };
    println!(
        "{name}: {secs:.2} s wall, {} shifts, objective {:.2}, bound {:.2}, gap {:.3}%, proven {}, {} blocks ({} distinct, {} of them from a week that relaxes them), holes {}, checker total {:.2}, peak {:.0} MiB",
        s.roster.shifts.len(),
        s.summary.objective,
        s.summary.bound,
        s.summary.gap * 100.0,
        s.summary.proven_optimal,
        s.blocks.len(),
        distinct,
        derived,
        holes,
        report.penalties.total(),
        peak_mib()
    );
    if std::env::var_os("BLOCKS").is_some() {
        for b in &s.blocks {
            println!(
                "  block day {:>3} ({} days): {:>6} columns, objective {:>9.2}, bound {:>9.2}, {:>6.2} s{}",
                b.first_day,
                b.days,
                b.columns,
                b.objective,
                b.bound,
                b.seconds,
                if b.reused {
                    " (reused)"
                } else if b.derived {
                    " (from a week that relaxes it)"
                } else {
                    ""
                }
            );
        }
    }
    s.roster
}

fn absent(p: &Problem, person: usize, first: usize, last: usize) -> Problem {
    let mut q = p.clone();
    for d in first..=last {
        if let Some(a) = q.people[person].availability.get_mut(d) {
            a.clear();
        }
    }
    q
}

fn sick(name: &str, p: &Problem, roster: &Roster, days: usize) {
    // The person with the most shifts in week 6.
    let monday = 6 * 7;
    let person = (0..p.people.len())
        .max_by_key(|&i| {
            roster
                .shifts
                .iter()
                .filter(|s| s.person == i && s.day >= monday && s.day < monday + 7)
                .count()
        })
        .unwrap_or(0);
    // From the first day of that week they work.
    let first = roster
        .shifts
        .iter()
        .filter(|s| s.person == person && s.day >= monday && s.day < monday + 7)
        .map(|s| s.day)
        .min()
        .unwrap_or(monday);
    let q = absent(p, person, first, first + days - 1);
    let now = p.days[monday].and_hms_opt(0, 0, 0).unwrap_or_default();
    let t = Instant::now();
    let r = match repair(
        &q,
        roster,
        &RepairOptions {
            now,
            solve: options(1e-4),
            ..RepairOptions::default()
        },
    ) {
        Ok(r) => r,
        Err(e) => panic!("{name}: {e}"),
    };
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{name}: {secs:.3} s wall for {} absent {} day(s): {} change(s), {} person(s) changed, {} hole(s), {} day(s) re-solved",
        p.people[person].name,
        days,
        r.changes.len(),
        r.changed_people(),
        r.holes.len(),
        r.window.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wants = |n: &str| args.is_empty() || args.iter().any(|a| a == n);
    if wants("sample") || wants("check") || wants("sick-day") || wants("sick-week") {
        let p = sample();
        let roster = solve_and_report("sample (gap 0.5%)", &p, 0.005);
        if wants("check") {
            let runs = 50;
            let t = Instant::now();
            let mut n = 0;
            for _ in 0..runs {
                n += check(&p, &roster).violations.len();
            }
            println!(
                "check: {:.2} ms per run on {} shifts ({} violations)",
                t.elapsed().as_secs_f64() * 1000.0 / runs as f64,
                roster.shifts.len(),
                n / runs
            );
        }
        if wants("sick-day") {
            sick("sick-day", &p, &roster, 1);
        }
        if wants("sick-week") {
            sick("sick-week", &p, &roster, 7);
        }
    }
    if wants("mid") {
        for (people, desks, seed) in [(14, 2, 2), (20, 2, 1), (25, 3, 3)] {
            let p = generate(&SynthSpec {
                people,
                desks,
                weeks: 4,
                seed,
                term_budgets: false,
            });
            let name =
                format!("mid {people} people, {desks} desks, 4 weeks, seed {seed} (gap 0.5%)");
            solve_and_report(&name, &p, 0.005);
        }
    }
    if wants("large") {
        // `LARGE_SEED=n` generates another term of the same size (default 1).
        let seed = std::env::var("LARGE_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        let p = generate(&SynthSpec {
            people: 60,
            desks: 4,
            weeks: 15,
            seed,
            term_budgets: false,
        });
        let name = format!("large 60 people, 4 desks, 15 weeks, seed {seed} (gap 0.5%)");
        solve_and_report(&name, &p, 0.005);
    }
}
