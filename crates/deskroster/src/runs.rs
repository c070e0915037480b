//! The run network: every sequence of worked days and days off that keeps a person's run rules
//! (`max_consecutive_days`, `min_consecutive_days`, `min_consecutive_days_off`) as a path through
//! a small layered graph, one layer per day.
//!
//! The rows "a run that starts on day d lasts k days" are weak in the LP relaxation: half a
//! worked day here and there satisfies them. A path in a network is integral in the LP (network
//! matrices are totally unimodular), so tying each day's "works" indicator to the flow into the
//! day's working states gives the LP exactly the convex hull of the sequences the run rules allow.
//! On the Curtois & Qu instance 5 it lifts the compact model's LP bound from 712 to 904.
//!
//! Runs that touch the first or last day of the horizon are exempt from the minimums, as in the
//! checker: the network starts in [`RunState::FirstOn`] / [`RunState::FirstOff`] and every state
//! may end the horizon.

/// Where a person stands at the end of a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum RunState {
    /// Working since the first day of the horizon, for this many days (exempt from the minimum).
    FirstOn(u32),
    /// Off since the first day of the horizon (exempt from the minimum).
    FirstOff,
    /// Working for this many days in a row (capped at the minimum when there is no maximum).
    On(u32),
    /// Off for this many days in a row, capped at the minimum.
    Off(u32),
}

impl RunState {
    /// Whether the day ending in this state is worked.
    pub(crate) fn works(self) -> bool {
        matches!(self, RunState::FirstOn(_) | RunState::On(_))
    }
}

/// One arc of the network: into `to` at the end of `day`, from `from` at the end of the day
/// before (`None` on the first day).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Arc {
    pub day: usize,
    pub from: Option<RunState>,
    pub to: RunState,
}

/// A person's run rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RunNetwork {
    /// Most days worked in a row, if limited.
    pub max_on: Option<u32>,
    /// Fewest days worked in a row (1 = no rule).
    pub min_on: u32,
    /// Fewest days off in a row (1 = no rule).
    pub min_off: u32,
}

impl RunNetwork {
    /// The states a day may end in after `state`, when the next day may (`can_work`) or may not
    /// be worked.
    fn next(&self, state: RunState, can_work: bool, out: &mut Vec<RunState>) {
        let longer = |r: u32| match self.max_on {
            Some(k) => (r < k).then_some(r + 1),
            None => Some((r + 1).min(self.min_on)),
        };
        match state {
            RunState::FirstOn(r) => {
                if can_work {
                    // Without a maximum the first run has no rule at all.
                    let r = if self.max_on.is_some() {
                        longer(r)
                    } else {
                        Some(1)
                    };
                    out.extend(r.map(RunState::FirstOn));
                }
                out.push(RunState::Off(1));
            }
            RunState::FirstOff => {
                out.push(RunState::FirstOff);
                if can_work {
                    out.push(RunState::On(1));
                }
            }
            RunState::On(r) => {
                if can_work {
                    out.extend(longer(r).map(RunState::On));
                }
                if r >= self.min_on {
                    out.push(RunState::Off(1));
                }
            }
            RunState::Off(s) => {
                out.push(RunState::Off((s + 1).min(self.min_off)));
                if can_work && s >= self.min_off {
                    out.push(RunState::On(1));
                }
            }
        }
    }

    /// Every arc that lies on some path from the first day to the last, for a horizon of
    /// `can_work.len()` days in which the person may work on the days marked `true`. Sorted by
    /// day, then by source and target state: the same rules give the same arcs.
    pub(crate) fn arcs(&self, can_work: &[bool]) -> Vec<Arc> {
        let n = can_work.len();
        if n == 0 {
            return Vec::new();
        }
        // Forward: the states reachable at the end of each day, with their arcs.
        let mut layers: Vec<Vec<Arc>> = Vec::with_capacity(n);
        let mut first = vec![Arc {
            day: 0,
            from: None,
            to: RunState::FirstOff,
        }];
        if can_work[0] {
            first.push(Arc {
                day: 0,
                from: None,
                to: RunState::FirstOn(1),
            });
        }
        layers.push(first);
        let mut buf = Vec::new();
        for d in 1..n {
            let mut reached: Vec<RunState> = layers[d - 1].iter().map(|a| a.to).collect();
            reached.sort_unstable();
            reached.dedup();
            let mut layer = Vec::new();
            for &s in &reached {
                buf.clear();
                self.next(s, can_work[d], &mut buf);
                layer.extend(buf.iter().map(|&to| Arc {
                    day: d,
                    from: Some(s),
                    to,
                }));
            }
            layers.push(layer);
        }
        // Backward: keep the arcs whose target can still reach the end (every state can end the
        // horizon, but a state may have no way forward, e.g. a short run before a day off).
        let mut alive: Vec<RunState> = layers[n - 1].iter().map(|a| a.to).collect();
        for d in (0..n).rev() {
            layers[d].retain(|a| alive.contains(&a.to));
            alive = layers[d].iter().filter_map(|a| a.from).collect();
        }
        let mut arcs: Vec<Arc> = layers.into_iter().flatten().collect();
        arcs.sort_by_key(|a| (a.day, a.from, a.to));
        arcs.dedup();
        arcs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The run rules read directly, as the checker reads them.
    fn keeps_rules(net: &RunNetwork, worked: &[bool]) -> bool {
        let n = worked.len();
        let mut first = 0;
        while first < n {
            let mut last = first;
            while last + 1 < n && worked[last + 1] == worked[first] {
                last += 1;
            }
            let len = (last - first + 1) as u32;
            let inner = first > 0 && last + 1 < n;
            if worked[first] {
                if net.max_on.is_some_and(|k| len > k) || (inner && len < net.min_on) {
                    return false;
                }
            } else if inner && len < net.min_off {
                return false;
            }
            first = last + 1;
        }
        true
    }

    /// Every worked-day sequence spelled by a path through the arcs.
    fn paths(arcs: &[Arc], n: usize) -> BTreeSet<Vec<bool>> {
        let mut partial: Vec<(RunState, Vec<bool>)> = arcs
            .iter()
            .filter(|a| a.day == 0)
            .map(|a| (a.to, vec![a.to.works()]))
            .collect();
        for d in 1..n {
            let mut next = Vec::new();
            for (s, seq) in &partial {
                for a in arcs.iter().filter(|a| a.day == d && a.from == Some(*s)) {
                    let mut seq = seq.clone();
                    seq.push(a.to.works());
                    next.push((a.to, seq));
                }
            }
            partial = next;
        }
        partial.into_iter().map(|(_, seq)| seq).collect()
    }

    #[test]
    fn paths_are_exactly_the_sequences_that_keep_the_run_rules() {
        let n = 9;
        for max_on in [None, Some(1), Some(2), Some(3), Some(5)] {
            for min_on in 1..=3 {
                for min_off in 1..=3 {
                    let net = RunNetwork {
                        max_on,
                        min_on,
                        min_off,
                    };
                    // Every day workable, and two patterns with days that cannot be worked.
                    for blocked in [0u32, 0b000_100_010, 0b100_000_001] {
                        let can: Vec<bool> = (0..n).map(|d| blocked & (1 << d) == 0).collect();
                        let want: BTreeSet<Vec<bool>> = (0..1u32 << n)
                            .map(|m| (0..n).map(|d| m & (1 << d) != 0).collect::<Vec<bool>>())
                            .filter(|w| w.iter().zip(&can).all(|(&w, &c)| c || !w))
                            .filter(|w| keeps_rules(&net, w))
                            .collect();
                        let arcs = net.arcs(&can);
                        assert_eq!(paths(&arcs, n), want, "{net:?}, blocked {blocked:b}");
                        // No dead arc: every arc lies on a path to the last day.
                        for a in &arcs {
                            assert!(
                                a.day + 1 == n
                                    || arcs
                                        .iter()
                                        .any(|b| b.day == a.day + 1 && b.from == Some(a.to)),
                                "{net:?}: dead arc {a:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_network_stays_small() {
        // Curtois & Qu instance 5's rules over its 28 days: at most 16 arcs a day (6 working
        // and 3 off states, each with two ways on), not one per sequence.
        let net = RunNetwork {
            max_on: Some(6),
            min_on: 2,
            min_off: 3,
        };
        let arcs = net.arcs(&[true; 28]);
        assert!(arcs.len() <= 28 * 16, "{} arcs", arcs.len());
    }
}
