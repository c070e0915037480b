//! iCalendar (RFC 5545) files, one per person, that update cleanly after a rerun.
//!
//! # Identity of an event
//! An event's `UID` is derived from the shift's identity, not from its times: the person, the
//! date, the desk and the ordinal of that person's shift that day at that desk
//! (`20270111-service-desk-1-ana-lopez@deskroster`). A shift moved to other hours keeps its UID,
//! so a calendar that re-imports the file updates the event instead of adding a second one.
//!
//! # Updates
//! Given the previously published roster, every event whose times changed, that is new, or that
//! disappeared gets `SEQUENCE` = the publication's revision (1 for the second publication), and
//! removed shifts are emitted once more with `STATUS:CANCELLED`. Unchanged events keep
//! `SEQUENCE:0`. `DTSTAMP` comes from the input (the options' stamp, or midnight UTC of the
//! term's first day), never from the clock, so the same input gives the same bytes.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use ics::parameters::TzIDParam;
use ics::properties::{
    CalScale, Description, DtEnd, DtStart, Location, Sequence, Status, Summary, TzName,
};
use ics::{escape_text, Daylight, Event, ICalendar, Standard};

use super::names::{file_stems, unique_slugs};
use super::{check_indices, PublishError};
use crate::model::{fmt_minute, Minute, Problem, Roster, TimeRange};
use crate::roster_csv::{fmt_hours, weekday_abbr};

/// Options for [`calendars_with`], built with methods:
/// `CalendarOptions::new().previous(&old).revision(3)`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CalendarOptions<'a> {
    previous: Option<&'a Roster>,
    revision: u32,
    stamp: Option<NaiveDateTime>,
}

impl<'a> CalendarOptions<'a> {
    /// No previous roster, revision 0, stamp from the term.
    pub fn new() -> Self {
        Self::default()
    }

    /// The roster published last time (same problem indices), to cancel removed shifts and
    /// to mark changed ones.
    pub fn previous(mut self, previous: &'a Roster) -> Self {
        self.previous = Some(previous);
        self
    }

    /// How many times calendars were published before this one. Changed, new and cancelled
    /// events get this `SEQUENCE`, so keep it increasing across publications (the CLI stores
    /// it next to the calendars). Default 0.
    pub fn revision(mut self, revision: u32) -> Self {
        self.revision = revision;
        self
    }

    /// The `DTSTAMP` of every event, in UTC. Default: midnight UTC of the term's first day.
    pub fn stamp(mut self, stamp: NaiveDateTime) -> Self {
        self.stamp = Some(stamp);
        self
    }
}

/// One calendar per person of `problem`: `(file name, iCalendar text)`, in person order.
///
/// Shorthand for [`calendars_with`] with `previous` and revision 1 when there is a previous
/// roster (0 otherwise). For a third and later publication use [`calendars_with`] with an
/// increasing revision, so calendars see the changes as newer.
///
/// # Errors
/// [`PublishError::UnknownTimezone`] when `problem.timezone` is not an IANA time zone;
/// [`PublishError::RosterMismatch`] when a shift (of either roster) refers to a day, desk or
/// person the problem does not have.
pub fn calendars(
    problem: &Problem,
    roster: &Roster,
    previous: Option<&Roster>,
) -> Result<Vec<(String, String)>, PublishError> {
    let mut options = CalendarOptions::new();
    if let Some(p) = previous {
        options = options.previous(p).revision(1);
    }
    calendars_with(problem, roster, &options)
}

/// One calendar per person of `problem`: `(file name, iCalendar text)`, in person order.
///
/// Every person gets a file, even without shifts (so stale events can be cancelled). File
/// names are [`super::file_stems`] plus `.ics`. Each file holds a `VTIMEZONE` for the term's
/// zone covering the term's years, then one `VEVENT` per shift (summary `"<desk> shift"`,
/// location the desk, local times with `TZID`), then the cancelled events. Lines end in CRLF
/// and are folded at 75 octets.
///
/// # Errors
/// As [`calendars`].
pub fn calendars_with(
    problem: &Problem,
    roster: &Roster,
    options: &CalendarOptions<'_>,
) -> Result<Vec<(String, String)>, PublishError> {
    let tz: Tz = problem
        .timezone
        .parse()
        .map_err(|_| PublishError::UnknownTimezone(problem.timezone.clone()))?;
    check_indices(problem, roster)?;
    if let Some(prev) = options.previous {
        check_indices(problem, prev)?;
    }
    let stamp = options
        .stamp
        .or_else(|| problem.days.first().and_then(|d| d.and_hms_opt(0, 0, 0)))
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    let timezone = vtimezone(tz, problem);
    let stems = file_stems(problem);
    let desk_slugs = unique_slugs(problem.desks.iter().map(|d| d.name.as_str()), "desk");

    let current = keyed(roster);
    let previous = options.previous.map(keyed).unwrap_or_default();

    let mut files = Vec::with_capacity(problem.people.len());
    for (p, person) in problem.people.iter().enumerate() {
        let mut cal = ICalendar::new("2.0", "-//deskroster//deskroster publish//EN");
        cal.push(CalScale::new("GREGORIAN"));
        let cal_name = format!("{} – {} desk shifts", person.name, problem.name);
        cal.push(ics::components::Property::new(
            "X-WR-CALNAME",
            escape_text(cal_name),
        ));
        cal.push(ics::components::Property::new(
            "X-WR-TIMEZONE",
            problem.timezone.clone(),
        ));
        cal.add_timezone(timezone.clone());

        let stem = stems.get(p).map_or("person", String::as_str);
        let mut events: Vec<(usize, Minute, usize, usize, Event)> = Vec::new();
        let mine = |m: &BTreeMap<Key, TimeRange>| -> Vec<(Key, TimeRange)> {
            m.range((p, 0, 0, 0)..(p + 1, 0, 0, 0))
                .map(|(k, t)| (*k, *t))
                .collect()
        };
        let prev_mine: BTreeMap<Key, TimeRange> = mine(&previous).into_iter().collect();
        let cur_mine = mine(&current);
        let push = |events: &mut Vec<_>, key: Key, time: TimeRange, sequence: u32, cancelled| {
            let (_, day, desk, ordinal) = key;
            let Some(date) = problem.days.get(day).copied() else {
                return;
            };
            let desk_name = problem.desks.get(desk).map_or("", |d| d.name.as_str());
            let desk_slug = desk_slugs.get(desk).map_or("desk", String::as_str);
            let uid = format!(
                "{}-{desk_slug}-{}-{stem}@deskroster",
                date.format("%Y%m%d"),
                ordinal + 1
            );
            let mut e = Event::new(uid, stamp.clone());
            let mut start = DtStart::new(local(date, time.start));
            start.add(TzIDParam::new(problem.timezone.clone()));
            let mut end = DtEnd::new(local(date, time.end));
            end.add(TzIDParam::new(problem.timezone.clone()));
            e.push(start);
            e.push(end);
            let summary = if cancelled {
                format!("Cancelled: {desk_name} shift")
            } else {
                format!("{desk_name} shift")
            };
            e.push(Summary::new(escape_text(summary)));
            e.push(Location::new(escape_text(desk_name.to_string())));
            let description = format!(
                "{desk_name}, {} {date} {}–{} ({} h). {} roster.",
                weekday_abbr(date),
                fmt_minute(time.start),
                fmt_minute(time.end),
                fmt_hours(time.minutes()),
                problem.name
            );
            e.push(Description::new(escape_text(description)));
            e.push(Sequence::new(sequence.to_string()));
            e.push(Status::new(if cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }));
            events.push((day, time.start, desk, ordinal, e));
        };

        for (key, time) in &cur_mine {
            let sequence = match (options.previous, prev_mine.get(key)) {
                (None, _) => options.revision,
                (Some(_), Some(old)) if old == time => 0,
                (Some(_), _) => options.revision,
            };
            push(&mut events, *key, *time, sequence, false);
        }
        events.sort_by_key(|(day, start, desk, ordinal, _)| (*day, *start, *desk, *ordinal));
        let mut cancelled = Vec::new();
        for (key, time) in &prev_mine {
            if !current.contains_key(key) {
                push(&mut cancelled, *key, *time, options.revision, true);
            }
        }
        cancelled.sort_by_key(|(day, start, desk, ordinal, _)| (*day, *start, *desk, *ordinal));
        for (_, _, _, _, e) in events.into_iter().chain(cancelled) {
            cal.add_event(e);
        }
        files.push((format!("{stem}.ics"), cal.to_string()));
    }
    Ok(files)
}

/// (person, day, desk, ordinal of the person's shift that day at that desk).
type Key = (usize, usize, usize, usize);

fn keyed(roster: &Roster) -> BTreeMap<Key, TimeRange> {
    let mut sorted = roster.shifts.clone();
    sorted.sort_by_key(|s| (s.person, s.day, s.desk, s.time));
    let mut out = BTreeMap::new();
    let mut last: Option<(usize, usize, usize)> = None;
    let mut ordinal = 0;
    for s in sorted {
        let group = (s.person, s.day, s.desk);
        ordinal = if last == Some(group) { ordinal + 1 } else { 0 };
        last = Some(group);
        out.insert((s.person, s.day, s.desk, ordinal), s.time);
    }
    out
}

/// Local date-time text for a minute of a day (`1440` is midnight of the next day).
fn local(date: NaiveDate, minute: Minute) -> String {
    let (date, minute) = if minute >= 1440 {
        (
            date.checked_add_days(Days::new(1)).unwrap_or(date),
            minute - 1440,
        )
    } else {
        (date, minute)
    };
    format!(
        "{}T{:02}{:02}00",
        date.format("%Y%m%d"),
        minute / 60,
        minute % 60
    )
}

/// A `VTIMEZONE` for `tz` with one observance per UTC-offset change during the term's years,
/// plus the one in force when they start, all computed from the tz database.
fn vtimezone(tz: Tz, problem: &Problem) -> ics::TimeZone<'static> {
    let first_year = problem.days.first().map_or(1970, |d| d.year());
    let last_year = problem.days.last().map_or(first_year, |d| d.year());
    let year_start = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| Utc.from_utc_datetime(&d))
            .unwrap_or_default()
    };
    let from = year_start(first_year);
    let until = year_start(last_year.saturating_add(1));

    // Observances: (instant, offset before, offset after, dst after, name after).
    let mut observances = Vec::new();
    let mut before = None;
    let mut t = year_start(first_year.saturating_sub(1));
    let step = chrono::Duration::hours(1);
    while t < until {
        let next = t + step;
        let (a, b) = (offset_secs(tz, t), offset_secs(tz, next));
        if a != b || dst(tz, t) != dst(tz, next) {
            let at = bisect(tz, t, next);
            let o = observance(tz, at);
            if at < from {
                before = Some(o);
            } else {
                observances.push(o);
            }
        }
        t = next;
    }
    let initial = before.unwrap_or_else(|| {
        let o = tz.offset_from_utc_datetime(&from.naive_utc());
        let off = o.fix().local_minus_utc();
        Observance {
            local_start: "19700101T000000".to_string(),
            from: off,
            to: off,
            daylight: !o.dst_offset().is_zero(),
            name: o.abbreviation().map(str::to_string),
        }
    });

    let mut zone: Option<ics::TimeZone<'static>> = None;
    for o in std::iter::once(initial).chain(observances) {
        let (from, to) = (fmt_offset(o.from), fmt_offset(o.to));
        zone = Some(match (zone, o.daylight) {
            (None, true) => ics::TimeZone::daylight(tz.name().to_string(), daylight(o, from, to)),
            (None, false) => ics::TimeZone::standard(tz.name().to_string(), standard(o, from, to)),
            (Some(mut z), true) => {
                z.add_daylight(daylight(o, from, to));
                z
            }
            (Some(mut z), false) => {
                z.add_standard(standard(o, from, to));
                z
            }
        });
    }
    // `initial` always exists, so `zone` is set; the fallback keeps this panic-free.
    zone.unwrap_or_else(|| {
        ics::TimeZone::standard(
            tz.name().to_string(),
            Standard::new("19700101T000000", "+0000", "+0000"),
        )
    })
}

struct Observance {
    /// Local time (in the offset before) at which the observance starts.
    local_start: String,
    from: i32,
    to: i32,
    daylight: bool,
    name: Option<String>,
}

fn standard(o: Observance, from: String, to: String) -> Standard<'static> {
    let mut s = Standard::new(o.local_start, from, to);
    if let Some(n) = o.name {
        s.push(TzName::new(escape_text(n)));
    }
    s
}

fn daylight(o: Observance, from: String, to: String) -> Daylight<'static> {
    let mut s = Daylight::new(o.local_start, from, to);
    if let Some(n) = o.name {
        s.push(TzName::new(escape_text(n)));
    }
    s
}

fn offset_secs(tz: Tz, t: DateTime<Utc>) -> i32 {
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

fn dst(tz: Tz, t: DateTime<Utc>) -> bool {
    !tz.offset_from_utc_datetime(&t.naive_utc())
        .dst_offset()
        .is_zero()
}

/// The first second in `(a, b]` whose offset differs from `a`'s.
fn bisect(tz: Tz, mut a: DateTime<Utc>, mut b: DateTime<Utc>) -> DateTime<Utc> {
    let key = |t| (offset_secs(tz, t), dst(tz, t));
    let k0 = key(a);
    while (b - a).num_seconds() > 1 {
        let mid = a + (b - a) / 2;
        if key(mid) == k0 {
            a = mid;
        } else {
            b = mid;
        }
    }
    b
}

fn observance(tz: Tz, at: DateTime<Utc>) -> Observance {
    let before = at - chrono::Duration::seconds(1);
    let from = offset_secs(tz, before);
    let o = tz.offset_from_utc_datetime(&at.naive_utc());
    let local_start = (at.naive_utc() + chrono::Duration::seconds(i64::from(from)))
        .format("%Y%m%dT%H%M%S")
        .to_string();
    Observance {
        local_start,
        from,
        to: o.fix().local_minus_utc(),
        daylight: !o.dst_offset().is_zero(),
        name: o.abbreviation().map(str::to_string),
    }
}

/// `+HHMM`, or `+HHMMSS` when the offset has seconds.
fn fmt_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::fixtures::{problem, shift};

    #[test]
    fn toronto_zone_has_the_2027_transitions() {
        let p = problem();
        let tz: Tz = "America/Toronto".parse().unwrap();
        let text = ics::ICalendar::new("2.0", "x").to_string();
        assert!(text.starts_with("BEGIN:VCALENDAR"));
        let z = vtimezone(tz, &p).to_string();
        // Standard time since November 2026, DST from 14 March 2027, back on 7 November 2027.
        assert!(z.contains("BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD"), "{z}");
        assert!(z.contains("BEGIN:DAYLIGHT\r\nDTSTART:20270314T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT"), "{z}");
        assert!(z.contains("DTSTART:20271107T020000"), "{z}");
        assert!(!z.contains("DTSTART:2028"), "only the term's years: {z}");
    }

    #[test]
    fn zone_without_dst_has_one_observance() {
        let mut p = problem();
        p.timezone = "America/Regina".into();
        let z = vtimezone("America/Regina".parse().unwrap(), &p).to_string();
        assert_eq!(z.matches("BEGIN:STANDARD").count(), 1, "{z}");
        assert!(!z.contains("DAYLIGHT"));
        assert!(z.contains("TZOFFSETTO:-0600"));
    }

    #[test]
    fn rejects_unknown_zone_and_bad_indices() {
        let mut p = problem();
        let r = Roster::new(vec![shift(0, 0, "08:30-12:30", 0)]);
        p.timezone = "Mars/Olympus".into();
        assert!(matches!(
            calendars(&p, &r, None),
            Err(PublishError::UnknownTimezone(_))
        ));
        let p = problem();
        let bad = Roster::new(vec![shift(0, 7, "08:30-12:30", 0)]);
        assert!(matches!(
            calendars(&p, &bad, None),
            Err(PublishError::RosterMismatch(_))
        ));
        assert!(matches!(
            calendars(&p, &r, Some(&bad)),
            Err(PublishError::RosterMismatch(_))
        ));
    }

    #[test]
    fn midnight_end_is_next_day() {
        assert_eq!(
            local(NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(), 1440),
            "20270201T000000"
        );
        assert_eq!(fmt_offset(-5 * 3600), "-0500");
        assert_eq!(fmt_offset(5 * 3600 + 30 * 60), "+0530");
        assert_eq!(fmt_offset(-(3600 + 61)), "-010101");
    }
}

/// Tests that read the output back with the independent `ical` parser.
#[cfg(test)]
mod parsed {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::Shift;
    use crate::publish::fixtures::{problem, shift};
    use ical::parser::ical::component::{IcalCalendar, IcalEvent};

    fn parse(text: &str) -> IcalCalendar {
        let mut cals = ical::IcalParser::new(text.as_bytes());
        let cal = cals.next().expect("one calendar").expect("valid iCalendar");
        assert!(cals.next().is_none());
        cal
    }

    fn prop<'a>(props: &'a [ical::property::Property], name: &str) -> Option<&'a str> {
        props
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.as_deref())
    }

    fn tzid(e: &IcalEvent, name: &str) -> Option<String> {
        let p = e.properties.iter().find(|p| p.name == name)?;
        let params = p.params.as_ref()?;
        params
            .iter()
            .find(|(k, _)| k == "TZID")
            .map(|(_, v)| v.join(","))
    }

    /// UID -> (DTSTART, DTEND, SEQUENCE, STATUS, SUMMARY, LOCATION) of one calendar.
    fn events(cal: &IcalCalendar) -> BTreeMap<String, [String; 6]> {
        let mut out = BTreeMap::new();
        for e in &cal.events {
            let get = |n| {
                prop(&e.properties, n)
                    .unwrap_or_else(|| panic!("{n} missing"))
                    .to_string()
            };
            assert_eq!(get("DTSTAMP").len(), 16);
            assert_eq!(tzid(e, "DTSTART").as_deref(), Some("America/Toronto"));
            assert_eq!(tzid(e, "DTEND").as_deref(), Some("America/Toronto"));
            let uid = get("UID");
            let fields = [
                get("DTSTART"),
                get("DTEND"),
                get("SEQUENCE"),
                get("STATUS"),
                get("SUMMARY"),
                get("LOCATION"),
            ];
            assert!(
                out.insert(uid.clone(), fields).is_none(),
                "duplicate UID {uid}"
            );
        }
        out
    }

    fn first() -> Roster {
        Roster::new(vec![
            shift(0, 0, "08:30-12:30", 0),
            shift(0, 0, "16:00-21:00", 0),
            shift(0, 1, "09:00-13:00", 1),
            shift(1, 0, "17:00-21:00", 1),
            shift(13, 0, "11:00-17:00", 3),
            shift(9, 1, "13:00-17:00", 2),
        ])
    }

    #[test]
    fn every_event_parses_with_zone_and_fields() {
        let p = problem();
        let r = first();
        let files = calendars(&p, &r, None).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "ana-lopez.ics",
                "bo-chen.ics",
                "cmd-c-calc-a0.ics",
                "eve-zoe.ics"
            ]
        );
        let mut total = 0;
        for (p_ix, (_, text)) in files.iter().enumerate() {
            assert!(text.ends_with("END:VCALENDAR\r\n"));
            assert!(
                text.split("\r\n").all(|l| l.len() <= 75),
                "lines are folded"
            );
            assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
            let cal = parse(text);
            assert_eq!(prop(&cal.properties, "VERSION"), Some("2.0"));
            assert_eq!(cal.timezones.len(), 1);
            assert_eq!(
                prop(&cal.timezones[0].properties, "TZID"),
                Some("America/Toronto")
            );
            assert!(cal.timezones[0].transitions.len() >= 3);
            let evs = events(&cal);
            let mine: Vec<&Shift> = r.shifts.iter().filter(|s| s.person == p_ix).collect();
            assert_eq!(evs.len(), mine.len());
            for s in mine {
                let date = p.days[s.day].format("%Y%m%d").to_string();
                let start = format!("{date}T{}00", fmt_minute(s.time.start).replace(':', ""));
                let end = format!("{date}T{}00", fmt_minute(s.time.end).replace(':', ""));
                let desk = &p.desks[s.desk].name;
                let found = evs
                    .values()
                    .filter(|f| f[0] == start && f[1] == end)
                    .count();
                assert_eq!(found, 1, "{start} in {evs:?}");
                let f = evs.values().find(|f| f[0] == start).unwrap();
                assert_eq!(f[2], "0");
                assert_eq!(f[3], "CONFIRMED");
                assert_eq!(f[4], format!("{desk} shift"));
                assert_eq!(f[5], *desk);
            }
            total += evs.len();
        }
        assert_eq!(total, r.shifts.len());
        // Same input, same bytes.
        assert_eq!(calendars(&p, &r, None).unwrap(), files);
    }

    #[test]
    fn rerun_updates_moved_cancels_removed_and_never_duplicates() {
        let p = problem();
        let before = first();
        let after = Roster::new(vec![
            shift(0, 0, "09:00-13:00", 0), // Ana's morning shift moved
            shift(0, 0, "16:00-21:00", 0), // unchanged
            shift(0, 1, "09:00-13:00", 1), // unchanged
            // Bo's Tuesday evening removed
            shift(13, 0, "11:00-17:00", 3), // unchanged
            shift(9, 1, "13:00-17:00", 2),  // unchanged
            shift(2, 1, "09:00-13:00", 3),  // new for Eve
        ]);
        let old = calendars(&p, &before, None).unwrap();
        let new = calendars(&p, &after, Some(&before)).unwrap();
        let old_ev: Vec<_> = old.iter().map(|(_, t)| events(&parse(t))).collect();
        let new_ev: Vec<_> = new.iter().map(|(_, t)| events(&parse(t))).collect();

        // Ana: same two UIDs; the moved one has new times and a higher SEQUENCE.
        assert_eq!(
            old_ev[0].keys().collect::<Vec<_>>(),
            new_ev[0].keys().collect::<Vec<_>>()
        );
        let moved = "20270111-service-desk-1-ana-lopez@deskroster";
        assert_eq!(old_ev[0][moved][0], "20270111T083000");
        assert_eq!(new_ev[0][moved][0], "20270111T090000");
        assert!(new_ev[0][moved][2].parse::<u32>().unwrap() > old_ev[0][moved][2].parse().unwrap());
        let kept = "20270111-service-desk-2-ana-lopez@deskroster";
        assert_eq!(new_ev[0][kept], old_ev[0][kept]);

        // Bo: the removed shift comes back once, cancelled, with the same UID.
        let gone = "20270112-service-desk-1-bo-chen@deskroster";
        assert_eq!(new_ev[1].len(), 2);
        assert_eq!(new_ev[1][gone][3], "CANCELLED");
        assert_eq!(new_ev[1][gone][2], "1");
        assert_eq!(new_ev[1][gone][0], old_ev[1][gone][0]);

        // Eve: one unchanged, one new with SEQUENCE 1.
        assert_eq!(new_ev[3]["20270113-chat-1-eve-zoe@deskroster"][2], "1");
        assert_eq!(
            new_ev[3]["20270124-service-desk-1-eve-zoe@deskroster"][2],
            "0"
        );

        // Every UID of the first publication is still there (updated, kept or cancelled).
        for (o, n) in old_ev.iter().zip(&new_ev) {
            assert!(o.keys().all(|k| n.contains_key(k)));
        }

        // A third publication with a higher revision keeps sequences increasing.
        let third = Roster::new(vec![shift(0, 0, "10:00-14:00", 0)]);
        let opts = CalendarOptions::new().previous(&after).revision(2);
        let files = calendars_with(&p, &third, &opts).unwrap();
        let ev = events(&parse(&files[0].1));
        assert_eq!(ev[moved][2], "2");
        assert_eq!(ev[kept][3], "CANCELLED");
        assert_eq!(ev[kept][2], "2");
    }

    #[test]
    fn stamp_and_text_escaping() {
        let mut p = problem();
        p.desks[1].name = "Chat; online, 24/7".into();
        let r = Roster::new(vec![shift(0, 1, "09:00-13:00", 1)]);
        let stamp = NaiveDate::from_ymd_opt(2027, 2, 3)
            .unwrap()
            .and_hms_opt(4, 5, 6)
            .unwrap();
        let files = calendars_with(&p, &r, &CalendarOptions::new().stamp(stamp)).unwrap();
        let text = &files[1].1;
        assert!(text.contains("DTSTAMP:20270203T040506Z\r\n"));
        assert!(text.contains("LOCATION:Chat\\; online\\, 24/7\r\n"));
        assert!(text.contains("X-WR-CALNAME:Bo\\, Chen – Winter 2027 desk shifts\r\n"));
        assert!(text.contains("UID:20270111-chat-online-24-7-1-bo-chen@deskroster\r\n"));
        let cal = parse(text);
        assert_eq!(cal.events.len(), 1);
        // Default stamp: midnight UTC of the first day.
        let files = calendars(&p, &r, None).unwrap();
        assert!(files[1].1.contains("DTSTAMP:20270111T000000Z\r\n"));
    }
}
