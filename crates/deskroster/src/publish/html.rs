//! The printable week view: one self-contained HTML page, one landscape page per week.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::model::{fmt_minute, Minute, Problem, Roster, TimeRange};

/// A hole to mark in the week view: `missing` people short on `desk` during `time` of `day`.
///
/// Build them from the checker's shortfalls, or by hand. `label` says what is missing (e.g.
/// `"below minimum"`, `"keyholder at opening"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// Desk index.
    pub desk: usize,
    /// Day index.
    pub day: usize,
    /// When.
    pub time: TimeRange,
    /// How many people are missing.
    pub missing: u32,
    /// What is missing, in words.
    pub label: String,
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
@page { size: landscape; margin: 8mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #000; background: #fff; margin: 0; padding: 8px; }
h1 { font-size: 14pt; margin: 0 0 4px; }
section.week { page-break-after: always; break-after: page; margin-bottom: 16px; }
section.week:last-of-type { page-break-after: auto; break-after: auto; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 8pt; line-height: 1.2; }
caption { caption-side: top; text-align: left; font-size: 12pt; font-weight: bold; padding: 2px 0 4px; }
th, td { border: 1px solid #000; padding: 1px 3px; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #e8e8e8; }
th.time { width: 3.6em; font-weight: normal; white-space: nowrap; }
tbody th { background: #f4f4f4; font-weight: normal; text-align: right; }
td .name { display: block; font-weight: bold; }
td.closed { background: #d9d9d9; text-align: center; vertical-align: middle; font-weight: bold; }
td.off { background: #f0f0f0; color: #444; }
td.off .status { font-style: italic; }
td.short { border: 3px solid #a00000; background: #fde8e8; }
.short-label { display: block; color: #7a0000; font-weight: bold; }
.legend, .holes { font-size: 9pt; margin: 6px 0 0; padding: 0; }
.legend li, .holes li { margin: 1px 0 1px 1.2em; }
"#;

/// The printable week view of `roster`: one self-contained HTML page (inline CSS, nothing
/// fetched), one `<section>` per week of the term, each printing on its own landscape page.
///
/// Each week is a `<table>` with a `<caption>`: rows are time slots (`<th scope="row">`),
/// columns are day × desk (`<th scope="colgroup">` / `<th scope="col">`). A cell lists the
/// names of the people on duty; consecutive slots with the same content are merged
/// (`rowspan`). Days a desk is closed read "Closed", times outside its hours "not open", and
/// every `marker` is shown in its cells as a bold "SHORT: n missing" label with its text and
/// in a list under the table, so nothing relies on colour alone. Every cell carries
/// `data-date`, `data-desk`, `data-start` and `data-end` attributes. All names are
/// HTML-escaped. Shifts and markers that refer to unknown days or desks are ignored.
///
/// ```
/// use deskroster::builder::{ProblemBuilder, Weekdays};
/// use deskroster::model::{Roster, Shift, TimeRange};
/// use deskroster::publish::{week_html, Marker};
///
/// let problem = ProblemBuilder::new("2027-01-11".parse()?, 1)
///     .desk("Service Desk", |d| d.open(Weekdays::all(), "09:00-12:00").cover("09:00-12:00", 1, 1, 2))
///     .group("staff")
///     .person("<Ana>", "staff", |p| p)
///     .build()?;
/// let roster = Roster::new(vec![Shift {
///     day: 0, desk: 0, person: 0, time: TimeRange::new(9 * 60, 11 * 60).unwrap(),
/// }]);
/// let hole = Marker { desk: 0, day: 0, time: TimeRange::new(11 * 60, 12 * 60).unwrap(),
///     missing: 1, label: "below minimum".into() };
/// let html = week_html(&problem, &roster, &[hole]);
/// assert!(html.contains("<span class=\"name\">&lt;Ana&gt;</span>"));
/// assert!(html.contains("SHORT: 1 missing"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn week_html(problem: &Problem, roster: &Roster, markers: &[Marker]) -> String {
    let mut h = String::new();
    let title = format!("{} – desk roster", problem.name);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(h, "<title>{}</title>", esc(&title));
    let _ = writeln!(
        h,
        "<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>",
        esc(&title)
    );
    h.push_str(LEGEND);
    for week in 0..problem.num_weeks() {
        week_section(&mut h, problem, roster, markers, week);
    }
    h.push_str("</body>\n</html>\n");
    h
}

const LEGEND: &str = "<ul class=\"legend\" aria-label=\"Legend\">\n\
<li><strong>Names</strong>: people on duty at that desk during those rows (each row starts at the time on its left).</li>\n\
<li><strong>SHORT: n missing</strong> (red border): a shortfall, with what is missing; all are listed under each week.</li>\n\
<li><strong>Closed</strong> (grey): the desk is closed that day. <em>not open</em>: outside the desk's hours.</li>\n\
</ul>\n";

/// What a cell shows; consecutive slots with equal states are merged.
#[derive(Clone, PartialEq, Eq)]
struct CellState {
    status: Status,
    people: Vec<usize>,
    /// (missing, label) of markers touching the slot.
    holes: Vec<(u32, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    OffHours,
    ClosedDay,
}

fn week_section(h: &mut String, p: &Problem, roster: &Roster, markers: &[Marker], week: usize) {
    let days: Vec<usize> = (0..p.days.len())
        .filter(|&d| p.week_of(d) == week)
        .collect();
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        return;
    };
    let date = |d: usize| p.days.get(d).copied().unwrap_or_default();
    let caption = format!(
        "{} – week {}: {} to {}",
        p.name,
        week + 1,
        date(first).format("%a %-d %b"),
        date(last).format("%a %-d %b %Y")
    );
    let slot = p.slot_minutes.max(1);

    // Rows: from the earliest opening (or shift) to the latest close, on the slot grid.
    let mut lo: Option<Minute> = None;
    let mut hi: Option<Minute> = None;
    let mut widen = |t: &TimeRange| {
        lo = Some(lo.map_or(t.start, |l| l.min(t.start)));
        hi = Some(hi.map_or(t.end, |x| x.max(t.end)));
    };
    for desk in &p.desks {
        for d in &days {
            if let Some(Some(dd)) = desk.days.get(*d) {
                widen(&dd.open);
            }
        }
    }
    for s in roster
        .shifts
        .iter()
        .filter(|s| days.contains(&s.day) && s.desk < p.desks.len())
    {
        widen(&s.time);
    }

    let id = format!("week-{}", week + 1);
    let _ = writeln!(h, "<section class=\"week\" aria-labelledby=\"{id}\">");
    let _ = writeln!(
        h,
        "<table>\n<caption id=\"{id}\">{}</caption>",
        esc(&caption)
    );
    let ndesks = p.desks.len().max(1);
    h.push_str("<colgroup><col class=\"time\"></colgroup>\n");
    for _ in &days {
        let _ = writeln!(h, "<colgroup span=\"{ndesks}\"></colgroup>");
    }
    h.push_str("<thead>\n<tr><th scope=\"col\" rowspan=\"2\" class=\"time\">Time</th>");
    for &d in &days {
        let _ = write!(
            h,
            "<th scope=\"colgroup\" colspan=\"{ndesks}\">{}</th>",
            date(d).format("%a %-d %b")
        );
    }
    h.push_str("</tr>\n<tr>");
    for _ in &days {
        for desk in &p.desks {
            let _ = write!(h, "<th scope=\"col\">{}</th>", esc(&desk.name));
        }
    }
    h.push_str("</tr>\n</thead>\n<tbody>\n");

    let (Some(lo), Some(hi)) = (lo, hi) else {
        let cols = days.len() * ndesks;
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">–</th><td class=\"closed\" colspan=\"{cols}\">Closed all week</td></tr>"
        );
        h.push_str("</tbody>\n</table>\n</section>\n");
        return;
    };
    let lo = lo / slot * slot;
    let hi = hi.div_ceil(slot) * slot;
    let rows: Vec<TimeRange> = (lo..hi)
        .step_by(slot as usize)
        .filter_map(|t| TimeRange::new(t, (t + slot).min(1440)))
        .collect();

    // For each column (day × desk): the state of every row, then runs of equal states.
    let mut columns: Vec<Vec<(usize, usize, CellState)>> = Vec::new(); // (first row, rowspan, state)
    let mut column_keys = Vec::new();
    for &d in &days {
        for (k, desk) in p.desks.iter().enumerate() {
            let desk_day = desk.days.get(d).and_then(Option::as_ref);
            let mut runs: Vec<(usize, usize, CellState)> = Vec::new();
            for (r, row) in rows.iter().enumerate() {
                let status = match desk_day {
                    None => Status::ClosedDay,
                    Some(dd) if dd.open.contains(row) => Status::Open,
                    Some(_) => Status::OffHours,
                };
                let people: Vec<usize> = roster
                    .shifts
                    .iter()
                    .filter(|s| s.day == d && s.desk == k && s.time.overlaps(row))
                    .map(|s| s.person)
                    .collect();
                let holes: Vec<(u32, String)> = markers
                    .iter()
                    .filter(|m| m.day == d && m.desk == k && m.time.overlaps(row))
                    .map(|m| (m.missing, m.label.clone()))
                    .collect();
                let state = CellState {
                    status,
                    people,
                    holes,
                };
                match runs.last_mut() {
                    Some((_, span, last)) if *last == state => *span += 1,
                    _ => runs.push((r, 1, state)),
                }
            }
            columns.push(runs);
            column_keys.push((d, k));
        }
    }

    for (r, row) in rows.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><th scope=\"row\" class=\"time\">{}</th>",
            fmt_minute(row.start)
        );
        for (runs, &(d, k)) in columns.iter().zip(&column_keys) {
            let Some((first, span, state)) = runs.iter().find(|(f, _, _)| *f == r) else {
                continue; // covered by a rowspan from above
            };
            let end = rows.get(first + span - 1).map_or(row.end, |x| x.end);
            cell(h, p, date(d), k, row.start, end, *span, state);
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");

    let holes: Vec<&Marker> = markers
        .iter()
        .filter(|m| days.contains(&m.day) && m.desk < p.desks.len())
        .collect();
    if !holes.is_empty() {
        let mut holes = holes;
        holes.sort_by(|a, b| {
            (a.day, a.time, a.desk, &a.label).cmp(&(b.day, b.time, b.desk, &b.label))
        });
        let _ = writeln!(
            h,
            "<ul class=\"holes\" aria-label=\"Shortfalls in week {}\">",
            week + 1
        );
        for m in holes {
            let desk = p.desks.get(m.desk).map_or("", |x| x.name.as_str());
            let _ = writeln!(
                h,
                "<li><strong>SHORT: {} missing</strong> – {}, {}, {}: {}</li>",
                m.missing,
                date(m.day).format("%a %-d %b"),
                esc(desk),
                m.time,
                esc(&m.label)
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}

#[allow(clippy::too_many_arguments)]
fn cell(
    h: &mut String,
    p: &Problem,
    date: chrono::NaiveDate,
    desk: usize,
    start: Minute,
    end: Minute,
    span: usize,
    state: &CellState,
) {
    let mut class = match state.status {
        Status::Open => "open",
        Status::OffHours => "off",
        Status::ClosedDay => "closed",
    }
    .to_string();
    if !state.holes.is_empty() {
        class.push_str(" short");
    }
    let desk_name = p.desks.get(desk).map_or("", |d| d.name.as_str());
    let _ = write!(
        h,
        "<td class=\"{class}\" data-date=\"{date}\" data-desk=\"{}\" data-start=\"{}\" data-end=\"{}\"",
        esc(desk_name),
        fmt_minute(start),
        fmt_minute(end)
    );
    if span > 1 {
        let _ = write!(h, " rowspan=\"{span}\"");
    }
    h.push('>');
    match state.status {
        Status::ClosedDay => h.push_str("<span class=\"status\">Closed</span>"),
        Status::OffHours if state.people.is_empty() && state.holes.is_empty() => {
            h.push_str("<span class=\"status\">not open</span>")
        }
        _ => {}
    }
    for &person in &state.people {
        let name = p.people.get(person).map_or("?", |x| x.name.as_str());
        let _ = write!(h, "<span class=\"name\">{}</span>", esc(name));
    }
    for (missing, label) in &state.holes {
        let _ = write!(
            h,
            "<span class=\"short-label\">SHORT: {missing} missing</span>{}",
            esc(label)
        );
    }
    h.push_str("</td>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::fixtures::{problem, range, shift};

    fn sample() -> (Problem, Roster, Vec<Marker>) {
        let p = problem();
        let r = Roster::new(vec![
            shift(0, 0, "08:30-12:30", 0),
            shift(0, 0, "10:00-14:00", 3),
            shift(0, 1, "09:00-13:00", 1),
            shift(5, 0, "11:00-17:00", 2),
        ]);
        let m = vec![Marker {
            desk: 0,
            day: 0,
            time: range("14:00-15:00"),
            missing: 1,
            label: "below minimum".into(),
        }];
        (p, r, m)
    }

    #[test]
    fn escapes_names_and_merges_runs() {
        let (p, r, m) = sample();
        let html = week_html(&p, &r, &m);
        assert!(html.contains("&lt;Eve&gt; &amp; &quot;Zoë&quot;"));
        assert!(!html.contains("<Eve>"));
        // Ana alone 08:30-10:00, then Ana and Eve 10:00-12:30.
        assert!(html.contains("data-date=\"2027-01-11\" data-desk=\"Service Desk\" data-start=\"08:30\" data-end=\"10:00\" rowspan=\"3\"><span class=\"name\">Ana López</span></td>"), "{html}");
        assert!(html.contains("data-start=\"10:00\" data-end=\"12:30\" rowspan=\"5\"><span class=\"name\">Ana López</span><span class=\"name\">&lt;Eve&gt; &amp; &quot;Zoë&quot;</span></td>"));
        assert!(html.contains("<span class=\"short-label\">SHORT: 1 missing</span>below minimum"));
        assert!(html.contains("<li><strong>SHORT: 1 missing</strong> – Mon 11 Jan, Service Desk, 14:00-15:00: below minimum</li>"), "{html}");
        // Monday 18 January is a closure of the Service Desk; Saturdays have no chat.
        assert!(
            html.contains("class=\"closed\" data-date=\"2027-01-18\" data-desk=\"Service Desk\"")
        );
        assert!(html.contains("class=\"closed\" data-date=\"2027-01-16\" data-desk=\"Chat\""));
        assert_eq!(html.matches("<section class=\"week\"").count(), 2);
        assert!(html.contains("@page { size: landscape"));
        assert!(html.contains("<th scope=\"colgroup\" colspan=\"2\">Mon 11 Jan</th>"));
        assert_eq!(week_html(&p, &r, &m), html);
    }

    #[test]
    fn rows_align_with_cells() {
        // Every body row must span the same number of columns once rowspans are counted.
        let (p, r, m) = sample();
        let html = week_html(&p, &r, &m);
        let section = html
            .split("<tbody>")
            .nth(1)
            .unwrap()
            .split("</tbody>")
            .next()
            .unwrap();
        let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("<tr>")).collect();
        let mut pending = [0usize; 14]; // remaining rowspan per column
        for row in rows {
            let mut col = 0;
            let mut cells = row.split("<td").skip(1);
            while col < 14 {
                if pending[col] > 0 {
                    pending[col] -= 1;
                    col += 1;
                    continue;
                }
                let c = cells.next().expect("a cell for every free column");
                let span = c.split("rowspan=\"").nth(1).map_or(1, |s| {
                    s.split('"').next().unwrap().parse::<usize>().unwrap()
                });
                pending[col] = span - 1;
                col += 1;
            }
            assert!(cells.next().is_none(), "too many cells in {row}");
        }
        assert!(pending.iter().all(|&x| x == 0));
    }

    #[test]
    fn empty_term_and_closed_week() {
        let mut p = problem();
        for desk in &mut p.desks {
            for d in desk.days.iter_mut().skip(7) {
                *d = None;
            }
        }
        let html = week_html(&p, &Roster::default(), &[]);
        assert!(html.contains("Closed all week"));
        p.days.clear();
        let html = week_html(&p, &Roster::default(), &[]);
        assert!(!html.contains("<section"));
    }
}
