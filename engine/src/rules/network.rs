//! Network rules: network policy coverage and the ways services are exposed.

use super::Rule;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[];
