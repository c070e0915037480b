//! One function per subcommand.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use clap::Args;
use deskroster::capacity;
use deskroster::check::{check as check_roster, fmt_duration};
use deskroster::input::{self, Absence, InputError, Term};
use deskroster::model::{Problem, Roster};
use deskroster::output::{self, OutputFile};
use deskroster::repair::{self, RepairOptions};
use deskroster::solve::{solve_with_progress, SolveError, SolveOptions};
use deskroster::{explain, publish, roster_csv};
use indicatif::{ProgressBar, ProgressStyle};

use crate::files::{keep_history, write_all};
use crate::Exit;

/// A failure to report: what to print and the exit code.
pub struct Failure {
    /// Printed with miette's graphical handler.
    pub report: miette::Report,
    /// Exit code.
    pub code: Exit,
}

type Outcome = Result<Exit, Failure>;

fn fail(code: Exit, msg: impl Into<String>) -> Failure {
    Failure {
        report: miette::miette!("{}", msg.into()),
        code,
    }
}

fn input_failure(e: InputError) -> Failure {
    Failure {
        report: miette::Report::new(e),
        code: Exit::BadInput,
    }
}

fn solve_failure(e: SolveError) -> Failure {
    let code = match e {
        SolveError::Invalid(_) => Exit::BadInput,
        _ => Exit::NoRoster,
    };
    fail(code, e.to_string())
}

fn load(term: &Path) -> Result<Term, Failure> {
    input::load_term(term).map_err(input_failure)
}

fn say(quiet: bool, msg: impl AsRef<str>) {
    if !quiet {
        eprintln!("{}", msg.as_ref());
    }
}

/// Arguments of `deskroster init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the example term in (created if missing; an existing term.toml is never
    /// overwritten).
    dir: PathBuf,
}

pub fn init(a: InitArgs, quiet: bool) -> Outcome {
    input::scaffold(&a.dir).map_err(input_failure)?;
    say(
        quiet,
        format!(
            "wrote an example term to {}; edit it, then run: deskroster solve {}",
            a.dir.display(),
            a.dir.display()
        ),
    );
    Ok(Exit::Ok)
}

/// Solver settings shared by the commands that solve.
#[derive(Debug, Args, Clone)]
pub struct SolverArgs {
    /// Stop after this many seconds and keep the best roster found (its gap is reported).
    #[arg(long, value_name = "SECONDS")]
    time_limit: Option<f64>,
    /// Accept a roster proven within this relative gap of optimal (0.0001 = 0.01%).
    #[arg(long, default_value_t = 1e-4, value_name = "FRACTION")]
    gap: f64,
    /// Weeks solved at the same time, one solver thread each [default: the number of cores].
    /// The roster does not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
}

impl SolverArgs {
    fn options(&self) -> SolveOptions {
        let default = SolveOptions::default();
        SolveOptions {
            time_limit: self.time_limit,
            gap: self.gap,
            threads: self.threads.unwrap_or(default.threads),
            ..default
        }
    }
}

/// Arguments of `deskroster solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The term folder (term.toml, people/*.toml, optional absences.toml).
    term: PathBuf,
    /// Output folder [default: <term>/out].
    #[arg(short, long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    solver: SolverArgs,
    /// Also write the whole-term integer program to FILE (.mps or .lp) for inspection or for
    /// another solver.
    #[arg(long, value_name = "FILE")]
    export_model: Option<PathBuf>,
    /// Solve the term as one model even when its weeks are independent (slower; for checking).
    #[arg(long)]
    no_decompose: bool,
}

fn out_dir(term: &Path, out: &Option<PathBuf>) -> PathBuf {
    out.clone().unwrap_or_else(|| term.join("out"))
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

fn run_solve(
    problem: &Problem,
    options: &SolveOptions,
    quiet: bool,
) -> Result<deskroster::solve::Solution, Failure> {
    let pb = progress_bar(quiet);
    let result = solve_with_progress(problem, options, &mut |p| {
        pb.set_message(format!(
            "{} — {}/{} blocks, objective {:.1}, bound {:.1}",
            p.stage, p.done, p.total, p.objective, p.bound
        ));
    });
    pb.finish_and_clear();
    result.map_err(solve_failure)
}

/// Re-checks a solved roster: hard rules hold and the checker's total equals the objective.
fn verify(
    problem: &Problem,
    roster: &Roster,
    objective: f64,
) -> Result<deskroster::check::Report, Failure> {
    let report = check_roster(problem, roster);
    if !report.violations.is_empty() {
        let list: Vec<String> = report
            .violations
            .iter()
            .take(5)
            .map(|v| v.message.clone())
            .collect();
        return Err(fail(
            Exit::Internal,
            format!(
                "internal error: the solver's roster breaks hard rules: {}",
                list.join("; ")
            ),
        ));
    }
    let total = report.penalties.total();
    if (total - objective).abs() > 1e-6 * objective.abs().max(1.0) {
        return Err(fail(
            Exit::Internal,
            format!("internal error: the checker's penalty total {total:.6} differs from the solver's objective {objective:.6}"),
        ));
    }
    Ok(report)
}

pub fn solve(a: SolveArgs, quiet: bool) -> Outcome {
    let term = load(&a.term)?;
    let mut options = a.solver.options();
    options.export_model = a.export_model.clone();
    options.no_decompose = a.no_decompose;
    let solution = run_solve(&term.problem, &options, quiet)?;
    let report = verify(&term.problem, &solution.roster, solution.summary.objective)?;
    let files = output::solve_outputs(
        &term.problem,
        &solution.roster,
        Some(&solution.summary),
        &report,
    )
    .map_err(|e| fail(Exit::Internal, e.to_string()))?;
    let dir = out_dir(&a.term, &a.out);
    keep_history(&dir, &dir.join("roster.csv"), &stamp()).map_err(|e| fail(Exit::Internal, e))?;
    write_all(&dir, &files).map_err(|e| fail(Exit::Internal, e))?;
    let holes = report
        .shortfalls
        .iter()
        .filter(|s| output::is_hole(&term.problem, s))
        .count();
    let s = &solution.summary;
    say(
        quiet,
        format!(
            "{} shifts written to {} — objective {:.2}, {} ({:.3}% gap) in {:.1} s; {}",
            solution.roster.shifts.len(),
            dir.display(),
            s.objective,
            if s.proven_optimal {
                "proven optimal"
            } else {
                "not proven optimal"
            },
            s.gap * 100.0,
            s.seconds,
            if holes == 0 {
                "no coverage holes".to_string()
            } else {
                format!("{holes} coverage hole(s): see report.md")
            }
        ),
    );
    Ok(Exit::Ok)
}

fn stamp() -> String {
    chrono::Local::now().format("%Y%m%dT%H%M%S").to_string()
}

/// Arguments of `deskroster check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The term folder.
    term: PathBuf,
    /// A roster CSV to validate against the term (e.g. one edited by hand).
    #[arg(long)]
    roster: Option<PathBuf>,
}

fn read_roster_file(problem: &Problem, path: &Path) -> Result<Roster, Failure> {
    let f = std::fs::File::open(path).map_err(|e| {
        fail(
            Exit::BadInput,
            format!("{}: cannot read: {e}", path.display()),
        )
    })?;
    roster_csv::read_roster(problem, f, &path.display().to_string()).map_err(|e| Failure {
        report: miette::Report::new(e),
        code: Exit::BadInput,
    })
}

pub fn check(a: CheckArgs, quiet: bool) -> Outcome {
    let term = load(&a.term)?;
    let p = &term.problem;
    let Some(path) = a.roster else {
        say(
            quiet,
            format!(
                "{}: the term is valid: {} days, {} desks, {} people, {} absences",
                a.term.display(),
                p.days.len(),
                p.desks.len(),
                p.people.len(),
                term.absences.len()
            ),
        );
        for w in capacity::weekly(p).iter().filter(|w| w.unavoidable() > 0) {
            say(
                quiet,
                format!(
                    "note: week of {}: the coverage targets ask for {}, the people can work at \
                     most {} (at least {} below target whatever the roster)",
                    p.days[w.first_day],
                    fmt_duration(w.target),
                    fmt_duration(w.most),
                    fmt_duration(w.unavoidable())
                ),
            );
        }
        return Ok(Exit::Ok);
    };
    let roster = read_roster_file(p, &path)?;
    let report = check_roster(p, &roster);
    if !quiet {
        for v in &report.violations {
            println!("{}: {}", v.rule.as_str(), v.message);
        }
        for s in report.shortfalls.iter().filter(|s| output::is_hole(p, s)) {
            println!("hole: {}", output::describe_shortfall(p, s));
        }
        println!("penalty total {:.2}", report.penalties.total());
    }
    if report.violations.is_empty() {
        say(
            quiet,
            format!("{}: the roster breaks no hard rule", path.display()),
        );
        Ok(Exit::Ok)
    } else {
        say(
            quiet,
            format!(
                "{}: {} hard-rule breach(es)",
                path.display(),
                report.violations.len()
            ),
        );
        Ok(Exit::Violations)
    }
}

fn parse_hm(s: &str) -> Result<u32, String> {
    let t = NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|_| format!("expected a time like 15:00, got {s:?}"))?;
    Ok(chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t))
}

fn parse_end(s: &str) -> Result<u32, String> {
    if s == "24:00" {
        Ok(1440)
    } else {
        parse_hm(s)
    }
}

fn parse_now(s: &str) -> Result<NaiveDateTime, String> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .map_err(|_| format!("expected a date and time like 2027-02-03T14:30, got {s:?}"))
}

/// Arguments of `deskroster absence`.
#[derive(Debug, Args)]
pub struct AbsenceArgs {
    /// The term folder.
    term: PathBuf,
    /// Who is absent (as in their people file).
    #[arg(long)]
    person: String,
    /// First (or only) date of the absence.
    #[arg(long)]
    date: NaiveDate,
    /// Last date, for an absence of several days.
    #[arg(long, value_name = "DATE")]
    until: Option<NaiveDate>,
    /// Leaves at this time (HH:MM).
    #[arg(long, value_parser = parse_hm)]
    from: Option<u32>,
    /// Back at this time (HH:MM).
    #[arg(long, value_parser = parse_end)]
    to: Option<u32>,
    /// Why (kept in absences.toml).
    #[arg(long)]
    reason: Option<String>,
    /// Take the absence back instead of recording it.
    #[arg(long)]
    remove: bool,
    /// Shifts that started before this moment are history and never change
    /// [default: the current time]. Format 2027-02-03T14:30.
    #[arg(long, value_parser = parse_now)]
    now: Option<NaiveDateTime>,
    /// Output folder holding the current roster.csv [default: <term>/out].
    #[arg(short, long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    solver: SolverArgs,
}

pub fn absence(a: AbsenceArgs, quiet: bool) -> Outcome {
    // Validate against the term before touching absences.toml.
    let before = load(&a.term)?;
    let absence = Absence {
        person: a.person.clone(),
        first: a.date,
        last: a.until.unwrap_or(a.date),
        from: a.from,
        to: a.to,
        reason: a.reason.clone(),
    };
    absence
        .check(&before.problem)
        .map_err(|m| fail(Exit::BadInput, m))?;
    let dir = out_dir(&a.term, &a.out);
    let roster_path = dir.join("roster.csv");
    if !roster_path.exists() {
        return Err(fail(
            Exit::BadInput,
            format!(
                "{}: no current roster; run `deskroster solve {}` first",
                roster_path.display(),
                a.term.display()
            ),
        ));
    }
    let current = read_roster_file(&before.problem, &roster_path)?;
    let person = before.problem.person_index(&a.person).unwrap_or(usize::MAX);
    if !a.remove {
        let hits = repair::shifts_hit(&before.problem, &current, person, &absence);
        if hits.is_empty() {
            say(
                quiet,
                format!(
                    "{} has no shift during this absence; it is recorded, the roster is unchanged",
                    a.person
                ),
            );
        }
    }
    // absences.toml as it was, put back if anything after the edit fails: a failed rerun never
    // leaves an absence recorded without the roster that accounts for it.
    let absences_path = a.term.join("absences.toml");
    let saved = std::fs::read(&absences_path).ok();
    if a.remove {
        let n = input::remove_absence(&a.term, &absence).map_err(input_failure)?;
        if n == 0 {
            return Err(fail(
                Exit::BadInput,
                format!(
                    "no matching absence of {} on {} to remove",
                    a.person, a.date
                ),
            ));
        }
    } else if before.absences.iter().any(|b| {
        (&b.person, b.first, b.last, b.from, b.to)
            == (
                &absence.person,
                absence.first,
                absence.last,
                absence.from,
                absence.to,
            )
    }) {
        say(
            quiet,
            format!(
                "this absence of {} is already recorded; rechecking the roster",
                a.person
            ),
        );
    } else {
        input::append_absence(&a.term, &absence).map_err(input_failure)?;
    }
    let outcome = repair_and_write(&a, quiet, &current, &dir, &roster_path);
    if outcome.is_err() {
        let restored = match saved {
            Some(bytes) => write_all(
                &a.term,
                &[OutputFile {
                    name: "absences.toml".into(),
                    contents: bytes,
                }],
            ),
            None => std::fs::remove_file(&absences_path).map_err(|e| e.to_string()),
        };
        if let Err(e) = restored {
            eprintln!(
                "warning: could not restore {}: {e}",
                absences_path.display()
            );
        }
    }
    outcome
}

fn repair_and_write(
    a: &AbsenceArgs,
    quiet: bool,
    current: &Roster,
    dir: &Path,
    roster_path: &Path,
) -> Outcome {
    let term = load(&a.term)?;
    let now = a.now.unwrap_or_else(|| chrono::Local::now().naive_local());
    let options = RepairOptions {
        now,
        solve: a.solver.options(),
        ..RepairOptions::default()
    };
    let pb = progress_bar(quiet);
    pb.set_message("repairing the roster");
    let result = repair::repair(&term.problem, current, &options);
    pb.finish_and_clear();
    let rep = result.map_err(solve_failure)?;
    let (files, report) = repair_files(&term.problem, &rep, now)?;
    keep_history(dir, roster_path, &stamp()).map_err(|e| fail(Exit::Internal, e))?;
    write_all(dir, &files).map_err(|e| fail(Exit::Internal, e))?;
    if !quiet {
        for v in &rep.prior_violations {
            eprintln!(
                "note: the roster already broke a hard rule before this change: {}",
                v.message
            );
        }
        // Rules the absence itself puts out of reach (a term minimum; a shift cut short).
        for v in report.violations.iter().filter(|v| {
            !rep.prior_violations
                .iter()
                .any(|p| repair::same_breach(p, v))
        }) {
            eprintln!(
                "note: after this change no roster can keep a hard rule: {}",
                v.message
            );
        }
        eprintln!(
            "{} change(s) for {} person(s); {} hole(s) left; see {} and {}",
            rep.changes.len(),
            rep.changed_people(),
            rep.holes.len(),
            dir.join("changes.csv").display(),
            dir.join("conflicts.md").display()
        );
        for call in &rep.calls {
            eprintln!("  call {}: {}", call.rank, call.text);
        }
    }
    Ok(if rep.prior_violations.is_empty() {
        Exit::Ok
    } else {
        Exit::Violations
    })
}

fn repair_files(
    problem: &Problem,
    rep: &repair::Repair,
    now: NaiveDateTime,
) -> Result<(Vec<OutputFile>, deskroster::check::Report), Failure> {
    let report = verify_repair(problem, rep, now)?;
    let mut files = output::solve_outputs(problem, &rep.roster, Some(&rep.summary), &report)
        .map_err(|e| fail(Exit::Internal, e.to_string()))?;
    files.extend(repair::outputs(problem, rep).map_err(|e| fail(Exit::Internal, e.to_string()))?);
    Ok((files, report))
}

/// True when the shift started before `now` (it is history: a repair never changes it).
fn started(problem: &Problem, s: &deskroster::Shift, now: NaiveDateTime) -> bool {
    problem.days.get(s.day).is_some_and(|&d| {
        let start = chrono::Timelike::hour(&now) * 60 + chrono::Timelike::minute(&now);
        d < now.date() || d == now.date() && s.time.start < start
    })
}

fn verify_repair(
    problem: &Problem,
    rep: &repair::Repair,
    now: NaiveDateTime,
) -> Result<deskroster::check::Report, Failure> {
    let report = check_roster(problem, &rep.roster);
    // History cannot change: a shift cut where its person left may break a rule on its own
    // (shorter than the minimum length). Only breaches the repair itself made are errors.
    let history = Roster::new(
        rep.roster
            .shifts
            .iter()
            .copied()
            .filter(|s| started(problem, s, now))
            .collect(),
    );
    let forced = check_roster(problem, &history).violations;
    let new: Vec<&deskroster::check::Violation> = report
        .violations
        .iter()
        .filter(|v| {
            !rep.prior_violations
                .iter()
                .chain(&forced)
                .any(|p| repair::same_breach(p, v))
        })
        .collect();
    if !new.is_empty() {
        return Err(fail(
            Exit::Internal,
            format!(
                "internal error: the repaired roster breaks a hard rule: {}",
                new[0].message
            ),
        ));
    }
    Ok(report)
}

/// Arguments of `deskroster cover`.
#[derive(Debug, Args)]
pub struct CoverArgs {
    /// The term folder.
    term: PathBuf,
    /// The date to cover.
    #[arg(long)]
    date: NaiveDate,
    /// Start (HH:MM).
    #[arg(long, value_parser = parse_hm)]
    from: u32,
    /// End (HH:MM).
    #[arg(long, value_parser = parse_end)]
    to: u32,
    /// Desk [default: the first desk of term.toml].
    #[arg(long)]
    desk: Option<String>,
    /// Output folder holding the current roster.csv [default: <term>/out].
    #[arg(short, long)]
    out: Option<PathBuf>,
}

pub fn cover(a: CoverArgs, _quiet: bool) -> Outcome {
    let term = load(&a.term)?;
    let p = &term.problem;
    let day = p.day_index(a.date).ok_or_else(|| {
        fail(
            Exit::BadInput,
            format!("date {} is outside the term", a.date),
        )
    })?;
    let desk = match &a.desk {
        Some(name) => p.desk_index(name).ok_or_else(|| {
            let known: Vec<&str> = p.desks.iter().map(|d| d.name.as_str()).collect();
            fail(
                Exit::BadInput,
                format!("unknown desk {name:?}; the desks are {}", known.join(", ")),
            )
        })?,
        None => 0,
    };
    let time = deskroster::TimeRange::new(a.from, a.to)
        .ok_or_else(|| fail(Exit::BadInput, "--to must be after --from"))?;
    let roster_path = out_dir(&a.term, &a.out).join("roster.csv");
    let roster = if roster_path.exists() {
        read_roster_file(p, &roster_path)?
    } else {
        Roster::default()
    };
    let ranked = explain::rank_candidates(p, &roster, desk, day, time);
    let desk_name = p.desks.get(desk).map_or("?", |d| d.name.as_str());
    if ranked.is_empty() {
        println!("Nobody can take {desk_name} on {} {time}.", a.date);
        let gap = explain::Gap { desk, day, time };
        for v in explain::explain(p, &roster, &gap) {
            if let Some(person) = p.people.get(v.person) {
                let why: Vec<String> = v.reasons.iter().map(|r| r.render(p)).collect();
                println!("  {}: {}", person.name, why.join("; "));
            }
        }
        if let Some(r) = explain::smallest_relaxation(p, &roster, &gap) {
            println!("Smallest fix: {}.", r.render(p));
        }
    } else {
        println!(
            "Who could take {desk_name} on {} {time}, best first:",
            a.date
        );
        for (i, c) in ranked.iter().enumerate() {
            let name = p.people.get(c.person).map_or("?", |x| x.name.as_str());
            println!(
                "{:>3}. {name} ({}): {}",
                i + 1,
                c.proposal.shift.time,
                c.reason
            );
        }
    }
    Ok(Exit::Ok)
}

/// Arguments of `deskroster publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The term folder.
    term: PathBuf,
    /// Folder holding roster.csv; published files go to <out>/publish [default: <term>/out].
    #[arg(short, long)]
    out: Option<PathBuf>,
}

pub fn publish(a: PublishArgs, quiet: bool) -> Outcome {
    let term = load(&a.term)?;
    let p = &term.problem;
    let dir = out_dir(&a.term, &a.out);
    let roster = read_roster_file(p, &dir.join("roster.csv"))?;
    let pub_dir = dir.join("publish");
    // The roster published last time, to cancel removed shifts and bump moved ones.
    let previous_path = pub_dir.join("published-roster.csv");
    let previous = if previous_path.exists() {
        Some(read_roster_file(p, &previous_path)?)
    } else {
        None
    };
    let report = check_roster(p, &roster);
    let mut files = Vec::new();
    // Each publication that changes the roster gets the next revision, so calendar clients
    // see moved and cancelled events as newer (SEQUENCE) — stored next to the calendars.
    let revision_path = pub_dir.join("revision.txt");
    let last_revision: u32 = std::fs::read_to_string(&revision_path)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let revision = match &previous {
        None => 0,
        Some(prev) if *prev == roster => last_revision,
        Some(_) => last_revision + 1,
    };
    let mut cal_options = publish::CalendarOptions::new().revision(revision);
    if let Some(prev) = &previous {
        cal_options = cal_options.previous(prev);
    }
    if let Some(first) = p.days.first().and_then(|d| d.and_hms_opt(0, 0, 0)) {
        // Deterministic and increasing with each publication.
        cal_options = cal_options.stamp(first + chrono::Duration::minutes(i64::from(revision)));
    }
    let cals = publish::calendars_with(p, &roster, &cal_options).map_err(|e| Failure {
        report: miette::Report::new(e),
        code: Exit::BadInput,
    })?;
    for (name, text) in cals {
        files.push(OutputFile {
            name: format!("calendars/{name}"),
            contents: text.into_bytes(),
        });
    }
    let markers = publish::Marker::from_report(p, &report);
    files.push(OutputFile {
        name: "week.html".into(),
        contents: publish::week_html(p, &roster, &markers).into_bytes(),
    });
    let json = publish::ResultJson::new(p, &roster, None, &report);
    files.push(OutputFile {
        name: "result.json".into(),
        contents: json.to_json().into_bytes(),
    });
    files.push(OutputFile {
        name: "payroll-hours.csv".into(),
        contents: publish::hours_csv(p, &roster).into_bytes(),
    });
    let mut snapshot = Vec::new();
    roster_csv::write_roster(p, &roster, &mut snapshot)
        .map_err(|e| fail(Exit::Internal, e.to_string()))?;
    files.push(OutputFile {
        name: "published-roster.csv".into(),
        contents: snapshot,
    });
    files.push(OutputFile {
        name: "revision.txt".into(),
        contents: format!("{revision}\n").into_bytes(),
    });
    write_all(&pub_dir, &files).map_err(|e| fail(Exit::Internal, e))?;
    say(
        quiet,
        format!(
            "published {} people's calendars, week.html, result.json and payroll-hours.csv to {}",
            p.people.len(),
            pub_dir.display()
        ),
    );
    Ok(Exit::Ok)
}
