//! Person-hours the coverage targets ask for, week by week, against the most that everyone's
//! availability and caps allow.
//!
//! When a week's targets ask for more, some hours below target are unavoidable whatever the
//! roster: worth knowing before reading the shortfalls, and the reason such a term is slow to
//! solve (every person has to be packed to their caps). The supply is an upper bound: it counts
//! each person's available minutes within the opening hours of the desks they may staff, at most
//! their daily cap on a day, their `max_days_week` best days and their weekly cap, and ignores
//! shift lengths, term budgets and who is qualified for what. So the shortfall it reports is
//! never more than the real one.
//!
//! ```
//! use deskroster::builder::{ProblemBuilder, Weekdays};
//! use deskroster::capacity::weekly;
//!
//! let p = ProblemBuilder::new("2027-01-04".parse()?, 7) // Monday, one week
//!     .desk("Desk", |d| d.open(Weekdays::mon_fri(), "09:00-17:00").cover("09:00-17:00", 1, 2, 2))
//!     .group("staff")
//!     .person("Ana", "staff", |p| p.available(Weekdays::all(), "08:00-22:00").max_week_hours(30))
//!     .build()?;
//! let weeks = weekly(&p);
//! // Two people all day for five days: 80 hours; Ana alone may work 30.
//! assert_eq!((weeks[0].target, weeks[0].most), (80 * 60, 30 * 60));
//! assert_eq!(weeks[0].unavoidable(), 50 * 60);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::model::{Problem, TimeRange};

/// One week's demand and supply of person-minutes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeekCapacity {
    /// Index of the week (see [`Problem::week_of`]).
    pub week: usize,
    /// Index of the week's first day in the horizon.
    pub first_day: usize,
    /// Person-minutes the coverage targets ask for, over every desk.
    pub target: u32,
    /// The most person-minutes everyone's availability and caps allow (an upper bound).
    pub most: u32,
}

impl WeekCapacity {
    /// Minutes below target that no roster can avoid.
    pub fn unavoidable(&self) -> u32 {
        self.target.saturating_sub(self.most)
    }
}

/// Demand and supply of every week of the horizon, in order.
pub fn weekly(problem: &Problem) -> Vec<WeekCapacity> {
    let mut weeks: Vec<WeekCapacity> = Vec::new();
    for day in 0..problem.days.len() {
        let week = problem.week_of(day);
        if weeks.last().is_none_or(|w| w.week != week) {
            weeks.push(WeekCapacity {
                week,
                first_day: day,
                target: 0,
                most: 0,
            });
        }
    }
    for w in &mut weeks {
        let days: Vec<usize> = (w.first_day..problem.days.len())
            .take_while(|&d| problem.week_of(d) == w.week)
            .collect();
        w.target = days.iter().map(|&d| target_minutes(problem, d)).sum();
        w.most = (0..problem.people.len())
            .map(|p| most_minutes(problem, p, &days))
            .sum();
    }
    weeks
}

/// Person-minutes the targets of day `day` ask for.
fn target_minutes(problem: &Problem, day: usize) -> u32 {
    problem
        .desks
        .iter()
        .filter_map(|desk| desk.days.get(day)?.as_ref())
        .flat_map(|dd| &dd.cover)
        .map(|c| c.target * problem.slot_minutes)
        .sum()
}

/// The most minutes person `p` can work on `days` (one week).
fn most_minutes(problem: &Problem, p: usize, days: &[usize]) -> u32 {
    let person = &problem.people[p];
    let contract = &person.contract;
    let mut per_day: Vec<u32> = days
        .iter()
        .map(|&d| {
            let open: Vec<TimeRange> = problem
                .desks
                .iter()
                .enumerate()
                .filter(|&(k, _)| person.may_staff(k))
                .filter_map(|(_, desk)| desk.days.get(d)?.as_ref().map(|dd| dd.open))
                .collect();
            let available = person.availability.get(d).map_or(&[][..], Vec::as_slice);
            // Minute by minute within the day: available and some desk of theirs open.
            let minutes = (0..24 * 60)
                .filter(|&t| {
                    let minute = TimeRange {
                        start: t,
                        end: t + 1,
                    };
                    available.iter().any(|a| a.contains(&minute))
                        && open.iter().any(|o| o.contains(&minute))
                })
                .count() as u32;
            contract.max_day.map_or(minutes, |cap| minutes.min(cap))
        })
        .collect();
    per_day.sort_unstable_by(|a, b| b.cmp(a));
    let best_days = contract
        .max_days_week
        .map_or(per_day.len(), |k| (k as usize).min(per_day.len()));
    let total: u32 = per_day[..best_days].iter().sum();
    contract.max_week.map_or(total, |cap| total.min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::{ProblemBuilder, Weekdays};

    #[test]
    fn supply_counts_open_hours_daily_caps_and_best_days() {
        let p = ProblemBuilder::new("2027-01-04".parse().unwrap(), 7)
            .desk("Desk", |d| {
                d.open(Weekdays::mon_fri(), "09:00-17:00")
                    .cover("09:00-17:00", 1, 1, 2)
            })
            .group("student")
            .person("Ben", "student", |p| {
                // Available 14 h a day, but the desk is open 8 h; 4 h a day, 3 days a week.
                p.available(Weekdays::all(), "08:00-22:00")
                    .max_day_hours(4)
                    .max_days_week(3)
            })
            .build()
            .unwrap();
        let w = &weekly(&p)[0];
        assert_eq!(w.target, 5 * 8 * 60);
        assert_eq!(w.most, 3 * 4 * 60);
        assert_eq!(w.unavoidable(), 40 * 60 - 12 * 60);
    }

    #[test]
    fn a_week_the_people_can_staff_has_no_unavoidable_shortfall() {
        let p = ProblemBuilder::new("2027-01-07".parse().unwrap(), 7) // Thursday to Wednesday
            .desk("Desk", |d| {
                d.open(Weekdays::all(), "10:00-12:00")
                    .cover("10:00-12:00", 1, 1, 1)
            })
            .group("staff")
            .person("Ana", "staff", |p| {
                p.available(Weekdays::all(), "09:00-13:00")
            })
            .build()
            .unwrap();
        let weeks = weekly(&p);
        // Thursday to Sunday, then Monday to Wednesday.
        assert_eq!(weeks.len(), 2);
        assert_eq!((weeks[0].first_day, weeks[1].first_day), (0, 4));
        assert_eq!((weeks[0].target, weeks[0].most), (4 * 120, 4 * 120));
        assert_eq!(weeks[1].unavoidable(), 0);
    }
}
