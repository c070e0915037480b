//! A quick greedy roster for a block, handed to HiGHS as a starting solution.
//!
//! It adds, one at a time, the legal shift that removes the most penalty (holes first, then
//! staff mix, target, contract minimums), net of its own preference, split-day and fairness cost,
//! until no shift helps. It keeps every hard rule of single shifts and of one person's day and
//! week (gaps, shifts per day, daily/weekly/term caps, days per week, rest, coverage `max`); fixed
//! assignments and template mode are left to the solver (no warm start is made there).

use std::collections::HashMap;

use crate::columns::{person_day_columns, Column};
use crate::formulate::Block;
use crate::model::{Problem, Shift, Who};

struct State<'a> {
    pb: &'a Problem,
    reqs: HashMap<(usize, usize), Vec<usize>>,
    staffed: HashMap<(usize, usize), Vec<u32>>,
    qualified: Vec<Vec<u32>>,
    day_shifts: HashMap<(usize, usize), Vec<Shift>>,
    week_minutes: HashMap<(usize, usize), u32>,
    week_days: HashMap<(usize, usize), Vec<usize>>,
    week_counts: HashMap<(usize, usize, usize), u32>,
    block_minutes: Vec<u32>,
    term_minutes: Vec<u32>,
}

fn slot_index(pb: &Problem, desk: usize, day: usize, t: u32) -> Option<usize> {
    let dd = pb.desks.get(desk)?.days.get(day)?.as_ref()?;
    (t >= dd.open.start && t < dd.open.end)
        .then(|| ((t - dd.open.start) / pb.slot_minutes) as usize)
}

fn categories(pb: &Problem, s: &Shift) -> [bool; 3] {
    [
        pb.is_evening(&s.time),
        pb.is_weekend(s.day),
        pb.is_closing(s),
    ]
}

impl<'a> State<'a> {
    fn add(&mut self, s: Shift, in_block: bool) {
        let pb = self.pb;
        let wk = pb.week_of(s.day);
        let m = s.time.minutes();
        *self.week_minutes.entry((s.person, wk)).or_default() += m;
        let days = self.week_days.entry((s.person, wk)).or_default();
        if !days.contains(&s.day) {
            days.push(s.day);
        }
        for (c, yes) in categories(pb, &s).into_iter().enumerate() {
            if yes {
                *self.week_counts.entry((s.person, wk, c)).or_default() += 1;
            }
        }
        if let Some(t) = self.term_minutes.get_mut(s.person) {
            *t += m;
        }
        self.day_shifts
            .entry((s.person, s.day))
            .or_default()
            .push(s);
        if !in_block {
            return;
        }
        if let Some(b) = self.block_minutes.get_mut(s.person) {
            *b += m;
        }
        let date = pb.days[s.day];
        let mut t = s.time.start;
        while t < s.time.end {
            if let Some(i) = slot_index(pb, s.desk, s.day, t) {
                if let Some(v) = self
                    .staffed
                    .get_mut(&(s.desk, s.day))
                    .and_then(|v| v.get_mut(i))
                {
                    *v += 1;
                }
            }
            for &ri in self
                .reqs
                .get(&(s.desk, s.day))
                .map_or(&[][..], |v| v.as_slice())
            {
                let r = &pb.requirements[ri];
                if r.time.start <= t && t < r.time.end && qualifies(pb, s.person, r.who, date) {
                    let k = ((t - r.time.start) / pb.slot_minutes) as usize;
                    if let Some(v) = self.qualified[ri].get_mut(k) {
                        *v += 1;
                    }
                }
            }
            t += pb.slot_minutes;
        }
    }

    /// True when adding `s` breaks no hard rule this greedy tracks.
    fn legal(&self, s: &Shift, block: &Block) -> bool {
        let pb = self.pb;
        let p = &pb.people[s.person];
        let rules = &pb.rules;
        let same_day = self
            .day_shifts
            .get(&(s.person, s.day))
            .map_or(&[][..], |v| v.as_slice());
        if same_day.len() as u32 >= rules.max_shifts_per_day {
            return false;
        }
        for o in same_day {
            let apart = o.time.end + rules.min_gap <= s.time.start
                || s.time.end + rules.min_gap <= o.time.start;
            if !apart {
                return false;
            }
        }
        let m = s.time.minutes();
        let day_total: u32 = same_day.iter().map(|o| o.time.minutes()).sum::<u32>() + m;
        if p.contract.max_day.is_some_and(|c| day_total > c) {
            return false;
        }
        let wk = pb.week_of(s.day);
        let week = self.week_minutes.get(&(s.person, wk)).copied().unwrap_or(0) + m;
        if p.contract.max_week.is_some_and(|c| week > c) {
            return false;
        }
        if let Some(c) = p.contract.max_days_week {
            let days = self.week_days.get(&(s.person, wk));
            let new_day = !days.is_some_and(|d| d.contains(&s.day));
            if new_day && days.map_or(0, Vec::len) as u32 + 1 > c {
                return false;
            }
        }
        if pb.is_weekend(s.day) && block.weekend_off.get(s.person).copied().unwrap_or(false) {
            return false;
        }
        if let Some(Some(cap)) = block.caps.get(s.person) {
            if self.block_minutes[s.person] + m > *cap {
                return false;
            }
        }
        if !block.ignore_term
            && p.contract
                .max_term
                .is_some_and(|c| self.term_minutes[s.person] + m > c)
        {
            return false;
        }
        if rules.min_rest > 0 {
            let prev = s
                .day
                .checked_sub(1)
                .and_then(|d| self.day_shifts.get(&(s.person, d)));
            if prev.is_some_and(|v| {
                v.iter()
                    .any(|o| 1440 - o.time.end + s.time.start < rules.min_rest)
            }) {
                return false;
            }
            let next = self.day_shifts.get(&(s.person, s.day + 1));
            if next.is_some_and(|v| {
                v.iter()
                    .any(|o| 1440 - s.time.end + o.time.start < rules.min_rest)
            }) {
                return false;
            }
        }
        let mut t = s.time.start;
        while t < s.time.end {
            let i = slot_index(pb, s.desk, s.day, t);
            let cover = i.and_then(|i| {
                pb.desks[s.desk].days[s.day]
                    .as_ref()
                    .and_then(|dd| dd.cover.get(i))
            });
            let now = i
                .and_then(|i| self.staffed.get(&(s.desk, s.day)).and_then(|v| v.get(i)))
                .copied();
            match (cover, now) {
                (Some(c), Some(n)) if n < c.max => {}
                _ => return false,
            }
            t += pb.slot_minutes;
        }
        true
    }

    /// Slots of holes (below `min`) right before and after `s` at its desk, in runs shorter than
    /// the shortest shift.
    fn stranded(&self, s: &Shift) -> usize {
        let pb = self.pb;
        let (Some(dd), Some(staffed)) = (
            pb.desks[s.desk].days[s.day].as_ref(),
            self.staffed.get(&(s.desk, s.day)),
        ) else {
            return 0;
        };
        let hole = |i: usize| {
            dd.cover
                .get(i)
                .zip(staffed.get(i))
                .is_some_and(|(c, &n)| n < c.min)
        };
        let slot = pb.slot_minutes.max(1);
        let first = ((s.time.start - dd.open.start) / slot) as usize;
        let end = ((s.time.end - dd.open.start) / slot) as usize;
        let mut after = 0;
        while hole(end + after) {
            after += 1;
        }
        let mut before = 0;
        while first > before && hole(first - before - 1) {
            before += 1;
        }
        let short = |n: usize| n > 0 && (n as u32) * slot < pb.rules.min_length;
        usize::from(short(after)) * after + usize::from(short(before)) * before
    }

    /// Penalty removed by adding `s`, minus what it costs. With `must_only`, only holes count
    /// (coverage `min` and requirements weighing at least `coverage_min`), so that scarce
    /// people (keyholders, staff for evenings) go where nobody else can serve first.
    fn gain(&self, s: &Shift, must_only: bool) -> f64 {
        let pb = self.pb;
        let w = &pb.weights;
        let h = f64::from(pb.slot_minutes) / 60.0;
        let date = pb.days[s.day];
        let mut g = 0.0;
        let mut t = s.time.start;
        while t < s.time.end {
            if let (Some(i), Some(dd)) = (
                slot_index(pb, s.desk, s.day, t),
                pb.desks[s.desk].days[s.day].as_ref(),
            ) {
                let n = self
                    .staffed
                    .get(&(s.desk, s.day))
                    .and_then(|v| v.get(i))
                    .copied()
                    .unwrap_or(0);
                if let Some(c) = dd.cover.get(i) {
                    if n < c.min {
                        g += w.coverage_min * h;
                    }
                    if n < c.target && !must_only {
                        g += w.coverage_target * h;
                    }
                }
            }
            for &ri in self
                .reqs
                .get(&(s.desk, s.day))
                .map_or(&[][..], |v| v.as_slice())
            {
                let r = &pb.requirements[ri];
                if r.time.start <= t && t < r.time.end && qualifies(pb, s.person, r.who, date) {
                    let k = ((t - r.time.start) / pb.slot_minutes) as usize;
                    let counts = !must_only || r.weight >= w.coverage_min;
                    if counts && self.qualified[ri].get(k).is_some_and(|&q| q < r.need) {
                        g += r.weight * h;
                    }
                }
            }
            t += pb.slot_minutes;
        }
        if must_only {
            if g <= 0.0 {
                return 0.0;
            }
            // A hole left next to the shift that is shorter than the shortest shift may never
            // be filled (where the desk takes one person): count it against the shift.
            let stranded = self.stranded(s);
            // Among hole fillers, prefer the cheaper shift.
            return g
                - w.coverage_min * h * stranded as f64
                - crate::formulate::preference_cost(pb, s) * 1e-3;
        }
        let p = &pb.people[s.person];
        let wk = pb.week_of(s.day);
        let worked = self.week_minutes.get(&(s.person, wk)).copied().unwrap_or(0);
        g += w.contract_min / 60.0
            * f64::from(
                s.time
                    .minutes()
                    .min(p.contract.min_week.saturating_sub(worked)),
            );
        if self
            .day_shifts
            .get(&(s.person, s.day))
            .is_some_and(|v| !v.is_empty())
        {
            g -= w.split_shift;
        }
        let weights = [w.fair_evenings, w.fair_weekends, w.fair_closings];
        for (c, yes) in categories(pb, s).into_iter().enumerate() {
            if yes {
                g -= weights[c]
                    * f64::from(
                        self.week_counts
                            .get(&(s.person, wk, c))
                            .copied()
                            .unwrap_or(0),
                    );
            }
        }
        g - crate::formulate::preference_cost(pb, s)
    }
}

fn qualifies(pb: &Problem, person: usize, who: Who, date: chrono::NaiveDate) -> bool {
    match who {
        Who::Skill(k) => pb.people[person].has_skill(k, date),
        Who::Group(g) => pb.people[person].group == g,
    }
}

/// A legal roster for the block's days (pinned shifts included), or `None` where the greedy
/// does not apply (template mode, fixed assignments, change costs).
pub(crate) fn greedy(pb: &Problem, block: &Block) -> Option<Vec<Shift>> {
    let has_fixed = pb
        .people
        .iter()
        .any(|p| p.fixed.iter().any(|f| block.days.contains(&f.day)));
    if !pb.templates.is_empty() || has_fixed || block.base.is_some() || block.only_pinned {
        return None;
    }
    let n = pb.people.len();
    let mut reqs: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    for (ri, r) in pb.requirements.iter().enumerate() {
        reqs.entry((r.desk, r.day)).or_default().push(ri);
    }
    let mut st = State {
        pb,
        reqs,
        staffed: HashMap::new(),
        qualified: pb
            .requirements
            .iter()
            .map(|r| vec![0; (r.time.minutes() / pb.slot_minutes.max(1)) as usize])
            .collect(),
        day_shifts: HashMap::new(),
        week_minutes: HashMap::new(),
        week_days: HashMap::new(),
        week_counts: HashMap::new(),
        block_minutes: vec![0; n],
        term_minutes: vec![0; n],
    };
    for (k, desk) in pb.desks.iter().enumerate() {
        for &d in &block.days {
            if let Some(dd) = desk.days.get(d).and_then(|x| x.as_ref()) {
                st.staffed.insert((k, d), vec![0; dd.cover.len()]);
            }
        }
    }
    for s in &block.context {
        st.add(*s, false);
    }
    let mut chosen: Vec<Shift> = Vec::new();
    for s in &block.pinned {
        st.add(*s, true);
        chosen.push(*s);
    }
    let mut cols: Vec<Column> = Vec::new();
    for p in 0..n {
        for &d in &block.days {
            if pb.is_weekend(d) && block.weekend_off.get(p).copied().unwrap_or(false) {
                continue;
            }
            cols.extend(person_day_columns(pb, p, d).into_iter().filter(|c| {
                block
                    .earliest
                    .is_none_or(|e| (c.shift.day, c.shift.time.start) >= e)
            }));
        }
    }
    // Lazy greedy, holes first: gains only fall and legality only tightens as shifts are
    // added, so a column whose fresh gain still tops the heap is the best one.
    let key = |g: f64| (g * 1e6).round() as i64;
    for must_only in [true, false] {
        let mut heap: std::collections::BinaryHeap<(i64, std::cmp::Reverse<usize>)> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| (key(st.gain(&c.shift, must_only)), std::cmp::Reverse(i)))
            .filter(|&(g, _)| g > 0)
            .collect();
        let mut taken = Vec::new();
        while let Some((stale, std::cmp::Reverse(i))) = heap.pop() {
            let s = cols[i].shift;
            let fresh = key(st.gain(&s, must_only));
            if fresh <= 0 || !st.legal(&s, block) {
                continue;
            }
            if fresh < stale {
                heap.push((fresh, std::cmp::Reverse(i)));
                continue;
            }
            st.add(s, true);
            chosen.push(s);
            taken.push(i);
        }
        taken.sort_unstable_by(|a, b| b.cmp(a));
        for i in taken {
            cols.swap_remove(i);
        }
    }
    Some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{generate, SynthSpec};

    #[test]
    fn greedy_rosters_break_no_hard_rule_and_fill_holes() {
        for seed in 1..4 {
            let p = generate(&SynthSpec {
                people: 8,
                desks: 2,
                weeks: 1,
                seed,
                term_budgets: true,
            });
            let block = Block {
                days: (0..7).collect(),
                ..Block::default()
            };
            let shifts = greedy(&p, &block).expect("a warm start");
            let roster = crate::model::Roster::new(shifts);
            let report = crate::check::check(&p, &roster);
            assert!(
                report.violations.is_empty(),
                "seed {seed}: {:?}",
                report.violations
            );
            // Greedy is not optimal, but it must be far better than an empty roster.
            let empty = crate::check::check(&p, &crate::model::Roster::default());
            assert!(
                report.penalties.total() < empty.penalties.total() / 2.0,
                "seed {seed}"
            );
        }
    }

    #[test]
    fn no_warm_start_where_the_greedy_does_not_apply() {
        let p = generate(&SynthSpec {
            people: 3,
            desks: 1,
            weeks: 1,
            seed: 1,
            term_budgets: false,
        });
        let block = Block {
            days: (0..7).collect(),
            base: Some(Vec::new()),
            ..Block::default()
        };
        assert!(greedy(&p, &block).is_none());
    }
}
