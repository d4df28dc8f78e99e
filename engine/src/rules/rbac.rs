//! RBAC rules: who can do what, resolved through bindings and aggregated roles.

use super::Rule;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[];
