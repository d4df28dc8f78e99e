//! Severity and category vocabulary shared by the recommendation views: the severity
//! badge, finding counts per severity and the categories' URL names.

use leptos::prelude::*;
use portolan_engine::rules::{Category, Severity};

/// Every category, in the engine's order.
pub const CATEGORIES: [Category; 8] = [
    Category::PodSecurity,
    Category::Workload,
    Category::Rbac,
    Category::Network,
    Category::Namespace,
    Category::Cluster,
    Category::Cloud,
    Category::Policy,
];

/// The category's name in the URL and the JSON (`pod-security`, `rbac`, ...).
pub fn category_slug(category: Category) -> &'static str {
    match category {
        Category::PodSecurity => "pod-security",
        Category::Workload => "workload",
        Category::Rbac => "rbac",
        Category::Network => "network",
        Category::Namespace => "namespace",
        Category::Cluster => "cluster",
        Category::Cloud => "cloud",
        Category::Policy => "policy",
    }
}

/// `critical` → `Critical`.
pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Informational => "Informational",
    }
}

/// A coloured severity label.
#[component]
pub fn SeverityBadge(severity: Severity) -> impl IntoView {
    view! {
        <span class=format!("sev sev-{}", severity.as_str()) data-severity=severity.as_str()>
            {severity_label(severity)}
        </span>
    }
}
