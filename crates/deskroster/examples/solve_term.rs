//! Solves a term folder and prints per-block progress: `cargo run --release -p deskroster --example solve_term -- schedules/winter-2027`.
use deskroster::solve::{solve_with_progress, SolveOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "schedules/winter-2027".into());
    let mut term = deskroster::input::load_term(std::path::Path::new(&dir))?;
    if let Ok(w) = std::env::var("WEEKS") {
        let n: usize = w.parse()?;
        let keep = (n * 7).min(term.problem.days.len());
        term.problem.days.truncate(keep);
        for d in &mut term.problem.desks {
            d.days.truncate(keep);
        }
        for p in &mut term.problem.people {
            p.availability.truncate(keep);
            p.preferences.retain(|x| x.day < keep);
            p.fixed.retain(|x| x.day < keep);
        }
        term.problem.requirements.retain(|r| r.day < keep);
    }
    for kv in std::env::var("ZERO").unwrap_or_default().split(',') {
        let w = &mut term.problem.weights;
        match kv {
            "split" => w.split_shift = 0.0,
            "fair" => {
                w.fair_evenings = 0.0;
                w.fair_weekends = 0.0;
                w.fair_closings = 0.0
            }
            "cmin" => w.contract_min = 0.0,
            "target" => w.coverage_target = 0.0,
            "pref" => {
                for p in &mut term.problem.people {
                    p.preferences.clear()
                }
            }
            "soft" => term.problem.requirements.retain(|r| r.weight >= 1000.0),
            _ => {}
        }
    }
    let gap: f64 = std::env::var("GAP")
        .ok()
        .and_then(|g| g.parse().ok())
        .unwrap_or(1e-4);
    let options = SolveOptions {
        gap,
        ..SolveOptions::default()
    };
    let s = solve_with_progress(&term.problem, &options, &mut |p| {
        eprintln!(
            "{:7.2}s {:>2}/{} obj {:10.2} bound {:10.2} {}",
            p.elapsed, p.done, p.total, p.objective, p.bound, p.stage
        )
    })?;
    let report = deskroster::check::check(&term.problem, &s.roster);
    println!("{:?}", s.summary);
    println!(
        "checker total {:.4}, violations {}, shortfalls {}",
        report.penalties.total(),
        report.violations.len(),
        report.shortfalls.len()
    );
    for sh in report
        .shortfalls
        .iter()
        .filter(|x| deskroster::output::is_hole(&term.problem, x))
    {
        println!(
            "hole: {}",
            deskroster::output::describe_shortfall(&term.problem, sh)
        );
    }
    for b in &s.blocks {
        println!(
            "day {:>3} +{} cols {:>6} rows {:>6} obj {:9.2} bound {:9.2} {:6.2}s reused {}",
            b.first_day, b.days, b.columns, b.rows, b.objective, b.bound, b.seconds, b.reused
        );
    }
    Ok(())
}
