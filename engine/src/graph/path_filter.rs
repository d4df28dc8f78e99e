//! Which attack paths a list shows: a target class, an entry and a search. The app's
//! attack paths page and `portolan paths` filter with the same [`PathFilter`] and write
//! the same CSV (`report::paths_csv`), so an export from either is the other's.
//!
//! The search keeps the groups the attack paths page links to: `entry:<Kind ns/name>`,
//! `through:<node label>` (a resource the path passes, its last node excluded),
//! `target:<name>`, `fix:<index into the choke point fixes>`; any other text is a
//! case-insensitive search of the path's title.

use std::collections::BTreeSet;

use super::paths::AttackPath;
use super::Target;

/// A filter of attack paths; the default keeps every path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathFilter {
    /// Only paths to this target class.
    pub target: Option<Target>,
    /// Only paths entered at this resource, as `Kind namespace/name` (`ResourceRef`'s
    /// display form); empty for every entry.
    pub entry: String,
    /// A group (`entry:`, `through:`, `target:`, `fix:`) or text in the title; empty
    /// for none.
    pub search: String,
    /// Only paths in this cluster (entered in it or with a step in it), in an analysis
    /// of several; empty for every cluster.
    pub cluster: String,
}

impl PathFilter {
    /// Whether `path` passes every part of the filter.
    pub fn matches(&self, path: &AttackPath) -> bool {
        self.target.is_none_or(|t| path.target == t)
            && (self.entry.is_empty() || path.entry.to_string() == self.entry)
            && (self.search.trim().is_empty() || search_matches(path, self.search.trim()))
            && (self.cluster.is_empty() || in_cluster(path, &self.cluster))
    }

    /// The paths of `paths` the filter keeps, in their order.
    pub fn apply<'a>(&'a self, paths: &'a [AttackPath]) -> impl Iterator<Item = &'a AttackPath> {
        paths.iter().filter(move |p| self.matches(p))
    }
}

/// Whether `path` is entered in `cluster` or has a step in it.
pub fn in_cluster(path: &AttackPath, cluster: &str) -> bool {
    path.entry.cluster == cluster || path.steps.iter().any(|s| s.cluster == cluster)
}

/// The clusters `path` passes, in path order, once each: where it enters, then where
/// its steps lead (a path may cross from one cluster into another through the cloud).
pub fn clusters(path: &AttackPath) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let all = std::iter::once(path.entry.cluster.as_str())
        .chain(path.steps.iter().map(|s| s.cluster.as_str()));
    for c in all {
        if !c.is_empty() && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Whether `path` is in the group `search` names (see the module doc), or its title
/// contains `search`, ignoring case.
pub fn search_matches(path: &AttackPath, search: &str) -> bool {
    if let Some(entry) = search.strip_prefix("entry:") {
        path.entry.to_string() == entry
    } else if let Some(node) = search.strip_prefix("through:") {
        through(path).any(|label| label == node)
    } else if let Some(target) = search.strip_prefix("target:") {
        path.target.name() == target
    } else if let Some(fix) = search.strip_prefix("fix:") {
        fix.parse().is_ok_and(|i: usize| path.fixes.contains(&i))
    } else {
        path.title.to_lowercase().contains(&search.to_lowercase())
    }
}

/// The nodes a path passes before its last node, once each, in path order.
pub fn through(path: &AttackPath) -> impl Iterator<Item = &str> {
    let n = path.steps.len();
    let mut seen = BTreeSet::new();
    path.steps
        .iter()
        .take(n.saturating_sub(1))
        .map(|s| s.to_label.as_str())
        .filter(move |l| seen.insert(*l))
}

/// The band of a risk score as it is shown (to one decimal): `high` from 20.0,
/// `medium` from 10.0, else `low`. The colour of its badge, the compare page's severity
/// filter and the CSV's `risk_level`, so a score shown as 10.0 is never `low`.
pub fn risk_level(risk: f64) -> &'static str {
    let risk = (risk * 10.0).round() / 10.0;
    if risk >= 20.0 {
        "high"
    } else if risk >= 10.0 {
        "medium"
    } else {
        "low"
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::graph::paths::PathStep;
    use crate::graph::{EdgeKind, NodeKind};
    use crate::rules::ResourceRef;

    fn step(to_label: &str) -> PathStep {
        PathStep {
            edge: EdgeKind::TOKEN_STEAL,
            technique: true,
            from: String::new(),
            to: String::new(),
            from_label: String::new(),
            to_label: to_label.into(),
            from_kind: NodeKind::Workload,
            to_kind: NodeKind::ServiceAccount,
            sentence: String::new(),
            likelihood: 1.0,
            assumption: None,
            cluster: String::new(),
        }
    }

    /// A two-step path entered at `Deployment ns/name`, for tests.
    pub(crate) fn path(
        title: &str,
        target: Target,
        ns: &str,
        name: &str,
        fixes: Vec<usize>,
    ) -> AttackPath {
        AttackPath {
            id: format!("{ns}/{name} -> {}", target.name()),
            title: title.into(),
            risk: 12.0,
            target,
            entry: ResourceRef {
                kind: "Deployment".into(),
                namespace: ns.into(),
                name: name.into(),
                cluster: String::new(),
            },
            exposure: Vec::new(),
            length: 2,
            steps: vec![step("ServiceAccount ci/deployer"), step("cluster-admin")],
            mitre: Vec::new(),
            fixes,
            assumed: false,
            assumptions: Vec::new(),
            entry_vulnerability: None,
            alerts: Vec::new(),
            risk_factors: Default::default(),
            breaks: Vec::new(),
        }
    }

    #[test]
    fn parts_of_the_filter_combine() {
        let web = path("Web to admin", Target::ClusterAdmin, "shop", "web", vec![0]);
        let ci = path("CI to node", Target::NodeTakeover, "ci", "runner", vec![1]);
        let (web_id, ci_id) = (web.id.clone(), ci.id.clone());
        let all = [web, ci];
        let kept = |f: &PathFilter| f.apply(&all).map(|p| p.id.clone()).collect::<Vec<_>>();
        assert_eq!(kept(&PathFilter::default()).len(), 2);
        let to_admin = PathFilter {
            target: Some(Target::ClusterAdmin),
            ..Default::default()
        };
        assert_eq!(kept(&to_admin), [web_id]);
        let from_ci = PathFilter {
            entry: "Deployment ci/runner".into(),
            ..Default::default()
        };
        assert_eq!(kept(&from_ci), [ci_id]);
        // Both parts must hold.
        let none = PathFilter {
            target: Some(Target::ClusterAdmin),
            entry: "Deployment ci/runner".into(),
            search: String::new(),
            cluster: String::new(),
        };
        assert!(kept(&none).is_empty());
        // A bare namespace is not an entry.
        let partial = PathFilter {
            entry: "ci/runner".into(),
            ..Default::default()
        };
        assert!(kept(&partial).is_empty());
    }

    #[test]
    fn search_reads_groups_and_titles() {
        let p = path("Web to admin", Target::ClusterAdmin, "shop", "web", vec![3]);
        assert!(search_matches(&p, "ADMIN"));
        assert!(!search_matches(&p, "node"));
        assert!(search_matches(&p, "entry:Deployment shop/web"));
        assert!(search_matches(&p, "through:ServiceAccount ci/deployer"));
        // The last node is the target, not a resource passed through.
        assert!(!search_matches(&p, "through:cluster-admin"));
        assert!(search_matches(&p, "target:cluster-admin"));
        assert!(!search_matches(&p, "target:secrets"));
        assert!(search_matches(&p, "fix:3"));
        assert!(!search_matches(&p, "fix:x"));
    }

    #[test]
    fn risk_bands() {
        assert_eq!(risk_level(20.0), "high");
        assert_eq!(risk_level(19.94), "medium");
        assert_eq!(risk_level(19.96), "high");
        assert_eq!(risk_level(10.0), "medium");
        assert_eq!(risk_level(9.9), "low");
    }
}
