//! The files `deskroster solve` writes, as strings: `roster.csv`, `coverage.csv`, `hours.csv`
//! and `report.md`. Paths, atomic replacement and the terminal belong to the CLI.

use std::fmt::Write as _;

use crate::capacity::{weekly, WeekCapacity};
use crate::check::{fmt_duration, Report, Shortfall, ShortfallKind};
use crate::explain::{explain, smallest_relaxation, Gap};
use crate::model::{Problem, Roster, SolveSummary, Who};
use crate::publish::{coverage, person_hours};
use crate::roster_csv::{csv_safe, fmt_hours, write_roster};

/// One output file: its name inside the output folder and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    /// File name, e.g. `roster.csv`.
    pub name: String,
    /// Contents.
    pub contents: Vec<u8>,
}

/// The four files of a solve, in memory. Nothing is written to disk here.
///
/// # Errors
/// Only when CSV encoding fails (it does not for in-memory buffers).
pub fn solve_outputs(
    problem: &Problem,
    roster: &Roster,
    summary: Option<&SolveSummary>,
    report: &Report,
) -> std::io::Result<Vec<OutputFile>> {
    let mut roster_csv = Vec::new();
    write_roster(problem, roster, &mut roster_csv)?;
    Ok(vec![
        OutputFile {
            name: "roster.csv".into(),
            contents: roster_csv,
        },
        OutputFile {
            name: "coverage.csv".into(),
            contents: coverage_csv(problem, roster)?.into_bytes(),
        },
        OutputFile {
            name: "hours.csv".into(),
            contents: hours_csv(problem, roster)?.into_bytes(),
        },
        OutputFile {
            name: "report.md".into(),
            contents: report_md(problem, roster, summary, report).into_bytes(),
        },
    ])
}

/// CSV bytes of `rows` (the first is the header), every field neutralised with [`csv_safe`].
pub(crate) fn csv_bytes(rows: Vec<Vec<String>>) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r.iter().map(|s| csv_safe(s).into_owned()))?;
    }
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

fn csv_string(rows: Vec<Vec<String>>) -> std::io::Result<String> {
    String::from_utf8(csv_bytes(rows)?).map_err(|e| std::io::Error::other(e.to_string()))
}

/// `coverage.csv`: one row per desk and open slot: min, target, max, assigned, shortfall.
///
/// # Errors
/// Only when CSV encoding fails.
pub fn coverage_csv(problem: &Problem, roster: &Roster) -> std::io::Result<String> {
    let mut rows = vec![[
        "desk",
        "date",
        "start",
        "end",
        "min",
        "target",
        "max",
        "assigned",
        "shortfall",
        "below_target",
    ]
    .map(String::from)
    .to_vec()];
    for c in coverage(problem, roster) {
        rows.push(vec![
            c.desk,
            c.date,
            c.start,
            c.end,
            c.min.to_string(),
            c.target.to_string(),
            c.max.to_string(),
            c.assigned.to_string(),
            c.shortfall.to_string(),
            c.below_target.to_string(),
        ]);
    }
    csv_string(rows)
}

/// `hours.csv`: one row per person and week: hours, contract bounds, evenings, weekends,
/// closings.
///
/// # Errors
/// Only when CSV encoding fails.
pub fn hours_csv(problem: &Problem, roster: &Roster) -> std::io::Result<String> {
    let (weeks, _) = person_hours(problem, roster);
    let opt = |m: Option<u32>| m.map(fmt_hours).unwrap_or_default();
    let mut rows = vec![[
        "person",
        "group",
        "week_start",
        "hours",
        "min_week",
        "max_week",
        "max_term",
        "shifts",
        "evenings",
        "weekends",
        "closings",
    ]
    .map(String::from)
    .to_vec()];
    for w in weeks {
        let Some(p) = problem.people.iter().find(|p| p.name == w.person) else {
            continue;
        };
        rows.push(vec![
            w.person.clone(),
            problem.groups.get(p.group).cloned().unwrap_or_default(),
            w.week_start.to_string(),
            fmt_hours(w.minutes),
            fmt_hours(p.contract.min_week),
            opt(p.contract.max_week),
            opt(p.contract.max_term),
            w.shifts.to_string(),
            w.evenings.to_string(),
            w.weekends.to_string(),
            w.closings.to_string(),
        ]);
    }
    csv_string(rows)
}

fn desk_name(problem: &Problem, desk: usize) -> &str {
    problem.desks.get(desk).map_or("?", |d| d.name.as_str())
}

/// A shortfall in one sentence: "Service Desk, Tue 2027-01-05 19:00-21:00: 1 keyholder short
/// (keyholder at closing)".
pub fn describe_shortfall(problem: &Problem, s: &Shortfall) -> String {
    let what = match s.kind {
        ShortfallKind::Min => format!("{} short of the minimum", people(s.missing)),
        ShortfallKind::Target => format!("{} below target", people(s.missing)),
        ShortfallKind::Requirement(r) => {
            let req = problem.requirements.get(r);
            let who = req.map_or(String::from("qualified person"), |r| match r.who {
                Who::Skill(k) => {
                    format!("with {}", problem.skills.get(k).map_or("?", |s| s.as_str()))
                }
                Who::Group(g) => {
                    format!("from {}", problem.groups.get(g).map_or("?", |s| s.as_str()))
                }
            });
            let label = req.map_or("", |r| r.label.as_str());
            format!("{} {who} short ({label})", people(s.missing))
        }
    };
    format!(
        "{}, {} {}: {what}",
        desk_name(problem, s.desk),
        problem.day_label(s.day),
        s.time
    )
}

fn people(n: u32) -> String {
    if n == 1 {
        "1 person".into()
    } else {
        format!("{n} people")
    }
}

/// True when the shortfall is a hole the coordinator must act on (not just below target, and
/// not an "if possible" requirement).
pub fn is_hole(problem: &Problem, s: &Shortfall) -> bool {
    match s.kind {
        ShortfallKind::Min => true,
        ShortfallKind::Target => false,
        ShortfallKind::Requirement(r) => problem
            .requirements
            .get(r)
            .is_some_and(|r| r.weight >= problem.weights.coverage_min),
    }
}

/// Who was qualified for a shortfall and why each could not take it, one line each.
pub fn why_not_lines(problem: &Problem, roster: &Roster, s: &Shortfall) -> Vec<String> {
    let gap = Gap::from(s);
    let mut lines = Vec::new();
    for v in explain(problem, roster, &gap) {
        let Some(person) = problem.people.get(v.person) else {
            continue;
        };
        if !person.may_staff(s.desk) {
            continue;
        }
        // For a staff-mix shortfall, only people who would count towards it are qualified.
        if matches!(s.kind, ShortfallKind::Requirement(_)) && !v.missing.is_empty() {
            continue;
        }
        let text = match &v.proposal {
            Some(p) => format!(
                "could work {} {} (only by making the roster worse elsewhere)",
                problem.day_label(p.shift.day),
                p.shift.time
            ),
            None => v
                .reasons
                .iter()
                .map(|r| r.render(problem))
                .collect::<Vec<_>>()
                .join("; "),
        };
        lines.push(format!("{}: {text}", person.name));
    }
    if lines.is_empty() {
        lines.push("nobody qualified may staff this desk".into());
    }
    lines
}

/// `report.md`: summary, penalties, every shortfall in plain language with who was qualified
/// and why each could not take it, and any hard-rule breach.
pub fn report_md(
    problem: &Problem,
    roster: &Roster,
    summary: Option<&SolveSummary>,
    report: &Report,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Roster report: {}\n", problem.name);
    let first = problem
        .days
        .first()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let last = problem
        .days
        .last()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let total_minutes: u32 = roster.shifts.iter().map(|s| s.time.minutes()).sum();
    let _ = writeln!(
        out,
        "{} to {}: {} shifts, {} rostered, {} people, {} desks.\n",
        first,
        last,
        roster.shifts.len(),
        fmt_duration(total_minutes),
        problem.people.len(),
        problem.desks.len()
    );
    if let Some(s) = summary {
        let _ = writeln!(out, "## Solver\n");
        let _ = writeln!(out, "- objective: {:.2}", s.objective);
        let _ = writeln!(out, "- best bound: {:.2}", s.bound);
        let _ = writeln!(out, "- gap: {:.3}%", s.gap * 100.0);
        let _ = writeln!(
            out,
            "- {}",
            if s.proven_optimal {
                "proven optimal (within the requested gap)"
            } else {
                "NOT proven optimal: the time limit stopped the search"
            }
        );
        let _ = writeln!(out, "- time: {:.1} s\n", s.seconds);
    }
    let holes: Vec<&Shortfall> = report
        .shortfalls
        .iter()
        .filter(|s| is_hole(problem, s))
        .collect();
    let _ = writeln!(out, "## Coverage\n");
    if holes.is_empty() {
        let _ = writeln!(
            out,
            "Every slot has its minimum staff and every required staff mix.\n"
        );
    } else {
        match summary {
            // Holes left by a search the time limit stopped may not be real.
            Some(s) if !s.proven_optimal => {
                let _ = writeln!(
                    out,
                    "{} hole(s) in this roster. The time limit stopped the solver before it \
                     proved the roster optimal (gap {:.1}%), so some of them may be fillable: \
                     solve again with more time (or without a time limit) before escalating.\n",
                    holes.len(),
                    s.gap * 100.0
                );
            }
            _ => {
                let _ = writeln!(
                    out,
                    "{} hole(s) the roster could not fill — escalate these:\n",
                    holes.len()
                );
            }
        }
        for s in &holes {
            let _ = writeln!(out, "### {}\n", describe_shortfall(problem, s));
            for l in why_not_lines(problem, roster, s) {
                let _ = writeln!(out, "- {l}");
            }
            if let Some(r) = smallest_relaxation(problem, roster, &Gap::from(*s)) {
                let _ = writeln!(out, "\nSmallest fix: {}.", r.render(problem));
            }
            let _ = writeln!(out);
        }
    }
    let soft: Vec<&Shortfall> = report
        .shortfalls
        .iter()
        .filter(|s| !is_hole(problem, s))
        .collect();
    if !soft.is_empty() {
        let _ = writeln!(
            out,
            "Below target or missing an \"if possible\" rule ({}):\n",
            soft.len()
        );
        for s in soft {
            let _ = writeln!(out, "- {}", describe_shortfall(problem, s));
        }
        let _ = writeln!(out);
    }
    let short: Vec<WeekCapacity> = weekly(problem)
        .into_iter()
        .filter(|w| w.unavoidable() > 0)
        .collect();
    if !short.is_empty() {
        let _ = writeln!(
            out,
            "Targets beyond what the people can work: in {} week(s) the coverage targets ask for \
             more person-hours than everyone's availability and caps allow, so at least this much \
             stays below target whatever the roster (and the solver must work everyone to their \
             caps, which makes such weeks slow to prove):\n",
            short.len()
        );
        let _ = writeln!(
            out,
            "| week of | target | the most people can work | below target at least |\n|---|---:|---:|---:|"
        );
        for w in &short {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                problem.days[w.first_day],
                fmt_duration(w.target),
                fmt_duration(w.most),
                fmt_duration(w.unavoidable())
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "## Penalties\n\n| rule | penalty |\n|---|---:|");
    for (name, v) in report.penalties.items() {
        let _ = writeln!(out, "| {name} | {v:.2} |");
    }
    let _ = writeln!(out, "| **total** | **{:.2}** |\n", report.penalties.total());
    if report.violations.is_empty() {
        let _ = writeln!(out, "## Hard rules\n\nThe roster breaks no hard rule.");
    } else {
        let _ = writeln!(out, "## Hard rules broken\n");
        for v in &report.violations {
            let _ = writeln!(out, "- {}: {}", v.rule.as_str(), v.message);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;

    #[test]
    fn holes_of_a_roster_stopped_by_the_time_limit_are_not_sent_for_escalation() {
        let problem = crate::builder::example_problem().expect("the example builds");
        // The empty roster leaves every slot short.
        let roster = Roster::new(Vec::new());
        let report = check(&problem, &roster);
        assert!(report.shortfalls.iter().any(|s| is_hole(&problem, s)));
        let summary = |proven_optimal: bool| SolveSummary {
            objective: report.penalties.total(),
            bound: 0.0,
            gap: 1.0,
            proven_optimal,
            seconds: 1.0,
        };
        let stopped = report_md(&problem, &roster, Some(&summary(false)), &report);
        assert!(stopped.contains("may be fillable"), "{stopped}");
        assert!(!stopped.contains("escalate these"), "{stopped}");
        let proven = report_md(&problem, &roster, Some(&summary(true)), &report);
        assert!(
            proven.contains("could not fill — escalate these"),
            "{proven}"
        );
        assert!(!proven.contains("may be fillable"));
    }

    #[test]
    fn the_report_names_the_weeks_whose_targets_no_roster_can_meet() {
        use crate::builder::{ProblemBuilder, Weekdays};
        // Two people wanted 09:00-17:00 on weekdays (80 h); Ana may work 30 h.
        let problem = |max_week: u32| {
            ProblemBuilder::new("2027-01-04".parse().unwrap(), 7)
                .desk("Desk", |d| {
                    d.open(Weekdays::mon_fri(), "09:00-17:00")
                        .cover("09:00-17:00", 1, 2, 2)
                })
                .group("staff")
                .person("Ana", "staff", |p| {
                    p.available(Weekdays::all(), "08:00-22:00")
                        .max_week_hours(max_week)
                })
                .person("Ben", "staff", |p| {
                    p.available(Weekdays::all(), "09:00-17:00")
                })
                .build()
                .unwrap()
        };
        let roster = Roster::new(Vec::new());
        let short = problem(30);
        let text = report_md(&short, &roster, None, &check(&short, &roster));
        assert!(text.contains("| 2027-01-04 | 80h | 70h | 10h |"), "{text}");
        // With 40 h for Ana, the people can work every target hour.
        let enough = problem(40);
        let text = report_md(&enough, &roster, None, &check(&enough, &roster));
        assert!(!text.contains("Targets beyond"), "{text}");
    }
}
