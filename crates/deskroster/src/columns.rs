//! Enumerates every legal shift ("column") a person could work, before any solver is involved.
//!
//! A column already satisfies the rules that concern one shift alone: desk eligibility, opening
//! hours, availability, length, slot grid, daily cap, a `max` of zero, and (in template mode)
//! being one of the templates. What remains for the integer program is how shifts combine.

use crate::model::{Problem, Shift, TimeRange};

/// One candidate shift with its template, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Column {
    /// The shift this column stands for.
    pub shift: Shift,
    /// Template index when the problem is in template mode.
    pub template: Option<usize>,
}

/// All legal shifts of `person` on `day`, in a deterministic order (desk, start, end).
pub(crate) fn person_day_columns(problem: &Problem, person: usize, day: usize) -> Vec<Column> {
    let mut out = Vec::new();
    let Some(p) = problem.people.get(person) else {
        return out;
    };
    let Some(avail) = p.availability.get(day) else {
        return out;
    };
    if avail.is_empty() {
        return out;
    }
    let max_day = p.contract.max_day.unwrap_or(u32::MAX);
    if !problem.templates.is_empty() {
        for (ti, t) in problem.templates.iter().enumerate() {
            if !p.may_staff(t.desk) || t.time.minutes() > max_day {
                continue;
            }
            if p.template_limits
                .iter()
                .any(|&(tt, lim)| tt == ti && lim == 0)
            {
                continue;
            }
            let open = problem
                .desks
                .get(t.desk)
                .and_then(|d| d.days.get(day))
                .and_then(|d| d.as_ref());
            let Some(dd) = open else { continue };
            if !dd.open.contains(&t.time) || !p.is_available(day, &t.time) {
                continue;
            }
            out.push(Column {
                shift: Shift {
                    day,
                    desk: t.desk,
                    time: t.time,
                    person,
                },
                template: Some(ti),
            });
        }
        return out;
    }
    let slot = problem.slot_minutes;
    let rules = &problem.rules;
    for &desk in &p.desks {
        let Some(dd) = problem
            .desks
            .get(desk)
            .and_then(|d| d.days.get(day))
            .and_then(|d| d.as_ref())
        else {
            continue;
        };
        // Slots where the desk admits nobody cut the day into usable stretches.
        let blocked: Vec<bool> = dd.cover.iter().map(|c| c.max == 0).collect();
        for window in avail {
            let lo = window.start.max(dd.open.start);
            let hi = window.end.min(dd.open.end);
            // Align to the slot grid of the desk.
            let lo = lo.div_ceil(slot) * slot;
            let hi = hi / slot * slot;
            let mut start = lo;
            while start + rules.min_length <= hi {
                let mut len = rules.min_length;
                while len <= rules.max_length && start + len <= hi && len <= max_day {
                    let time = TimeRange {
                        start,
                        end: start + len,
                    };
                    let first = ((start - dd.open.start) / slot) as usize;
                    let last = ((start + len - dd.open.start) / slot) as usize;
                    if blocked
                        .get(first..last)
                        .is_some_and(|b| b.iter().all(|x| !x))
                    {
                        out.push(Column {
                            shift: Shift {
                                day,
                                desk,
                                time,
                                person,
                            },
                            template: None,
                        });
                    }
                    len += slot;
                }
                start += slot;
            }
        }
    }
    out.sort_by_key(|c| (c.shift.desk, c.shift.time));
    out.dedup();
    out
}
