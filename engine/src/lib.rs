//! Portolan's analysis engine.
//!
//! Bytes go in, one serialisable [`Analysis`] comes out. The flow is one-way:
//! [`ingest`] detects each input's format and parses it into raw objects with their
//! source location, [`model`] turns those into a typed [`model::Inventory`],
//! [`rules`] evaluates the hardening rules on it, [`vulns`] joins image scans to what
//! runs, [`enforce`] turns the Pod Security Standards into admission settings, and
//! [`analysis`] assembles what the app, the CLI and the report all render. [`report`]
//! renders an `Analysis` as the HTML report, SARIF and CSV; [`diff`] compares two.
//!
//! **Architecture invariant:** this crate does no I/O and has no web dependencies; it
//! builds for native targets and for `wasm32-unknown-unknown` alike. Callers hand in
//! byte slices ([`InputFile`]) and get values back.
//!
//! **Architecture invariant:** nothing here panics on input data. A malformed file, a
//! malformed object or a hostile document costs one located [`Diagnostic`]; everything
//! else still loads.

pub mod analysis;
pub mod clusters;
pub mod details;
pub mod detect;
pub mod diff;
pub mod enforce;
pub mod graph;
pub(crate) mod hash;
pub mod iam;
pub mod ingest;
pub mod map;
pub mod model;
pub(crate) mod par;
pub mod policy;
pub mod query;
pub mod report;
pub mod rules;
pub(crate) mod sorting;
pub mod source;
#[cfg(test)]
mod test_support;
pub mod text;
pub mod vulns;

pub use analysis::{
    analyze, conclude, conclude_with_graph, load, load_with, Analysis, AnalyzeOptions, LoadOptions,
    Progress, Snapshot,
};
pub use ingest::InputFile;
pub use source::{Diagnostic, Source};

/// The engine version, recorded in every [`Analysis`].
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
