//! Namespace and cluster rules: Pod Security Admission labels on namespaces, and the
//! cluster's own configuration from `aws eks describe-cluster` / `az aks show`.

use super::Rule;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[];
