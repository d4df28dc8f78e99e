//! Reports: the [`Analysis`](crate::Analysis) in the formats people and tools exchange.
//!
//! Each renderer reads the `Analysis` alone, so the CLI and the app give the same bytes
//! for the same inputs, and never anything the analysis does not hold (secret values
//! never enter it). [`html`] is the self-contained report an auditor opens offline;
//! [`sarif`] is SARIF 2.1.0 for GitHub code scanning and other SARIF viewers; [`csv`]
//! is one row per finding for spreadsheets. The JSON form is the `Analysis` itself.

mod csv;
mod html;
mod sarif;

pub use self::csv::{csv, CSV_COLUMNS};
pub use self::html::html;
pub use self::sarif::{sarif, sarif_value};
