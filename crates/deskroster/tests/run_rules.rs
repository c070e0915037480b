//! The run rules (`max_consecutive_days`, `min_consecutive_days`, `min_consecutive_days_off`)
//! against brute force.
//!
//! The solver models a person's minimum-run rules as a path through a network (`runs.rs`), not
//! as the rows the checker reads. These properties generate one-week problems in the Curtois & Qu
//! format (run rules, shift limits, total minutes, weekends, forbidden successions, days off,
//! requests, template cover), list every roster that keeps the hard rules by asking the
//! independent checker about each person's every week, and assert that the solver's proven
//! optimum is the cheapest of them all, as priced by the checker.

use deskroster::check::check;
use deskroster::curtois::parse;
use deskroster::model::{Problem, Roster, Shift};
use deskroster::solve::{solve, SolveOptions};
use proptest::prelude::*;
use proptest::test_runner::Config;

const DAYS: usize = 7;

/// Rosters enumerated at most per case (the product of each person's legal weeks).
const MAX_ROSTERS: usize = 6_000;

#[derive(Clone, Debug)]
struct Staff {
    /// Most shifts of each template.
    max_shifts: Vec<u32>,
    /// Fewest and most shifts (of 480 minutes) over the week.
    min_total: u32,
    extra_total: u32,
    max_on: u32,
    min_on: u32,
    min_off: u32,
    max_weekends: u32,
    days_off: Vec<usize>,
}

#[derive(Clone, Debug)]
struct Week {
    templates: usize,
    staff: Vec<Staff>,
    /// (person, day, template, weight, on): a request to work (`on`) or not to work a shift.
    requests: Vec<(usize, usize, usize, u32, bool)>,
    /// Per day and template: requirement, weight under, weight over.
    cover: Vec<(u32, u32, u32)>,
}

prop_compose! {
    fn staff(templates: usize)(
        max_shifts in prop::collection::vec(1u32..=7, templates),
        min_total in 0u32..=2,
        extra_total in 0u32..=5,
        max_on in 2u32..=5,
        min_on in 1u32..=3,
        min_off in 1u32..=3,
        max_weekends in 0u32..=1,
        days_off in prop::collection::vec(0usize..DAYS, 0..=2),
    ) -> Staff {
        Staff { max_shifts, min_total, extra_total, max_on, min_on, min_off, max_weekends, days_off }
    }
}

fn week() -> impl Strategy<Value = Week> {
    (1usize..=2)
        .prop_flat_map(|templates| {
            let people = if templates == 1 { 2..=3usize } else { 2..=2 };
            (
                Just(templates),
                prop::collection::vec(staff(templates), people),
                prop::collection::vec(
                    (
                        0usize..3,
                        0usize..DAYS,
                        0usize..templates,
                        1u32..=3,
                        any::<bool>(),
                    ),
                    0..=4,
                ),
                prop::collection::vec((0u32..=2, 1u32..=100, 1u32..=3), DAYS * templates),
            )
        })
        .prop_map(|(templates, staff, requests, cover)| Week {
            templates,
            requests: requests.into_iter().filter(|r| r.0 < staff.len()).collect(),
            staff,
            cover,
        })
}

const NAMES: [&str; 2] = ["E", "L"];

/// The week in the benchmark's text format.
fn text(w: &Week) -> String {
    let mut t = format!("SECTION_HORIZON\n{DAYS}\n\nSECTION_SHIFTS\n");
    for (i, name) in NAMES.iter().enumerate().take(w.templates) {
        // A late shift may not be followed by an early one.
        let cannot = if i == 1 { "E" } else { "" };
        t += &format!("{name},480,{cannot}\n");
    }
    t += "\nSECTION_STAFF\n";
    for (p, s) in w.staff.iter().enumerate() {
        let limits: Vec<String> = (0..w.templates)
            .map(|i| format!("{}={}", NAMES[i], s.max_shifts[i]))
            .collect();
        t += &format!(
            "P{p},{},{},{},{},{},{},{}\n",
            limits.join("|"),
            (s.min_total + s.extra_total) * 480,
            s.min_total * 480,
            s.max_on,
            s.min_on,
            s.min_off,
            s.max_weekends
        );
    }
    t += "\nSECTION_DAYS_OFF\n";
    for (p, s) in w.staff.iter().enumerate() {
        let mut days_off = s.days_off.clone();
        days_off.sort_unstable();
        days_off.dedup();
        let days: Vec<String> = days_off.iter().map(ToString::to_string).collect();
        t += &format!("P{p},{}\n", days.join(","));
    }
    let requests = |on: bool| {
        w.requests
            .iter()
            .filter(|r| r.4 == on)
            .map(|&(p, d, i, weight, _)| format!("P{p},{d},{},{weight}\n", NAMES[i]))
            .collect::<String>()
    };
    t += &format!("\nSECTION_SHIFT_ON_REQUESTS\n{}", requests(true));
    t += &format!("\nSECTION_SHIFT_OFF_REQUESTS\n{}", requests(false));
    t += "\nSECTION_COVER\n";
    for d in 0..DAYS {
        for (i, name) in NAMES.iter().enumerate().take(w.templates) {
            let (req, under, over) = w.cover[d * w.templates + i];
            t += &format!("{d},{name},{req},{under},{over}\n");
        }
    }
    t
}

/// Person `p`'s week: per day, no shift or one template.
fn shifts(p: &Problem, person: usize, week: &[Option<usize>]) -> Vec<Shift> {
    week.iter()
        .enumerate()
        .filter_map(|(day, t)| {
            t.map(|t| Shift {
                day,
                desk: p.templates[t].desk,
                time: p.templates[t].time,
                person,
            })
        })
        .collect()
}

/// Every week of person `person` that breaks none of their hard rules, by the checker.
fn legal_weeks(p: &Problem, person: usize) -> Vec<Vec<Shift>> {
    let choices = p.templates.len() + 1;
    let mut out = Vec::new();
    for code in 0..choices.pow(DAYS as u32) {
        let week: Vec<Option<usize>> = (0..DAYS)
            .map(|d| match (code / choices.pow(d as u32)) % choices {
                0 => None,
                c => Some(c - 1),
            })
            .collect();
        let mine = shifts(p, person, &week);
        // Only this person's breaches: the others have no shift in this roster.
        let report = check(p, &Roster::new(mine.clone()));
        if report
            .violations
            .iter()
            .all(|v| v.person.is_some_and(|q| q != person))
        {
            out.push(mine);
        }
    }
    out
}

/// The cheapest roster of `per_person` (each person's legal weeks, see [`legal_weeks`]) by brute
/// force, priced by the checker; `None` when someone has no legal week.
fn cheapest(p: &Problem, per_person: &[Vec<Vec<Shift>>]) -> Option<f64> {
    let rosters: usize = per_person.iter().map(Vec::len).product();
    let mut best: Option<f64> = None;
    for n in 0..rosters {
        let mut all = Vec::new();
        let mut rest = n;
        for weeks in per_person {
            all.extend_from_slice(&weeks[rest % weeks.len()]);
            rest /= weeks.len();
        }
        let report = check(p, &Roster::new(all));
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        let total = report.penalties.total();
        best = Some(best.map_or(total, |b: f64| b.min(total)));
    }
    best
}

/// Solves `p` to proven optimality and compares with `best`, the brute force's cheapest roster:
/// `Err` says what differs.
fn solver_matches(p: &Problem, best: Option<f64>) -> Result<(), String> {
    let options = SolveOptions {
        gap: 0.0,
        ..SolveOptions::default()
    };
    match (best, solve(p, &options)) {
        (None, Err(_)) => Ok(()),
        (None, Ok(s)) => Err(format!(
            "solved a week with no legal roster: {:?}",
            s.summary
        )),
        (Some(best), Err(e)) => Err(format!("no roster, brute force found {best}: {e}")),
        (Some(best), Ok(s)) => {
            let report = check(p, &s.roster);
            if !report.violations.is_empty() {
                return Err(format!("{:?}", report.violations));
            }
            if !s.summary.proven_optimal {
                return Err(format!("not proven optimal: {:?}", s.summary));
            }
            let total = report.penalties.total();
            if (total - s.summary.objective).abs() >= 1e-6 {
                return Err(format!("checker {total} vs solver {}", s.summary.objective));
            }
            if (total - best).abs() >= 1e-6 {
                return Err(format!("solver {total} vs brute force {best}"));
            }
            Ok(())
        }
    }
}

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(32),
        max_shrink_iters: if std::env::var_os("CI").is_some() {
            0
        } else {
            64
        },
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_solver_finds_the_cheapest_legal_week(w in week()) {
        let p = parse(&text(&w), "generated").expect("a well-formed week");
        let per_person: Vec<Vec<Vec<Shift>>> =
            (0..p.people.len()).map(|i| legal_weeks(&p, i)).collect();
        let rosters: usize = per_person.iter().map(Vec::len).product();
        prop_assume!(rosters <= MAX_ROSTERS);
        // The cheapest legal roster by brute force, priced by the checker.
        let best = cheapest(&p, &per_person);
        if let Err(e) = solver_matches(&p, best) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// A week with three templates whose forbidden successions nest (a night bans the next day's
/// early and late shifts, a late shift the early one): the solver's optimum must be the cheapest
/// legal roster by brute force, for several covers. (The clique form huge models get is tested
/// against brute force in `formulate`'s `succession_tests`.)
#[test]
fn nested_forbidden_successions_keep_the_optimum() {
    // Per case: the cover wanted (day, template, weight) and P1's days off. In the last, only P0
    // can work days 1 and 2, so a late shift must follow a late shift (legal, and in no clique).
    type Cover = [(usize, &'static str, u32); 5];
    let cases: [(Cover, &str); 4] = [
        (
            [
                (0, "N", 100),
                (1, "E", 100),
                (1, "L", 60),
                (2, "E", 30),
                (3, "N", 80),
            ],
            "",
        ),
        (
            [
                (0, "L", 90),
                (1, "E", 100),
                (2, "N", 70),
                (3, "L", 60),
                (4, "E", 50),
            ],
            "",
        ),
        (
            [
                (1, "N", 100),
                (2, "L", 100),
                (2, "E", 40),
                (3, "E", 90),
                (5, "N", 20),
            ],
            "",
        ),
        (
            [
                (1, "L", 100),
                (2, "L", 100),
                (0, "N", 30),
                (3, "E", 40),
                (4, "N", 20),
            ],
            "1,2",
        ),
    ];
    for (cover, p1_off) in cases {
        let mut t = format!("SECTION_HORIZON\n{DAYS}\n\nSECTION_SHIFTS\n");
        t += "E,480,\nL,480,E\nN,480,E|L\n\nSECTION_STAFF\n";
        for p in 0..2 {
            t += &format!("P{p},E=7|L=7|N=7,960,0,7,1,1,1\n");
        }
        t += &format!("\nSECTION_DAYS_OFF\nP0,\nP1,{p1_off}\n\nSECTION_SHIFT_ON_REQUESTS\n");
        t += "\nSECTION_SHIFT_OFF_REQUESTS\n\nSECTION_COVER\n";
        for d in 0..DAYS {
            for name in ["E", "L", "N"] {
                let weight = cover
                    .iter()
                    .find(|c| c.0 == d && c.1 == name)
                    .map_or(0, |c| c.2);
                let req = u32::from(weight > 0);
                t += &format!("{d},{name},{req},{},1\n", weight.max(1));
            }
        }
        let p = parse(&t, "nested").expect("a well-formed week");
        let weeks: Vec<Vec<Vec<Shift>>> = (0..2).map(|i| legal_weeks(&p, i)).collect();
        let best = cheapest(&p, &weeks);
        assert!(best.is_some(), "a legal roster exists");
        if let Err(e) = solver_matches(&p, best) {
            panic!("cover {cover:?}: {e}");
        }
    }
}

/// A week of one early shift with cover 1 a day: P0 under the run rules `p0_runs` (most days on,
/// fewest days on, fewest days off), P1 under none; P1 is away on `p1_away`.
fn sick_week(p0_runs: &str, p1_away: &str) -> Problem {
    let text = format!(
        "SECTION_HORIZON\n{DAYS}\n\nSECTION_SHIFTS\nE,480,\n\nSECTION_STAFF\n\
         P0,E=7,3360,0,{p0_runs},7\nP1,E=7,3360,0,7,1,1,7\n\n\
         SECTION_DAYS_OFF\nP0,\nP1,{p1_away}\n\n\
         SECTION_COVER\n{}",
        (0..DAYS)
            .map(|d| format!("{d},E,1,100,1\n"))
            .collect::<String>()
    );
    parse(&text, "sick week").expect("parses")
}

/// A sick call re-solves only the absent person's days, the rest of the roster fixed around
/// them: the run rules must count the fixed days too, or the repair builds a run the rules
/// forbid across the edge of the days it re-solves (or refuses to go on with one they allow).
#[test]
fn a_repair_keeps_the_run_rules_across_the_days_it_re_solves() {
    use deskroster::repair::{repair, RepairOptions};
    let e = |p: &Problem, person: usize, days: &[usize]| -> Vec<Shift> {
        let week: Vec<Option<usize>> = (0..DAYS).map(|d| days.contains(&d).then_some(0)).collect();
        shifts(p, person, &week)
    };
    let p = sick_week("7,1,1", "");
    // P0 on days 0-2 and 5-6, P1 on 3-4.
    let mut current = e(&p, 0, &[0, 1, 2, 5, 6]);
    current.extend(e(&p, 1, &[3, 4]));
    let current = Roster::new(current);
    // Changes cheap next to a hole (100), so the repair fills what it may.
    let options = RepairOptions {
        per_person: 1.0,
        per_hour: 0.0,
        ..RepairOptions::default()
    };
    // P1 sick on day 3, P0 at most 3 days in a row: P0 there would work 0-3.
    // P1 sick on day 4, P0 at least 2 days off in a row: P0 there would rest on day 3 alone.
    for (runs, day) in [("3,1,1", 3), ("7,1,2", 4)] {
        let p = sick_week(runs, &day.to_string());
        let rep = repair(&p, &current, &options).expect("repairs");
        let report = check(&p, &rep.roster);
        assert!(
            report.violations.is_empty(),
            "P1 sick on day {day}: the repair broke a rule: {:?}",
            report.violations
        );
        assert!(
            rep.roster.shifts.iter().all(|s| s.day != day),
            "P1 sick on day {day}: {:?}",
            rep.roster.shifts
        );
    }
    // P0 at least 2 days on in a row: day 3 extends P0's run of days 0-2, so P0 takes it.
    let p = sick_week("7,2,1", "3");
    let rep = repair(&p, &current, &options).expect("repairs");
    assert!(check(&p, &rep.roster).violations.is_empty());
    assert!(
        rep.roster
            .shifts
            .iter()
            .any(|s| s.person == 0 && s.day == 3),
        "{:?}",
        rep.roster.shifts
    );
}

/// P0 must work at least 2 days in a row and works Friday and Saturday, the last two days; on
/// Friday evening (its shift worked) P0 calls in sick for Saturday, which nobody else can
/// cover. The hole makes the repair widen to the rest of the week, Friday included with its
/// worked shift pinned: Friday alone is then a run too short, which no repair can mend. The
/// repair must go on and break nothing else, not give up on a rule the worked day already
/// breaks (it did: "no roster satisfies the hard rules of the week").
#[test]
fn a_sick_day_inside_a_minimum_run_that_has_started_is_still_repaired() {
    use chrono::NaiveDate;
    use deskroster::builder::{ProblemBuilder, Weekdays};
    use deskroster::model::TimeRange;
    use deskroster::repair::{repair, RepairOptions};
    let wed = NaiveDate::from_ymd_opt(2027, 1, 6).expect("a date");
    let day = |i: u64| wed + chrono::Days::new(i);
    let hours = |from: u32, to: u32| TimeRange::new(from * 60, to * 60).expect("a range");
    let p = ProblemBuilder::new(wed, 4)
        .group("staff")
        .desk("Desk", |d| {
            d.open(Weekdays::all(), hours(8, 12))
                .cover(hours(8, 12), 1, 1, 1)
        })
        .person("P0", "staff", |b| {
            b.min_consecutive_days(2)
                .available(day(2), hours(8, 12))
                .available(day(3), hours(8, 12))
        })
        .person("P1", "staff", |b| {
            b.available(day(0), hours(8, 12))
                .available(day(1), hours(8, 12))
        })
        .build()
        .expect("a valid problem");
    let shift = |d: usize, person: usize| Shift {
        day: d,
        desk: 0,
        time: hours(8, 12),
        person,
    };
    let current = Roster::new(vec![shift(0, 1), shift(1, 1), shift(2, 0), shift(3, 0)]);
    assert!(check(&p, &current).violations.is_empty());
    // P0 away on Saturday; now is Friday 19:00.
    let mut sick = p.clone();
    sick.people[0].availability[3].clear();
    let now = sick.days[2].and_hms_opt(19, 0, 0).expect("a time");
    let rep = repair(
        &sick,
        &current,
        &RepairOptions {
            now,
            ..RepairOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("the repair gave up: {e}"));
    assert_eq!(
        rep.roster,
        Roster::new(vec![shift(0, 1), shift(1, 1), shift(2, 0)])
    );
    let broken: Vec<String> = check(&sick, &rep.roster)
        .violations
        .into_iter()
        .map(|v| v.message)
        .collect();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(
        broken[0].starts_with("P0 works only 1 days in a row"),
        "{broken:?}"
    );
}
