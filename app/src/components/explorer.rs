//! The query explorer (`#/explorer?q=...`): a visual builder (start kind, conditions,
//! relation steps added one by one, each dropdown offering what the snapshot's graph
//! allows from the previous kind) and the text form beside it, kept in step both ways
//! through the URL, the built-in templates, and the results as a sortable table whose
//! every node links to its resource panel, with a link that shows them on the map. The
//! query runs in the worker, on the snapshot it kept; the page sends the text and gets
//! the visible chains back, the same as `portolan query -f json`.

use leptos::prelude::*;
use portolan_engine::query::{
    self, Condition, Direction, Flag, Kind, Query, QueryOutcome, Relation, Step, StepOption, Test,
    TextField, TextOp, RELATIONS, TEMPLATES,
};
use portolan_engine::text::visible;

use crate::components::no_snapshot::NoSnapshot;
use crate::format::thousands;
use crate::route::percent_encode;
use crate::state::{use_state, AppState};

/// Chains the page asks the worker for (the total is counted in full).
const LIMIT: usize = 1_000;

/// The query shown when the URL names none.
const DEFAULT_QUERY: &str = "workloads where exposed";

/// The resource panel's link for a graph node (the `map` branch's contract).
pub fn resource_href(id: &str) -> String {
    format!("#/resource/{}", percent_encode(id))
}

/// The map's link highlighting `ids`.
fn map_href(ids: &[&str]) -> String {
    let focus: Vec<String> = ids.iter().map(|id| percent_encode(id)).collect();
    format!("#/map?focus={}", focus.join(","))
}

/// Sets the query text in the URL; `replace` while typing, so each key is not a
/// history entry.
fn set_text(state: AppState, text: String, replace: bool) {
    let mut route = state.route.get_untracked();
    if route.query.q == text {
        return;
    }
    route.query.q = text;
    state.navigate(route, replace);
}

/// The kind the chain stands on before step `i` (`without` steps do not move it).
fn kind_before(q: &Query, i: usize) -> Kind {
    q.steps[..i]
        .iter()
        .rev()
        .find(|s| !s.without)
        .map_or(q.start, |s| s.kind)
}

/// `out:3` / `in:3` for a direction and named relation.
fn relation_key(outgoing: bool, relation: usize) -> String {
    format!("{}:{relation}", if outgoing { "out" } else { "in" })
}

fn relation_label(outgoing: bool, relation: usize) -> String {
    let name = RELATIONS.get(relation).map_or("?", |r| r.name);
    if outgoing {
        format!("-[{name}]->")
    } else {
        format!("<-[{name}]-")
    }
}

/// The key of a step's relation when it is one named relation.
fn step_key(s: &Step) -> Option<String> {
    match s.relations.as_slice() {
        [Relation::Named(r)] => Some(relation_key(s.direction == Direction::Out, *r)),
        _ => None,
    }
}

/// The distinct (direction, relation) options from `from`, in order.
fn relation_options(steps: &[StepOption], from: Kind) -> Vec<(bool, usize)> {
    let mut out: Vec<(bool, usize)> = steps
        .iter()
        .filter(|s| s.from == from)
        .map(|s| (s.outgoing, s.relation))
        .collect();
    out.sort_by_key(|(o, r)| (!*o, *r));
    out.dedup();
    out
}

/// The kinds a relation reaches from `from`.
fn kind_options(steps: &[StepOption], from: Kind, outgoing: bool, relation: usize) -> Vec<Kind> {
    let mut out: Vec<Kind> = steps
        .iter()
        .filter(|s| s.from == from && s.outgoing == outgoing && s.relation == relation)
        .map(|s| s.to)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[component]
pub fn ExplorerPage() -> impl IntoView {
    let state = use_state();
    let has_analysis = move || state.analysis.with(Option::is_some);
    if state.route.with_untracked(|r| r.query.q.is_empty()) {
        set_text(state, DEFAULT_QUERY.to_string(), true);
    }
    let text = Memo::new(move |_| state.route.with(|r| r.query.q.clone()));
    let parsed = Memo::new(move |_| text.with(|t| query::parse(t)));
    // The last query that parsed: the builder shows it while the text has an error.
    let model = RwSignal::new(Query {
        start: Kind::Workloads,
        conditions: Vec::new(),
        steps: Vec::new(),
    });
    let outcome: RwSignal<Option<QueryOutcome>> = RwSignal::new(None);
    let allowed: RwSignal<Vec<StepOption>> = RwSignal::new(Vec::new());
    let running = RwSignal::new(false);
    let sort: RwSignal<Option<(usize, bool)>> = RwSignal::new(None);

    Effect::new(move |_| {
        if let Ok(q) = parsed.get() {
            model.set(q);
        }
    });
    // Run the query whenever its text parses and whenever the analysis changes.
    Effect::new(move |_| {
        let shown = state.analysis.with(Option::is_some);
        let Ok(q) = parsed.get() else {
            return;
        };
        if !shown {
            return;
        }
        running.set(true);
        state.query(&q.to_string(), LIMIT, move |o| {
            if !o.steps.is_empty() {
                allowed.set(o.steps.clone());
            }
            outcome.set(Some(o));
            running.set(false);
        });
    });

    // The text box follows the URL, but not while the user types into it (that would
    // move the caret).
    let typed = StoredValue::new(String::new());
    let shown_text = RwSignal::new(text.get_untracked());
    Effect::new(move |_| {
        let t = text.get();
        if typed.with_value(|v| *v != t) {
            shown_text.set(t);
        }
    });

    let edit = move |change: Box<dyn FnOnce(&mut Query)>| {
        let mut q = model.get_untracked();
        change(&mut q);
        typed.set_value(String::new());
        set_text(state, q.to_string(), false);
    };

    let error = move || match parsed.get() {
        Err(e) => Some(e.to_string()),
        Ok(_) => outcome.with(|o| {
            o.as_ref()
                .and_then(|o| o.error.as_ref())
                .map(|e| e.message.clone())
        }),
    };

    view! {
        <header class="page-head">
            <div>
                <h1 data-testid="explorer-title">"Explorer"</h1>
                <p class="page-sub">
                    "Ask the security graph your own questions: where to start, which relations to follow, "
                    "where to end. The builder and the text are the same query; docs/query.md has the language."
                </p>
            </div>
        </header>
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            <section class="panel explorer-query">
                <div class="explorer-row">
                    <label class="explorer-label" for="explorer-template">"Template"</label>
                    <select
                        id="explorer-template"
                        class="select explorer-template"
                        data-testid="explorer-template"
                        on:change=move |e| {
                            let name = event_target_value(&e);
                            if let Some(t) = TEMPLATES.iter().find(|t| t.name == name) {
                                typed.set_value(String::new());
                                set_text(state, t.query.to_string(), false);
                            }
                        }
                    >
                        <option value="" selected>"Choose a built-in question…"</option>
                        {TEMPLATES
                            .iter()
                            .map(|t| view! { <option value=t.name title=format!("portolan query --template {}", t.name)>{t.question}</option> })
                            .collect_view()}
                    </select>
                </div>
                <Builder model=model allowed=allowed edit=edit />
                <label class="explorer-label" for="explorer-text">"Query"</label>
                <textarea
                    id="explorer-text"
                    class="explorer-text"
                    rows="3"
                    spellcheck="false"
                    data-testid="explorer-text"
                    prop:value=move || shown_text.get()
                    on:input=move |e| {
                        let v = event_target_value(&e);
                        typed.set_value(v.clone());
                        set_text(state, v, true);
                    }
                ></textarea>
                {move || error().map(|e| view! {
                    <p class="explorer-error" role="alert" data-testid="explorer-error">{e}</p>
                })}
            </section>
            <Results outcome=outcome running=running sort=sort />
        </Show>
    }
}

/// The visual builder: one row for the start and one per step.
#[component]
fn Builder(
    model: RwSignal<Query>,
    allowed: RwSignal<Vec<StepOption>>,
    edit: impl Fn(Box<dyn FnOnce(&mut Query)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let steps = move || model.with(|q| q.steps.len());
    let add_step = move |_| {
        let q = model.get_untracked();
        let from = kind_before(&q, q.steps.len());
        let options = allowed.with_untracked(|a| relation_options(a, from));
        let Some(&(outgoing, relation)) = options.first() else {
            return;
        };
        let Some(&to) = allowed
            .with_untracked(|a| kind_options(a, from, outgoing, relation))
            .first()
        else {
            return;
        };
        edit(Box::new(move |q| {
            q.steps.push(Step {
                without: false,
                direction: if outgoing {
                    Direction::Out
                } else {
                    Direction::In
                },
                relations: vec![Relation::Named(relation)],
                hops: None,
                kind: to,
                conditions: Vec::new(),
            })
        }));
    };
    let can_add = move || {
        let from = model.with(|q| kind_before(q, q.steps.len()));
        allowed.with(|a| !relation_options(a, from).is_empty())
    };
    view! {
        <div class="explorer-builder" data-testid="explorer-builder">
            <div class="explorer-row" data-testid="explorer-start-row">
                <span class="explorer-label">"Start from"</span>
                <select
                    class="select"
                    aria-label="Start kind"
                    data-testid="explorer-start"
                    on:change=move |e| {
                        let word = event_target_value(&e);
                        if let Some(k) = Kind::from_name(&word) {
                            edit(Box::new(move |q| {
                                q.start = k;
                                q.steps.clear();
                            }));
                        }
                    }
                >
                    {move || {
                        let current = model.with(|q| q.start);
                        Kind::ALL
                            .iter()
                            .map(|k| view! { <option value=k.name() selected={*k == current}>{k.name()}</option> })
                            .collect_view()
                    }}
                </select>
                <Conditions model=model position=None edit=edit />
            </div>
            {move || {
                (0..steps())
                    .map(|i| view! { <StepRow model=model allowed=allowed index=i edit=edit /> })
                    .collect_view()
            }}
            <button
                class="btn"
                type="button"
                data-testid="explorer-add-step"
                disabled=move || !can_add()
                on:click=add_step
            >
                "+ Add a step"
            </button>
        </div>
    }
}

/// One step of the builder: relation, kind, `without`, conditions, remove.
#[component]
fn StepRow(
    model: RwSignal<Query>,
    allowed: RwSignal<Vec<StepOption>>,
    index: usize,
    edit: impl Fn(Box<dyn FnOnce(&mut Query)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let step = move || model.with(|q| q.steps.get(index).cloned());
    let from = move || model.with(|q| kind_before(q, index.min(q.steps.len())));
    let relation_select = move || {
        let Some(s) = step() else {
            return ().into_any();
        };
        let current = step_key(&s);
        let options = allowed.with(|a| relation_options(a, from()));
        view! {
            <select
                class="select"
                aria-label="Relation"
                data-testid="explorer-relation"
                on:change=move |e| {
                    let value = event_target_value(&e);
                    let Some((dir, r)) = value.split_once(':') else { return };
                    let Ok(r) = r.parse::<usize>() else { return };
                    let outgoing = dir == "out";
                    let kinds = allowed.with_untracked(|a| kind_options(a, from(), outgoing, r));
                    edit(Box::new(move |q| {
                        if let Some(s) = q.steps.get_mut(index) {
                            s.direction = if outgoing { Direction::Out } else { Direction::In };
                            s.relations = vec![Relation::Named(r)];
                            s.hops = None;
                            if !kinds.contains(&s.kind) {
                                if let Some(k) = kinds.first() {
                                    s.kind = *k;
                                }
                            }
                            q.steps.truncate(index + 1);
                        }
                    }));
                }
            >
                {current.is_none().then(|| view! { <option value="" selected>"(as written)"</option> })}
                {options
                    .into_iter()
                    .map(|(o, r)| {
                        let key = relation_key(o, r);
                        let selected = current.as_deref() == Some(key.as_str());
                        view! { <option value=key selected=selected>{relation_label(o, r)}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any()
    };
    let kind_select = move || {
        let Some(s) = step() else {
            return ().into_any();
        };
        let kinds = match s.relations.as_slice() {
            [Relation::Named(r)] => {
                allowed.with(|a| kind_options(a, from(), s.direction == Direction::Out, *r))
            }
            _ => Kind::ALL.to_vec(),
        };
        let mut kinds = kinds;
        if !kinds.contains(&s.kind) {
            kinds.push(s.kind);
        }
        view! {
            <select
                class="select"
                aria-label="Kind"
                data-testid="explorer-kind"
                on:change=move |e| {
                    let word = event_target_value(&e);
                    if let Some(k) = Kind::from_name(&word) {
                        edit(Box::new(move |q| {
                            if let Some(s) = q.steps.get_mut(index) {
                                s.kind = k;
                            }
                            q.steps.truncate(index + 1);
                        }));
                    }
                }
            >
                {kinds
                    .into_iter()
                    .map(|k| view! { <option value=k.name() selected={k == s.kind}>{k.name()}</option> })
                    .collect_view()}
            </select>
        }
        .into_any()
    };
    let without = move || step().is_some_and(|s| s.without);
    view! {
        <div class="explorer-row explorer-step" data-testid="explorer-step">
            <label class="explorer-without">
                <input
                    type="checkbox"
                    data-testid="explorer-without"
                    prop:checked=without
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        edit(Box::new(move |q| {
                            if let Some(s) = q.steps.get_mut(index) {
                                s.without = on;
                            }
                        }));
                    }
                />
                "without"
            </label>
            {relation_select}
            {kind_select}
            <Conditions model=model position=Some(index) edit=edit />
            <button
                class="btn btn-small"
                type="button"
                aria-label="Remove this step"
                data-testid="explorer-remove-step"
                on:click=move |_| edit(Box::new(move |q| {
                    if index < q.steps.len() {
                        q.steps.remove(index);
                    }
                }))
            >
                "×"
            </button>
        </div>
    }
}

/// The conditions of the start (`position` None) or of a step: chips that remove
/// themselves, a flag to add, and a name pattern.
#[component]
fn Conditions(
    model: RwSignal<Query>,
    position: Option<usize>,
    edit: impl Fn(Box<dyn FnOnce(&mut Query)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    fn list(q: &mut Query, position: Option<usize>) -> Option<&mut Vec<Condition>> {
        match position {
            None => Some(&mut q.conditions),
            Some(i) => q.steps.get_mut(i).map(|s| &mut s.conditions),
        }
    }
    let conditions = move || {
        model.with(|q| match position {
            None => q.conditions.clone(),
            Some(i) => q
                .steps
                .get(i)
                .map(|s| s.conditions.clone())
                .unwrap_or_default(),
        })
    };
    let add = move |c: Condition| {
        edit(Box::new(move |q| {
            if let Some(l) = list(q, position) {
                if !l.contains(&c) {
                    l.push(c);
                }
            }
        }))
    };
    view! {
        <span class="explorer-conditions">
            {move || {
                conditions()
                    .into_iter()
                    .enumerate()
                    .map(|(j, c)| view! {
                        <button
                            class="chip"
                            type="button"
                            title="Remove this condition"
                            data-testid="explorer-condition"
                            on:click=move |_| edit(Box::new(move |q| {
                                if let Some(l) = list(q, position) {
                                    if j < l.len() {
                                        l.remove(j);
                                    }
                                }
                            }))
                        >
                            {c.to_string()} " ×"
                        </button>
                    })
                    .collect_view()
            }}
            <select
                class="select select-small"
                aria-label="Add a condition"
                data-testid="explorer-add-condition"
                on:change=move |e| {
                    let word = event_target_value(&e);
                    if let Some(f) = Flag::ALL.iter().copied().find(|f| f.name() == word) {
                        add(Condition { negated: false, test: Test::Flag(f) });
                    }
                }
            >
                <option value="" selected>"+ condition"</option>
                {Flag::ALL
                    .iter()
                    .map(|f| view! { <option value=f.name() title=f.description()>{f.name()}</option> })
                    .collect_view()}
            </select>
            <input
                class="input input-small"
                type="search"
                placeholder="name pattern, * any"
                aria-label="Name pattern"
                data-testid="explorer-name"
                on:change=move |e| {
                    let v = event_target_value(&e);
                    if !v.is_empty() {
                        add(Condition {
                            negated: false,
                            test: Test::Text { field: TextField::Name, op: TextOp::Glob, values: vec![v] },
                        });
                    }
                }
            />
        </span>
    }
}

/// The chains found, one row each, sortable by any column.
#[component]
fn Results(
    outcome: RwSignal<Option<QueryOutcome>>,
    running: RwSignal<bool>,
    sort: RwSignal<Option<(usize, bool)>>,
) -> impl IntoView {
    // Shown as read: bidi controls and invisible characters as escapes.
    let label = |namespace: &str, name: &str| {
        if namespace.is_empty() {
            visible(name).into_owned()
        } else {
            format!("{}/{}", visible(namespace), visible(name))
        }
    };
    let summary = move || {
        outcome.with(|o| {
            let o = o.as_ref()?;
            if o.error.is_some() {
                return None;
            }
            let shown = o.answer.results.len() as u64;
            Some(if !o.complete {
                format!(
                    "At least {} results (the search stopped at its work limit).",
                    thousands(o.total as usize)
                )
            } else if shown < o.total {
                format!(
                    "{} results; the first {} shown.",
                    thousands(o.total as usize),
                    thousands(shown as usize)
                )
            } else if o.total == 1 {
                "1 result.".to_string()
            } else {
                format!("{} results.", thousands(o.total as usize))
            })
        })
    };
    let map_link = move || {
        outcome.with(|o| {
            let o = o.as_ref()?;
            let mut ids: Vec<&str> = o
                .answer
                .results
                .iter()
                .flat_map(|c| c.nodes.iter().map(|n| n.id.as_str()))
                .collect();
            ids.sort();
            ids.dedup();
            (!ids.is_empty()).then(|| map_href(&ids))
        })
    };
    let has_rows =
        move || outcome.with(|o| o.as_ref().is_some_and(|o| !o.answer.results.is_empty()));
    // The answer in the engine's order, with its CSV writer: the CLI's file for the query.
    let state = use_state();
    let export_csv = move |_| {
        let csv = outcome.with_untracked(|o| {
            o.as_ref()
                .map(|o| portolan_engine::report::query_csv(&o.answer))
        });
        if let Some(csv) = csv {
            if let Err(e) = crate::download::save_text("portolan-query.csv", &csv, "text/csv") {
                state.notices.update(|n| n.push(e));
            }
        }
    };
    let header = move || {
        outcome.with(|o| {
            o.as_ref()
                .and_then(|o| o.answer.results.first())
                .map(|c| c.nodes.iter().map(|n| n.kind.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let rows = move || {
        let mut rows: Vec<Vec<(String, String, String)>> = outcome.with(|o| {
            o.as_ref()
                .map(|o| {
                    o.answer
                        .results
                        .iter()
                        .map(|c| {
                            c.nodes
                                .iter()
                                .map(|n| {
                                    (n.id.clone(), n.kind.clone(), label(&n.namespace, &n.name))
                                })
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        if let Some((col, descending)) = sort.get() {
            rows.sort_by(|a, b| {
                let key = |r: &Vec<(String, String, String)>| r.get(col).map(|c| c.2.clone());
                let order = key(a).cmp(&key(b));
                if descending {
                    order.reverse()
                } else {
                    order
                }
            });
        }
        rows
    };
    view! {
        <section class="panel explorer-results" data-testid="explorer-results" data-running=move || running.get().to_string()>
            <div class="explorer-summary">
                <span data-testid="explorer-count">{summary}</span>
                {move || map_link().map(|href| view! {
                    <a class="btn" href=href data-testid="explorer-map-link">"Show on map"</a>
                })}
                {move || has_rows().then(|| view! {
                    <button
                        class="btn"
                        type="button"
                        data-testid="explorer-export-csv"
                        title="The results, as portolan query --format csv writes them"
                        on:click=export_csv
                    >
                        "Export CSV"
                    </button>
                })}
            </div>
            <table class="table" data-testid="explorer-table">
                <thead>
                    <tr>
                        {move || {
                            header()
                                .into_iter()
                                .enumerate()
                                .map(|(i, kind)| {
                                    let arrow = move || match sort.get() {
                                        Some((c, false)) if c == i => " ▲",
                                        Some((c, true)) if c == i => " ▼",
                                        _ => "",
                                    };
                                    view! {
                                        <th>
                                            <button
                                                class="th-sort"
                                                type="button"
                                                data-testid="explorer-sort"
                                                on:click=move |_| sort.update(|s| {
                                                    *s = match *s {
                                                        Some((c, false)) if c == i => Some((i, true)),
                                                        _ => Some((i, false)),
                                                    }
                                                })
                                            >
                                                {format!("{} {kind}", i + 1)}
                                                {arrow}
                                            </button>
                                        </th>
                                    }
                                })
                                .collect_view()
                        }}
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        rows()
                            .into_iter()
                            .map(|r| view! {
                                <tr data-testid="explorer-row">
                                    {r
                                        .into_iter()
                                        .map(|(id, kind, name)| view! {
                                            <td>
                                                <a href=resource_href(&id) data-testid="explorer-node" data-id=id.clone() title=visible(&id).into_owned()>
                                                    <bdi>{name}</bdi>
                                                </a>
                                                <span class="muted explorer-kind">{kind}</span>
                                            </td>
                                        })
                                        .collect_view()}
                                </tr>
                            })
                            .collect_view()
                    }}
                </tbody>
            </table>
        </section>
    }
}
