//! deskroster: build and repair library service-desk rosters as integer programs.
//!
//! The crate reads a term folder ([`input`]), or takes a [`model::Problem`] built in code
//! ([`builder`]), solves it to proven optimality ([`solve`]), re-checks every roster with an
//! independent checker that never touches the MIP ([`check`]), and writes rosters and reports
//! ([`output`], [`publish`]).
// The one exception: `Formulation::matrix` reads a built model back through HiGHS's C API.
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod anneal;
pub mod builder;
pub mod capacity;
pub mod check;
mod colgen;
mod columns;
pub mod curtois;
mod dive;
pub mod explain;
mod formulate;
mod greedy;
pub mod input;
mod labelling;
mod lns;
pub mod model;
pub mod output;
pub mod publish;
pub mod repair;
pub mod roster_csv;
mod runs;
pub mod solve;
pub mod synth;

pub use model::{Problem, Roster, Shift, TimeRange};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
