//! The Policies page: the user's admission policies (Gatekeeper constraints,
//! ValidatingAdmissionPolicy bindings) the engine found among the dropped files
//! ([`Analysis::policies`](portolan_engine::Analysis)), each with its engine, language,
//! enforcement action and match, its located problems (compile errors, unsupported
//! features, missing templates: never a silent pass) and its violations, each linked to
//! the resource's panel. The violations are the findings of rule `<Kind>/<name>` (or
//! `<policy>/<binding>`), which the recommendation table lists too (category `policy`).
//! Filters and sort order live in the URL (see [`crate::route`]).

use leptos::prelude::*;
use portolan_engine::analysis::shown::{FindingsPage, FindingsQuery};
use portolan_engine::policy::{PolicyReport, PolicySummary};
use portolan_engine::rules::{Finding, Severity};
use portolan_engine::source::Diagnostic;

use crate::components::details_link::ObjectLink;
use crate::components::no_snapshot::NoSnapshot;
use crate::components::policy_files::PolicyFiles;
use crate::components::severity::{severity_label, SeverityBadge};
use crate::format::thousands;
use crate::route::{Page, Route, TableQuery};
use crate::state::use_state;

/// Violations listed per policy; the rest are counted (the recommendation page has all).
const SHOWN_VIOLATIONS: usize = 200;

/// `gatekeeper` → `Gatekeeper`, `validating-admission-policy` → `ValidatingAdmissionPolicy`.
fn engine_label(engine: &str) -> &str {
    match engine {
        "gatekeeper" => "Gatekeeper",
        "validating-admission-policy" => "ValidatingAdmissionPolicy",
        other => other,
    }
}

/// `rego` → `Rego`, `cel` → `CEL`, empty → `—` (template or policy missing).
fn language_label(language: &str) -> &str {
    match language {
        "rego" => "Rego",
        "cel" => "CEL",
        "" => "—",
        other => other,
    }
}

/// The kind and name of the constraint or binding: `K8sRequiredLabels/must-have-owner`
/// is kind `K8sRequiredLabels`, name `must-have-owner`; a binding's kind is
/// `ValidatingAdmissionPolicyBinding`.
fn kind_and_name(p: &PolicySummary) -> (String, String) {
    if p.engine == "gatekeeper" {
        let (kind, name) = p.rule.split_once('/').unwrap_or((&p.rule, ""));
        (kind.to_string(), name.to_string())
    } else {
        let name = p
            .rule
            .strip_prefix(&format!("{}/", p.template))
            .unwrap_or(&p.rule);
        ("ValidatingAdmissionPolicyBinding".into(), name.to_string())
    }
}

/// The diagnostics that concern policy `p`: those naming its rule, its template or
/// policy, or located at its own source line.
pub fn diagnostics_of<'a>(report: &'a PolicyReport, p: &PolicySummary) -> Vec<&'a Diagnostic> {
    let (_, name) = kind_and_name(p);
    let names = if p.engine == "gatekeeper" {
        vec![
            format!("constraint {}:", p.rule),
            format!("ConstraintTemplate {}:", p.template),
        ]
    } else {
        vec![
            format!("binding {}:", p.rule),
            format!("binding {name}:"),
            format!("ValidatingAdmissionPolicy {}:", p.template),
        ]
    };
    report
        .diagnostics
        .iter()
        .filter(|d| {
            names.iter().any(|n| d.message.contains(n.as_str()))
                || (d.line > 0 && *d.file == *p.source.file && d.line == p.source.line)
        })
        .collect()
}

/// Whether policy `p` passes the page's filters (language, severity, search over rule,
/// template, match and messages of its problems).
fn shown(report: &PolicyReport, p: &PolicySummary, q: &TableQuery) -> bool {
    let needle = q.q.trim().to_lowercase();
    (q.language.is_empty() || p.language == q.language)
        && Severity::parse(&q.severity).is_none_or(|s| p.severity == s)
        && (needle.is_empty()
            || [&p.rule, &p.template, &p.matches, &p.action]
                .iter()
                .any(|s| s.to_lowercase().contains(&needle))
            || diagnostics_of(report, p)
                .iter()
                .any(|d| d.message.to_lowercase().contains(&needle)))
}

/// The indices of the shown policies, in the order the URL asks (`sort` = `rule`,
/// `violations`, `reviewed`, `errors`; the engine's order, by rule, otherwise).
pub fn visible(report: &PolicyReport, q: &TableQuery) -> Vec<usize> {
    let mut out: Vec<usize> = report
        .policies
        .iter()
        .enumerate()
        .filter(|(_, p)| shown(report, p, q))
        .map(|(i, _)| i)
        .collect();
    let key = |i: &usize| {
        let p = &report.policies[*i];
        match q.sort.as_str() {
            "violations" => p.violations,
            "reviewed" => p.reviewed,
            "errors" => p.errors,
            _ => 0,
        }
    };
    // Stable: equal keys keep the engine's order.
    out.sort_by_key(key);
    if q.descending {
        out.reverse();
    }
    out
}

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let state = use_state();
    let has_analysis = move || state.analysis.with(Option::is_some);
    let has_policies = move || {
        state
            .analysis
            .with(|a| a.as_ref().is_some_and(|a| a.policies.is_some()))
    };
    view! {
        <header class="page-head">
            <div>
                <h1 data-testid="policies-title">"Policies"</h1>
                <p class="page-sub">
                    "Your own admission policies, evaluated offline against the snapshot as an "
                    "audit would: Gatekeeper ConstraintTemplates with their constraints (Rego or "
                    "CEL) and ValidatingAdmissionPolicies with their bindings (CEL)."
                </p>
            </div>
        </header>
        <PolicyFiles />
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            <Show when=has_policies fallback=NoPolicies>
                <PolicyList />
            </Show>
        </Show>
    }
}

/// What to drop to see policies here.
#[component]
fn NoPolicies() -> impl IntoView {
    view! {
        <div class="empty" data-testid="policies-empty">
            <h2>"No admission policy among the files"</h2>
            <p>
                "Add your policy files above, or drop them together with the snapshot: ConstraintTemplates "
                "(templates.gatekeeper.sh) and their constraints, or ValidatingAdmissionPolicies "
                "and ValidatingAdmissionPolicyBindings (admissionregistration.k8s.io/v1) with their "
                "parameter objects. They are recognised by their content, wherever they are in the "
                "folder, as "
                <code>"portolan analyze --policies"</code>
                " reads them."
            </p>
        </div>
    }
}

#[component]
fn PolicyList() -> impl IntoView {
    let state = use_state();
    let query = Memo::new(move |_| state.route.with(|r| r.query.clone()));
    let report = Memo::new(move |_| {
        state.analysis.with(|a| {
            a.as_ref()
                .and_then(|a| a.policies.clone())
                .unwrap_or_default()
        })
    });
    let rows = Memo::new(move |_| report.with(|r| query.with(|q| visible(r, q))));
    let version = Memo::new(move |previous: Option<&u64>| {
        state.analysis.track();
        previous.map_or(0, |v| v.wrapping_add(1))
    });
    let update_query = move |change: &dyn Fn(&mut TableQuery), replace: bool| {
        let mut route = state.route.get_untracked();
        if route.page != Page::Policies {
            return;
        }
        change(&mut route.query);
        state.navigate(route, replace);
    };
    let totals = move || {
        report.with(|r| {
            let violations: usize = r.policies.iter().map(|p| p.violations).sum();
            (r.policies.len(), violations, r.diagnostics.len())
        })
    };
    let sort_button = move |key: &'static str, label: &'static str| {
        let active = move || query.with(|q| q.sort == key);
        let arrow = move || {
            query.with(|q| match (q.sort == key, q.descending) {
                (true, true) => " ↓",
                (true, false) => " ↑",
                _ => "",
            })
        };
        view! {
            <button
                class="sort"
                class:active=active
                type="button"
                data-testid=format!("policies-sort-{key}")
                on:click=move |_| {
                    update_query(
                        &|q| {
                            if q.sort == key {
                                q.descending = !q.descending;
                            } else {
                                q.sort = key.to_string();
                                q.descending = true;
                            }
                        },
                        false,
                    )
                }
            >
                {label}
                {arrow}
            </button>
        }
    };
    view! {
        <div class="panel policy-totals" data-testid="policies-totals">
            <span>
                <strong data-testid="policies-count">{move || thousands(totals().0)}</strong>
                " constraints and bindings"
            </span>
            <span>
                <strong data-testid="policies-violations">{move || thousands(totals().1)}</strong>
                {move || if totals().1 == 1 { " violation" } else { " violations" }}
            </span>
            <span>
                <strong data-testid="policies-problems">{move || thousands(totals().2)}</strong>
                {move || if totals().2 == 1 { " problem" } else { " problems" }}
            </span>
            <a href=move || {
                let mut r = Route::recommendations(None);
                r.query.category = "policy".into();
                r.to_hash()
            } data-testid="policies-recommendations">"Policy findings among the recommendations"</a>
        </div>
        <AllProblems report=report />
        <div class="panel table-panel">
            <div class="toolbar toolbar-wrap">
                <select
                    class="select"
                    aria-label="Language"
                    data-testid="policies-language"
                    prop:value=move || query.with(|q| q.language.clone())
                    on:change=move |e| {
                        let value = event_target_value(&e);
                        update_query(&|q| q.language = value.clone(), false);
                    }
                >
                    <option value="">"Rego and CEL"</option>
                    <option value="rego">"Rego"</option>
                    <option value="cel">"CEL"</option>
                </select>
                <select
                    class="select"
                    aria-label="Severity"
                    data-testid="policies-severity"
                    prop:value=move || query.with(|q| q.severity.clone())
                    on:change=move |e| {
                        let value = event_target_value(&e);
                        update_query(&|q| q.severity = value.clone(), false);
                    }
                >
                    <option value="">"All severities"</option>
                    {Severity::ALL
                        .into_iter()
                        .map(|s| view! { <option value=s.as_str()>{severity_label(s)}</option> })
                        .collect_view()}
                </select>
                <input
                    class="search"
                    type="search"
                    placeholder="Search rules, templates, matches and problems"
                    aria-label="Search policies"
                    data-testid="policies-search"
                    prop:value=move || query.with(|q| q.q.clone())
                    on:input=move |e| {
                        let value = event_target_value(&e);
                        update_query(&|q| q.q = value.clone(), true);
                    }
                />
                <span class="toolbar-count" data-testid="policies-shown">
                    {move || format!("{} of {} policies", rows.with(Vec::len), totals().0)}
                </span>
                <span class="sort-group">
                    "Sort: "
                    {sort_button("violations", "Violations")}
                    {sort_button("reviewed", "Reviewed")}
                    {sort_button("errors", "Errors")}
                </span>
            </div>
            <div class="policy-list" data-testid="policy-list">
                // Keyed by the analysis' version too: a card renders one analysis, and
                // re-running the policies changes what the same index shows.
                <For
                    each=move || {
                        let v = version.get();
                        rows.get().into_iter().map(|i| (i, v)).collect::<Vec<_>>()
                    }
                    key=|k| *k
                    let:item
                >
                    <PolicyCard index=item.0 report=report />
                </For>
            </div>
            <Show when=move || rows.with(Vec::is_empty)>
                <div class="table-empty" data-testid="policies-no-match">
                    "No policy matches these filters. "
                    <a href="#/policies">"Clear filters"</a>
                </div>
            </Show>
        </div>
    }
}

/// Every problem with the policy files, located (also those no policy owns, such as a
/// file that does not parse).
#[component]
fn AllProblems(report: Memo<PolicyReport>) -> impl IntoView {
    move || {
        report.with(|r| {
            if r.diagnostics.is_empty() {
                return None;
            }
            let items = r
                .diagnostics
                .iter()
                .map(|d| view! { <DiagnosticItem diagnostic=d.clone() /> })
                .collect_view();
            Some(view! {
                <details class="panel policy-problems" data-testid="policy-problems" open=true>
                    <summary>{format!("Problems with the policy files ({})", r.diagnostics.len())}</summary>
                    <ul class="diagnostics">{items}</ul>
                </details>
            })
        })
    }
}

#[component]
pub fn DiagnosticItem(diagnostic: Diagnostic) -> impl IntoView {
    let place = if diagnostic.line > 0 {
        format!("{}:{}", diagnostic.file, diagnostic.line)
    } else {
        diagnostic.file.clone()
    };
    view! {
        <li class="diagnostic" data-testid="policy-diagnostic" data-level=format!("{:?}", diagnostic.level).to_lowercase()>
            <code class="muted" data-testid="policy-diagnostic-place">{place}</code>
            " "
            <span data-testid="policy-diagnostic-message">{diagnostic.message}</span>
        </li>
    }
}

/// One constraint or binding: what it is, its problems and its violations.
#[component]
fn PolicyCard(index: usize, report: Memo<PolicyReport>) -> impl IntoView {
    let state = use_state();
    let Some(p) = report.with_untracked(|r| r.policies.get(index).cloned()) else {
        return ().into_any();
    };
    let diagnostics: Vec<Diagnostic> =
        report.with_untracked(|r| diagnostics_of(r, &p).into_iter().cloned().collect());
    // The first violations, from the worker (which keeps the findings).
    let violations = RwSignal::new(FindingsPage::default());
    let query = FindingsQuery {
        rules: vec![p.rule.clone()],
        limit: SHOWN_VIOLATIONS,
        ..FindingsQuery::default()
    };
    crate::questions::rows(state, &query, move |answer| match answer {
        Ok(page) => violations.set(page),
        Err(e) => state.error.set(Some(format!(
            "The policy's violations could not be read: {e}"
        ))),
    });
    let (kind, name) = kind_and_name(&p);
    let more = move || violations.with(|v| v.total.saturating_sub(v.rows.len()));
    let rows = move || {
        violations
            .with(|v| {
                v.rows
                    .iter()
                    .map(|row| row.finding.clone())
                    .collect::<Vec<Finding>>()
            })
            .into_iter()
            .map(|f| {
                let object = if f.resource.namespace.is_empty() {
                    format!("{}/{}", f.resource.kind, f.resource.name)
                } else {
                    format!(
                        "{}/{}/{}",
                        f.resource.kind, f.resource.namespace, f.resource.name
                    )
                };
                view! {
                    <tr data-testid="policy-violation">
                        <td data-testid="policy-violation-object">
                            {object}
                            " "
                            <ObjectLink resource=f.resource.clone() />
                        </td>
                        <td data-testid="policy-violation-message">{f.message.clone()}</td>
                        <td class="muted">{format!("{}:{}", f.source.file, f.source.line)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let problems = (!diagnostics.is_empty()).then(|| {
        let items = diagnostics
            .into_iter()
            .map(|d| view! { <DiagnosticItem diagnostic=d /> })
            .collect_view();
        view! { <ul class="diagnostics" data-testid="policy-card-diagnostics">{items}</ul> }
    });
    let status = if p.errors > 0 {
        "error"
    } else if p.violations > 0 {
        "violations"
    } else {
        "pass"
    };
    let rule_href = Route::recommendation_href(&p.rule);
    let has_errors = p.errors > 0;
    let table = (p.violations > 0).then(|| {
        view! {
            <table class="table policy-violations">
                <thead>
                    <tr><th>"Object"</th><th>"Message"</th><th>"Where"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    view! {
        <section class="policy-card" data-testid="policy-card" data-rule=p.rule.clone()
            data-status=status data-violations=p.violations data-reviewed=p.reviewed>
            <header class="policy-card-head">
                <div>
                    <h2 class="policy-rule">
                        <span data-testid="policy-kind">{kind}</span>
                        " "
                        <strong data-testid="policy-name">{name}</strong>
                    </h2>
                    <div class="policy-meta muted">
                        <span data-testid="policy-engine">{engine_label(&p.engine).to_string()}</span>
                        " · "
                        <span data-testid="policy-language">{language_label(&p.language).to_string()}</span>
                        " · template "
                        <code>{if p.template.is_empty() { "—".to_string() } else { p.template.clone() }}</code>
                        " · action "
                        <code data-testid="policy-action">{if p.action.is_empty() { "—".to_string() } else { p.action.clone() }}</code>
                        " · "
                        {format!("{}:{}", p.source.file, p.source.line)}
                    </div>
                    <div class="policy-match" data-testid="policy-match">
                        "Matches: " {if p.matches.is_empty() { "—".to_string() } else { p.matches.clone() }}
                    </div>
                </div>
                <div class="policy-counts">
                    <SeverityBadge severity=p.severity />
                    <span><strong data-testid="policy-violations">{p.violations}</strong>{if p.violations == 1 { " violation" } else { " violations" }}</span>
                    <span class="muted"><span data-testid="policy-reviewed">{p.reviewed}</span>" reviewed"</span>
                    <span class="muted" class:policy-errors=has_errors>
                        <span data-testid="policy-errors">{p.errors}</span>{if p.errors == 1 { " error" } else { " errors" }}
                    </span>
                </div>
            </header>
            {problems}
            {table}
            {move || (more() > 0).then(|| view! {
                <p class="muted" data-testid="policy-more">
                    {format!("and {} more: ", thousands(more()))}
                    <a href=rule_href.clone()>"all of them on the recommendation's page"</a>
                </p>
            })}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use portolan_engine::source::Source;

    fn summary(rule: &str, engine: &str, template: &str, violations: usize) -> PolicySummary {
        let mut p = PolicySummary {
            rule: rule.into(),
            engine: engine.into(),
            template: template.into(),
            severity: Severity::High,
            reviewed: 3,
            violations,
            errors: 0,
            source: Source::default(),
            language: "rego".into(),
            action: "deny".into(),
            matches: "kinds Pod".into(),
        };
        p.source.file = "p.yaml".into();
        p.source.line = 10;
        p
    }

    fn report() -> PolicyReport {
        PolicyReport {
            policies: vec![
                summary("K8sA/one", "gatekeeper", "k8sa", 2),
                summary("K8sB/two", "gatekeeper", "k8sb", 5),
                summary("vap/bind", "validating-admission-policy", "vap", 1),
            ],
            diagnostics: vec![
                Diagnostic::error(
                    "t.yaml",
                    7,
                    0,
                    "ConstraintTemplate k8sb: Rego does not compile: x",
                ),
                Diagnostic::error(
                    "v.yaml",
                    3,
                    0,
                    "binding vap/bind: evaluation failed on 1 object(s): y",
                ),
                Diagnostic::error("other.yaml", 1, 0, "not YAML"),
            ],
        }
    }

    #[test]
    fn a_policy_owns_the_diagnostics_naming_it_and_no_other() {
        let r = report();
        let of = |i: usize| -> Vec<String> {
            diagnostics_of(&r, &r.policies[i])
                .into_iter()
                .map(|d| d.file.clone())
                .collect()
        };
        assert!(of(0).is_empty());
        assert_eq!(of(1), ["t.yaml"]);
        assert_eq!(of(2), ["v.yaml"]);
    }

    #[test]
    fn filters_and_sorts_as_the_url_says() {
        let r = report();
        let q = |f: &dyn Fn(&mut TableQuery)| {
            let mut q = TableQuery::default();
            f(&mut q);
            visible(&r, &q)
        };
        assert_eq!(q(&|_| {}), [0, 1, 2]);
        assert_eq!(
            q(&|q| {
                q.sort = "violations".into();
                q.descending = true;
            }),
            [1, 0, 2]
        );
        assert_eq!(q(&|q| q.sort = "violations".into()), [2, 0, 1]);
        assert_eq!(q(&|q| q.q = "does not compile".into()), [1]);
        assert_eq!(q(&|q| q.q = "K8SA".into()), [0]);
        assert_eq!(q(&|q| q.severity = "low".into()), Vec::<usize>::new());
        assert_eq!(q(&|q| q.language = "cel".into()), Vec::<usize>::new());
        assert_eq!(
            kind_and_name(&r.policies[2]),
            ("ValidatingAdmissionPolicyBinding".into(), "bind".into())
        );
        assert_eq!(kind_and_name(&r.policies[1]), ("K8sB".into(), "two".into()));
    }
}
