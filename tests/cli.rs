//! End-to-end tests of the `deskroster` binary: real term folders written to temporary
//! directories, the real binary, real output files.
//!
//! Terms here are tiny (one week, one desk, three people) so a solve takes well under a second;
//! the scaffold of `deskroster init` (four weeks) is solved once.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// A tiny term. Line numbers matter: the bad-input tests replace whole lines and expect errors
// located on them.
// ---------------------------------------------------------------------------------------------

const TERM: &str = r#"name = "Tiny"
start = 2027-01-04
end = 2027-01-10
skills = ["keyholder"]

[groups.staff]

[groups.student]
max_day = "4h"
max_week = "10h"

[[desk]]
name = "Service Desk"
hours = { weekdays = "09:00-17:00" }

[[cover]]
desk = "Service Desk"
min = 1
target = 1
max = 2

[[require]]
desk = "Service Desk"
at = "opening"
skill = "keyholder"
"#;

const ANA: &str = r#"name = "Ana"
group = "staff"
skills = ["keyholder"]
[available]
weekdays = "08:00-18:00"
"#;

const BEN: &str = r#"name = "Ben"
group = "student"
[available]
weekdays = "12:00-17:00"
"#;

const CY: &str = r#"name = "Cy"
group = "staff"
skills = ["keyholder"]
[available]
"mon-wed" = "09:00-17:00"
"#;

/// Exit codes of `deskroster --help`.
const BAD_INPUT: i32 = 1;
const USAGE: i32 = 2;
const VIOLATIONS: i32 = 4;

/// A temporary directory holding a term folder `term/` (and whatever the commands write).
struct Fixture {
    dir: TempDir,
}

impl Fixture {
    /// The tiny term: Ana, Ben and Cy.
    fn tiny() -> Fixture {
        let f = Fixture::empty();
        f.write("term/term.toml", TERM);
        f.write("term/people/ana.toml", ANA);
        f.write("term/people/ben.toml", BEN);
        f.write("term/people/cy.toml", CY);
        f
    }

    fn empty() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("create folder");
        fs::write(p, text).expect("write file");
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Replaces the one line of `rel` that equals `old` (the line must exist exactly once).
    fn replace_line(&self, rel: &str, old: &str, new: &str) {
        let text = self.read(rel);
        assert_eq!(
            text.lines().filter(|l| *l == old).count(),
            1,
            "{rel}: line {old:?} must occur once"
        );
        let out: Vec<&str> = text
            .lines()
            .map(|l| if l == old { new } else { l })
            .collect();
        self.write(rel, &(out.join("\n") + "\n"));
    }

    fn append(&self, rel: &str, text: &str) {
        let old = if self.exists(rel) {
            self.read(rel)
        } else {
            String::new()
        };
        self.write(rel, &(old + text));
    }

    /// `deskroster ARGS` run in the temporary directory (so messages name `term/...`).
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("deskroster").expect("the deskroster binary");
        c.current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .args(args);
        c
    }

    /// Runs `deskroster solve term -q` and expects success.
    fn solve(&self) {
        self.cmd(&["solve", "term", "-q"]).assert().success();
    }

    /// Every file under the temporary directory with its bytes.
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        snapshot_into(self.dir.path(), self.dir.path(), &mut out);
        out
    }
}

fn snapshot_into(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for entry in fs::read_dir(dir).expect("read folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            snapshot_into(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).expect("under root").to_path_buf();
            out.insert(rel, fs::read(&path).expect("read file"));
        }
    }
}

/// Stderr or stdout as one line: miette wraps long messages and draws a border (`│`) in front
/// of continuation lines.
fn flat(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

/// A minimal RFC 4180 reader: rows of unquoted cells. A UTF-8 BOM is dropped.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// roster.csv as (date, weekday, desk, person, start, end, hours) rows, header dropped.
fn roster_rows(text: &str) -> Vec<Vec<String>> {
    let rows = csv_rows(text);
    assert_eq!(
        rows[0],
        ["date", "weekday", "desk", "person", "start", "end", "hours"]
    );
    rows[1..].to_vec()
}

/// The events of an iCalendar text: each a map from property name (parameters dropped) to value.
fn ics_events(text: &str) -> Vec<BTreeMap<String, String>> {
    // Unfold continuation lines (RFC 5545 3.1).
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut events = Vec::new();
    let mut current: Option<BTreeMap<String, String>> = None;
    for line in unfolded.split("\r\n") {
        match line {
            "BEGIN:VEVENT" => current = Some(BTreeMap::new()),
            "END:VEVENT" => events.push(current.take().expect("END:VEVENT without BEGIN")),
            _ => {
                if let (Some(ev), Some((key, value))) = (current.as_mut(), line.split_once(':')) {
                    let name = key.split(';').next().unwrap_or(key).to_string();
                    ev.insert(name, value.to_string());
                }
            }
        }
    }
    assert!(current.is_none(), "unterminated VEVENT");
    events
}

// ---------------------------------------------------------------------------------------------
// Help and usage
// ---------------------------------------------------------------------------------------------

#[test]
fn help_lists_exit_codes() {
    let f = Fixture::empty();
    let out = f
        .cmd(&["--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8_lossy(&out);
    assert!(help.contains("Exit codes"), "{help}");
    for code in [
        "0  success",
        "1  bad input",
        "2  wrong command-line usage",
        "3  ",
        "4  check",
        "5  ",
    ] {
        assert!(
            help.contains(code),
            "--help lacks exit code {code:?}:\n{help}"
        );
    }
    for sub in ["init", "solve", "check", "absence", "cover", "publish"] {
        assert!(help.contains(sub), "--help lacks subcommand {sub}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let f = Fixture::tiny();
    f.cmd(&["solve"]).assert().code(USAGE);
    f.cmd(&["frobnicate", "term"]).assert().code(USAGE);
    f.cmd(&[
        "absence",
        "term",
        "--person",
        "Ana",
        "--date",
        "next tuesday",
    ])
    .assert()
    .code(USAGE);
    f.cmd(&[
        "absence",
        "term",
        "--person",
        "Ana",
        "--date",
        "2027-01-05",
        "--from",
        "25:00",
    ])
    .assert()
    .code(USAGE);
    f.cmd(&["solve", "term", "--no-such-flag"])
        .assert()
        .code(USAGE);
    assert!(!f.exists("term/out"), "a usage error wrote files");
}

// ---------------------------------------------------------------------------------------------
// init, check, solve
// ---------------------------------------------------------------------------------------------

#[test]
fn init_then_check_then_solve_the_scaffold() {
    let f = Fixture::empty();
    f.cmd(&["init", "scaffold"]).assert().success();
    assert!(f.exists("scaffold/term.toml"));
    let people = fs::read_dir(f.path("scaffold/people"))
        .expect("people folder")
        .count();
    assert!(people >= 2, "the scaffold has {people} people");
    f.cmd(&["check", "scaffold"])
        .assert()
        .success()
        .stderr(predicate::str::contains("the term is valid"));
    f.cmd(&["solve", "scaffold", "-q"]).assert().success();
    for file in ["roster.csv", "coverage.csv", "hours.csv", "report.md"] {
        assert!(
            f.exists(&format!("scaffold/out/{file}")),
            "solve did not write {file}"
        );
    }
    // The solver's roster passes the checker.
    f.cmd(&["check", "scaffold", "--roster", "scaffold/out/roster.csv"])
        .assert()
        .code(0);
    // init never overwrites an existing term.
    f.write("scaffold/term.toml", "# edited\n");
    f.cmd(&["init", "scaffold"]).assert().failure();
    assert_eq!(f.read("scaffold/term.toml"), "# edited\n");
}

#[test]
fn solve_writes_four_files_with_expected_headers() {
    let f = Fixture::tiny();
    f.cmd(&["solve", "term"])
        .assert()
        .success()
        .stderr(predicate::str::contains("shifts written"));
    let roster = roster_rows(&f.read("term/out/roster.csv"));
    assert!(!roster.is_empty());
    let names: BTreeSet<&str> = roster.iter().map(|r| r[3].as_str()).collect();
    assert!(
        names.is_subset(&BTreeSet::from(["Ana", "Ben", "Cy"])),
        "{names:?}"
    );
    // Sorted by date, then desk and start.
    let keys: Vec<(&str, &str)> = roster
        .iter()
        .map(|r| (r[0].as_str(), r[4].as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "roster.csv is not sorted by date and start");
    assert!(roster
        .iter()
        .all(|r| r[0].as_str() >= "2027-01-04" && r[0].as_str() <= "2027-01-10"));

    let coverage = csv_rows(&f.read("term/out/coverage.csv"));
    let head = &coverage[0];
    for col in [
        "desk",
        "date",
        "start",
        "end",
        "min",
        "target",
        "assigned",
        "shortfall",
    ] {
        assert!(
            head.iter().any(|h| h == col),
            "coverage.csv lacks {col}: {head:?}"
        );
    }
    // One row per open slot: 5 days, 09:00-17:00, 30-minute slots.
    assert_eq!(coverage.len() - 1, 5 * 16);
    let short = head
        .iter()
        .position(|h| h == "shortfall")
        .expect("shortfall column");
    assert!(
        coverage[1..].iter().all(|r| r[short] == "0"),
        "the tiny term can be covered"
    );

    let hours = csv_rows(&f.read("term/out/hours.csv"));
    for col in [
        "person",
        "week_start",
        "hours",
        "evenings",
        "weekends",
        "closings",
    ] {
        assert!(
            hours[0].iter().any(|h| h == col),
            "hours.csv lacks {col}: {:?}",
            hours[0]
        );
    }
    let report = f.read("term/out/report.md");
    assert!(report.starts_with("# "), "{report}");
    assert!(report.contains("proven optimal"), "{report}");
}

#[test]
fn same_input_twice_gives_the_same_bytes() {
    let f = Fixture::tiny();
    f.cmd(&["solve", "term", "-q", "-o", "one"])
        .assert()
        .success();
    f.cmd(&["solve", "term", "-q", "-o", "two"])
        .assert()
        .success();
    for file in ["roster.csv", "coverage.csv", "hours.csv"] {
        assert_eq!(
            f.read(&format!("one/{file}")),
            f.read(&format!("two/{file}")),
            "{file} differs between runs"
        );
    }
}

#[test]
fn check_roster_passes_the_solvers_roster_and_catches_hand_edits() {
    let f = Fixture::tiny();
    f.solve();
    f.cmd(&["check", "term", "--roster", "term/out/roster.csv"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("breaks no hard rule"));

    // Ben is only available from 12:00: a hand-made morning shift breaks `availability`.
    let mut edited = f.read("term/out/roster.csv");
    edited.push_str("2027-01-08,Fri,Service Desk,Ben,09:00,11:00,2\n");
    f.write("edited.csv", &edited);
    let before = f.snapshot();
    let out = f
        .cmd(&["check", "term", "--roster", "edited.csv"])
        .assert()
        .code(VIOLATIONS)
        .get_output()
        .clone();
    let text = flat(&out.stdout);
    assert!(text.contains("availability"), "{text}");
    assert!(text.contains("Ben"), "{text}");
    assert_eq!(f.snapshot(), before, "check wrote files");

    // A shift longer than the 5 h maximum breaks `length`.
    let mut long = f.read("term/out/roster.csv");
    long.push_str("2027-01-09,Sat,Service Desk,Ana,09:00,15:00,6\n");
    f.write("long.csv", &long);
    let out = f
        .cmd(&["check", "term", "--roster", "long.csv"])
        .assert()
        .code(VIOLATIONS)
        .get_output()
        .clone();
    let text = flat(&out.stdout);
    assert!(text.contains("opening"), "Saturday is closed: {text}");

    // A row naming nobody of the term is bad input, located by row.
    let rows = f.read("term/out/roster.csv").lines().count();
    let mut unknown = f.read("term/out/roster.csv");
    unknown.push_str("2027-01-08,Fri,Service Desk,Zed,12:00,14:00,2\n");
    f.write("unknown.csv", &unknown);
    let out = f
        .cmd(&["check", "term", "--roster", "unknown.csv"])
        .assert()
        .code(BAD_INPUT)
        .get_output()
        .clone();
    let text = flat(&out.stderr);
    assert!(text.contains(&format!("row {}", rows + 1)), "{text}");
    assert!(text.contains("Zed"), "{text}");
}

#[test]
fn the_sample_term_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut c = Command::cargo_bin("deskroster").expect("binary");
    // The first exam week's targets ask for more than the people may work.
    c.arg("check")
        .arg(root.join("schedules/winter-2027"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: week of 2027-04-12: the coverage targets ask for 175h, the people can work at \
             most 168h (at least 7h below target whatever the roster)",
        ));
}

// ---------------------------------------------------------------------------------------------
// Bad input: located error, exit 1, nothing written
// ---------------------------------------------------------------------------------------------

/// Runs `check` and `solve` on a broken term: both exit 1 with every fragment in stderr, and no
/// file changes (an existing output folder is left as it was, a missing one is not created).
fn assert_bad_input(f: &Fixture, fragments: &[&str]) {
    f.write("term/out/roster.csv", "sentinel: the previous roster\n");
    let before = f.snapshot();
    for args in [
        &["check", "term"][..],
        &["solve", "term"][..],
        &["solve", "term", "-o", "fresh"][..],
    ] {
        let out = f.cmd(args).assert().code(BAD_INPUT).get_output().clone();
        let text = flat(&out.stderr);
        for frag in fragments {
            assert!(
                text.contains(frag),
                "`deskroster {}`: expected {frag:?} in:\n{text}",
                args.join(" ")
            );
        }
        assert_eq!(
            f.snapshot(),
            before,
            "`deskroster {}` changed files",
            args.join(" ")
        );
    }
    assert!(
        !f.exists("fresh"),
        "solve created an output folder for bad input"
    );
}

#[test]
fn bad_toml_syntax() {
    let f = Fixture::tiny();
    f.replace_line("term/term.toml", r#"name = "Tiny""#, r#"name = "Tiny"#);
    assert_bad_input(&f, &["term/term.toml:1:"]);
}

#[test]
fn bad_unknown_key() {
    let f = Fixture::tiny();
    f.replace_line("term/term.toml", "min = 1", "mni = 1");
    assert_bad_input(&f, &["term/term.toml:18:1", "unknown field `mni`"]);
}

#[test]
fn bad_wrong_type() {
    let f = Fixture::tiny();
    f.replace_line("term/term.toml", "min = 1", r#"min = "one""#);
    assert_bad_input(&f, &["term/term.toml:18:7", "invalid type"]);
}

#[test]
fn bad_time_25_00() {
    let f = Fixture::tiny();
    f.replace_line(
        "term/term.toml",
        r#"hours = { weekdays = "09:00-17:00" }"#,
        r#"hours = { weekdays = "09:00-25:00" }"#,
    );
    assert_bad_input(&f, &["term/term.toml:14:", "25:00"]);
}

#[test]
fn bad_end_before_start() {
    let f = Fixture::tiny();
    f.replace_line(
        "term/people/ben.toml",
        r#"weekdays = "12:00-17:00""#,
        r#"weekdays = "17:00-12:00""#,
    );
    assert_bad_input(&f, &["term/people/ben.toml:4:", "ends before it starts"]);
}

#[test]
fn bad_empty_window() {
    let f = Fixture::tiny();
    f.replace_line(
        "term/people/ben.toml",
        r#"weekdays = "12:00-17:00""#,
        r#"weekdays = "12:00-12:00""#,
    );
    assert_bad_input(&f, &["term/people/ben.toml:4:", "empty"]);
}

#[test]
fn bad_overlapping_windows() {
    let f = Fixture::tiny();
    f.append("term/people/ben.toml", "mon = \"15:00-18:00\"\n");
    assert_bad_input(&f, &["term/people/ben.toml:", "overlap"]);
}

#[test]
fn bad_date_outside_the_term() {
    let f = Fixture::tiny();
    f.append(
        "term/people/ana.toml",
        "[[unavailable]]\ndates = 2027-02-01\n",
    );
    assert_bad_input(&f, &["term/people/ana.toml:7:", "outside the term"]);
}

#[test]
fn bad_unknown_desk() {
    let f = Fixture::tiny();
    f.replace_line(
        "term/people/ana.toml",
        r#"group = "staff""#,
        "group = \"staff\"\ndesks = [\"Front Desk\"]",
    );
    assert_bad_input(&f, &["term/people/ana.toml:3:", "Front Desk"]);
}

#[test]
fn bad_unknown_skill() {
    let f = Fixture::tiny();
    f.replace_line(
        "term/people/ana.toml",
        r#"skills = ["keyholder"]"#,
        r#"skills = ["driver"]"#,
    );
    assert_bad_input(&f, &["term/people/ana.toml:3:", "driver"]);
}

#[test]
fn bad_unknown_group() {
    let f = Fixture::tiny();
    f.replace_line(
        "term/people/ben.toml",
        r#"group = "student""#,
        r#"group = "stuff""#,
    );
    assert_bad_input(&f, &["term/people/ben.toml:2:", "unknown group \"stuff\""]);
}

#[test]
fn bad_unknown_person_in_absences() {
    let f = Fixture::tiny();
    f.write(
        "term/absences.toml",
        "[[absence]]\nperson = \"Zed\"\ndate = 2027-01-05\n",
    );
    assert_bad_input(&f, &["term/absences.toml:2:", "Zed"]);
}

#[test]
fn bad_duplicate_person_names() {
    let f = Fixture::tiny();
    f.write(
        "term/people/ben2.toml",
        &BEN.replace("12:00-17:00", "09:00-12:00"),
    );
    assert_bad_input(
        &f,
        &["duplicate person name \"Ben\"", "ben.toml", "ben2.toml"],
    );
}

#[test]
fn bad_zero_duration() {
    let f = Fixture::tiny();
    f.append("term/term.toml", "\n[rules]\nmin_length = \"0h\"\n");
    assert_bad_input(&f, &["term/term.toml:28:", "0h"]);
}

#[test]
fn bad_negative_duration() {
    let f = Fixture::tiny();
    f.replace_line(
        "term/term.toml",
        r#"max_week = "10h""#,
        r#"max_week = "-2h""#,
    );
    assert_bad_input(&f, &["term/term.toml:10:", "-2h"]);
}

#[test]
fn bad_min_above_max() {
    let f = Fixture::tiny();
    f.replace_line("term/term.toml", "min = 1", "min = 3");
    assert_bad_input(&f, &["term/term.toml:", "min 3 is above max 2"]);
}

#[test]
fn bad_contract_min_above_max() {
    let f = Fixture::tiny();
    f.append("term/people/ben.toml", "[contract]\nmin_week = \"12h\"\n");
    assert_bad_input(&f, &["term/people/ben.toml:", "12h"]);
}

#[test]
fn bad_person_with_no_availability() {
    let f = Fixture::tiny();
    f.write(
        "term/people/ben.toml",
        "name = \"Ben\"\ngroup = \"student\"\n[available]\n",
    );
    assert_bad_input(&f, &["term/people/ben.toml", "no availability"]);
}

#[test]
fn bad_person_absent_all_term() {
    let f = Fixture::tiny();
    f.append(
        "term/people/ben.toml",
        "[[unavailable]]\ndates = \"2027-01-04..2027-01-10\"\n",
    );
    assert_bad_input(&f, &["term/people/ben.toml", "no availability"]);
}

#[test]
fn bad_empty_people_folder() {
    let f = Fixture::tiny();
    for p in ["ana", "ben", "cy"] {
        fs::remove_file(f.path(&format!("term/people/{p}.toml"))).expect("remove");
    }
    assert_bad_input(&f, &["people", "no person files"]);
}

#[test]
fn bad_window_off_the_slot_grid() {
    let f = Fixture::tiny();
    f.replace_line(
        "term/people/ben.toml",
        r#"weekdays = "12:00-17:00""#,
        r#"weekdays = "12:15-17:00""#,
    );
    assert_bad_input(&f, &["term/people/ben.toml:4:", "slot grid"]);
}

#[test]
fn bad_slot_length_not_dividing_the_hours() {
    let f = Fixture::tiny();
    // 17:00 is not a multiple of 45 minutes.
    f.replace_line(
        "term/term.toml",
        r#"skills = ["keyholder"]"#,
        "skills = [\"keyholder\"]\nslot = \"45m\"",
    );
    assert_bad_input(&f, &["term/term.toml:", "45"]);
}

#[test]
fn bad_input_cannot_hurt_an_existing_roster() {
    // A real previous roster, not a sentinel: a failed rerun leaves every output as it was.
    let f = Fixture::tiny();
    f.solve();
    let before = f.snapshot();
    f.replace_line("term/term.toml", "min = 1", "mni = 1");
    f.cmd(&["solve", "term", "-q"]).assert().code(BAD_INPUT);
    let mut after = f.snapshot();
    after.remove(Path::new("term/term.toml"));
    let mut before = before;
    before.remove(Path::new("term/term.toml"));
    assert_eq!(after, before);
}

// ---------------------------------------------------------------------------------------------
// CSV formula injection
// ---------------------------------------------------------------------------------------------

/// No cell of any CSV under `dir` would run as a spreadsheet formula.
fn assert_no_formula_cells(f: &Fixture, dir: &str) -> usize {
    let mut checked = 0;
    for (path, bytes) in f.snapshot() {
        if !path.starts_with(dir) || path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let text = String::from_utf8(bytes).expect("CSV is UTF-8");
        for (i, row) in csv_rows(&text).iter().enumerate() {
            for cell in row {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{}: row {}: cell {cell:?} would run as a formula",
                    path.display(),
                    i + 1
                );
            }
        }
        checked += 1;
    }
    checked
}

#[test]
fn formula_like_names_are_neutralised_in_every_csv() {
    let f = Fixture::tiny();
    // "=cmd" is the only person available on Thursday and Friday mornings, so they work.
    f.write(
        "term/people/evil.toml",
        "name = \"=cmd\"\ngroup = \"staff\"\nskills = [\"keyholder\"]\n[available]\n\"thu-fri\" = \"09:00-17:00\"\n",
    );
    f.replace_line(
        "term/people/ana.toml",
        r#"weekdays = "08:00-18:00""#,
        r#""mon-wed" = "08:00-18:00""#,
    );
    f.solve();
    let roster = f.read("term/out/roster.csv");
    assert!(roster.contains("'=cmd"), "{roster}");
    assert!(f.read("term/out/hours.csv").contains("'=cmd"));
    // The neutralised roster reads back as the same person.
    f.cmd(&["check", "term", "--roster", "term/out/roster.csv"])
        .assert()
        .code(0);

    // A sick call of "=cmd" on Friday: changes.csv and conflicts.csv name them.
    f.cmd(&[
        "absence",
        "term",
        "--person",
        "=cmd",
        "--date",
        "2027-01-08",
        "--now",
        "2027-01-07T20:00",
        "-q",
    ])
    .assert()
    .success();
    assert!(
        f.read("term/out/changes.csv").contains("'=cmd"),
        "{}",
        f.read("term/out/changes.csv")
    );
    f.cmd(&["publish", "term", "-q"]).assert().success();
    assert!(f
        .read("term/out/publish/payroll-hours.csv")
        .contains("'=cmd"));
    let n = assert_no_formula_cells(&f, "term/out");
    assert!(n >= 6, "only {n} CSV files checked");
}

// ---------------------------------------------------------------------------------------------
// Sick calls
// ---------------------------------------------------------------------------------------------

/// (date, start) of a roster row, comparable with a `--now` value `YYYY-MM-DDTHH:MM`.
fn row_start(r: &[String]) -> String {
    format!("{}T{}", r[0], r[4])
}

#[test]
fn sick_call_repairs_the_roster_and_keeps_history() {
    let f = Fixture::tiny();
    f.solve();
    let before_text = f.read("term/out/roster.csv");
    let before = roster_rows(&before_text);
    // A day Ana works on Tuesday or Wednesday, when Cy (a keyholder) and Ben can cover for her.
    let day = before
        .iter()
        .find(|r| r[3] == "Ana" && (r[0] == "2027-01-05" || r[0] == "2027-01-06"))
        .map(|r| r[0].clone())
        .expect("Ana works on Tuesday or Wednesday");
    let now = "2027-01-04T12:00";
    let absences_before = if f.exists("term/absences.toml") {
        f.read("term/absences.toml")
    } else {
        String::new()
    };

    f.cmd(&[
        "absence", "term", "--person", "Ana", "--date", &day, "--now", now, "--reason", "flu",
    ])
    .assert()
    .success()
    .stderr(predicate::str::contains("change(s)"));

    // Recorded in absences.toml.
    let absences = f.read("term/absences.toml");
    assert!(absences.len() > absences_before.len());
    assert!(
        absences.contains("Ana") && absences.contains(&day) && absences.contains("flu"),
        "{absences}"
    );

    // The previous roster is kept in history/.
    let history: Vec<PathBuf> = fs::read_dir(f.path("term/out/history"))
        .expect("out/history")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(
        fs::read_to_string(&history[0]).expect("history"),
        before_text
    );

    // Ana has no shift that day; nothing that started before --now moved.
    let after = roster_rows(&f.read("term/out/roster.csv"));
    assert!(
        !after.iter().any(|r| r[3] == "Ana" && r[0] == day),
        "Ana still works on {day}"
    );
    let past = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
        rows.iter()
            .filter(|r| row_start(r).as_str() < now)
            .cloned()
            .collect()
    };
    assert_eq!(past(&before), past(&after), "shifts before --now changed");

    // The day is still covered: no shortfall.
    let coverage = csv_rows(&f.read("term/out/coverage.csv"));
    let short = coverage[0]
        .iter()
        .position(|h| h == "shortfall")
        .expect("shortfall column");
    assert!(
        coverage[1..].iter().all(|r| r[short] == "0"),
        "a hole was left"
    );

    // changes.csv lists the removal; conflicts.md and .csv exist.
    let changes = csv_rows(&f.read("term/out/changes.csv"));
    assert_eq!(
        changes[0],
        ["person", "date", "desk", "before", "after", "kind"]
    );
    assert!(
        changes[1..]
            .iter()
            .any(|r| r[0] == "Ana" && r[1] == day && r[5] == "removed"),
        "{changes:?}"
    );
    assert!(
        changes[1..].iter().any(|r| r[0] != "Ana"),
        "nobody was called in: {changes:?}"
    );
    assert!(f.exists("term/out/conflicts.md") && f.exists("term/out/conflicts.csv"));
    assert!(f.read("term/out/conflicts.md").contains("Whom to call"));

    // The repaired roster passes the checker.
    f.cmd(&["check", "term", "--roster", "term/out/roster.csv"])
        .assert()
        .code(0);

    // The same absence again: the roster stays exactly the same.
    let repaired = f.read("term/out/roster.csv");
    f.cmd(&[
        "absence", "term", "--person", "Ana", "--date", &day, "--now", now, "-q",
    ])
    .assert()
    .success();
    assert_eq!(
        f.read("term/out/roster.csv"),
        repaired,
        "a repeated absence changed the roster"
    );
    let changes = csv_rows(&f.read("term/out/changes.csv"));
    assert_eq!(
        changes.len(),
        1,
        "a repeated absence made changes: {changes:?}"
    );

    // Taking it back: no entry of Ana left, and the roster still has no hole.
    f.cmd(&[
        "absence", "term", "--person", "Ana", "--date", &day, "--now", now, "--remove", "-q",
    ])
    .assert()
    .success();
    assert!(
        !f.read("term/absences.toml").contains("Ana"),
        "{}",
        f.read("term/absences.toml")
    );
    let coverage = csv_rows(&f.read("term/out/coverage.csv"));
    assert!(
        coverage[1..].iter().all(|r| r[short] == "0"),
        "a hole after --remove"
    );
    f.cmd(&["check", "term", "--roster", "term/out/roster.csv"])
        .assert()
        .code(0);
    // Removing it again finds nothing to remove.
    f.cmd(&[
        "absence", "term", "--person", "Ana", "--date", &day, "--now", now, "--remove", "-q",
    ])
    .assert()
    .code(BAD_INPUT);
}

#[test]
fn sick_call_that_leaves_a_hole_is_reported_and_remove_restores_coverage() {
    // Only Ana can open: without her the opening keyholder slot is a hole.
    let f = Fixture::tiny();
    f.replace_line(
        "term/people/cy.toml",
        r#"skills = ["keyholder"]"#,
        "skills = []",
    );
    f.solve();
    f.cmd(&[
        "absence",
        "term",
        "--person",
        "Ana",
        "--date",
        "2027-01-06",
        "--now",
        "2027-01-05T20:00",
        "-q",
    ])
    .assert()
    .success();
    let md = f.read("term/out/conflicts.md");
    assert!(md.contains("keyholder"), "{md}");
    let conflicts = csv_rows(&f.read("term/out/conflicts.csv"));
    assert!(conflicts.len() > 1, "no conflict rows: {conflicts:?}");
    assert!(
        conflicts[1..].iter().all(|r| r[1] == "2027-01-06"),
        "{conflicts:?}"
    );
    f.cmd(&[
        "absence",
        "term",
        "--person",
        "Ana",
        "--date",
        "2027-01-06",
        "--now",
        "2027-01-05T20:00",
        "--remove",
        "-q",
    ])
    .assert()
    .success();
    // Ana is back: the hole is filled.
    let coverage = csv_rows(&f.read("term/out/coverage.csv"));
    let short = coverage[0]
        .iter()
        .position(|h| h == "shortfall")
        .expect("shortfall column");
    assert!(
        coverage[1..].iter().all(|r| r[short] == "0"),
        "the hole was not filled after --remove"
    );
}

#[test]
fn sick_call_in_the_middle_of_a_shift_keeps_the_hours_worked() {
    // "Leaves at ...": the shift already started is cut where the person left, the rest is
    // covered by someone else.
    let f = Fixture::tiny();
    f.solve();
    let before = roster_rows(&f.read("term/out/roster.csv"));
    let shift = before
        .iter()
        .find(|r| {
            r[3] == "Ana"
                && r[0].as_str() > "2027-01-04"
                && r[5].as_str() >= "12:00"
                && r[4].as_str() <= "10:00"
        })
        .or_else(|| {
            before
                .iter()
                .find(|r| r[3] == "Ana" && r[0].as_str() > "2027-01-04")
        })
        .expect("Ana works after Monday")
        .clone();
    // Leave one hour after the start: the hour worked is history.
    let (h, m) = shift[4].split_once(':').expect("HH:MM");
    let leave = format!("{:02}:{m}", h.parse::<u32>().expect("hour") + 1);
    let now = format!("{}T{leave}", shift[0]);
    let out = f
        .cmd(&[
            "absence", "term", "--person", "Ana", "--date", &shift[0], "--from", &leave, "--now",
            &now,
        ])
        .assert()
        .get_output()
        .clone();
    assert!(
        out.status.success(),
        "a sick call in the middle of {shift:?} failed with {:?}: {}",
        out.status.code(),
        flat(&out.stderr)
    );
    let after = roster_rows(&f.read("term/out/roster.csv"));
    let mut cut = shift.clone();
    cut[5] = leave.clone();
    cut[6] = "1".into();
    assert!(
        after.contains(&cut),
        "the hour Ana worked is gone: {after:?}"
    );
    assert!(
        !after
            .iter()
            .any(|r| r[3] == "Ana" && r[0] == shift[0] && r[5] > leave),
        "Ana still works after leaving: {after:?}"
    );
}

/// A roster edited by hand past Ben's weekly cap (20 h against 10 h): a sick call in that week
/// still gets its repair (exit 4, the breach named), and the repair adds nothing to Ben. Before,
/// the cap's row had a negative right-hand side and the answer was "no roster satisfies the hard
/// rules" (exit 3).
#[test]
fn sick_call_on_a_roster_edited_past_a_cap_still_repairs() {
    let f = Fixture::tiny();
    f.solve();
    let header = f
        .read("term/out/roster.csv")
        .lines()
        .next()
        .expect("a header")
        .to_string();
    let mut text = header + "\n";
    for (date, day) in [
        ("2027-01-04", "Mon"),
        ("2027-01-05", "Tue"),
        ("2027-01-06", "Wed"),
        ("2027-01-07", "Thu"),
        ("2027-01-08", "Fri"),
    ] {
        text += &format!("{date},{day},Service Desk,Ana,09:00,13:00,4\n");
        text += &format!("{date},{day},Service Desk,Ben,13:00,17:00,4\n");
    }
    f.write("term/out/roster.csv", &text);
    let out = f
        .cmd(&[
            "absence",
            "term",
            "--person",
            "Ana",
            "--date",
            "2027-01-07",
            "--now",
            "2027-01-06T20:00",
        ])
        .assert()
        .code(VIOLATIONS)
        .get_output()
        .clone();
    let err = flat(&out.stderr);
    assert!(err.contains("already broke a hard rule"), "{err}");
    assert!(err.contains("10h weekly cap"), "{err}");
    let after = roster_rows(&f.read("term/out/roster.csv"));
    assert!(
        !after.iter().any(|r| r[3] == "Ana" && r[0] == "2027-01-07"),
        "{after:?}"
    );
    let ben: Vec<&Vec<String>> = after.iter().filter(|r| r[3] == "Ben").collect();
    assert_eq!(ben.len(), 5, "{ben:?}");
    assert!(
        ben.iter().all(|r| r[4] == "13:00" && r[5] == "17:00"),
        "{ben:?}"
    );
}

/// Ana must work 25 hours over the (one-week) term; sick from Thursday on, she cannot: the sick
/// call still gets its repair (exit 0: exit 4 is for a breach the roster already had), and the
/// shortfall is named, by the sick call and by `check`.
#[test]
fn sick_call_that_puts_a_term_minimum_out_of_reach_still_repairs() {
    let f = Fixture::tiny();
    f.append("term/people/ana.toml", "[contract]\nmin_term = \"25h\"\n");
    f.solve();
    let out = f
        .cmd(&[
            "absence",
            "term",
            "--person",
            "Ana",
            "--date",
            "2027-01-07",
            "--until",
            "2027-01-08",
            "--now",
            "2027-01-06T20:00",
        ])
        .assert()
        .get_output()
        .clone();
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        flat(&out.stderr)
    );
    let after = roster_rows(&f.read("term/out/roster.csv"));
    assert!(
        !after
            .iter()
            .any(|r| r[3] == "Ana" && r[0].as_str() >= "2027-01-07"),
        "{after:?}"
    );
    let err = flat(&out.stderr);
    assert!(
        err.contains(
            "no roster can keep a hard rule: Ana works 15h over the term, below the 25h term minimum"
        ),
        "{err}"
    );
    let checked = f
        .cmd(&["check", "term", "--roster", "term/out/roster.csv"])
        .assert()
        .code(VIOLATIONS)
        .get_output()
        .clone();
    assert!(
        flat(&checked.stdout).contains("below the 25h term minimum"),
        "{}",
        flat(&checked.stdout)
    );
}

#[test]
fn absence_without_a_shift_is_a_clear_no_op() {
    let f = Fixture::tiny();
    f.solve();
    let roster = f.read("term/out/roster.csv");
    // Cy never works on Thursdays.
    f.cmd(&[
        "absence",
        "term",
        "--person",
        "Cy",
        "--date",
        "2027-01-07",
        "--now",
        "2027-01-04T08:00",
    ])
    .assert()
    .success()
    .stderr(predicate::str::contains("has no shift during this absence"));
    assert_eq!(f.read("term/out/roster.csv"), roster, "the roster changed");
    assert_eq!(
        csv_rows(&f.read("term/out/changes.csv")).len(),
        1,
        "changes.csv lists changes"
    );
}

#[test]
fn bad_absences_change_nothing() {
    let f = Fixture::tiny();
    // Before any solve there is no roster to repair.
    f.cmd(&["absence", "term", "--person", "Ana", "--date", "2027-01-05"])
        .assert()
        .code(BAD_INPUT)
        .stderr(predicate::str::contains("solve"));
    assert!(
        !f.exists("term/absences.toml"),
        "absences.toml written without a roster"
    );
    f.solve();
    f.write("term/absences.toml", "# sick calls\n");
    let before = f.snapshot();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--person", "Zed", "--date", "2027-01-05"],
            "unknown person",
        ),
        (
            &["--person", "Ana", "--date", "2027-03-05"],
            "outside the term",
        ),
        (
            &[
                "--person",
                "Ana",
                "--date",
                "2027-01-05",
                "--until",
                "2027-01-20",
            ],
            "outside the term",
        ),
        (
            &[
                "--person",
                "Ana",
                "--date",
                "2027-01-05",
                "--from",
                "15:00",
                "--to",
                "09:00",
            ],
            "ends before it starts",
        ),
    ];
    for (args, msg) in cases {
        let mut all = vec!["absence", "term"];
        all.extend_from_slice(args);
        let out = f.cmd(&all).assert().code(BAD_INPUT).get_output().clone();
        let text = flat(&out.stderr);
        assert!(text.contains(msg), "{args:?}: expected {msg:?} in {text}");
        assert_eq!(f.snapshot(), before, "{args:?} changed files");
    }
}

#[test]
fn cover_prints_a_ranked_list() {
    let f = Fixture::tiny();
    f.solve();
    let before = f.snapshot();
    let out = f
        .cmd(&[
            "cover",
            "term",
            "--date",
            "2027-01-07",
            "--from",
            "12:00",
            "--to",
            "14:00",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let ranked: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    if ranked.is_empty() {
        assert!(text.contains("Nobody can take"), "{text}");
    } else {
        for (i, line) in ranked.iter().enumerate() {
            assert!(
                line.trim_start().starts_with(&format!("{}.", i + 1)),
                "rank {} out of order:\n{text}",
                i + 1
            );
        }
        // Cy is not available on Thursdays: never proposed.
        assert!(!text.contains("Cy"), "{text}");
    }
    assert_eq!(f.snapshot(), before, "cover changed files");
    // Unknown desk and a date outside the term are bad input.
    f.cmd(&[
        "cover",
        "term",
        "--date",
        "2027-01-07",
        "--from",
        "12:00",
        "--to",
        "14:00",
        "--desk",
        "Chat",
    ])
    .assert()
    .code(BAD_INPUT);
    f.cmd(&[
        "cover",
        "term",
        "--date",
        "2027-02-07",
        "--from",
        "12:00",
        "--to",
        "14:00",
    ])
    .assert()
    .code(BAD_INPUT);
}

// ---------------------------------------------------------------------------------------------
// Publishing
// ---------------------------------------------------------------------------------------------

#[test]
fn publish_writes_calendars_week_view_json_and_payroll() {
    let f = Fixture::tiny();
    f.solve();
    f.cmd(&["publish", "term", "-q"]).assert().success();
    let roster = roster_rows(&f.read("term/out/roster.csv"));
    let mut events = 0;
    for person in ["ana", "ben", "cy"] {
        let ics = f.read(&format!("term/out/publish/calendars/{person}.ics"));
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{person}.ics");
        assert!(
            ics.contains("BEGIN:VTIMEZONE"),
            "{person}.ics has no VTIMEZONE"
        );
        events += ics_events(&ics).len();
    }
    assert_eq!(events, roster.len(), "one event per shift");
    let html = f.read("term/out/publish/week.html");
    assert!(html.contains("<table") && html.contains("Ana"), "week.html");
    let json: serde_json::Value =
        serde_json::from_str(&f.read("term/out/publish/result.json")).expect("JSON");
    assert_eq!(
        json["roster"].as_array().map(Vec::len),
        Some(roster.len()),
        "result.json roster"
    );
    let payroll = csv_rows(&f.read("term/out/publish/payroll-hours.csv"));
    assert!(
        payroll[0].iter().any(|h| h == "person") && payroll[0].iter().any(|h| h == "hours"),
        "{:?}",
        payroll[0]
    );
    assert!(payroll[1..].iter().any(|r| r[0] == "Ana"));
}

#[test]
fn publish_after_a_sick_call_cancels_instead_of_duplicating() {
    let f = Fixture::tiny();
    f.solve();
    f.cmd(&["publish", "term", "-q"]).assert().success();
    let first = ics_events(&f.read("term/out/publish/calendars/ana.ics"));
    let roster = roster_rows(&f.read("term/out/roster.csv"));
    let day = roster
        .iter()
        .rev()
        .find(|r| r[3] == "Ana")
        .map(|r| r[0].clone())
        .expect("Ana works");
    let compact = day.replace('-', "");
    let gone: Vec<String> = first
        .iter()
        .filter(|e| e.get("DTSTART").is_some_and(|d| d.starts_with(&compact)))
        .map(|e| e["UID"].clone())
        .collect();
    assert!(!gone.is_empty(), "no event of Ana on {day}");

    f.cmd(&[
        "absence",
        "term",
        "--person",
        "Ana",
        "--date",
        &day,
        "--now",
        "2027-01-04T00:00",
        "-q",
    ])
    .assert()
    .success();
    f.cmd(&["publish", "term", "-q"]).assert().success();
    for person in ["ana", "ben", "cy"] {
        let events = ics_events(&f.read(&format!("term/out/publish/calendars/{person}.ics")));
        let uids: Vec<&String> = events.iter().map(|e| &e["UID"]).collect();
        let unique: BTreeSet<&String> = uids.iter().copied().collect();
        assert_eq!(
            uids.len(),
            unique.len(),
            "{person}.ics has duplicate UIDs: {uids:?}"
        );
    }
    let second = ics_events(&f.read("term/out/publish/calendars/ana.ics"));
    for uid in &gone {
        let ev = second
            .iter()
            .find(|e| &e["UID"] == uid)
            .unwrap_or_else(|| panic!("{uid} vanished instead of being cancelled"));
        assert_eq!(
            ev.get("STATUS").map(String::as_str),
            Some("CANCELLED"),
            "{uid}: {ev:?}"
        );
        let seq: u32 = ev.get("SEQUENCE").and_then(|s| s.parse().ok()).unwrap_or(0);
        assert!(
            seq > 0,
            "{uid}: a cancellation needs a higher SEQUENCE: {ev:?}"
        );
    }
    // Every event of the first publication is still present (kept, updated or cancelled).
    for e in &first {
        assert!(
            second.iter().any(|s| s["UID"] == e["UID"]),
            "{} dropped",
            e["UID"]
        );
    }
}

#[test]
fn publish_rejects_a_roster_that_does_not_match_the_term() {
    let f = Fixture::tiny();
    f.solve();
    let mut roster = f.read("term/out/roster.csv");
    let rows = roster.lines().count();
    roster.push_str("2027-01-08,Fri,Front Desk,Ana,12:00,14:00,2\n");
    f.write("term/out/roster.csv", &roster);
    let before = f.snapshot();
    let out = f
        .cmd(&["publish", "term"])
        .assert()
        .code(BAD_INPUT)
        .get_output()
        .clone();
    let text = flat(&out.stderr);
    assert!(
        text.contains(&format!("row {}", rows + 1)) && text.contains("Front Desk"),
        "{text}"
    );
    assert_eq!(f.snapshot(), before, "publish wrote files for a bad roster");
}

#[test]
fn each_changed_publication_raises_the_sequence() {
    let f = Fixture::tiny();
    f.solve();
    f.cmd(&["publish", "term", "-q"]).assert().success();
    assert_eq!(f.read("term/out/publish/revision.txt").trim(), "0");
    // Republishing an unchanged roster keeps the revision.
    f.cmd(&["publish", "term", "-q"]).assert().success();
    assert_eq!(f.read("term/out/publish/revision.txt").trim(), "0");
    let roster = roster_rows(&f.read("term/out/roster.csv"));
    let days: Vec<String> = roster
        .iter()
        .filter(|r| r[3] == "Ana")
        .map(|r| r[0].clone())
        .collect();
    let mut days: Vec<String> = days
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(days.len() >= 2, "Ana works on at least two days: {days:?}");
    let second_day = days.pop().expect("a day");
    let first_day = days.pop().expect("another day");
    let max_seq = |f: &Fixture| {
        ics_events(&f.read("term/out/publish/calendars/ana.ics"))
            .iter()
            .filter_map(|e| e.get("SEQUENCE").and_then(|s| s.parse::<u32>().ok()))
            .max()
            .unwrap_or(0)
    };
    for (round, day) in [first_day, second_day].iter().enumerate() {
        f.cmd(&[
            "absence",
            "term",
            "--person",
            "Ana",
            "--date",
            day,
            "--now",
            "2027-01-04T00:00",
            "-q",
        ])
        .assert()
        .success();
        f.cmd(&["publish", "term", "-q"]).assert().success();
        let revision: u32 = f
            .read("term/out/publish/revision.txt")
            .trim()
            .parse()
            .expect("a number");
        assert_eq!(revision, round as u32 + 1);
        assert_eq!(
            max_seq(&f),
            revision,
            "the latest changes carry the latest revision"
        );
    }
}

#[test]
fn export_model_writes_an_integer_program() {
    let f = Fixture::tiny();
    for name in ["model.mps", "model.lp"] {
        f.cmd(&["solve", "term", "-q", "--export-model", name])
            .assert()
            .success();
        let text = f.read(name);
        match name {
            "model.mps" => assert!(text.contains("ROWS") && text.contains("COLUMNS"), "{name}"),
            _ => assert!(text.contains("min") && text.contains("st"), "{name}"),
        }
        // Next to it, what every shift column means.
        let map = f.read("model.columns.csv");
        let mut lines = map.lines();
        assert_eq!(lines.next(), Some("column,person,desk,date,start,end"));
        let first: Vec<&str> = lines.next().expect("a column").split(',').collect();
        assert_eq!(first.len(), 6, "{first:?}");
        assert!(
            first[0].starts_with('c') && first[3].starts_with("20"),
            "{first:?}"
        );
        assert!(
            text.contains(first[0]),
            "{} is not a column of {name}",
            first[0]
        );
    }
}
