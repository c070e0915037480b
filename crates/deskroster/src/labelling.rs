//! Labelling pricing: one person's cheapest roster over a block, by dynamic programming over
//! the days, for the column generation in `colgen`.
//!
//! `colgen` prices each person by solving a small integer program with HiGHS. On the Curtois &
//! Qu shape (one shift a day from a few templates, run rules, term minutes, weekends, template
//! limits and forbidden successions) that costs 10–100 ms a person, and a round of 30 people
//! takes seconds. The same problem is a resource-constrained shortest path: one layer per day,
//! the state being where the person stands in their run rules (the states of [`crate::runs`]),
//! the template worked the day before (for successions and rest), and the minutes worked so far;
//! the resources that only grow (weekends worked, shifts of each limited template) are compared
//! by dominance. A label that is no cheaper and uses no less of any resource than another label
//! of the same state can never end a cheaper roster, so it is dropped.
//!
//! The pricer applies only to people whose every rule in the block it models (see
//! [`Pricer::new`]); anyone else keeps the integer program. It is exact: the property test
//! `labelling_matches_the_integer_program` compares it with HiGHS on generated people and prices.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use crate::formulate::{Block, Matrix};
use crate::model::{Minute, Problem};
use crate::runs::{RunNetwork, RunState};

/// Most labels kept over the whole horizon before the pricer gives up (the caller then falls
/// back to the integer program).
const MAX_LABELS: usize = 400_000;

/// Whether every person's rules in `block` are of the kinds the pricer models (the model's
/// columns are checked again when each pricer is built).
pub(crate) fn applies(pb: &Problem, block: &Block) -> bool {
    !pb.people.is_empty() && (0..pb.people.len()).all(|p| applies_to(pb, block, p))
}

/// Whether person `p`'s rules in `block` are of the kinds the pricer models: one shift a day,
/// the block the whole horizon and untouched by a repair or a search, and no weekly rule.
fn applies_to(pb: &Problem, block: &Block, p: usize) -> bool {
    let Some(person) = pb.people.get(p) else {
        return false;
    };
    let c = &person.contract;
    let n = block.days.len();
    let whole = n == pb.days.len() && block.days.iter().enumerate().all(|(i, &d)| i == d);
    let untouched = block.context.iter().all(|s| s.person != p)
        && block.pinned.iter().all(|s| s.person != p)
        && block.caps.get(p).is_none_or(Option::is_none)
        && block.base.is_none()
        && block.earliest.is_none()
        && !block.only_pinned
        && !block.weekend_off.get(p).copied().unwrap_or(false)
        && block.frozen.iter().all(|&(q, _)| q != p);
    let modelled = c.min_week == 0
        && c.max_week.is_none()
        && c.max_days_week.is_none()
        && person.fixed.is_empty()
        && pb.rules.max_shifts_per_day <= 1;
    whole && untouched && modelled && n > 0
}

/// A shift column of the person: position in the person's columns, template, start and end.
type ShiftOption = (usize, Option<usize>, Minute, Minute);

/// One way to work a day: a shift column of the person.
#[derive(Clone, Copy, Debug)]
struct WorkOption {
    /// Position in the person's column list.
    col: usize,
    /// Succession class of the shift (see `Pricer::follows`).
    class: usize,
    /// Index into `Pricer::limited`, when the shift's template has a limit.
    limited: Option<usize>,
    minutes: u32,
}

/// A person's rules over the block, ready for pricing.
#[derive(Debug)]
pub(crate) struct Pricer {
    /// The ways to work each day of the block (none: a day off).
    days: Vec<Vec<WorkOption>>,
    /// Allowed run-state moves into each day: (state the day before, or `None` on the first
    /// day; state at the end of the day).
    moves: Vec<Vec<(Option<RunState>, RunState)>>,
    /// `follows[a][b]`: a shift of class `b` may come the day after one of class `a`.
    follows: Vec<Vec<bool>>,
    /// Limit of each limited template, in `WorkOption::limited` order.
    limited: Vec<u32>,
    /// Whether working the day starts a new weekend unless the day before was worked (and
    /// belongs to the same weekend); `None` on weekdays.
    weekend: Vec<Option<bool>>,
    max_weekends: Option<u32>,
    min_minutes: u32,
    max_minutes: Option<u32>,
    /// Most minutes still workable after each day.
    left: Vec<u32>,
    /// Days after each day on which each limited template can still be worked.
    limited_left: Vec<Vec<u32>>,
    /// Weekends after each day that can still be worked.
    weekends_left: Vec<u32>,
    /// Fewest minutes of any shift (at least 1).
    shortest: u32,
}

/// One partial roster: the state at the end of a day, and how it got there.
#[derive(Clone, Debug)]
struct Label {
    cost: f64,
    weekends: u32,
    counts: Vec<u32>,
    /// Index of the label it extends in the previous day's list.
    prev: u32,
    /// The option worked on the day (position in `Pricer::days[day]`), if any.
    option: Option<u32>,
}

/// The key labels are compared within.
type State = (RunState, Option<usize>, u32);

impl Pricer {
    /// The pricer of person `p` in `block`, whose columns in `m` are `cols` (shift columns and
    /// the auxiliary columns of the person's own rows); `linking[r]` is set for rows that link
    /// people. `None` when the person has a rule the pricer does not model: then the caller
    /// prices with the integer program.
    pub(crate) fn new(
        pb: &Problem,
        block: &Block,
        p: usize,
        m: &Matrix,
        cols: &[usize],
        linking: &[Option<usize>],
    ) -> Option<Pricer> {
        if !applies_to(pb, block, p) {
            return None;
        }
        let c = &pb.people[p].contract;
        let person = &pb.people[p];
        let n = block.days.len();
        let template = |desk: usize, time| {
            pb.templates
                .iter()
                .position(|t| t.desk == desk && t.time == time)
        };
        // Shift columns by day; every other column of the person must be free of cost and of
        // the linking rows (the pattern's cost and entries are then its shifts').
        let mut shifts: Vec<Vec<ShiftOption>> = vec![Vec::new(); n];
        for (k, &j) in cols.iter().enumerate() {
            match m.shift[j] {
                Some(s) => {
                    if s.day >= n || m.lower[j] != 0.0 || m.upper[j] < 1.0 || !m.integer[j] {
                        return None;
                    }
                    if c.max_day.is_some_and(|cap| s.time.minutes() > cap) {
                        return None;
                    }
                    shifts[s.day].push((k, template(s.desk, s.time), s.time.start, s.time.end));
                }
                None => {
                    let linked = m.columns[j].iter().any(|&(r, _)| linking[r].is_some());
                    if m.cost[j] != 0.0 || linked {
                        return None;
                    }
                }
            }
        }
        // Succession classes: shifts that allow and forbid the same successors and are allowed
        // after the same predecessors share a class.
        let all: Vec<(Option<usize>, Minute, Minute)> = {
            let mut v: Vec<_> = shifts
                .iter()
                .flatten()
                .map(|&(_, t, s, e)| (t, s, e))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let bans = |a: &(Option<usize>, Minute, Minute), b: &(Option<usize>, Minute, Minute)| {
            let succession = match (a.0, b.0) {
                (Some(x), Some(y)) => pb.forbidden_successions.contains(&(x, y)),
                _ => false,
            };
            let rest = pb.rules.min_rest > 0 && 1440 - a.2 + b.1 < pb.rules.min_rest;
            succession || rest
        };
        let signature = |a: &(Option<usize>, Minute, Minute)| -> (Vec<bool>, Vec<bool>) {
            (
                all.iter().map(|b| bans(a, b)).collect(),
                all.iter().map(|b| bans(b, a)).collect(),
            )
        };
        let mut classes: Vec<(Vec<bool>, Vec<bool>)> = Vec::new();
        let mut class_of: HashMap<(Option<usize>, Minute, Minute), usize> = HashMap::new();
        for a in &all {
            let sig = signature(a);
            let id = match classes.iter().position(|s| *s == sig) {
                Some(i) => i,
                None => {
                    classes.push(sig);
                    classes.len() - 1
                }
            };
            class_of.insert(*a, id);
        }
        let rep: Vec<&(Option<usize>, Minute, Minute)> = (0..classes.len())
            .filter_map(|id| all.iter().find(|a| class_of[*a] == id))
            .collect();
        let follows: Vec<Vec<bool>> = rep
            .iter()
            .map(|a| rep.iter().map(|b| !bans(a, b)).collect())
            .collect();
        // Limited templates, when the limit can bind.
        let mut limited: Vec<u32> = Vec::new();
        let mut limit_of: HashMap<usize, usize> = HashMap::new();
        for &(t, lim) in &person.template_limits {
            let most = shifts
                .iter()
                .filter(|day| day.iter().any(|&(_, tt, _, _)| tt == Some(t)))
                .count() as u32;
            if most > lim {
                let i = match limit_of.get(&t) {
                    Some(&i) => {
                        limited[i] = limited[i].min(lim);
                        i
                    }
                    None => {
                        limited.push(lim);
                        limited.len() - 1
                    }
                };
                limit_of.insert(t, i);
            }
        }
        let days: Vec<Vec<WorkOption>> = shifts
            .iter()
            .map(|day| {
                day.iter()
                    .map(|&(col, t, s, e)| WorkOption {
                        col,
                        class: class_of[&(t, s, e)],
                        limited: t.and_then(|t| limit_of.get(&t).copied()),
                        minutes: e - s,
                    })
                    .collect()
            })
            .collect();
        let net = RunNetwork {
            max_on: c.max_consecutive_days,
            min_on: c.min_consecutive_days.unwrap_or(1).max(1),
            min_off: c.min_consecutive_days_off.unwrap_or(1).max(1),
        };
        let can_work: Vec<bool> = days.iter().map(|d| !d.is_empty()).collect();
        let mut moves = vec![Vec::new(); n];
        for a in net.arcs(&can_work) {
            moves[a.day].push((a.from, a.to));
        }
        let weekend = (0..n)
            .map(|d| {
                pb.is_weekend(d)
                    .then(|| !(d > 0 && pb.is_weekend(d - 1) && pb.week_of(d - 1) == pb.week_of(d)))
            })
            .collect();
        let mut left = vec![0u32; n];
        for d in (0..n.saturating_sub(1)).rev() {
            let most = days[d + 1].iter().map(|o| o.minutes).max().unwrap_or(0);
            left[d] = left[d + 1] + most;
        }
        let mut limited_left = vec![vec![0u32; limited.len()]; n];
        for d in (0..n.saturating_sub(1)).rev() {
            let mut row = limited_left[d + 1].clone();
            for (i, v) in row.iter_mut().enumerate() {
                if days[d + 1].iter().any(|o| o.limited == Some(i)) {
                    *v += 1;
                }
            }
            limited_left[d] = row;
        }
        let weekends_left = (0..n)
            .map(|d| {
                let mut weeks: Vec<usize> = (d + 1..n)
                    .filter(|&e| pb.is_weekend(e) && !days[e].is_empty())
                    .map(|e| pb.week_of(e))
                    .collect();
                weeks.dedup();
                weeks.len() as u32
            })
            .collect();
        let shortest = days
            .iter()
            .flatten()
            .map(|o| o.minutes)
            .min()
            .unwrap_or(1)
            .max(1);
        let (min_minutes, max_minutes, max_weekends) = if block.ignore_term {
            (0, None, None)
        } else {
            (c.min_term.unwrap_or(0), c.max_term, c.max_weekends)
        };
        Some(Pricer {
            days,
            moves,
            follows,
            limited,
            weekend,
            max_weekends,
            min_minutes,
            max_minutes,
            left,
            limited_left,
            weekends_left,
            shortest,
        })
    }

    /// The cheapest roster when column `k` of the person (position in the list given to
    /// [`Pricer::new`]) costs `cost[k]`: its cost and the columns it works. `Ok(None)` when no
    /// roster keeps the rules; `Err(())` when the labels outgrow `MAX_LABELS`.
    #[allow(clippy::result_unit_err)]
    pub(crate) fn cheapest(&self, cost: &[f64]) -> Result<Option<(f64, Vec<usize>)>, ()> {
        let n = self.days.len();
        let mut layers: Vec<Vec<(State, Label)>> = Vec::with_capacity(n);
        let mut total = 0usize;
        for d in 0..n {
            let mut next = Layer::default();
            let prev: &[(State, Label)] = if d == 0 { &[] } else { &layers[d - 1] };
            let start = Label {
                cost: 0.0,
                weekends: 0,
                counts: vec![0; self.limited.len()],
                prev: u32::MAX,
                option: None,
            };
            let sources: Vec<(Option<State>, &Label, u32)> = if d == 0 {
                vec![(None, &start, u32::MAX)]
            } else {
                prev.iter()
                    .enumerate()
                    .map(|(i, (s, l))| (Some(*s), l, i as u32))
                    .collect()
            };
            let mut next_states = Vec::new();
            for (state, label, index) in sources {
                let worked_before = state.is_some_and(|s| s.0.works());
                self.successors(d, state, &mut next_states);
                for &(to, o) in &next_states {
                    let l = match o {
                        None => Label {
                            prev: index,
                            option: None,
                            ..label.clone()
                        },
                        Some(o) => {
                            let opt = &self.days[d][o];
                            let Some((weekends, counts)) = self.resources(
                                d,
                                label.weekends,
                                &label.counts,
                                worked_before,
                                opt,
                            ) else {
                                continue;
                            };
                            Label {
                                cost: label.cost + cost[opt.col],
                                weekends,
                                counts,
                                prev: index,
                                option: Some(o as u32),
                            }
                        }
                    };
                    next.insert(to, l);
                }
            }
            let layer = next.finish();
            let layer = self.normalise(d, layer);
            total += layer.len();
            if total > MAX_LABELS {
                return Err(());
            }
            layers.push(layer);
        }
        let Some(last) = layers.last() else {
            return Ok(None);
        };
        let best = last
            .iter()
            .enumerate()
            .filter(|(_, (s, _))| s.2 >= self.min_minutes)
            .min_by(|a, b| a.1 .1.cost.total_cmp(&b.1 .1.cost).then(a.0.cmp(&b.0)));
        let Some((mut i, (_, label))) = best else {
            return Ok(None);
        };
        let value = label.cost;
        let mut chosen = Vec::new();
        for d in (0..n).rev() {
            let l = &layers[d][i].1;
            if let Some(o) = l.option {
                chosen.push(self.days[d][o as usize].col);
            }
            i = l.prev as usize;
        }
        chosen.sort_unstable();
        Ok(Some((value, chosen)))
    }
}

impl Pricer {
    /// The states day `d` can end in from `state` (the end of the day before; `None` before the
    /// first day), each with the option worked on the day (`None`: a day off), keeping the run,
    /// succession and minutes rules. The rules on weekends and limited templates depend on the
    /// whole roster so far: see [`Pricer::resources`].
    fn successors(&self, d: usize, state: Option<State>, out: &mut Vec<(State, Option<usize>)>) {
        out.clear();
        let from = state.map(|s| s.0);
        let minutes = state.map_or(0, |s| s.2);
        for &(_, to) in self.moves[d].iter().filter(|(f, _)| *f == from) {
            if !to.works() {
                if minutes + self.left[d] >= self.min_minutes {
                    out.push(((to, None, minutes), None));
                }
                continue;
            }
            for (o, opt) in self.days[d].iter().enumerate() {
                if let Some(before) = state.and_then(|s| s.1) {
                    if !self.follows[before][opt.class] {
                        continue;
                    }
                }
                let minutes = minutes + opt.minutes;
                if self.max_minutes.is_some_and(|m| minutes > m)
                    || minutes + self.left[d] < self.min_minutes
                {
                    continue;
                }
                out.push(((to, Some(opt.class), minutes), Some(o)));
            }
        }
    }

    /// Weekends worked and shifts of each limited template after working `opt` on day `d`, from
    /// `weekends` and `counts` the day before (`worked_before`: whether that day was worked);
    /// `None` when a limit is passed.
    fn resources(
        &self,
        d: usize,
        weekends: u32,
        counts: &[u32],
        worked_before: bool,
        opt: &WorkOption,
    ) -> Option<(u32, Vec<u32>)> {
        let mut weekends = weekends;
        if self.weekend[d] == Some(true) || (self.weekend[d].is_some() && !worked_before) {
            weekends += 1;
            if self.max_weekends.is_some_and(|m| weekends > m) {
                return None;
            }
        }
        let mut counts = counts.to_vec();
        if let Some(i) = opt.limited {
            counts[i] += 1;
            if counts[i] > self.limited[i] {
                return None;
            }
        }
        Some((weekends, counts))
    }

    /// The person's state graph (every resource kept, see [`Pricer::paths`]); `Err(())` when
    /// its states outgrow `MAX_LABELS`.
    fn graph(&self) -> Result<Graph, ()> {
        let n = self.days.len();
        let mut graph = Graph {
            arcs: Vec::with_capacity(n),
            ends: Vec::new(),
        };
        let mut layer: Vec<Full> = vec![self.root()];
        let mut total = 0usize;
        for d in 0..n {
            let mut index: HashMap<Full, usize> = HashMap::new();
            let mut next: Vec<Full> = Vec::new();
            let mut arcs = Vec::new();
            for (f, from) in layer.iter().enumerate() {
                for (to, o) in self.steps(d, from, d == 0) {
                    let t = match index.entry(to) {
                        Entry::Occupied(e) => *e.get(),
                        Entry::Vacant(e) => {
                            next.push(e.key().clone());
                            *e.insert(next.len() - 1)
                        }
                    };
                    arcs.push((f, t, o.map(|o| self.days[d][o].col)));
                }
            }
            total += next.len();
            if total > MAX_LABELS {
                return Err(());
            }
            graph.arcs.push((next.len(), arcs));
            layer = next;
        }
        graph.ends = layer.iter().map(|f| f.0 .2 >= self.min_minutes).collect();
        Ok(graph)
    }

    /// The arcs of the person's state graph on some roster, each with the cost of the cheapest
    /// roster through it when column `k` costs `cost[k]`: every roster is a path of them from
    /// the start to a state of the last day, and every such path is a roster of the person.
    /// `Err(())` when the states outgrow `MAX_LABELS`.
    #[allow(clippy::result_unit_err)]
    pub(crate) fn paths(&self, cost: &[f64]) -> Result<Paths, ()> {
        let graph = self.graph()?;
        let n = graph.arcs.len();
        let mut out = Paths::default();
        let arc_cost = |col: Option<usize>| col.map_or(0.0, |k| cost[k]);
        // The cheapest way to finish from each state at the end of each day (infinite where
        // no roster can be finished).
        let mut finish: Vec<Vec<f64>> = vec![Vec::new(); n];
        if let Some(last) = finish.last_mut() {
            *last = graph
                .ends
                .iter()
                .map(|&end| if end { 0.0 } else { f64::INFINITY })
                .collect();
        }
        for d in (1..n).rev() {
            let mut here = vec![f64::INFINITY; graph.arcs[d - 1].0];
            for &(f, t, col) in &graph.arcs[d].1 {
                here[f] = here[f].min(arc_cost(col) + finish[d][t]);
            }
            finish[d - 1] = here;
        }
        // From the start: the cheapest way to reach each state, and the arcs on some roster,
        // numbered day by day.
        let mut reach: Vec<f64> = vec![0.0];
        let mut ids: Vec<Option<usize>> = vec![None];
        for (d, (states, arcs)) in graph.arcs.iter().enumerate() {
            let mut next = vec![f64::INFINITY; *states];
            let mut next_ids: Vec<Option<usize>> = vec![None; *states];
            for &(f, t, col) in arcs {
                let spent = reach[f] + arc_cost(col);
                next[t] = next[t].min(spent);
                let through = spent + finish[d][t];
                // A state on some roster is entered by an arc on some roster: numbered.
                let from = match (d, ids[f]) {
                    (0, _) => None,
                    (_, Some(u)) => Some(u),
                    (_, None) => continue,
                };
                if !through.is_finite() {
                    continue;
                }
                let to = *next_ids[t].get_or_insert_with(|| {
                    out.last.push(d + 1 == n);
                    out.last.len() - 1
                });
                out.arcs.push(Arc {
                    from,
                    to,
                    col,
                    through,
                });
            }
            reach = next;
            ids = next_ids;
        }
        Ok(out)
    }

    /// The state before the first day.
    fn root(&self) -> Full {
        // The run state is never read before the first day (`steps` is told so).
        (
            (RunState::FirstOff, None, 0),
            0,
            vec![0; self.limited.len()],
        )
    }

    /// The states day `d` can end in from `from` (the end of the day before, or the root on
    /// the first day), with the option worked, every rule kept and the resources raised.
    fn steps(&self, d: usize, from: &Full, first: bool) -> Vec<(Full, Option<usize>)> {
        let state = (!first).then_some(from.0);
        let worked_before = state.is_some_and(|s| s.0.works());
        let mut next = Vec::new();
        self.successors(d, state, &mut next);
        next.into_iter()
            .filter_map(|(to, o)| {
                let (mut weekends, mut counts) = match o {
                    None => (from.1, from.2.clone()),
                    Some(o) => {
                        self.resources(d, from.1, &from.2, worked_before, &self.days[d][o])?
                    }
                };
                self.raise(d, &to, &mut weekends, &mut counts);
                Some(((to, weekends, counts), o))
            })
            .collect()
    }
}

/// A person's state graph as [`Pricer::graph`] builds it: for each day, the number of states
/// the day can end in and the arcs into them (position of the state the day before, or 0 for
/// the start; position of the state entered; the column worked, `None` for a day off); and
/// whether each state of the last day ends a roster (the term's minimum is met).
struct Graph {
    #[allow(clippy::type_complexity)]
    arcs: Vec<(usize, Vec<(usize, usize, Option<usize>)>)>,
    ends: Vec<bool>,
}

/// A person's state graph, as [`Pricer::paths`] gives it.
#[derive(Debug, Default)]
pub(crate) struct Paths {
    /// Each node: whether it is a state of the last day (where a roster ends).
    pub last: Vec<bool>,
    pub arcs: Vec<Arc>,
}

impl Paths {
    /// The graph of the arcs `keep` keeps (every path still a roster of the person).
    pub(crate) fn flow(&self, keep: impl Fn(&Arc) -> bool) -> Flow {
        Flow {
            last: self.last.clone(),
            arcs: self
                .arcs
                .iter()
                .filter(|a| keep(a))
                .map(|a| (a.from, a.to, a.col))
                .collect(),
        }
    }
}

/// One arc of a person's state graph: a day worked with a column, or off.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Arc {
    /// The node it leaves (`None`: the start).
    pub from: Option<usize>,
    pub to: usize,
    /// The column worked (position in the person's column list; `None`: a day off).
    pub col: Option<usize>,
    /// Cost of the cheapest roster through the arc.
    pub through: f64,
}

/// What a node of a [`Flow`] is merged by: whether it is of the last day, and its arcs out
/// (column worked, class of the node entered).
type Signature = (bool, Vec<Step>);

/// An arc out of a node of a [`Flow`]: the column worked (`None`: a day off) and the node
/// entered.
type Step = (Option<usize>, usize);

/// A roster listed by [`Flow::within`]: its regret and the columns it works.
pub(crate) type Listed = (f64, Vec<usize>);

/// A graph of rosters: each path from the start to a node of the last day is a roster.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Flow {
    /// Each node: whether it is of the last day.
    pub last: Vec<bool>,
    /// Each arc: the node it leaves (`None`: the start), the node it enters, the column
    /// worked (`None`: a day off).
    pub arcs: Vec<(Option<usize>, usize, Option<usize>)>,
}

impl Flow {
    /// The same rosters in a graph with fewer nodes: nodes from which the same rosters can be
    /// finished are merged (the states differ in resources that no longer matter), and nodes
    /// from which none can be are dropped. Nodes must be numbered day by day (every arc enters
    /// a node numbered above the one it leaves), as [`Pricer::paths`] numbers them.
    ///
    /// ```text
    /// start -E-> a -D-> x        start -E-> a -D-> x
    ///       -L-> b -D-> y   =>         -L-> a
    /// ```
    pub(crate) fn merged(&self) -> Flow {
        let n = self.last.len();
        let mut out: Vec<Vec<Step>> = vec![Vec::new(); n];
        let mut from_start: Vec<Step> = Vec::new();
        for &(from, to, col) in &self.arcs {
            match from {
                Some(u) => out[u].push((col, to)),
                None => from_start.push((col, to)),
            }
        }
        // From the last day back: each node's class is that of the first node with the same
        // arcs out (to classes); `None` for nodes no roster can be finished from.
        let mut class: Vec<Option<usize>> = vec![None; n];
        let mut classes: HashMap<Signature, usize> = HashMap::new();
        let mut order: Vec<Signature> = Vec::new();
        for v in (0..n).rev() {
            let mut sig: Vec<Step> = out[v]
                .iter()
                .filter_map(|&(col, to)| class[to].map(|c| (col, c)))
                .collect();
            if !self.last[v] && sig.is_empty() {
                continue;
            }
            sig.sort_unstable();
            sig.dedup();
            let key = (self.last[v], sig);
            let next = classes.len();
            let c = *classes.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                next
            });
            class[v] = Some(c);
        }
        // Classes were numbered from the last day back: number them the other way round.
        let k = order.len();
        let flip = |c: usize| k - 1 - c;
        let mut flow = Flow {
            last: order.iter().rev().map(|(last, _)| *last).collect(),
            arcs: Vec::new(),
        };
        let mut start: Vec<Step> = from_start
            .iter()
            .filter_map(|&(col, to)| class[to].map(|c| (col, flip(c))))
            .collect();
        start.sort_unstable();
        start.dedup();
        flow.arcs
            .extend(start.into_iter().map(|(col, to)| (None, to, col)));
        for (c, (_, sig)) in order.iter().enumerate().rev() {
            for &(col, to) in sig {
                flow.arcs.push((Some(flip(c)), flip(to), col));
            }
        }
        flow
    }
}

impl Flow {
    /// Every roster of the graph that costs at most `tau` more than its cheapest, when column
    /// `k` costs `cost[k]`: each with what it costs above the cheapest (its regret) and its
    /// columns, cheapest first. `None` when there are more than `cap`. Nodes must be numbered
    /// day by day, as [`Flow::merged`] numbers them.
    pub(crate) fn within(&self, cost: &[f64], tau: f64, cap: usize) -> Option<Vec<Listed>> {
        let n = self.last.len();
        let arc_cost = |col: Option<usize>| col.map_or(0.0, |k| cost[k]);
        let mut out: Vec<Vec<Step>> = vec![Vec::new(); n];
        let mut start: Vec<Step> = Vec::new();
        for &(from, to, col) in &self.arcs {
            match from {
                Some(u) => out[u].push((col, to)),
                None => start.push((col, to)),
            }
        }
        // The cheapest way to finish from each node (every arc enters a higher number).
        let mut finish = vec![f64::INFINITY; n];
        for v in (0..n).rev() {
            finish[v] = if self.last[v] {
                0.0
            } else {
                out[v]
                    .iter()
                    .map(|&(col, to)| arc_cost(col) + finish[to])
                    .fold(f64::INFINITY, f64::min)
            };
        }
        let cheapest = start
            .iter()
            .map(|&(col, to)| arc_cost(col) + finish[to])
            .fold(f64::INFINITY, f64::min);
        if !cheapest.is_finite() {
            return Some(Vec::new());
        }
        let limit = cheapest + tau + 1e-9 * cheapest.abs().max(1.0);
        let mut found: Vec<Listed> = Vec::new();
        // Depth first: the arcs to try at each depth, the cost so far, the columns so far.
        let mut stack: Vec<(std::slice::Iter<Step>, f64)> = vec![(start.iter(), 0.0)];
        let mut cols: Vec<Option<usize>> = Vec::new();
        while let Some((arcs, spent)) = stack.last_mut() {
            let spent = *spent;
            let Some(&(col, to)) = arcs.next() else {
                stack.pop();
                cols.pop();
                continue;
            };
            let c = spent + arc_cost(col);
            if c + finish[to] > limit {
                continue;
            }
            if self.last[to] {
                if found.len() == cap {
                    return None;
                }
                let mut worked: Vec<usize> = cols.iter().flatten().copied().collect();
                worked.extend(col);
                found.push(((c - cheapest).max(0.0), worked));
                continue;
            }
            cols.push(col);
            stack.push((out[to].iter(), c));
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        Some(found)
    }
}

/// A state with every resource: the labels' state, weekends worked, shifts of each limited
/// template.
type Full = (State, u32, Vec<u32>);

impl Pricer {
    /// Raises each label's resources to the least value at which they can still bind: a count
    /// of a limited template (or of weekends) that no future day can push over its limit is
    /// worth no more than the limit less what the future can add. Labels then dominate each
    /// other far more often (a Curtois 8 person with three limited templates: from over
    /// 400 000 labels to a few thousand), and no roster is lost: raised counts still never
    /// exceed a limit on any continuation.
    fn normalise(&self, d: usize, layer: Vec<(State, Label)>) -> Vec<(State, Label)> {
        let mut out = Layer::default();
        for (state, mut label) in layer {
            self.raise(d, &state, &mut label.weekends, &mut label.counts);
            out.insert(state, label);
        }
        out.finish()
    }

    /// Raises the resources of a roster ending in `state` on day `d` (see
    /// [`Pricer::normalise`]).
    fn raise(&self, d: usize, state: &State, weekends: &mut u32, counts: &mut [u32]) {
        // Shifts any continuation can still add, by minutes.
        let room = self
            .max_minutes
            .map_or(u32::MAX, |m| m.saturating_sub(state.2) / self.shortest);
        for (i, c) in counts.iter_mut().enumerate() {
            let future = self.limited_left[d][i].min(room);
            *c = (*c).max(self.limited[i].saturating_sub(future));
        }
        if let Some(w) = self.max_weekends {
            let future = self.weekends_left[d].min(room);
            *weekends = (*weekends).max(w.saturating_sub(future));
        }
    }
}

/// The labels of one day, kept free of dominated ones.
#[derive(Default)]
struct Layer {
    buckets: HashMap<State, Vec<Label>>,
}

impl Layer {
    fn insert(&mut self, state: State, label: Label) {
        let bucket = self.buckets.entry(state).or_default();
        let covers = |a: &Label, b: &Label| {
            a.cost <= b.cost
                && a.weekends <= b.weekends
                && a.counts.iter().zip(&b.counts).all(|(x, y)| x <= y)
        };
        if bucket.iter().any(|old| covers(old, &label)) {
            return;
        }
        bucket.retain(|old| !covers(&label, old));
        bucket.push(label);
    }

    /// The day's labels in a fixed order (state, then insertion), whatever the hashing.
    fn finish(self) -> Vec<(State, Label)> {
        let mut buckets: Vec<(State, Vec<Label>)> = self.buckets.into_iter().collect();
        buckets.sort_by_key(|b| b.0);
        buckets
            .into_iter()
            .flat_map(|(s, labels)| labels.into_iter().map(move |l| (s, l)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Flow;
    use proptest::prelude::*;

    /// A flow of `days` days with two nodes a day (a working state and a resting one), from
    /// every node to both nodes of the next day: working costs a column of that day and
    /// node, resting none.
    fn layered(days: usize) -> Flow {
        let node = |d: usize, s: usize| 2 * d + s;
        let col = |d: usize, s: usize| (s == 0).then_some(node(d, s));
        let mut arcs = Vec::new();
        for s in 0..2 {
            arcs.push((None, node(0, s), col(0, s)));
        }
        for d in 1..days {
            for from in 0..2 {
                for s in 0..2 {
                    arcs.push((Some(node(d - 1, from)), node(d, s), col(d, s)));
                }
            }
        }
        Flow {
            last: (0..2 * days).map(|v| v >= 2 * (days - 1)).collect(),
            arcs,
        }
    }

    /// Every path's (cost, columns), by brute force.
    fn every_path(flow: &Flow, cost: &[f64]) -> Vec<(f64, Vec<usize>)> {
        fn walk(
            flow: &Flow,
            cost: &[f64],
            at: Option<usize>,
            spent: f64,
            cols: &mut Vec<usize>,
            out: &mut Vec<(f64, Vec<usize>)>,
        ) {
            for &(from, to, col) in &flow.arcs {
                if from != at {
                    continue;
                }
                cols.extend(col);
                let c = spent + col.map_or(0.0, |k| cost[k]);
                if flow.last[to] {
                    out.push((c, cols.clone()));
                } else {
                    walk(flow, cost, Some(to), c, cols, out);
                }
                if col.is_some() {
                    cols.pop();
                }
            }
        }
        let mut out = Vec::new();
        walk(flow, cost, None, 0.0, &mut Vec::new(), &mut out);
        out
    }

    proptest! {
        #[test]
        fn within_lists_exactly_the_rosters_within_the_regret(
            cost in proptest::collection::vec(-3.0f64..3.0, 10),
            tau in 0.0f64..4.0,
            cap in 1usize..40,
        ) {
            let flow = layered(5);
            let all = every_path(&flow, &cost);
            let cheapest = all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
            let mut expected: Vec<Vec<usize>> = all
                .iter()
                .filter(|p| p.0 <= cheapest + tau + 1e-9)
                .map(|p| p.1.clone())
                .collect();
            // Each path works a different set of columns here.
            expected.sort();
            match flow.within(&cost, tau, cap) {
                None => prop_assert!(expected.len() > cap, "{} fit in {cap}", expected.len()),
                Some(found) => {
                    for pair in found.windows(2) {
                        prop_assert!(pair[0].0 <= pair[1].0, "cheapest first");
                    }
                    for (regret, cols) in &found {
                        let c: f64 = cols.iter().map(|&k| cost[k]).sum();
                        prop_assert!((c - cheapest - regret).abs() < 1e-9);
                    }
                    let mut listed: Vec<Vec<usize>> = found.into_iter().map(|p| p.1).collect();
                    listed.sort();
                    prop_assert_eq!(listed, expected);
                }
            }
        }
    }
}
