//! `deskroster`: the command-line tool. Parsing arguments, paths, the progress indicator, atomic
//! file replacement and rendering errors live here; the work is done by the `deskroster` library.

mod commands;
mod files;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, documented in `--help` and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success: files written (the roster may still have holes: see report.md).
    Ok = 0,
    /// The term folder or a roster file is wrong; nothing was written.
    BadInput = 1,
    /// Wrong command-line usage (clap's own code).
    Usage = 2,
    /// No roster satisfies the hard rules, or the solver failed; nothing was written.
    NoRoster = 3,
    /// `check --roster`: the roster breaks hard rules (also: `absence` found the current
    /// roster broken before changing it, and still wrote the repaired one).
    Violations = 4,
    /// Writing files failed, or an internal consistency check failed.
    Internal = 5,
}

const EXIT_CODES: &str = "Exit codes:
  0  success (a roster can still have holes: they are listed in report.md)
  1  bad input: the term folder or a roster file is wrong; nothing was written
  2  wrong command-line usage
  3  no roster satisfies the hard rules, or the solver failed; nothing was written
  4  check: the roster breaks hard rules
  5  files could not be written, or an internal check failed";

/// Builds a library service-desk roster from plain files, proven optimal, and keeps it right
/// when someone calls in sick.
#[derive(Debug, Parser)]
#[command(name = "deskroster", version, about, after_help = EXIT_CODES, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a commented example term folder to start from.
    Init(commands::InitArgs),
    /// Generate the term's roster: roster.csv, coverage.csv, hours.csv and report.md.
    Solve(commands::SolveArgs),
    /// Validate the term folder, and with --roster a roster (for example one edited by hand).
    Check(commands::CheckArgs),
    /// Record a sick call (or take one back) and repair the roster with the fewest changes.
    Absence(commands::AbsenceArgs),
    /// Who could take a time on a desk? A ranked list, changing nothing.
    Cover(commands::CoverArgs),
    /// Publish the roster: a calendar per person, a printable week view, JSON and payroll hours.
    Publish(commands::PublishArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    let quiet = cli.quiet;
    let result = match cli.command {
        Command::Init(a) => commands::init(a, quiet),
        Command::Solve(a) => commands::solve(a, quiet),
        Command::Check(a) => commands::check(a, quiet),
        Command::Absence(a) => commands::absence(a, quiet),
        Command::Cover(a) => commands::cover(a, quiet),
        Command::Publish(a) => commands::publish(a, quiet),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(failure) => {
            eprintln!("{:?}", failure.report);
            ExitCode::from(failure.code as u8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
