//! Hardening rules: the posture checks Portolan evaluates on every workload.
//!
//! This folder will hold the whole hardening rule catalogue (workloads, RBAC, network
//! policy, namespaces, the cluster itself), one rule or tight rule family per file, each
//! documented in fixed sections from which the user-facing text is generated. The Pod
//! Security Standards come first: [`pss`] evaluates them exactly as Kubernetes'
//! pod-security-admission does, at every policy version.

pub mod pss;
