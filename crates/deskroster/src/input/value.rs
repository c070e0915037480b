//! The human-friendly value syntaxes: times, time ranges, day patterns, durations, dates and
//! date ranges, plus the serde helpers that accept "one value or an array of values".
//!
//! Every parser returns a lowercase message quoting the bad value; the caller attaches the span.

use std::fmt;
use std::marker::PhantomData;

use chrono::NaiveDate;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::error::Span;
use crate::model::{Minute, TimeRange};

/// Longest duration accepted anywhere, in minutes (10 000 hours).
const MAX_DURATION: u32 = 600_000;

/// Parses `"08:30"` (or `"8:30"`, or `"24:00"`) into minutes after midnight.
pub(crate) fn parse_time(s: &str) -> Result<Minute, String> {
    let bad = || format!("expected a time like \"08:30\", found {s:?}");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || h.len() > 2 || !digits(m) || m.len() != 2 {
        return Err(bad());
    }
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(format!(
            "time {s:?} does not exist: expected \"00:00\" to \"24:00\""
        ));
    }
    Ok(h * 60 + m)
}

/// Parses `"08:30-21:00"`; the end may be `"24:00"` and must come after the start.
pub(crate) fn parse_range(s: &str) -> Result<TimeRange, String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("expected a time range like \"08:30-21:00\", found {s:?}"))?;
    let (start, end) = (parse_time(a)?, parse_time(b)?);
    if start == end {
        return Err(format!("time range {s:?} is empty: it ends when it starts"));
    }
    TimeRange::new(start, end).ok_or_else(|| format!("time range {s:?} ends before it starts"))
}

/// Checks that a range lies on the slot grid.
pub(crate) fn on_grid(r: &TimeRange, slot: u32, what: &str) -> Result<(), String> {
    if slot == 0 || r.start % slot != 0 || r.end % slot != 0 {
        return Err(format!(
            "{what} {r} is not on the {slot}-minute slot grid: the slot length must divide it"
        ));
    }
    Ok(())
}

/// Weekdays as a bit mask: bit 0 is Monday, bit 6 Sunday.
pub(crate) type DayMask = u8;

/// Every day of the week.
pub(crate) const DAILY: DayMask = 0x7f;

fn day_index(name: &str) -> Option<u8> {
    Some(match name {
        "mon" | "monday" => 0,
        "tue" | "tues" | "tuesday" => 1,
        "wed" | "wednesday" => 2,
        "thu" | "thur" | "thurs" | "thursday" => 3,
        "fri" | "friday" => 4,
        "sat" | "saturday" => 5,
        "sun" | "sunday" => 6,
        _ => return None,
    })
}

/// Parses a day pattern: `"mon"`, `"mon-thu"` (may wrap: `"fri-mon"`), `"mon,wed,fri"`,
/// `"weekdays"`, `"weekends"`, `"daily"`, or a comma-separated mix.
pub(crate) fn parse_days(s: &str) -> Result<DayMask, String> {
    let bad = |part: &str| {
        format!(
            "unknown day pattern {part:?} in {s:?}: expected e.g. \"mon\", \"mon-thu\", \
             \"mon,wed,fri\", \"weekdays\", \"weekends\" or \"daily\""
        )
    };
    let mut mask = 0;
    for part in s.split(',') {
        let part = part.trim().to_ascii_lowercase();
        mask |= match part.as_str() {
            "daily" | "all" | "every day" => DAILY,
            "weekdays" => 0x1f,
            "weekends" | "weekend" => 0x60,
            p => match p.split_once('-') {
                Some((a, b)) => {
                    let a = day_index(a.trim()).ok_or_else(|| bad(p))?;
                    let b = day_index(b.trim()).ok_or_else(|| bad(p))?;
                    let mut m = 0u8;
                    let mut d = a;
                    loop {
                        m |= 1 << d;
                        if d == b {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                    m
                }
                None => 1 << day_index(p).ok_or_else(|| bad(p))?,
            },
        };
    }
    Ok(mask)
}

/// Names the days of a mask, for messages.
pub(crate) fn day_names(mask: DayMask) -> String {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses a duration: `"2h30m"`, `"4h"`, `"90m"`, `"0m"`. Never negative.
pub(crate) fn parse_duration(s: &str) -> Result<u32, String> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if t.starts_with('-') {
        return Err(format!(
            "negative duration {s:?}: expected a duration like \"2h30m\", \"4h\" or \"90m\""
        ));
    }
    let bad = || format!("expected a duration like \"2h30m\", \"4h\" or \"90m\", found {s:?}");
    let mut total: u64 = 0;
    let mut num = String::new();
    let mut seen_h = false;
    let mut seen_m = false;
    for c in t.chars() {
        match c {
            '0'..='9' => num.push(c),
            'h' | 'H' | 'm' | 'M' => {
                if num.is_empty() || num.len() > 7 {
                    return Err(bad());
                }
                let n: u64 = num.parse().map_err(|_| bad())?;
                num.clear();
                if c.eq_ignore_ascii_case(&'h') {
                    if seen_h || seen_m {
                        return Err(bad());
                    }
                    seen_h = true;
                    total += n * 60;
                } else {
                    if seen_m {
                        return Err(bad());
                    }
                    seen_m = true;
                    total += n;
                }
            }
            _ => return Err(bad()),
        }
    }
    if !num.is_empty() || !(seen_h || seen_m) {
        return Err(bad());
    }
    if total > u64::from(MAX_DURATION) {
        return Err(format!("duration {s:?} is too long (at most 10000h)"));
    }
    Ok(total as u32)
}

/// Parses a duration that must be positive.
pub(crate) fn parse_positive_duration(s: &str) -> Result<u32, String> {
    match parse_duration(s)? {
        0 => Err(format!("duration {s:?} must be positive")),
        n => Ok(n),
    }
}

/// Parses an ISO date `"2027-02-15"`.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let t = s.trim();
    let ok = t.len() == 10 && t.bytes().filter(|b| *b == b'-').count() == 2;
    ok.then(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("expected a date like \"2027-02-15\", found {s:?}"))
}

/// Parses a date or an inclusive date range `"2027-02-15..2027-02-19"`.
pub(crate) fn parse_date_range(s: &str) -> Result<(NaiveDate, NaiveDate), String> {
    match s.split_once("..") {
        None => parse_date(s).map(|d| (d, d)),
        Some((a, b)) => {
            let (a, b) = (parse_date(a)?, parse_date(b)?);
            if b < a {
                return Err(format!("date range {s:?} ends before it starts"));
            }
            Ok((a, b))
        }
    }
}

/// A date or date range, written either as a string or as a bare TOML date.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DateText(pub String);

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DateText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a date like 2027-02-15 or a date range like \"2027-02-15..2027-02-19\"",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateText, E> {
                Ok(DateText(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DateText, A::Error> {
                let dt =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(DateText(dt.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// One value or an array of values; single values take the span of the enclosing
/// [`Spanned`].
#[derive(Clone, Debug)]
pub(crate) struct OneOrMany<T>(pub Vec<(Option<Span>, T)>);

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany(Vec::new())
    }
}

/// The items of a spanned [`OneOrMany`], each with its span.
pub(crate) fn items<T>(v: &Spanned<OneOrMany<T>>) -> impl Iterator<Item = (Span, &T)> {
    let outer = v.span();
    v.get_ref()
        .0
        .iter()
        .map(move |(s, t)| (s.clone().unwrap_or_else(|| outer.clone()), t))
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or an array of values")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let t = T::deserialize(de::value::StrDeserializer::<E>::new(v))?;
                Ok(OneOrMany(vec![(None, t)]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                let t = T::deserialize(de::value::I64Deserializer::<E>::new(v))?;
                Ok(OneOrMany(vec![(None, t)]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                let t = T::deserialize(de::value::F64Deserializer::<E>::new(v))?;
                Ok(OneOrMany(vec![(None, t)]))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                let t = T::deserialize(de::value::BoolDeserializer::<E>::new(v))?;
                Ok(OneOrMany(vec![(None, t)]))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let t = T::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(OneOrMany(vec![(None, t)]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<T>>()? {
                    let span = item.span();
                    out.push((Some(span), item.into_inner()));
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("08:30"), Ok(510));
        assert_eq!(parse_time("8:30"), Ok(510));
        assert_eq!(parse_time("24:00"), Ok(1440));
        assert!(parse_time("25:00").unwrap_err().contains("\"25:00\""));
        assert!(parse_time("24:30").is_err());
        assert!(parse_time("08:60").is_err());
        assert!(parse_time("0830").is_err());
        assert!(parse_time("+8:30").is_err());
        assert!(parse_time("").is_err());
    }

    #[test]
    fn ranges() {
        assert_eq!(
            parse_range("08:30-21:00"),
            Ok(TimeRange {
                start: 510,
                end: 1260
            })
        );
        assert_eq!(parse_range("17:00-24:00").map(|r| r.end), Ok(1440));
        assert!(parse_range("21:00-08:30")
            .unwrap_err()
            .contains("ends before it starts"));
        assert!(parse_range("09:00-09:00").unwrap_err().contains("empty"));
        assert!(parse_range("09:00").is_err());
    }

    #[test]
    fn day_patterns() {
        assert_eq!(parse_days("mon"), Ok(1));
        assert_eq!(parse_days("mon-thu"), Ok(0b1111));
        assert_eq!(parse_days("Mon, Wed,fri"), Ok(0b10101));
        assert_eq!(parse_days("weekdays"), Ok(0x1f));
        assert_eq!(parse_days("weekends"), Ok(0x60));
        assert_eq!(parse_days("sat-sun"), Ok(0x60));
        assert_eq!(parse_days("fri-mon"), Ok(0b111_0001));
        assert_eq!(parse_days("daily"), Ok(DAILY));
        assert!(parse_days("mnday").unwrap_err().contains("\"mnday\""));
        assert!(parse_days("").is_err());
        assert_eq!(day_names(0b1000001), "mon,sun");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2h30m"), Ok(150));
        assert_eq!(parse_duration("4h"), Ok(240));
        assert_eq!(parse_duration("90m"), Ok(90));
        assert_eq!(parse_duration("1h 30m"), Ok(90));
        assert_eq!(parse_duration("0m"), Ok(0));
        assert!(parse_duration("-2h").unwrap_err().contains("negative"));
        assert!(parse_positive_duration("0h")
            .unwrap_err()
            .contains("positive"));
        assert!(parse_duration("2").is_err());
        assert!(parse_duration("30m2h").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("99999999999h").is_err());
    }

    #[test]
    fn dates() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(parse_date("2027-02-15"), Ok(d("2027-02-15")));
        assert!(parse_date("2027-02-30").is_err());
        assert_eq!(
            parse_date_range("2027-02-15..2027-02-19"),
            Ok((d("2027-02-15"), d("2027-02-19")))
        );
        assert!(parse_date_range("2027-02-19..2027-02-15")
            .unwrap_err()
            .contains("ends before"));
    }
}
