//! A small two-week term shared by the publishing and `roster_csv` unit tests.

use chrono::Weekday::*;

use crate::builder::{ProblemBuilder, Weekdays};
use crate::model::{Problem, Shift, TimeRange};
use crate::roster_csv::parse_minute;

/// `"08:30-12:30"` as a range.
pub(crate) fn range(s: &str) -> TimeRange {
    let (a, b) = s.split_once('-').unwrap();
    TimeRange::new(parse_minute(a).unwrap(), parse_minute(b).unwrap()).unwrap()
}

/// A shift from day, desk, `"HH:MM-HH:MM"` and person.
pub(crate) fn shift(day: usize, desk: usize, time: &str, person: usize) -> Shift {
    Shift {
        day,
        desk,
        time: range(time),
        person,
    }
}

/// Two weeks from Monday 2027-01-11 in Toronto. Desk 0 "Service Desk" (Mon–Thu 08:30–21:00,
/// Fri 08:30–17:00, weekends 11:00–17:00, closed Monday 2027-01-18); desk 1 "Chat" (weekdays
/// 09:00–17:00). People, all available around the clock: 0 "Ana López" (staff), 1 "Bo, Chen"
/// (student, 40 h budget), 2 a formula-like name (student, 10 h budget), 3 `<Eve> & "Zoë"`
/// (student, no budget).
pub(crate) fn problem() -> Problem {
    ProblemBuilder::new("2027-01-11".parse().unwrap(), 14)
        .name("Winter 2027")
        .timezone("America/Toronto")
        .desk("Service Desk", |d| {
            d.open(Weekdays::of(&[Mon, Tue, Wed, Thu]), "08:30-21:00")
                .open(Fri, "08:30-17:00")
                .open(Weekdays::weekend(), "11:00-17:00")
                .closed("2027-01-18".parse::<chrono::NaiveDate>().unwrap())
                .cover("00:00-24:00", 1, 2, 3)
                .cover_on(Weekdays::weekend(), "00:00-24:00", 1, 1, 2)
        })
        .desk("Chat", |d| {
            d.open(Weekdays::mon_fri(), "09:00-17:00")
                .cover("00:00-24:00", 1, 1, 1)
        })
        .group("staff")
        .group("student")
        .skill("keyholder")
        .person("Ana López", "staff", |p| {
            p.available(Weekdays::all(), "00:00-24:00")
        })
        .person("Bo, Chen", "student", |p| {
            p.available(Weekdays::all(), "00:00-24:00")
                .max_term_hours(40)
        })
        .person("=cmd|' /C calc'!A0", "student", |p| {
            p.available(Weekdays::all(), "00:00-24:00")
                .max_term_hours(10)
        })
        .person("<Eve> & \"Zoë\"", "student", |p| {
            p.available(Weekdays::all(), "00:00-24:00")
        })
        .evening_start("17:00")
        .build()
        .unwrap()
}

#[test]
fn fixture_is_as_documented() {
    let p = problem();
    assert_eq!(p.timezone, "America/Toronto");
    assert!(p.desks[0].days[7].is_none());
    assert_eq!(
        p.desks[0].days[5].as_ref().unwrap().open,
        range("11:00-17:00")
    );
    assert!(p.desks[1].days[5].is_none());
    assert_eq!(p.people[2].contract.max_term, Some(600));
    assert_eq!(p.evening_start, 17 * 60);
    assert_eq!(p.desks[0].days[0].as_ref().unwrap().cover[0].target, 2);
}
