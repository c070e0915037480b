//! Solves a generated term and prints per-block figures:
//! `cargo run --release -p deskroster --example solve_synth -- PEOPLE DESKS WEEKS [SEED]`.
use deskroster::solve::{solve, SolveOptions};
use deskroster::synth::{generate, SynthSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arg = |i: usize, d: u64| {
        std::env::args()
            .nth(i)
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let spec = SynthSpec {
        people: arg(1, 14) as usize,
        desks: arg(2, 2) as usize,
        weeks: arg(3, 1) as usize,
        seed: arg(4, 1),
        term_budgets: std::env::var_os("BUDGETS").is_some(),
    };
    let p = generate(&spec);
    let gap: f64 = std::env::var("GAP")
        .ok()
        .and_then(|g| g.parse().ok())
        .unwrap_or(1e-4);
    let s = solve(
        &p,
        &SolveOptions {
            gap,
            ..SolveOptions::default()
        },
    )?;
    let report = deskroster::check::check(&p, &s.roster);
    println!("{:?}", s.summary);
    println!(
        "checker total {:.4}, violations {}",
        report.penalties.total(),
        report.violations.len()
    );
    for b in &s.blocks {
        println!(
            "day {:>3} cols {:>6} obj {:9.2} bound {:9.2} {:6.2}s reused {}",
            b.first_day, b.columns, b.objective, b.bound, b.seconds, b.reused
        );
    }
    Ok(())
}
