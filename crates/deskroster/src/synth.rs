//! Generated problems of any size, for benchmarks and property tests.
//!
//! The generator is deterministic (a seeded xorshift, no global randomness): the same
//! [`SynthSpec`] always gives the same [`Problem`].
//!
//! ```
//! use deskroster::synth::{generate, SynthSpec};
//! let p = generate(&SynthSpec { people: 6, desks: 1, weeks: 1, seed: 7, ..SynthSpec::default() });
//! assert_eq!(p.days.len(), 7);
//! assert!(p.validate().is_ok());
//! ```

use chrono::{Datelike, NaiveDate, Weekday};

use crate::model::{
    Contract, Cover, Desk, DeskDay, Person, Preference, PreferenceKind, Problem, Requirement,
    ShiftRules, SkillGrant, TimeRange, Weights, Who,
};

/// What to generate.
#[derive(Clone, Debug)]
pub struct SynthSpec {
    /// Number of people (about a third are staff, the rest students).
    pub people: usize,
    /// Number of desks (desk 0 is the main desk with evenings and weekends).
    pub desks: usize,
    /// Number of weeks, starting Monday 2027-01-04.
    pub weeks: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Give students a term budget that binds (links the weeks).
    pub term_budgets: bool,
}

impl Default for SynthSpec {
    fn default() -> Self {
        SynthSpec {
            people: 14,
            desks: 2,
            weeks: 15,
            seed: 1,
            term_budgets: false,
        }
    }
}

/// A seeded xorshift generator (also drives the neighbourhoods of `lns`).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

fn hm(h: u32, m: u32) -> u32 {
    h * 60 + m
}

fn range(a: u32, b: u32) -> TimeRange {
    TimeRange { start: a, end: b }
}

/// Builds a realistic library-desk problem of the requested size.
pub fn generate(spec: &SynthSpec) -> Problem {
    let mut rng = Rng(spec.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let slot = 30;
    let first = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap_or_default();
    let days: Vec<NaiveDate> = (0..spec.weeks * 7)
        .filter_map(|i| first.checked_add_days(chrono::Days::new(i as u64)))
        .collect();
    let desks_n = spec.desks.max(1);
    let mut desks = Vec::new();
    let mut requirements = Vec::new();
    for k in 0..desks_n {
        let mut per_day = Vec::new();
        for (d, date) in days.iter().enumerate() {
            let wd = date.weekday();
            let open = match (k, wd) {
                (0, Weekday::Mon | Weekday::Tue | Weekday::Wed | Weekday::Thu) => {
                    Some(range(hm(8, 30), hm(21, 0)))
                }
                (0, Weekday::Fri) => Some(range(hm(8, 30), hm(17, 0))),
                (0, _) => Some(range(hm(11, 0), hm(17, 0))),
                (_, Weekday::Sat | Weekday::Sun) => None,
                (_, _) => Some(range(hm(10, 0), hm(16, 0))),
            };
            let dd = open.map(|open| {
                let n = (open.minutes() / slot) as usize;
                let cover = (0..n)
                    .map(|i| {
                        let t = open.start + i as u32 * slot;
                        let busy = (hm(11, 0)..hm(14, 0)).contains(&t);
                        if k == 0 {
                            Cover {
                                min: 1,
                                target: if busy { 2 } else { 1 },
                                max: 3,
                            }
                        } else {
                            Cover {
                                min: 1,
                                target: 1,
                                max: 1,
                            }
                        }
                    })
                    .collect();
                DeskDay { open, cover }
            });
            if let (0, Some(dd)) = (k, &dd) {
                let o = dd.open;
                requirements.push(Requirement {
                    label: "keyholder at opening".into(),
                    desk: 0,
                    day: d,
                    time: range(o.start, o.start + slot),
                    need: 1,
                    who: Who::Skill(0),
                    weight: 1000.0,
                });
                requirements.push(Requirement {
                    label: "keyholder at closing".into(),
                    desk: 0,
                    day: d,
                    time: range(o.end - slot, o.end),
                    need: 1,
                    who: Who::Skill(0),
                    weight: 1000.0,
                });
                let staff_from = if matches!(wd, Weekday::Sat | Weekday::Sun) {
                    o.start
                } else {
                    hm(17, 0)
                };
                if staff_from < o.end {
                    requirements.push(Requirement {
                        label: "staff in the evening and at weekends".into(),
                        desk: 0,
                        day: d,
                        time: range(staff_from.max(o.start), o.end),
                        need: 1,
                        who: Who::Group(0),
                        weight: 1000.0,
                    });
                }
                requirements.push(Requirement {
                    label: "first aider if possible".into(),
                    desk: 0,
                    day: d,
                    time: o,
                    need: 1,
                    who: Who::Skill(1),
                    weight: 20.0,
                });
            }
            per_day.push(dd);
        }
        desks.push(Desk {
            name: if k == 0 {
                "Service Desk".into()
            } else {
                format!("Desk {}", k + 1)
            },
            days: per_day,
        });
    }
    let staff_n = (spec.people / 3).max(2).min(spec.people);
    let mut people = Vec::new();
    let first_names = [
        "Ana", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hugo", "Iris", "Jae", "Kofi",
        "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tess",
    ];
    for i in 0..spec.people {
        let staff = i < staff_n;
        let name = format!("{} {}", first_names[i % first_names.len()], i + 1);
        let mut skills = Vec::new();
        if staff && (i % 2 == 0 || i < 2) {
            skills.push(SkillGrant {
                skill: 0,
                from: None,
                until: None,
            });
        }
        if rng.below(3) == 0 || i == 1 {
            skills.push(SkillGrant {
                skill: 1,
                from: None,
                until: None,
            });
        }
        let mut desk_list: Vec<usize> = (0..desks_n)
            .filter(|&k| k == 0 || rng.below(2) == 0 || staff)
            .collect();
        desk_list.sort_unstable();
        let mut availability = Vec::new();
        // Weekly pattern: per weekday a window (or none), repeated over the weeks.
        let pattern: Vec<Vec<TimeRange>> = (0..7)
            .map(|wd| {
                if staff {
                    if wd >= 5 && rng.below(2) == 0 {
                        vec![]
                    } else {
                        let s = [hm(8, 0), hm(8, 30), hm(12, 0)][rng.below(3) as usize];
                        vec![range(s, hm(22, 0))]
                    }
                } else if rng.below(4) == 0 {
                    vec![]
                } else {
                    let s = hm(8, 30) + 60 * rng.below(8) as u32;
                    let e = (s + 240 + 60 * rng.below(6) as u32).min(hm(21, 0));
                    vec![range(s, e)]
                }
            })
            .collect();
        for date in &days {
            availability.push(pattern[date.weekday().num_days_from_monday() as usize].clone());
        }
        // A few dated days away per person (appointments, exams, vacation), so that weeks differ.
        for _ in 0..(spec.weeks / 3).max(1) {
            let d = rng.below(days.len() as u64) as usize;
            if let Some(a) = availability.get_mut(d) {
                a.clear();
            }
        }
        let mut preferences = Vec::new();
        if !staff && rng.below(2) == 0 {
            for (d, date) in days.iter().enumerate() {
                if date.weekday() == Weekday::Fri {
                    preferences.push(Preference {
                        day: d,
                        time: range(hm(14, 0), hm(21, 0)),
                        kind: PreferenceKind::Avoid,
                        weight: 3.0,
                    });
                }
            }
        }
        let contract = if staff {
            Contract {
                min_week: 10 * 60,
                max_week: Some(20 * 60),
                max_day: Some(8 * 60),
                ..Contract::default()
            }
        } else {
            Contract {
                min_week: 0,
                max_week: Some(10 * 60),
                max_day: Some(4 * 60),
                max_term: spec.term_budgets.then_some(spec.weeks as u32 * 8 * 60),
                ..Contract::default()
            }
        };
        people.push(Person {
            name,
            group: if staff { 0 } else { 1 },
            skills,
            desks: desk_list,
            contract,
            availability,
            preferences,
            fixed: Vec::new(),
            requests: Vec::new(),
            template_limits: Vec::new(),
        });
    }
    Problem {
        name: format!("generated {}p {}d {}w", spec.people, desks_n, spec.weeks),
        timezone: "America/Toronto".into(),
        slot_minutes: slot,
        days,
        desks,
        skills: vec!["keyholder".into(), "first-aid".into()],
        groups: vec!["staff".into(), "student".into()],
        people,
        requirements,
        rules: ShiftRules::default(),
        weights: Weights::default(),
        evening_start: hm(17, 0),
        templates: Vec::new(),
        forbidden_successions: Vec::new(),
        template_cover: Vec::new(),
    }
}
