//! The Curtois & Qu staff-scheduling benchmark (Instance1 … Instance24).
//!
//! ```text
//! cargo bench --bench curtois              # every instance found
//! cargo bench --bench curtois -- 1 2 3     # some instances
//! CURTOIS_TIME_LIMIT=30 cargo bench --bench curtois -- 9
//! ```
//!
//! Instances are read from `../shared/benchmarks/curtois/instances` (relative to the repository
//! root) or from `$CURTOIS_DIR`. They are not part of the repository: download
//! `instances1_24.zip` from <https://www.schedulingbenchmarks.org/nrp/> and unpack the `.txt`
//! files there. The objective printed is the independent checker's, and the run fails when it
//! differs from the solver's or when the checker finds a broken rule.

use std::path::{Path, PathBuf};
use std::time::Instant;

use deskroster::check::check;
use deskroster::curtois;
use deskroster::solve::{solve, SolveOptions};

/// Best-known values (lower bound, upper bound) from schedulingbenchmarks.org.
const BEST: [(u32, u32); 24] = [
    (607, 607),
    (828, 828),
    (1001, 1001),
    (1716, 1716),
    (1143, 1143),
    (1950, 1950),
    (1056, 1056),
    (1300, 1300),
    (439, 439),
    (4631, 4631),
    (3443, 3443),
    (4040, 4040),
    (1348, 1348),
    (1278, 1278),
    (3828, 3828),
    (3225, 3225),
    (5746, 5746),
    (4459, 4459),
    (3149, 3149),
    (4769, 4769),
    (21133, 21133),
    (30241, 30241),
    (17285, 17285),
    (40438, 40439),
];

/// Default time limit in seconds: the whole table stays under about two hours.
fn default_limit(instance: usize) -> f64 {
    match instance {
        1..=8 => 60.0,
        9..=15 => 600.0,
        _ => 240.0,
    }
}

fn instances_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CURTOIS_DIR") {
        return PathBuf::from(d);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks/curtois/instances")
}

fn main() {
    let dir = instances_dir();
    if !dir.is_dir() {
        println!(
            "curtois: skipped, no instance folder at {} (set CURTOIS_DIR, or download \
             instances1_24.zip from https://www.schedulingbenchmarks.org/nrp/ and unpack the \
             .txt files there)",
            dir.display()
        );
        return;
    }
    // `cargo bench` passes `--bench`; keep only instance numbers.
    let mut wanted: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .filter(|n| (1..=24).contains(n))
        .collect();
    if wanted.is_empty() {
        wanted = (1..=24).collect();
    }
    // More primal heuristics than HiGHS's default (0.05): better rosters at the time limit on
    // the large instances (measured on Instance5: 1167 against 1269 after 30 s).
    if std::env::var_os("DESKROSTER_HIGHS_OPTS").is_none() {
        std::env::set_var("DESKROSTER_HIGHS_OPTS", "mip_heuristic_effort=0.3");
    }
    let limit_env: Option<f64> = std::env::var("CURTOIS_TIME_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok());
    let threads: u32 = std::env::var("CURTOIS_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as u32));

    println!(
        "| instance | days×staff×shifts | ours (checker) | bound | gap | time (s) | limit (s) | published | ours/published |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut failed = false;
    for n in wanted {
        let path = dir.join(format!("Instance{n}.txt"));
        if !path.is_file() {
            println!("| {n} | missing: {} | | | | | | | |", path.display());
            continue;
        }
        let problem = match curtois::read(&path) {
            Ok(p) => p,
            Err(e) => {
                println!("| {n} | error: {e} | | | | | | | |");
                failed = true;
                continue;
            }
        };
        let size = format!(
            "{}×{}×{}",
            problem.days.len(),
            problem.people.len(),
            problem.templates.len()
        );
        let limit = limit_env.unwrap_or_else(|| default_limit(n));
        let opts = SolveOptions {
            time_limit: Some(limit),
            gap: 1e-6,
            threads,
            no_decompose: true,
            export_model: None,
            warm_start: false,
        };
        let t0 = Instant::now();
        let result = solve(&problem, &opts);
        let secs = t0.elapsed().as_secs_f64();
        let (lb, ub) = BEST[n - 1];
        let published = if lb == ub {
            format!("{ub}")
        } else {
            format!("{lb}–{ub}")
        };
        match result {
            Ok(sol) => {
                if let Ok(dir) = std::env::var("CURTOIS_ROSTERS") {
                    // One shift a line: person day desk start end (minutes).
                    let lines: String = sol
                        .roster
                        .shifts
                        .iter()
                        .map(|s| {
                            format!(
                                "{} {} {} {} {}\n",
                                s.person, s.day, s.desk, s.time.start, s.time.end
                            )
                        })
                        .collect();
                    let _ = std::fs::write(Path::new(&dir).join(format!("roster{n}.txt")), lines);
                }
                let report = check(&problem, &sol.roster);
                let ours = report.penalties.total();
                // The breakdown on stderr, so the table on stdout stays a table.
                let parts: Vec<String> = report
                    .penalties
                    .items()
                    .iter()
                    .filter(|(_, v)| *v != 0.0)
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect();
                eprintln!("instance {n}: {}", parts.join(", "));
                let mut note = String::new();
                if !report.violations.is_empty() {
                    failed = true;
                    note = format!(" ({} broken rules!)", report.violations.len());
                    for v in &report.violations {
                        eprintln!("instance {n}: broken: {}", v.message);
                    }
                }
                if (ours - sol.summary.objective).abs() > 1e-6 {
                    // Seen only at a time limit: HiGHS's incumbent may keep a cover slack above
                    // its minimum, so its value overstates the roster's (see the report).
                    note.push_str(&format!(" (solver said {})", sol.summary.objective));
                }
                // Objectives are integral: round the bound up (with a tolerance).
                // `+ 0.0` prints a bound of -0 as 0.
                // No bound at all (no model reached one in time): the gap is unknown.
                let (bound, gap) = if sol.summary.bound.is_finite() {
                    let bound = (sol.summary.bound - 1e-6).ceil().min(ours) + 0.0;
                    let gap = if ours > 0.0 {
                        (ours - bound).max(0.0) / ours
                    } else {
                        0.0
                    };
                    (bound.to_string(), format!("{:.2}%", gap * 100.0))
                } else {
                    ("none".to_string(), "unknown".to_string())
                };
                println!(
                    "| {n} | {size} | {ours}{note} | {bound} | {gap} | {secs:.1} | {limit} | {published} | {:.4} |",
                    ours / f64::from(ub)
                );
            }
            Err(e) => {
                println!("| {n} | {size} | none: {e} | | | {secs:.1} | {limit} | {published} | |");
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
