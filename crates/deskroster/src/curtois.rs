//! Reader for the Curtois & Qu staff-scheduling benchmark (`Instance1.txt` … `Instance24.txt`).
//!
//! The benchmark's format and rules are described at <https://www.schedulingbenchmarks.org/nrp/>
//! (T. Curtois, R. Qu, *Computational results on new staff scheduling benchmark instances*, 2014).
//! [`parse`] turns a file into a [`Problem`] in template mode whose objective, as computed by
//! [`crate::check::check`], is exactly the benchmark's:
//!
//! - one desk, open 00:00–24:00 every day, with no slot coverage (min 0, target 0, max = staff);
//! - one [`ShiftTemplate`] per shift type, with its real length in minutes. The benchmark gives no
//!   clock times, so each template gets a synthetic start: templates of equal length start
//!   `slot_minutes` apart so that no two templates are the same shift. `max_shifts_per_day = 1`
//!   keeps one shift a day, and `min_rest = 0`: the "cannot follow" lists become
//!   [`Problem::forbidden_successions`];
//! - per employee: availability all day except on `DAYS_OFF`, `MaxShifts` as template limits,
//!   total minutes as `max_term`/`min_term`, consecutive-day rules, `max_weekends`, and the on/off
//!   requests with their weights;
//! - `COVER` rows as [`Problem::template_cover`];
//! - every other weight 0, so the objective is requests plus template cover.
//!
//! Day 0 is Monday 2024-01-01. Malformed files give a [`CurtoisError`] with the line number.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use crate::model::{
    Contract, Cover, Desk, DeskDay, Person, Problem, ShiftRequest, ShiftRules, ShiftTemplate,
    TemplateCover, TimeRange, Weights,
};

/// A malformed benchmark file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}line {line}: {message}", source_name.as_deref().map(|s| format!("{s}: ")).unwrap_or_default())]
pub struct CurtoisError {
    /// File name, when read from a file.
    pub source_name: Option<String>,
    /// 1-based line number (0 when the problem concerns the whole file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> CurtoisError {
    CurtoisError {
        source_name: None,
        line,
        message: message.into(),
    }
}

/// Reads a benchmark file.
///
/// # Errors
/// A [`CurtoisError`] naming the file and line when it cannot be read or is malformed.
pub fn read(path: &Path) -> Result<Problem, CurtoisError> {
    let name = path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let text = std::fs::read_to_string(path).map_err(|e| CurtoisError {
        source_name: Some(path.display().to_string()),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse(&text, &name).map_err(|mut e| {
        e.source_name = Some(path.display().to_string());
        e
    })
}

/// One data line: its 1-based number and its comma-separated fields (trimmed).
struct Line<'a> {
    no: usize,
    fields: Vec<&'a str>,
}

fn int(line: &Line<'_>, i: usize, what: &str) -> Result<u32, CurtoisError> {
    let f = line
        .fields
        .get(i)
        .ok_or_else(|| err(line.no, format!("missing field {} ({what})", i + 1)))?;
    // Instance15 writes one requirement as "-0".
    f.parse::<i64>()
        .ok()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| {
            err(
                line.no,
                format!("{what}: expected a non-negative integer, found {f:?}"),
            )
        })
}

fn weight(line: &Line<'_>, i: usize, what: &str) -> Result<f64, CurtoisError> {
    let f = line
        .fields
        .get(i)
        .ok_or_else(|| err(line.no, format!("missing field {} ({what})", i + 1)))?;
    f.parse::<f64>()
        .ok()
        .filter(|w| w.is_finite() && *w >= 0.0)
        .ok_or_else(|| {
            err(
                line.no,
                format!("{what}: expected a non-negative number, found {f:?}"),
            )
        })
}

fn expect_fields(line: &Line<'_>, n: usize, layout: &str) -> Result<(), CurtoisError> {
    if line.fields.len() != n {
        return Err(err(
            line.no,
            format!(
                "expected {n} fields ({layout}), found {}",
                line.fields.len()
            ),
        ));
    }
    Ok(())
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Parses the text of a benchmark file; `name` becomes [`Problem::name`].
///
/// # Errors
/// A [`CurtoisError`] with the line number of the first malformed line.
pub fn parse(text: &str, name: &str) -> Result<Problem, CurtoisError> {
    // Split into sections first, so that the order of sections does not matter.
    let mut sections: HashMap<String, (usize, Vec<Line<'_>>)> = HashMap::new();
    let mut current: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let no = i + 1;
        let l = raw.trim();
        if l.is_empty() {
            current = None;
            continue;
        }
        if l.starts_with('#') {
            continue;
        }
        if let Some(sec) = l.strip_prefix("SECTION_") {
            if sections.contains_key(sec) {
                return Err(err(no, format!("section SECTION_{sec} appears twice")));
            }
            sections.insert(sec.to_string(), (no, Vec::new()));
            current = Some(sec.to_string());
            continue;
        }
        let Some(sec) = &current else {
            return Err(err(no, format!("data outside any section: {l:?}")));
        };
        let fields = l.split(',').map(str::trim).collect();
        if let Some((_, lines)) = sections.get_mut(sec) {
            lines.push(Line { no, fields });
        }
    }
    let empty = (0, Vec::new());
    let section = |s: &str| sections.get(s).unwrap_or(&empty);
    for required in ["HORIZON", "SHIFTS", "STAFF"] {
        if !sections.contains_key(required) {
            return Err(err(0, format!("missing section SECTION_{required}")));
        }
    }
    for s in sections.keys() {
        if !matches!(
            s.as_str(),
            "HORIZON"
                | "SHIFTS"
                | "STAFF"
                | "DAYS_OFF"
                | "SHIFT_ON_REQUESTS"
                | "SHIFT_OFF_REQUESTS"
                | "COVER"
        ) {
            return Err(err(section(s).0, format!("unknown section SECTION_{s}")));
        }
    }

    // Horizon.
    let (hno, hlines) = section("HORIZON");
    let [hl] = hlines.as_slice() else {
        return Err(err(
            *hno,
            "SECTION_HORIZON must hold exactly one line: the number of days",
        ));
    };
    expect_fields(hl, 1, "days")?;
    let horizon = int(hl, 0, "horizon")? as usize;
    if horizon == 0 || horizon > 3660 {
        return Err(err(
            hl.no,
            format!("horizon of {horizon} days out of range 1..=3660"),
        ));
    }
    let day = |line: &Line<'_>, i: usize| -> Result<usize, CurtoisError> {
        let d = int(line, i, "day")? as usize;
        if d >= horizon {
            return Err(err(
                line.no,
                format!("day {d} outside the horizon 0..{horizon}"),
            ));
        }
        Ok(d)
    };

    // Shift types.
    let (sno, slines) = section("SHIFTS");
    if slines.is_empty() {
        return Err(err(*sno, "no shift types"));
    }
    let mut shift_ids: HashMap<&str, usize> = HashMap::new();
    let mut lengths: Vec<u32> = Vec::new();
    let mut shift_names: Vec<String> = Vec::new();
    for l in slines {
        if l.fields.len() < 2 || l.fields.len() > 3 {
            return Err(err(l.no, "expected ShiftID,LengthMins,CannotFollow"));
        }
        let id = l.fields[0];
        if id.is_empty() {
            return Err(err(l.no, "empty shift ID"));
        }
        let len = int(l, 1, "shift length")?;
        if len == 0 || len > 1440 {
            return Err(err(
                l.no,
                format!("shift length {len} must be 1..=1440 minutes"),
            ));
        }
        if shift_ids.insert(id, lengths.len()).is_some() {
            return Err(err(l.no, format!("shift {id:?} defined twice")));
        }
        lengths.push(len);
        shift_names.push(id.to_string());
    }
    let mut forbidden_successions = Vec::new();
    for l in slines {
        let a = shift_ids[l.fields[0]];
        for b in l
            .fields
            .get(2)
            .into_iter()
            .flat_map(|f| f.split('|'))
            .map(str::trim)
        {
            if b.is_empty() {
                continue;
            }
            let &b = shift_ids.get(b).ok_or_else(|| {
                err(
                    l.no,
                    format!("unknown shift {b:?} in the cannot-follow list"),
                )
            })?;
            if !forbidden_successions.contains(&(a, b)) {
                forbidden_successions.push((a, b));
            }
        }
    }

    // Synthetic clock times: templates of equal length start `slot` apart (all templates are
    // then distinct shifts); `slot` is the coarsest grid that divides every length and the day.
    let g = lengths.iter().fold(1440, |acc, &l| gcd(acc, l));
    let mut rank = vec![0u32; lengths.len()];
    let mut seen: HashMap<u32, u32> = HashMap::new();
    for (i, &l) in lengths.iter().enumerate() {
        let r = seen.entry(l).or_insert(0);
        rank[i] = *r;
        *r += 1;
    }
    let slot = (1..=g)
        .rev()
        .filter(|s| g % s == 0)
        .find(|&s| lengths.iter().zip(&rank).all(|(&l, &r)| r * s + l <= 1440))
        .ok_or_else(|| err(*sno, "too many shift types of one length to fit in a day"))?;
    let templates: Vec<ShiftTemplate> = shift_names
        .iter()
        .zip(lengths.iter().zip(&rank))
        .map(|(n, (&l, &r))| ShiftTemplate {
            name: n.clone(),
            desk: 0,
            time: TimeRange {
                start: r * slot,
                end: r * slot + l,
            },
        })
        .collect();

    // Staff.
    let (stno, stlines) = section("STAFF");
    if stlines.is_empty() {
        return Err(err(*stno, "no staff"));
    }
    let whole_day = TimeRange {
        start: 0,
        end: 1440,
    };
    let mut staff_ids: HashMap<&str, usize> = HashMap::new();
    let mut people: Vec<Person> = Vec::new();
    for l in stlines {
        expect_fields(
            l,
            8,
            "ID,MaxShifts,MaxTotalMinutes,MinTotalMinutes,MaxConsecutiveShifts,\
             MinConsecutiveShifts,MinConsecutiveDaysOff,MaxWeekends",
        )?;
        let id = l.fields[0];
        if id.is_empty() {
            return Err(err(l.no, "empty employee ID"));
        }
        if staff_ids.insert(id, people.len()).is_some() {
            return Err(err(l.no, format!("employee {id:?} defined twice")));
        }
        let mut template_limits = Vec::new();
        for item in l.fields[1]
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (s, n) = item.split_once('=').ok_or_else(|| {
                err(
                    l.no,
                    format!("MaxShifts entry {item:?}: expected ShiftID=n"),
                )
            })?;
            let &t = shift_ids
                .get(s.trim())
                .ok_or_else(|| err(l.no, format!("unknown shift {s:?} in MaxShifts")))?;
            let n: u32 = n
                .trim()
                .parse()
                .map_err(|_| err(l.no, format!("MaxShifts entry {item:?}: bad number")))?;
            if template_limits.iter().any(|&(tt, _)| tt == t) {
                return Err(err(l.no, format!("shift {s:?} listed twice in MaxShifts")));
            }
            // A limit of at least the horizon never binds.
            if (n as usize) < horizon {
                template_limits.push((t, n));
            }
        }
        let max_total = int(l, 2, "MaxTotalMinutes")?;
        let min_total = int(l, 3, "MinTotalMinutes")?;
        let max_cons = int(l, 4, "MaxConsecutiveShifts")?;
        let min_cons = int(l, 5, "MinConsecutiveShifts")?;
        let min_off = int(l, 6, "MinConsecutiveDaysOff")?;
        let max_we = int(l, 7, "MaxWeekends")?;
        let contract = Contract {
            max_term: Some(max_total),
            min_term: (min_total > 0).then_some(min_total),
            max_consecutive_days: Some(max_cons),
            min_consecutive_days: (min_cons > 1).then_some(min_cons),
            min_consecutive_days_off: (min_off > 1).then_some(min_off),
            max_weekends: Some(max_we),
            ..Contract::default()
        };
        people.push(Person {
            name: id.to_string(),
            group: 0,
            skills: Vec::new(),
            desks: vec![0],
            contract,
            availability: vec![vec![whole_day]; horizon],
            preferences: Vec::new(),
            fixed: Vec::new(),
            requests: Vec::new(),
            template_limits,
        });
    }
    let person = |l: &Line<'_>| -> Result<usize, CurtoisError> {
        let id = l.fields.first().copied().unwrap_or("");
        staff_ids
            .get(id)
            .copied()
            .ok_or_else(|| err(l.no, format!("unknown employee {id:?}")))
    };
    let shift = |l: &Line<'_>, i: usize| -> Result<usize, CurtoisError> {
        let id = l.fields.get(i).copied().unwrap_or("");
        shift_ids
            .get(id)
            .copied()
            .ok_or_else(|| err(l.no, format!("unknown shift {id:?}")))
    };

    // Days off.
    for l in &section("DAYS_OFF").1 {
        let p = person(l)?;
        for i in 1..l.fields.len() {
            if l.fields[i].is_empty() {
                continue;
            }
            let d = day(l, i)?;
            people[p].availability[d].clear();
        }
    }

    // Requests.
    for (sec, on) in [("SHIFT_ON_REQUESTS", true), ("SHIFT_OFF_REQUESTS", false)] {
        for l in &section(sec).1 {
            expect_fields(l, 4, "EmployeeID,Day,ShiftID,Weight")?;
            let p = person(l)?;
            let d = day(l, 1)?;
            let t = shift(l, 2)?;
            let w = weight(l, 3, "weight")?;
            people[p].requests.push(ShiftRequest {
                day: d,
                template: t,
                on,
                weight: w,
            });
        }
    }

    // Cover.
    let mut template_cover = Vec::new();
    let mut cover_seen = std::collections::HashSet::new();
    for l in &section("COVER").1 {
        expect_fields(l, 5, "Day,ShiftID,Requirement,WeightUnder,WeightOver")?;
        let d = day(l, 0)?;
        let t = shift(l, 1)?;
        if !cover_seen.insert((d, t)) {
            return Err(err(
                l.no,
                format!("second cover row for day {d}, shift {}", l.fields[1]),
            ));
        }
        template_cover.push(TemplateCover {
            day: d,
            template: t,
            requirement: int(l, 2, "requirement")?,
            weight_under: weight(l, 3, "under-cover weight")?,
            weight_over: weight(l, 4, "over-cover weight")?,
        });
    }

    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let days: Vec<NaiveDate> = start.iter_days().take(horizon).collect();
    let staff = people.len() as u32;
    let desk_day = DeskDay {
        open: whole_day,
        cover: vec![
            Cover {
                min: 0,
                target: 0,
                max: staff
            };
            (1440 / slot) as usize
        ],
    };
    Ok(Problem {
        name: name.to_string(),
        timezone: "UTC".to_string(),
        slot_minutes: slot,
        days,
        desks: vec![Desk {
            name: "ward".to_string(),
            days: vec![Some(desk_day); horizon],
        }],
        skills: Vec::new(),
        groups: vec!["staff".to_string()],
        people,
        requirements: Vec::new(),
        rules: ShiftRules {
            min_length: slot,
            max_length: 1440,
            max_shifts_per_day: 1,
            min_gap: 0,
            min_rest: 0,
        },
        weights: Weights {
            coverage_min: 0.0,
            coverage_target: 0.0,
            contract_min: 0.0,
            split_shift: 0.0,
            fair_evenings: 0.0,
            fair_weekends: 0.0,
            fair_closings: 0.0,
        },
        evening_start: 1440,
        templates,
        forbidden_successions,
        template_cover,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::model::{Roster, Shift};
    use crate::solve::{solve, SolveOptions};

    fn instances() -> Option<std::path::PathBuf> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/benchmarks/curtois/instances");
        dir.is_dir().then_some(dir)
    }

    /// Solves to optimality; checks the roster is valid and the checker agrees with the solver.
    fn optimum(p: &Problem) -> f64 {
        let opts = SolveOptions {
            gap: 0.0,
            no_decompose: true,
            ..SolveOptions::default()
        };
        let sol = solve(p, &opts).expect("solves");
        assert!(sol.summary.proven_optimal);
        let report = check(p, &sol.roster);
        assert!(report.violations.is_empty(), "{:?}", report.violations);
        let total = report.penalties.total();
        assert!(
            (total - sol.summary.objective).abs() < 1e-6,
            "checker {total} vs solver {}",
            sol.summary.objective
        );
        total
    }

    /// The best valid roster of a one-person problem, by trying every one (the checker decides).
    fn brute_force(p: &Problem) -> f64 {
        let n = p.days.len();
        let k = p.templates.len() + 1;
        let mut best = f64::INFINITY;
        for code in 0..k.pow(n as u32) {
            let mut c = code;
            let mut shifts = Vec::new();
            for day in 0..n {
                if c % k > 0 {
                    let t = &p.templates[c % k - 1];
                    shifts.push(Shift {
                        day,
                        desk: t.desk,
                        time: t.time,
                        person: 0,
                    });
                }
                c /= k;
            }
            let r = check(p, &Roster::new(shifts));
            if r.violations.is_empty() {
                best = best.min(r.penalties.total());
            }
        }
        best
    }

    /// A one-week, one-person instance with shifts E and L (L may not be followed by E).
    fn tiny(
        staff: &str,
        days_off: &str,
        requests: &str,
        cover_e: [u32; 7],
        cover_l: [u32; 7],
    ) -> Problem {
        let mut t = String::from("SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nE,480,\nL,480,E\n\n");
        t += &format!("SECTION_STAFF\n{staff}\n\nSECTION_DAYS_OFF\nA{days_off}\n\n");
        let (on, off): (Vec<&str>, Vec<&str>) = requests
            .split(';')
            .filter(|r| !r.is_empty())
            .partition(|r| r.starts_with('+'));
        t += "SECTION_SHIFT_ON_REQUESTS\n";
        for r in on {
            t += &format!("A,{}\n", &r[1..]);
        }
        t += "\nSECTION_SHIFT_OFF_REQUESTS\n";
        for r in off {
            t += &format!("A,{}\n", &r[1..]);
        }
        t += "\nSECTION_COVER\n";
        for d in 0..7 {
            t += &format!("{d},E,{},100,1\n{d},L,{},100,1\n", cover_e[d], cover_l[d]);
        }
        parse(&t, "tiny").expect("parses")
    }

    const FREE: &str = "A,E=7|L=7,3360,0,7,1,1,2";
    const ALL: [u32; 7] = [1; 7];
    const NONE: [u32; 7] = [0; 7];

    /// The rule bites: the optimum with it is `with`, without it `without`; solver, checker and
    /// brute force agree on both.
    fn bites(strict: Problem, loose: Problem, with: f64, without: f64) {
        assert_eq!(brute_force(&strict), with);
        assert_eq!(optimum(&strict), with);
        assert_eq!(brute_force(&loose), without);
        assert_eq!(optimum(&loose), without);
    }

    #[test]
    fn max_consecutive_days() {
        let s = tiny("A,E=7|L=7,3360,0,3,1,1,2", "", "", ALL, NONE);
        bites(s, tiny(FREE, "", "", ALL, NONE), 100.0, 0.0);
    }

    #[test]
    fn min_consecutive_days() {
        let c = [0, 0, 0, 1, 0, 0, 0];
        bites(
            tiny("A,E=7|L=7,3360,0,7,3,1,2", "", "", c, NONE),
            tiny(FREE, "", "", c, NONE),
            2.0,
            0.0,
        );
    }

    #[test]
    fn min_consecutive_days_off() {
        let c = [1, 1, 1, 0, 1, 1, 1];
        bites(
            tiny("A,E=7|L=7,3360,0,7,1,2,2", "", "", c, NONE),
            tiny(FREE, "", "", c, NONE),
            1.0,
            0.0,
        );
    }

    #[test]
    fn max_weekends() {
        let s = tiny("A,E=7|L=7,3360,0,7,1,1,0", "", "", ALL, NONE);
        bites(s, tiny(FREE, "", "", ALL, NONE), 200.0, 0.0);
    }

    #[test]
    fn succession() {
        let (e, l) = ([0, 0, 1, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0]);
        let mut loose = tiny(FREE, "", "", e, l);
        loose.forbidden_successions.clear();
        bites(tiny(FREE, "", "", e, l), loose, 100.0, 0.0);
    }

    #[test]
    fn template_limit_and_term_limits() {
        let loose = || tiny(FREE, "", "", ALL, NONE);
        bites(
            tiny("A,E=2|L=7,3360,0,7,1,1,2", "", "", ALL, NONE),
            loose(),
            500.0,
            0.0,
        );
        bites(
            tiny("A,E=7|L=7,1440,0,7,1,1,2", "", "", ALL, NONE),
            loose(),
            400.0,
            0.0,
        );
        // At least two shifts when nobody is needed: two over-covered shifts.
        bites(
            tiny("A,E=7|L=7,3360,960,7,1,1,2", "", "", NONE, NONE),
            tiny(FREE, "", "", NONE, NONE),
            2.0,
            0.0,
        );
    }

    #[test]
    fn days_off_and_requests() {
        bites(
            tiny(FREE, ",0,6", "", ALL, NONE),
            tiny(FREE, "", "", ALL, NONE),
            200.0,
            0.0,
        );
        // On-request for L (weight 3): working it costs 1 over-cover, less than 3.
        bites(
            tiny(FREE, "", "+0,L,3", NONE, NONE),
            tiny(FREE, "", "", NONE, NONE),
            1.0,
            0.0,
        );
        // Off-request for E where E is needed: 2 rather than 100.
        let c = [0, 0, 1, 0, 0, 0, 0];
        bites(
            tiny(FREE, "", "-2,E,2", c, NONE),
            tiny(FREE, "", "", c, NONE),
            2.0,
            0.0,
        );
    }

    #[test]
    fn reads_instance1_and_solves_it_to_the_published_optimum() {
        let Some(dir) = instances() else {
            eprintln!("Curtois instances not found: skipped");
            return;
        };
        let p = read(&dir.join("Instance1.txt")).expect("reads");
        assert_eq!(
            (p.days.len(), p.people.len(), p.templates.len()),
            (14, 8, 1)
        );
        assert_eq!(p.template_cover.len(), 14);
        let reqs: usize = p.people.iter().map(|q| q.requests.len()).sum();
        assert_eq!(reqs, 21 + 5);
        assert_eq!(optimum(&p), 607.0);
    }

    #[test]
    fn every_instance_parses() {
        let Some(dir) = instances() else { return };
        for n in 1..=24 {
            let p = read(&dir.join(format!("Instance{n}.txt"))).expect("reads");
            p.validate().expect("valid");
            assert_eq!(p.template_cover.len(), p.days.len() * p.templates.len());
        }
    }

    #[test]
    fn malformed_files_name_the_line() {
        let bad =
            "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=14,x,0,5,2,2,1\n";
        let e = parse(bad, "bad").unwrap_err();
        assert_eq!(e.line, 8);
        assert!(e.to_string().contains("MaxTotalMinutes"), "{e}");
        let e = parse(
            "SECTION_HORIZON\n14\n\nSECTION_SHIFTS\nD,480,X\n\nSECTION_STAFF\n",
            "b",
        )
        .unwrap_err();
        assert_eq!(e.line, 5);
        assert!(parse("", "empty").is_err());
        assert!(parse("14\n", "x").is_err());
        let e = parse(
            "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=7,1,0,5,2,2,1\n\nSECTION_COVER\n9,D,1,100,1\n",
            "c",
        )
        .unwrap_err();
        assert_eq!(e.line, 11);
    }
}
