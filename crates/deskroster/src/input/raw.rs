//! Serde structs mirroring the files of a term folder, no logic. Fields a coordinator can get
//! wrong are [`Spanned`] so later errors point into the file. `the README (Input format reference)` documents every
//! key.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::value::{DateText, OneOrMany};

type S = Spanned<String>;
type Dates = Spanned<OneOrMany<DateText>>;
/// A table of day pattern = value.
pub(crate) type ByDays<T> = BTreeMap<S, Spanned<T>>;

/// `term.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTerm {
    pub name: S,
    pub timezone: Option<S>,
    pub start: Spanned<DateText>,
    pub end: Spanned<DateText>,
    pub closed: Option<Dates>,
    pub slot: Option<S>,
    pub evening_start: Option<S>,
    #[serde(default)]
    pub skills: Vec<S>,
    #[serde(default)]
    pub groups: BTreeMap<S, RawContract>,
    pub rules: Option<RawRules>,
    pub weights: Option<RawWeights>,
    #[serde(default, rename = "desk")]
    pub desks: Vec<RawDesk>,
    #[serde(default)]
    pub cover: Vec<RawCover>,
    #[serde(default)]
    pub require: Vec<RawRequire>,
    #[serde(default, rename = "template")]
    pub templates: Vec<RawTemplate>,
    #[serde(default)]
    pub forbidden_successions: Vec<Spanned<(String, String)>>,
    #[serde(default)]
    pub template_cover: Vec<RawTemplateCover>,
}

/// `[rules]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRules {
    pub min_length: Option<S>,
    pub max_length: Option<S>,
    pub max_shifts_per_day: Option<Spanned<u32>>,
    pub min_gap: Option<S>,
    pub meal_break_after: Option<S>,
    pub meal_break: Option<S>,
    pub min_rest: Option<S>,
}

/// `[weights]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWeights {
    pub coverage_min: Option<Spanned<f64>>,
    pub coverage_target: Option<Spanned<f64>>,
    pub contract_min: Option<Spanned<f64>>,
    pub split_shift: Option<Spanned<f64>>,
    pub fair_evenings: Option<Spanned<f64>>,
    pub fair_weekends: Option<Spanned<f64>>,
    pub fair_closings: Option<Spanned<f64>>,
}

/// `[groups.NAME]` and a person's `[contract]`.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawContract {
    pub min_week: Option<S>,
    pub max_week: Option<S>,
    pub max_day: Option<S>,
    pub max_days_week: Option<Spanned<u32>>,
    #[serde(alias = "term_budget")]
    pub max_term: Option<S>,
    pub min_term: Option<S>,
    pub max_consecutive_days: Option<Spanned<u32>>,
    pub min_consecutive_days: Option<Spanned<u32>>,
    pub min_consecutive_days_off: Option<Spanned<u32>>,
    pub max_weekends: Option<Spanned<u32>>,
}

/// `[[desk]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDesk {
    pub name: S,
    pub hours: Option<ByDays<String>>,
    #[serde(default, rename = "period")]
    pub periods: Vec<RawPeriod>,
}

/// `[[desk.period]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPeriod {
    pub name: Option<S>,
    pub dates: Dates,
    pub hours: Option<ByDays<String>>,
    pub closed: Option<Spanned<bool>>,
}

/// `[[cover]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCover {
    pub desk: Option<S>,
    pub days: Option<S>,
    pub dates: Option<Dates>,
    pub time: Option<S>,
    pub min: Option<Spanned<u32>>,
    pub target: Option<Spanned<u32>>,
    pub max: Option<Spanned<u32>>,
}

/// `[[require]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRequire {
    pub label: Option<S>,
    pub desk: Option<S>,
    pub days: Option<S>,
    pub dates: Option<Dates>,
    pub time: Option<S>,
    pub at: Option<S>,
    pub need: Option<Spanned<u32>>,
    pub skill: Option<S>,
    pub group: Option<S>,
    pub if_possible: Option<bool>,
    pub weight: Option<Spanned<f64>>,
}

/// `[[template]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTemplate {
    pub name: S,
    pub desk: S,
    pub time: S,
}

/// `[[template_cover]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTemplateCover {
    pub template: S,
    pub days: Option<S>,
    pub dates: Option<Dates>,
    pub requirement: u32,
    pub weight_under: Option<Spanned<f64>>,
    pub weight_over: Option<Spanned<f64>>,
}

/// `people/*.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPerson {
    pub name: S,
    pub group: S,
    pub skills: Option<Spanned<OneOrMany<SkillItem>>>,
    pub desks: Option<Spanned<OneOrMany<String>>>,
    pub contract: Option<RawContract>,
    pub available: Option<Spanned<ByDays<OneOrMany<String>>>>,
    #[serde(default)]
    pub unavailable: Vec<RawUnavailable>,
    #[serde(default)]
    pub prefer: Vec<RawPreference>,
    #[serde(default)]
    pub avoid: Vec<RawPreference>,
    #[serde(default)]
    pub fixed: Vec<RawFixed>,
    #[serde(default, rename = "request")]
    pub requests: Vec<RawRequest>,
    pub template_limits: Option<BTreeMap<S, Spanned<u32>>>,
}

/// A skill: `"keyholder"` or `{ name = "first-aid", until = 2027-02-28 }`.
#[derive(Clone, Debug)]
pub(crate) enum SkillItem {
    Name(String),
    Table(SkillTable),
}

/// The table form of [`SkillItem`].
#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub(crate) struct SkillTable {
    pub name: S,
    pub from: Option<Spanned<DateText>>,
    pub until: Option<Spanned<DateText>>,
}

impl<'de> Deserialize<'de> for SkillItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SkillItem;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a skill name or a table { name = .., from = .., until = .. }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SkillItem, E> {
                Ok(SkillItem::Name(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SkillItem, A::Error> {
                SkillTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(SkillItem::Table)
            }
        }
        d.deserialize_any(V)
    }
}

/// `[[unavailable]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUnavailable {
    pub dates: Dates,
    pub days: Option<S>,
    pub time: Option<S>,
    #[allow(dead_code)]
    pub reason: Option<String>,
}

/// `[[prefer]]` / `[[avoid]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPreference {
    pub days: Option<S>,
    pub dates: Option<Dates>,
    pub time: Option<S>,
    pub weight: Option<Spanned<f64>>,
}

/// `[[fixed]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFixed {
    pub days: Option<S>,
    pub dates: Option<Dates>,
    pub desk: S,
    pub time: S,
}

/// `[[request]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRequest {
    pub template: S,
    pub days: Option<S>,
    pub dates: Option<Dates>,
    pub on: Option<bool>,
    pub weight: Option<Spanned<f64>>,
}

/// `absences.toml`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAbsences {
    #[serde(default)]
    pub absence: Vec<RawAbsence>,
}

/// `[[absence]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAbsence {
    pub person: S,
    pub date: Option<Spanned<DateText>>,
    pub dates: Option<Spanned<DateText>>,
    pub from: Option<S>,
    pub to: Option<S>,
    pub reason: Option<String>,
}
