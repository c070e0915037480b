//! Embedding deskroster: build a problem in code (no term folder), solve it, re-check the roster
//! with the independent checker and print it.
//!
//! ```text
//! cargo run --example embed
//! ```

use chrono::NaiveDate;
use deskroster::builder::{ProblemBuilder, Weekdays, Who};
use deskroster::check::check;
use deskroster::model::fmt_minute;
use deskroster::output::{describe_shortfall, is_hole};
use deskroster::solve::{solve, SolveOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let monday = NaiveDate::from_ymd_opt(2027, 1, 4).ok_or("bad date")?;

    // One week, one desk open on weekdays, three people.
    let problem = ProblemBuilder::new(monday, 7)
        .name("Embedded example")
        .timezone("America/Toronto")
        .desk("Service Desk", |d| {
            d.open(Weekdays::mon_fri(), "09:00-17:00")
                // One person all day, two over lunch.
                .cover("09:00-17:00", 1, 1, 2)
                .cover("11:00-14:00", 1, 2, 2)
        })
        .group("staff")
        .group("student")
        .skill("keyholder")
        .person("Ana Silva", "staff", |p| {
            p.skill("keyholder")
                .available(Weekdays::mon_fri(), "08:00-18:00")
                .max_week_hours(24)
        })
        .person("Ben Tran", "student", |p| {
            p.available(Weekdays::mon_fri(), "11:00-17:00")
                .max_day_hours(4)
                .max_week_hours(10)
                .avoid(Weekdays::of(&[chrono::Weekday::Fri]), "13:00-17:00", 3.0)
        })
        .person("Chloé Roy", "staff", |p| {
            p.skill("keyholder")
                .available(
                    Weekdays::of(&[
                        chrono::Weekday::Mon,
                        chrono::Weekday::Wed,
                        chrono::Weekday::Thu,
                    ]),
                    "09:00-17:00",
                )
                .min_week_hours(8)
        })
        .requirement_at_opening(
            "keyholder at opening",
            "Service Desk",
            Who::skill("keyholder"),
            1,
            1000.0,
        )
        .build()?;

    let solution = solve(&problem, &SolveOptions::default())?;
    let report = check(&problem, &solution.roster);

    // The checker is independent of the solver: they must agree.
    if !report.violations.is_empty() {
        return Err(format!("the roster breaks {} hard rule(s)", report.violations.len()).into());
    }
    let total = report.penalties.total();
    if (total - solution.summary.objective).abs() > 1e-6 * total.abs().max(1.0) {
        return Err(format!("checker {total} != solver {}", solution.summary.objective).into());
    }

    println!("{}: {} shifts", problem.name, solution.roster.shifts.len());
    for s in &solution.roster.shifts {
        println!(
            "  {}  {:<12}  {:<10}  {}-{}",
            problem.days[s.day].format("%a %Y-%m-%d"),
            problem.desks[s.desk].name,
            problem.people[s.person].name,
            fmt_minute(s.time.start),
            fmt_minute(s.time.end),
        );
    }
    let holes: Vec<String> = report
        .shortfalls
        .iter()
        .filter(|s| is_hole(&problem, s))
        .map(|s| describe_shortfall(&problem, s))
        .collect();
    println!(
        "objective {:.2} ({}), {} hole(s)",
        solution.summary.objective,
        if solution.summary.proven_optimal {
            "proven optimal"
        } else {
            "not proven optimal"
        },
        holes.len()
    );
    for h in holes {
        println!("  hole: {h}");
    }
    for (name, value) in report.penalties.items() {
        if value > 0.0 {
            println!("  penalty {name}: {value:.2}");
        }
    }
    Ok(())
}
