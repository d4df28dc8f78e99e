//! Cloud identities (`#/iam?principal=&action=&resource=`): a cloud principal's
//! effective permissions and why — each action's decision with the statements behind
//! it (which policy and statement grants it, which explicit Deny cancels it, what the
//! permission boundary allows, the role assignment's scope, the binding), conditions
//! shown as conditions. The worker answers with the engine's `iam::explain`, the same
//! answer `portolan iam -f json` writes; this page renders it, every value as text.

use std::sync::Arc;

use leptos::prelude::*;
use portolan_engine::iam::{AccessQuery, AccessReport, ActionAccess, PrincipalAccess};
use portolan_engine::text::visible;

use crate::components::no_snapshot::NoSnapshot;
use crate::route::{Page, Route};
use crate::state::use_state;

fn shown(text: &str) -> String {
    visible(text).into_owned()
}

/// The page's link for a principal (an ARN, object id, member or name).
pub fn iam_href(principal: &str) -> String {
    let mut route = Route {
        page: Page::Iam,
        ..Route::default()
    };
    route.query.principal = principal.to_string();
    route.to_hash()
}

/// Whether `kind` (a finding's or inventory row's) is a cloud principal's, whose
/// effective permissions this page explains.
pub fn is_principal_kind(kind: &str) -> bool {
    matches!(
        kind,
        "AWS::IAM::User" | "AWS::IAM::Group" | "AWS::IAM::Role"
    ) || kind.starts_with("Azure::Entra::")
        || kind.starts_with("Azure::ManagedIdentity::")
        || (kind.starts_with("GCP::IAM::") && kind != "GCP::IAM::WorkloadIdentity")
}

#[component]
pub fn IamPage() -> impl IntoView {
    let state = use_state();
    let question = Memo::new(move |_| {
        state.route.with(|r| AccessQuery {
            principal: r.query.principal.clone(),
            action: r.query.action.clone(),
            resource: r.query.resource.clone(),
        })
    });
    let principal = RwSignal::new(question.get_untracked().principal);
    let action = RwSignal::new(question.get_untracked().action);
    let resource = RwSignal::new(question.get_untracked().resource);
    // The URL changes (a link, back/forward): the fields follow.
    Effect::new(move |_| {
        let q = question.get();
        principal.set(q.principal);
        action.set(q.action);
        resource.set(q.resource);
    });
    let answer: RwSignal<Option<Result<AccessReport, String>>> = RwSignal::new(None);
    // Ask again for another question or another analysis.
    Effect::new(move |_| {
        let q = question.get();
        let shown = state
            .analysis
            .with(|a| a.as_ref().map(|a| Arc::as_ptr(a) as usize));
        if shown.is_none() {
            return;
        }
        answer.set(None);
        crate::questions::iam(state, &q, move |result| {
            let _ = answer.try_set(Some(result));
        });
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut route = Route {
            page: Page::Iam,
            ..Route::default()
        };
        route.query.principal = principal.get_untracked().trim().to_string();
        route.query.action = action.get_untracked().trim().to_string();
        route.query.resource = resource.get_untracked().trim().to_string();
        state.navigate(route, false);
    };
    let has_analysis = move || state.analysis.with(Option::is_some);
    view! {
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            <header class="page-head">
                <div>
                    <h1>"Cloud identities"</h1>
                    <p class="page-sub">
                        "Why a cloud principal may or may not do an action: the statements that grant it, the Denies and permission boundary that cancel it, the conditions it rests on — as "
                        <code>"portolan iam"</code>" prints it."
                    </p>
                </div>
            </header>
            <form class="panel toolbar toolbar-wrap iam-form" on:submit=submit data-testid="iam-form">
                <label class="iam-field">
                    <span class="muted">"Principal"</span>
                    <input class="iam-input" type="text" data-testid="iam-principal"
                        placeholder="name, ARN, object id or member"
                        prop:value=move || principal.get()
                        on:input=move |ev| principal.set(event_target_value(&ev)) />
                </label>
                <label class="iam-field">
                    <span class="muted">"Action"</span>
                    <input class="iam-input" type="text" data-testid="iam-action"
                        placeholder="s3:GetObject, iam:*, roles/storage.* (empty: every action named)"
                        prop:value=move || action.get()
                        on:input=move |ev| action.set(event_target_value(&ev)) />
                </label>
                <label class="iam-field">
                    <span class="muted">"Resource"</span>
                    <input class="iam-input" type="text" data-testid="iam-resource"
                        placeholder="an ARN, scope or project (empty: any)"
                        prop:value=move || resource.get()
                        on:input=move |ev| resource.set(event_target_value(&ev)) />
                </label>
                <button class="btn" type="submit" data-testid="iam-submit">"Explain"</button>
            </form>
            {move || match answer.get() {
                None => view! { <div class="panel muted" data-testid="iam-loading">"Loading…"</div> }.into_any(),
                Some(Err(e)) => view! { <div class="panel error" data-testid="iam-error">{e}</div> }.into_any(),
                Some(Ok(report)) => report_view(report).into_any(),
            }}
        </Show>
    }
}

fn report_view(report: AccessReport) -> impl IntoView {
    if report.principals.is_empty() {
        let asked = report.query.principal.clone();
        let heading = if asked.is_empty() {
            "Pick a principal".to_string()
        } else {
            format!("No cloud principal named \u{201c}{}\u{201d}", shown(&asked))
        };
        let none = report.suggestions.is_empty();
        let suggestions = report
            .suggestions
            .into_iter()
            .map(|p| {
                let href = iam_href(&p.id);
                view! {
                    <li data-testid="iam-suggestion">
                        <a href=href><bdi>{shown(&p.name)}</bdi></a>
                        " " <span class="muted">{shown(&p.kind)}</span>
                    </li>
                }
            })
            .collect_view();
        return view! {
            <div class="panel" data-testid="iam-empty">
                <h2>{heading}</h2>
                {none.then(|| view! { <p class="muted">"The inputs hold no cloud principal by that name (AWS IAM, Azure role assignments, gcloud IAM policies)."</p> })}
                <ul class="iam-suggestions">{suggestions}</ul>
            </div>
        }
        .into_any();
    }
    report
        .principals
        .into_iter()
        .map(principal_view)
        .collect_view()
        .into_any()
}

fn principal_view(p: PrincipalAccess) -> impl IntoView {
    let groups = (!p.groups.is_empty()).then(|| {
        let text = p
            .groups
            .iter()
            .map(|g| shown(g))
            .collect::<Vec<_>>()
            .join(", ");
        view! { <p><span class="muted">"Groups: "</span><bdi>{text}</bdi></p> }
    });
    let boundary = p.boundary.as_ref().map(|b| {
        view! { <p><span class="muted">"Permission boundary: "</span><code>{shown(b)}</code></p> }
    });
    let notes = p
        .notes
        .iter()
        .map(|n| view! { <li class="muted">{shown(n)}</li> })
        .collect_view();
    let resource_href = crate::links::object_href(&portolan_engine::rules::ResourceRef {
        kind: p.principal.kind.clone(),
        name: p.principal.name.clone(),
        ..Default::default()
    });
    let actions = p.actions.into_iter().map(action_view).collect_view();
    view! {
        <section class="panel iam-principal" data-testid="iam-principal-card"
            data-kind=p.principal.kind.clone() data-id=p.principal.id.clone()>
            <p class="muted">{shown(&p.principal.kind)}</p>
            <h2 data-testid="iam-principal-name"><bdi>{shown(&p.principal.name)}</bdi></h2>
            <p><code>{shown(&p.principal.id)}</code>" · "<a href=resource_href>"Details"</a></p>
            {groups}
            {boundary}
            <table class="table iam-actions">
                <thead><tr><th>"Action"</th><th>"Decision"</th><th>"Where"</th><th>"Because"</th></tr></thead>
                <tbody>{actions}</tbody>
            </table>
            <ul class="iam-notes">{notes}</ul>
        </section>
    }
}

fn action_view(a: ActionAccess) -> impl IntoView {
    let decision = serde_json::to_value(a.decision)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let class = format!("iam-decision iam-{decision}");
    let label = a.decision_label();
    let resources = a
        .resources
        .iter()
        .map(|r| shown(r))
        .collect::<Vec<_>>()
        .join(", ");
    let statements = a
        .statements
        .into_iter()
        .map(|s| {
            let effect = serde_json::to_value(s.effect)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let via = (!s.via.is_empty()).then(|| view! { " via " <bdi>{shown(&s.via)}</bdi> });
            let actions = format!(
                "{}{}",
                if s.not_action { "NotAction " } else { "" },
                s.actions.iter().map(|x| shown(x)).collect::<Vec<_>>().join(", ")
            );
            let on = format!(
                "{}{}",
                if s.not_resource { "NotResource " } else { "" },
                s.resources.iter().map(|x| shown(x)).collect::<Vec<_>>().join(", ")
            );
            let conditions = s
                .conditions
                .iter()
                .map(|c| view! { <div class="iam-condition" data-testid="iam-condition">"when " <code>{shown(c)}</code></div> })
                .collect_view();
            view! {
                <li class="iam-statement" data-testid="iam-statement" data-effect=effect.clone()
                    data-policy=s.policy.clone() data-statement=s.statement.clone()>
                    <span class=format!("iam-effect iam-{effect}")>{s.effect.label()}</span>
                    " " {s.attached.clone()} " " <code><bdi>{shown(&s.policy)}</bdi></code>
                    " " <bdi>{shown(&s.statement)}</bdi> {via}
                    <div class="muted iam-statement-body">{actions}" on "{on}</div>
                    {conditions}
                </li>
            }
        })
        .collect_view();
    view! {
        <tr data-testid="iam-action-row" data-action=a.action.clone() data-decision=decision>
            <td><code><bdi>{shown(&a.action)}</bdi></code></td>
            <td><span class=class>{label}</span></td>
            <td class="iam-where">{resources}</td>
            <td><ul class="iam-statements">{statements}</ul></td>
        </tr>
    }
}
