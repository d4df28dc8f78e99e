//! The form that exempts a rule for one resource, a namespace or every resource, with
//! a reason (required) and an optional expiry date. Shown over the recommendation it
//! was opened from; saving stores the exemption and re-evaluates the rules.
//!
//! It is a modal dialog for the keyboard too: focus starts in the reason, Tab and
//! Shift+Tab stay inside the form, Escape cancels, and closing returns focus to the
//! button that opened it. A missing reason is an error tied to its field
//! (`aria-invalid`, `aria-describedby`).

use leptos::ev;
use leptos::prelude::*;
use portolan_engine::rules::exemptions::{Exemption, CATEGORIES};
use portolan_engine::rules::ResourceRef;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::state::use_state;
use crate::worker_client::today;

/// What an exemption made here covers.
#[derive(Clone, Debug, PartialEq)]
enum Scope {
    Resource(ResourceRef),
    Namespace(String),
    Rule,
}

impl Scope {
    fn label(&self) -> String {
        match self {
            Scope::Resource(r) if r.namespace.is_empty() => {
                format!("This resource: {} {}", r.kind, r.name)
            }
            Scope::Resource(r) => format!("This resource: {} {}/{}", r.kind, r.namespace, r.name),
            Scope::Namespace(ns) => format!("Namespace {ns}: every resource in it"),
            Scope::Rule => "Every resource: the whole rule".to_string(),
        }
    }

    fn exemption(&self, rule: &str, reason: &str, expires: &str, record: Record) -> Exemption {
        let mut e = Exemption {
            rule: rule.to_string(),
            reason: reason.trim().to_string(),
            expires: (!expires.is_empty()).then(|| expires.to_string()),
            category: Some(record.category.to_string()),
            owner: (!record.owner.trim().is_empty()).then(|| record.owner.trim().to_string()),
            created: (!record.created.is_empty()).then_some(record.created),
            ..Exemption::default()
        };
        match self {
            Scope::Resource(r) => {
                e.namespace = (!r.namespace.is_empty()).then(|| r.namespace.clone());
                e.kind = Some(r.kind.clone());
                e.name = Some(r.name.clone());
            }
            Scope::Namespace(ns) => e.namespace = Some(ns.clone()),
            Scope::Rule => {}
        }
        e
    }
}

/// What the form records beside the reason: the category, the owner and the day.
struct Record {
    category: &'static str,
    owner: String,
    created: String,
}

/// Exempts `rule`. Opened from an affected row, `resource` is that row's resource and
/// is offered first; opened for the rule, `namespaces` (those with affected resources)
/// are offered, then the whole rule.
#[component]
pub fn ExemptForm(
    rule: String,
    title: String,
    resource: Option<ResourceRef>,
    namespaces: Vec<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let state = use_state();
    let mut scopes = Vec::new();
    match resource {
        Some(r) => {
            let namespace = r.namespace.clone();
            scopes.push(Scope::Resource(r));
            if !namespace.is_empty() {
                scopes.push(Scope::Namespace(namespace));
            }
        }
        None => scopes.extend(namespaces.into_iter().map(Scope::Namespace)),
    }
    scopes.push(Scope::Rule);
    let scopes = StoredValue::new(scopes);
    let selected = RwSignal::new(0usize);
    let reason = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let category = RwSignal::new(CATEGORIES[1]);
    let owner = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let today = today();
    let min_day = today.clone();
    // Focus goes back to the opener when the form goes away.
    let opener = StoredValue::new_local(
        document()
            .active_element()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok()),
    );
    on_cleanup(move || {
        if let Some(el) = opener.try_get_value().flatten() {
            if el.is_connected() {
                let _ = el.focus();
            }
        }
    });
    let form_ref = NodeRef::<leptos::html::Form>::new();
    // The reason is what the user types first.
    let reason_input = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move || {
        if let Some(input) = reason_input.get() {
            let _ = input.focus();
        }
    });

    let save = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let reason = reason.get_untracked();
        if reason.trim().is_empty() {
            problem.set(Some("Say why these findings are accepted."));
            if let Some(input) = reason_input.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        let Some(scope) = scopes.with_value(|s| s.get(selected.get_untracked()).cloned()) else {
            return;
        };
        let record = Record {
            category: category.get_untracked(),
            owner: owner.get_untracked(),
            created: today.clone(),
        };
        state.add_exemption(scope.exemption(&rule, &reason, &expires.get_untracked(), record));
        on_close.run(());
    };
    let on_keydown = move |e: ev::KeyboardEvent| {
        if e.key() == "Escape" {
            on_close.run(());
        } else if e.key() == "Tab" {
            if let Some(form) = form_ref.get_untracked() {
                trap_focus(&form, &e);
            }
        }
    };

    view! {
        <div
            class="modal-backdrop"
            on:keydown=on_keydown
            on:click=move |e| {
                // A click beside the form, not in it, cancels.
                if e.target() == e.current_target() {
                    on_close.run(());
                }
            }
        >
            <form
                node_ref=form_ref
                class="modal panel"
                role="dialog"
                aria-modal="true"
                aria-labelledby="exempt-title"
                data-testid="exempt-form"
                novalidate=true
                on:submit=save
            >
                <div class="panel-head">
                    <h2 id="exempt-title">"Exempt findings"</h2>
                </div>
                <div class="modal-body">
                    <p class="modal-rule">{title}</p>
                    <label class="field">
                        <span class="field-label">"Scope"</span>
                        <select
                            class="select"
                            data-testid="exempt-scope"
                            on:change=move |e| {
                                selected.set(event_target_value(&e).parse().unwrap_or(0));
                            }
                        >
                            {scopes
                                .with_value(|s| {
                                    s.iter()
                                        .enumerate()
                                        .map(|(i, scope)| {
                                            view! { <option value=i.to_string()>{scope.label()}</option> }
                                        })
                                        .collect_view()
                                })}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field-label">"Reason " <span class="required">"(required)"</span></span>
                        <textarea
                            class="textarea"
                            rows="3"
                            data-testid="exempt-reason-input"
                            aria-required="true"
                            aria-invalid=move || if problem.with(Option::is_some) { "true" } else { "false" }
                            aria-describedby=move || problem.with(|p| p.map(|_| "exempt-reason-error"))
                            placeholder="Why the risk is accepted, and who accepted it"
                            node_ref=reason_input
                            prop:value=move || reason.get()
                            on:input=move |e| {
                                reason.set(event_target_value(&e));
                                problem.set(None);
                            }
                        ></textarea>
                    </label>
                    {move || problem.get().map(|p| view! {
                        <div class="field-error" id="exempt-reason-error" role="alert" data-testid="exempt-problem">{p}</div>
                    })}
                    <div class="field-row">
                        <label class="field">
                            <span class="field-label">"Category"</span>
                            <select
                                class="select"
                                data-testid="exempt-category"
                                on:change=move |e| {
                                    let value = event_target_value(&e);
                                    category.set(if value == CATEGORIES[0] { CATEGORIES[0] } else { CATEGORIES[1] });
                                }
                            >
                                <option value=CATEGORIES[1] selected>"Risk accepted"</option>
                                <option value=CATEGORIES[0]>"Mitigated (a control elsewhere covers it)"</option>
                            </select>
                        </label>
                        <label class="field">
                            <span class="field-label">"Owner (optional)"</span>
                            <input
                                class="input"
                                type="text"
                                data-testid="exempt-owner"
                                placeholder="Team or person"
                                prop:value=move || owner.get()
                                on:input=move |e| owner.set(event_target_value(&e))
                            />
                        </label>
                    </div>
                    <label class="field">
                        <span class="field-label">"Expires (optional)"</span>
                        <input
                            class="date"
                            type="date"
                            min=min_day
                            data-testid="exempt-expires"
                            prop:value=move || expires.get()
                            on:input=move |e| expires.set(event_target_value(&e))
                        />
                    </label>
                    <p class="field-hint">
                        "Exempt findings stay listed, marked exempt, and stop counting in the secure "
                        "score and affected counts. The exemption holds through its expiry day and "
                        "is kept in this browser; export it from Exemptions for the CLI."
                    </p>
                </div>
                <div class="modal-foot">
                    <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="btn btn-primary" data-testid="exempt-save">
                        "Exempt"
                    </button>
                </div>
            </form>
        </div>
    }
}

/// Keeps Tab and Shift+Tab inside `form`: from its last control to its first, and back.
fn trap_focus(form: &HtmlElement, e: &ev::KeyboardEvent) {
    let Ok(list) = form.query_selector_all("select, textarea, input, button:not([disabled])")
    else {
        return;
    };
    let controls: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let active = document().active_element();
    let at = |el: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let inside = controls.iter().any(at);
    if e.shift_key() && (at(first) || !inside) {
        e.prevent_default();
        let _ = last.focus();
    } else if !e.shift_key() && (at(last) || !inside) {
        e.prevent_default();
        let _ = first.focus();
    }
}
