//! Sick-call repairs where the roster or the absence leaves a contract rule out of reach: a
//! roster the coordinator edited by hand past a weekly cap, an absence on a day the person always
//! works, an absence that leaves a term minimum unreachable. A repair must still come out, keep
//! what it cannot mend as it is, and make nothing worse ("no roster satisfies the hard rules" was
//! the answer to each of these before).

use chrono::NaiveDate;
use deskroster::builder::{PersonBuilder, ProblemBuilder, Weekdays};
use deskroster::check::check;
use deskroster::model::{Problem, Roster, Shift, TimeRange};
use deskroster::repair::{repair, Repair, RepairOptions};

/// A contract rule added to a person.
type Rule = fn(PersonBuilder) -> PersonBuilder;

fn hours(from: u32, to: u32) -> TimeRange {
    TimeRange::new(from * 60, to * 60).expect("a range")
}

fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 4).expect("a date")
}

/// A week of one desk open 08:00-12:00, one person needed; P0 (under `p0`) available 08:00-20:00
/// every day, P1 (under `p1`) 08:00-12:00.
fn week(
    p0: impl FnOnce(PersonBuilder) -> PersonBuilder,
    p1: impl FnOnce(PersonBuilder) -> PersonBuilder,
) -> Problem {
    ProblemBuilder::new(monday(), 7)
        .group("staff")
        .desk("Desk", |d| {
            d.open(Weekdays::all(), hours(8, 12))
                .cover(hours(8, 12), 1, 1, 2)
        })
        .person("P0", "staff", |b| {
            p0(b.available(Weekdays::all(), hours(8, 20)))
        })
        .person("P1", "staff", |b| {
            p1(b.available(Weekdays::all(), hours(8, 12)))
        })
        .build()
        .expect("a valid problem")
}

/// A week of `desks` open 08:00-20:00, each wanting `min`..`max` people (target `max`); P0
/// (under `p0`) available 08:00-20:00, P1 available `p1_hours`.
fn all_day(
    desks: &[(&str, u32, u32)],
    p0: impl FnOnce(PersonBuilder) -> PersonBuilder,
    p1_hours: TimeRange,
) -> Problem {
    let mut b = ProblemBuilder::new(monday(), 7).group("staff");
    for &(name, min, max) in desks {
        b = b.desk(name, |d| {
            d.open(Weekdays::all(), hours(8, 20))
                .cover(hours(8, 20), min, max, max)
        });
    }
    b.person("P0", "staff", |b| {
        p0(b.available(Weekdays::all(), hours(8, 20)))
    })
    .person("P1", "staff", |b| b.available(Weekdays::all(), p1_hours))
    .build()
    .expect("a valid problem")
}

/// The morning shift of `person` on each of `days`.
fn mornings(person: usize, days: &[usize]) -> Vec<Shift> {
    days.iter()
        .map(|&day| Shift {
            day,
            desk: 0,
            time: hours(8, 12),
            person,
        })
        .collect()
}

/// `p` with `person` away all day on `day`.
fn away(p: &Problem, person: usize, day: usize) -> Problem {
    let mut q = p.clone();
    q.people[person].availability[day].clear();
    q
}

/// Repairs `current` on `p` at `now` (day, hour); panics if the repair gives up.
fn repaired(p: &Problem, current: &Roster, (day, hour): (usize, u32)) -> Repair {
    let now = p.days[day].and_hms_opt(hour, 0, 0).expect("a time");
    repair(
        p,
        current,
        &RepairOptions {
            now,
            ..RepairOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("the repair gave up: {e}"))
}

fn broken(p: &Problem, roster: &Roster) -> Vec<String> {
    check(p, roster)
        .violations
        .into_iter()
        .map(|v| v.message)
        .collect()
}

/// P0 was put on four mornings of a week with a cap of three days (or 12 hours) and has worked
/// them; P1 calls in sick on Saturday. P0 is free on Saturday, but taking it would break the cap
/// further: the repair leaves the hole and changes nothing else.
#[test]
fn a_roster_edited_past_a_weekly_cap_is_still_repaired() {
    let caps: [(&str, Rule); 2] = [
        ("three days a week", |b| b.max_days_week(3)),
        ("12 hours a week", |b| b.max_week_hours(12)),
    ];
    for (cap, rule) in caps {
        let p = week(rule, |b| b);
        let mut shifts = mornings(0, &[0, 1, 2, 3]);
        shifts.extend(mornings(1, &[4, 5, 6]));
        let current = Roster::new(shifts);
        let before = broken(&p, &current);
        assert_eq!(before.len(), 1, "{cap}: {before:?}");
        let sick = away(&p, 1, 5);
        let rep = repaired(&sick, &current, (3, 13));
        assert!(
            rep.roster.shifts.iter().all(|s| s.day != 5),
            "{cap}: {:?}",
            rep.roster.shifts
        );
        assert_eq!(broken(&sick, &rep.roster), before, "{cap}");
    }
}

/// P1 always works Saturday morning and calls in sick for it: the fixed assignment gives way to
/// the absence, P0 takes the morning, and the checker does not ask for P1 either.
#[test]
fn a_fixed_assignment_gives_way_to_an_absence() {
    let saturday = monday() + chrono::Days::new(5);
    let p = week(|b| b, |b| b.fixed(saturday, "Desk", hours(8, 12)));
    let current = Roster::new(mornings(1, &[0, 1, 2, 3, 4, 5, 6]));
    assert!(broken(&p, &current).is_empty());
    let sick = away(&p, 1, 5);
    let rep = repaired(&sick, &current, (0, 0));
    let saturday_shifts: Vec<&Shift> = rep.roster.shifts.iter().filter(|s| s.day == 5).collect();
    assert_eq!(saturday_shifts, vec![&mornings(0, &[5])[0]]);
    assert!(broken(&sick, &rep.roster).is_empty());
    // Without the repair, the checker finds the hole, not a missed fixed assignment.
    let left: Vec<Shift> = current
        .shifts
        .iter()
        .filter(|s| s.day != 5)
        .copied()
        .collect();
    assert!(broken(&sick, &Roster::new(left)).is_empty());
    // While P1 is available, the assignment binds.
    assert_eq!(broken(&p, &Roster::new(mornings(0, &[5]))).len(), 1);
}

/// P0 must work 12 hours over the term and has three mornings; sick on one of them, P0 can only
/// make the 12 hours on another day. The re-solved day alone leaves the minimum out of reach, so
/// the repair widens to the week and gives P0 another morning (it used to give up: "no roster
/// satisfies the hard rules"). Sick on the rest of the week too, P0 cannot: the repair still
/// comes out, and the term minimum is the one rule left broken.
#[test]
fn an_absence_that_puts_a_term_minimum_out_of_reach_still_gets_a_repair() {
    let p = week(|b| b.min_term_hours(12), |b| b);
    let mut shifts = mornings(0, &[2, 4, 5]);
    shifts.extend(mornings(1, &[0, 1, 3, 6]));
    let current = Roster::new(shifts);
    assert!(broken(&p, &current).is_empty());
    let sick = away(&p, 0, 5);
    let rep = repaired(&sick, &current, (0, 0));
    assert!(
        broken(&sick, &rep.roster).is_empty(),
        "{:?}",
        rep.roster.shifts
    );
    let p0: Vec<usize> = rep
        .roster
        .shifts
        .iter()
        .filter(|s| s.person == 0)
        .map(|s| s.day)
        .collect();
    assert!(p0.len() >= 3 && !p0.contains(&5), "{p0:?}");
    // Away from Thursday on, with one morning (Wednesday) worked by then: short whatever happens.
    let mut sick = p.clone();
    for day in 3..7 {
        sick = away(&sick, 0, day);
    }
    let rep = repaired(&sick, &current, (2, 23));
    assert!(rep
        .roster
        .shifts
        .iter()
        .any(|s| s.person == 1 && s.day == 5));
    let left = broken(&sick, &rep.roster);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].contains("term minimum"), "{left:?}");
}

/// P0 may work no weekend but was put on Saturday by hand and has worked it; P1 calls in sick
/// for Sunday, when P0 is away too. The hole makes the repair widen to the rest of the week,
/// Saturday included with P0's worked shift pinned: the weekend is already worked, the repair
/// does not give up, and nothing changes.
#[test]
fn a_roster_edited_past_the_weekend_limit_is_still_repaired() {
    let p = away(&week(|b| b.max_weekends(0), |b| b), 0, 6);
    let mut shifts = mornings(1, &[0, 1, 2, 3, 4, 6]);
    shifts.extend(mornings(0, &[5]));
    let current = Roster::new(shifts);
    let before = broken(&p, &current);
    assert_eq!(before.len(), 1, "{before:?}");
    let sick = away(&p, 1, 6);
    let rep = repaired(&sick, &current, (5, 13));
    let mut kept = mornings(1, &[0, 1, 2, 3, 4]);
    kept.extend(mornings(0, &[5]));
    assert_eq!(rep.roster, Roster::new(kept));
    assert_eq!(broken(&sick, &rep.roster), before);
}

/// P0 (at most 12 hours a week) works 4 hours on Monday, Tuesday and Thursday and leaves on
/// Tuesday at 10:00, two hours into the shift. The desk wants two people from 08:00 to 20:00,
/// so the repair, widened to the rest of the week, would give P0 every hour it may: the two
/// hours worked on Tuesday count once (the shift as cut), not also as the four planned, or P0
/// ends above the cap.
#[test]
fn a_shift_cut_by_the_absence_counts_once_toward_a_weekly_cap() {
    let p = all_day(&[("Desk", 1, 2)], |b| b.max_week_hours(12), hours(8, 12));
    let mut shifts = mornings(0, &[0, 1, 3]);
    shifts.extend(mornings(1, &[0, 1, 2, 3, 4, 5, 6]));
    let current = Roster::new(shifts);
    assert!(broken(&p, &current).is_empty());
    let mut sick = p.clone();
    sick.people[0].availability[1] = vec![hours(8, 10)];
    let rep = repaired(&sick, &current, (1, 10));
    let worked: u32 = rep
        .roster
        .shifts
        .iter()
        .filter(|s| s.person == 0)
        .map(|s| s.time.minutes())
        .sum();
    assert!(
        worked <= 12 * 60,
        "P0 works {worked} minutes: {:?}",
        rep.roster.shifts
    );
    assert!(
        broken(&sick, &rep.roster).is_empty(),
        "{:?}",
        broken(&sick, &rep.roster)
    );
}

/// P0 was booked by hand on two desks at once on Monday, 09:00-13:00 and 11:00-15:00, and has
/// started both; P1 calls in sick from 16:00 the same day. The double booking is history: the
/// repair keeps it, books nothing else over it, and still comes out.
#[test]
fn a_double_booking_already_worked_is_kept_and_the_repair_goes_on() {
    let p = all_day(&[("A", 1, 1), ("B", 0, 1)], |b| b, hours(8, 20));
    let shift = |desk: usize, person: usize, from: u32, to: u32| Shift {
        day: 0,
        desk,
        time: hours(from, to),
        person,
    };
    let booked = [shift(0, 0, 9, 13), shift(1, 0, 11, 15)];
    let current = Roster::new(vec![booked[0], booked[1], shift(0, 1, 15, 20)]);
    let before = broken(&p, &current);
    assert_eq!(before.len(), 1, "{before:?}");
    let mut sick = p.clone();
    sick.people[1].availability[0] = vec![hours(8, 16)];
    let rep = repaired(&sick, &current, (0, 12));
    for s in &booked {
        assert!(
            rep.roster.shifts.contains(s),
            "{s:?} is gone: {:?}",
            rep.roster.shifts
        );
    }
    assert_eq!(broken(&sick, &rep.roster), before);
}

/// Two people were booked by hand on a desk that takes one, and both have started; one of them
/// calls in sick for the afternoon. The crowded morning is history: the repair keeps it and
/// still comes out.
#[test]
fn a_desk_crowded_by_hand_is_kept_and_the_repair_goes_on() {
    let p = all_day(&[("Desk", 1, 1)], |b| b, hours(8, 20));
    let shift = |person: usize, from: u32, to: u32| Shift {
        day: 0,
        desk: 0,
        time: hours(from, to),
        person,
    };
    let current = Roster::new(vec![shift(0, 9, 13), shift(1, 9, 13), shift(1, 14, 18)]);
    let before = broken(&p, &current);
    assert!(!before.is_empty());
    let mut sick = p.clone();
    sick.people[1].availability[0] = vec![hours(8, 13)];
    let rep = repaired(&sick, &current, (0, 12));
    assert!(rep.roster.shifts.contains(&shift(0, 9, 13)));
    assert!(rep.roster.shifts.contains(&shift(1, 9, 13)));
    assert!(!rep.roster.shifts.contains(&shift(1, 14, 18)));
}
