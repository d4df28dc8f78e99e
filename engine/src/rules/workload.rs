//! Workload hardening beyond the Pod Security Standards: host paths and runtime
//! sockets, dangerous capabilities, root filesystems, resources, probes, images,
//! service-account tokens and credentials in environment variables and config maps.

use super::Rule;

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[];
