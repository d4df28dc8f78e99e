//! One recommendation: its title and severity, the rule's documentation from the
//! engine's catalogue, the table of affected resources and the form that exempts one of
//! them, a namespace or the whole rule.

use leptos::prelude::*;

use portolan_engine::rules::ResourceRef;

use crate::components::affected_table::AffectedTable;
use crate::components::exempt_form::ExemptForm;
use crate::components::no_snapshot::NoSnapshot;
use crate::components::severity::{category_slug, SeverityBadge};
use crate::format::thousands;
use crate::protocol::RuleDoc;
use crate::state::use_state;

#[component]
pub fn RecommendationDetail(rule: String) -> impl IntoView {
    let state = use_state();
    let rule_id = rule.clone();
    let info = Memo::new(move |_| state.catalog.with(|c| c.rule(&rule_id).cloned()));
    // Whether the catalogue has arrived from the worker: until it has, no rule is
    // missing from it.
    let catalogued = move || state.catalog.with(|c| !c.rules.is_empty());
    // Position of this rule in `Analysis::recommendations`, when it fails at all.
    let rule_for_index = rule.clone();
    let index = Memo::new(move |_| {
        state.analysis.with(|a| {
            a.as_ref()?
                .recommendations
                .iter()
                .position(|r| r.rule == rule_for_index)
        })
    });
    let has_analysis = move || state.analysis.with(Option::is_some);
    // Affected and exempted resources.
    let affected = move || {
        index.get().and_then(|i| {
            state.analysis.with(|a| {
                a.as_ref()
                    .map(|a| (a.recommendations[i].affected, a.recommendations[i].exempted))
            })
        })
    };
    let title_rule = rule.clone();
    let title = move || state.rule_title(&title_rule);
    // The exempt form: closed, open for the rule (`Some(None)`) or for that resource.
    let exempting = RwSignal::new(None::<Option<ResourceRef>>);
    let on_exempt = Callback::new(move |resource: ResourceRef| exempting.set(Some(Some(resource))));
    let close = Callback::new(move |()| exempting.set(None));
    let form_rule = rule.clone();
    // Only opening and closing re-create the form: an analysis arriving while it is
    // open (the previous exemption applied) must not clear what the user typed.
    let form = move || {
        let resource = exempting.get()?;
        let i = index.get_untracked()?;
        // Namespaces with resources still counted against the rule.
        let namespaces = state.counts.with_untracked(|c| {
            c.recommendations
                .get(i)
                .map(|r| r.open_namespaces.clone())
                .unwrap_or_default()
        });
        Some(view! {
            <ExemptForm
                rule=form_rule.clone()
                title=state.catalog.with_untracked(|c| c.rule_title(&form_rule))
                resource=resource
                namespaces=namespaces
                on_close=close
            />
        })
    };
    view! {
        <header class="page-head">
            <div>
                <div class="breadcrumb">
                    <a href="#/recommendations">"Recommendations"</a>
                    <span class="sep">"/"</span>
                    <span class="mono">{rule.clone()}</span>
                </div>
                <h1 data-testid="recommendation-title">{title}</h1>
                {move || info.get().map(|i| view! {
                    <div class="rec-meta">
                        <SeverityBadge severity=i.severity />
                        <span class="rec-meta-item" data-category=category_slug(i.category)>
                            {i.category.label()}
                        </span>
                        <span class="rec-meta-item">"Applies to " {i.kinds.join(", ")}</span>
                        <span class="rec-meta-item" data-testid="recommendation-affected-count">
                            {move || match affected() {
                                Some((n, _)) => format!("{} affected resources", thousands(n)),
                                None => "No affected resource".to_string(),
                            }}
                        </span>
                        {move || affected().filter(|(_, exempt)| *exempt > 0).map(|(_, exempt)| view! {
                            <span class="rec-meta-item exempt-count" data-testid="recommendation-exempt-count">
                                {format!("{} exempt", thousands(exempt))}
                            </span>
                        })}
                    </div>
                })}
            </div>
            <div class="page-actions">
                <Show when=move || affected().is_some_and(|(n, _)| n > 0)>
                    <button
                        class="btn btn-secondary"
                        data-testid="exempt-rule"
                        on:click=move |_| exempting.set(Some(None))
                    >
                        "Exempt…"
                    </button>
                </Show>
            </div>
        </header>
        {form}
        {move || match info.get() {
            Some(i) => Some(view! { <RuleDocumentation info=i /> }.into_any()),
            None if catalogued() => Some(view! {
                <div class="banner banner-warning">"This rule is not in the catalogue."</div>
            }
            .into_any()),
            None => None,
        }}
        <Show when=has_analysis fallback=|| view! {
            <NoSnapshot hint="Load files to see the resources this rule fails on." />
        }>
            {move || match index.get() {
                Some(i) => view! { <AffectedTable recommendation=i on_exempt=on_exempt /> }.into_any(),
                None => view! {
                    <div class="empty" data-testid="no-affected">
                        <h2>"Nothing to fix"</h2>
                        <p>"No resource in the loaded snapshot fails this rule."</p>
                    </div>
                }
                .into_any(),
            }}
        </Show>
    }
}

/// The rule's documentation: what it checks, why, a failing example, the remediation
/// and the frameworks it maps to.
#[component]
fn RuleDocumentation(info: RuleDoc) -> impl IntoView {
    view! {
        <section class="panel rule-doc" data-testid="rule-doc">
            <div class="rule-doc-grid">
                <div>
                    <h3>"What it checks"</h3>
                    <p data-testid="rule-checks"><DocText text=info.checks /></p>
                    <h3>"Why it matters"</h3>
                    <p data-testid="rule-why"><DocText text=info.why /></p>
                    <h3>"Remediation"</h3>
                    <p data-testid="rule-remediation"><DocText text=info.remediation /></p>
                    <h3>"Frameworks"</h3>
                    <div class="tags">
                        {info
                            .frameworks
                            .into_iter()
                            .map(|f| view! { <span class="tag">{f}</span> })
                            .collect_view()}
                    </div>
                </div>
                <div>
                    <h3>"Failing example"</h3>
                    <pre class="example" data-testid="rule-example">{info.example.trim_end().to_string()}</pre>
                </div>
            </div>
        </section>
    }
}

/// Catalogue prose, with `backticked` spans shown as code (as text, never markup).
#[component]
fn DocText(text: String) -> impl IntoView {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            let part = part.to_string();
            if i % 2 == 1 {
                view! { <code>{part}</code> }.into_any()
            } else {
                part.into_any()
            }
        })
        .collect_view()
}
