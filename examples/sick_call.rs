//! A sick call handled by the library: solve a week, then Ana calls in sick for Wednesday on
//! Tuesday evening; `repair` keeps everything that already happened, removes her shifts and
//! covers them with the fewest people changed, and says whom to call.
//!
//! ```text
//! cargo run --example sick_call
//! ```

use chrono::{NaiveDate, NaiveTime, Weekday};
use deskroster::builder::{BuildError, ProblemBuilder, Weekdays, Who};
use deskroster::check::check;
use deskroster::model::Problem;
use deskroster::repair::{repair, RepairOptions};
use deskroster::solve::{solve, SolveOptions};

/// The week, with Ana away on `ana_absent` when given.
fn week(ana_absent: Option<NaiveDate>) -> Result<Problem, BuildError> {
    let monday = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap_or_default();
    ProblemBuilder::new(monday, 7)
        .name("Sick-call example")
        .desk("Service Desk", |d| {
            d.open(Weekdays::mon_fri(), "09:00-17:00")
                .cover("09:00-17:00", 1, 1, 2)
        })
        .group("staff")
        .group("student")
        .skill("keyholder")
        .person("Ana", "staff", |p| {
            let p = p
                .skill("keyholder")
                .available(Weekdays::mon_fri(), "08:00-18:00")
                .max_week_hours(30);
            match ana_absent {
                Some(day) => p.absent(day),
                None => p,
            }
        })
        .person("Ben", "student", |p| {
            p.available(Weekdays::mon_fri(), "12:00-17:00")
                .max_day_hours(4)
                .max_week_hours(10)
        })
        .person("Cy", "staff", |p| {
            p.skill("keyholder").available(
                Weekdays::of(&[Weekday::Mon, Weekday::Tue, Weekday::Wed]),
                "09:00-17:00",
            )
        })
        .requirement_at_opening(
            "keyholder at opening",
            "Service Desk",
            Who::skill("keyholder"),
            1,
            1000.0,
        )
        .build()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let problem = week(None)?;
    let roster = solve(&problem, &SolveOptions::default())?.roster;
    let name = |p: usize| problem.people[p].name.as_str();

    // Ana calls on Tuesday at 20:00: she will not come in on Wednesday.
    let wednesday = NaiveDate::from_ymd_opt(2027, 1, 6).ok_or("bad date")?;
    let now = NaiveDate::from_ymd_opt(2027, 1, 5)
        .ok_or("bad date")?
        .and_time(NaiveTime::from_hms_opt(20, 0, 0).unwrap_or_default());
    let with_absence = week(Some(wednesday))?;
    let rep = repair(
        &with_absence,
        &roster,
        &RepairOptions {
            now,
            ..RepairOptions::default()
        },
    )?;

    let report = check(&with_absence, &rep.roster);
    if !report.violations.is_empty() {
        return Err("the repaired roster breaks a hard rule".into());
    }
    println!(
        "{} change(s) for {} person(s), {} hole(s) left:",
        rep.changes.len(),
        rep.changed_people(),
        rep.holes.len()
    );
    for c in &rep.changes {
        let t =
            |x: Option<deskroster::TimeRange>| x.map_or_else(|| "-".to_string(), |r| r.to_string());
        println!(
            "  {:<4} {} {:<10} {} -> {}",
            name(c.person),
            problem.days[c.day].format("%a %Y-%m-%d"),
            c.kind.as_str(),
            t(c.before),
            t(c.after)
        );
    }
    for call in &rep.calls {
        println!("call {}: {}", call.rank, call.text);
    }
    Ok(())
}
