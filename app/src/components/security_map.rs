//! The security map (`#/map`): the graph drawn for people, by the worker
//! (`portolan_engine::map`), with zoom, pan, search and filters. Everything the map
//! shows is in the URL (`expand`, `focus`, `path`, `hide`, `insight`, `q`), so a link
//! reopens the same view. The drawing is an SVG string in which the engine escaped every
//! snapshot value; this page sets it, moves its view box and turns clicks on
//! aggregates and region titles into expansions.

use std::cell::Cell;
use std::sync::Arc;

use leptos::html::Div;
use leptos::prelude::*;
use portolan_engine::map::{MapRequest, SecurityMap};
use wasm_bindgen::JsCast;

use crate::components::no_snapshot::NoSnapshot;
use crate::components::resource_panel::insight_label;
use crate::format::thousands;
use crate::links::map_focus_href;
use crate::route::{Route, TableQuery};
use crate::state::{use_state, AppState};

/// How much one wheel step or button press zooms.
const ZOOM_STEP: f64 = 1.25;

fn request_of(q: &TableQuery) -> MapRequest {
    MapRequest {
        expand: q.expand.clone(),
        focus: q.focus.clone(),
        path: q.path,
        hide: q.hide.clone(),
        insight: q.insight.clone(),
        search: q.q.clone(),
    }
}

/// Changes the map's part of the URL.
fn update(state: AppState, replace: bool, change: impl FnOnce(&mut TableQuery)) {
    let mut route: Route = state.route.get_untracked();
    change(&mut route.query);
    state.navigate(route, replace);
}

/// Sets the drawing's view box (x, y, width, height).
fn apply_view(canvas: &web_sys::HtmlDivElement, view: [f64; 4]) {
    if let Ok(Some(svg)) = canvas.query_selector("svg") {
        let _ = svg.set_attribute(
            "viewBox",
            &format!(
                "{:.1} {:.1} {:.1} {:.1}",
                view[0], view[1], view[2], view[3]
            ),
        );
    }
}

#[component]
pub fn MapPage() -> impl IntoView {
    let state = use_state();
    let request = Memo::new(move |_| state.route.with(|r| request_of(&r.query)));
    let answer: RwSignal<Option<Result<SecurityMap, String>>> = RwSignal::new(None);
    let waiting = RwSignal::new(false);
    Effect::new(move |_| {
        let shown = state
            .analysis
            .with(|a| a.as_ref().map(|a| Arc::as_ptr(a) as usize));
        let request = request.get();
        if shown.is_none() {
            return;
        }
        waiting.set(true);
        crate::questions::map(state, &request, move |result| {
            let _ = answer.try_set(Some(result));
            let _ = waiting.try_set(false);
        });
    });

    let canvas = NodeRef::<Div>::new();
    let view_box = StoredValue::new([0.0f64; 4]);
    // A drag in progress: the pointer's start and the view box then.
    let drag: StoredValue<Option<(f64, f64, [f64; 4])>> = StoredValue::new(None);
    let dragged = Cell::new(false);
    let dragged = StoredValue::new_local(dragged);

    // A new drawing starts at the view the engine suggests.
    Effect::new(move |_| {
        let view = answer.with(|a| a.as_ref().and_then(|a| a.as_ref().ok()).map(|m| m.view));
        if let (Some(view), Some(canvas)) = (view, canvas.get()) {
            view_box.set_value(view);
            apply_view(&canvas, view);
        }
    });

    let zoom = move |factor: f64| {
        let [x, y, w, h] = view_box.get_value();
        let (nw, nh) = (w * factor, h * factor);
        let view = [x + (w - nw) / 2.0, y + (h - nh) / 2.0, nw, nh];
        view_box.set_value(view);
        if let Some(canvas) = canvas.get_untracked() {
            apply_view(&canvas, view);
        }
    };
    let fit = move |_| {
        let full = answer.with_untracked(|a| {
            a.as_ref()
                .and_then(|a| a.as_ref().ok())
                .map(|m| [0.0, 0.0, m.width, m.height])
        });
        if let (Some(view), Some(canvas)) = (full, canvas.get_untracked()) {
            view_box.set_value(view);
            apply_view(&canvas, view);
        }
    };
    let on_wheel = move |e: leptos::ev::WheelEvent| {
        e.prevent_default();
        zoom(if e.delta_y() > 0.0 {
            ZOOM_STEP
        } else {
            1.0 / ZOOM_STEP
        });
    };
    let on_down = move |e: leptos::ev::PointerEvent| {
        drag.set_value(Some((
            e.client_x() as f64,
            e.client_y() as f64,
            view_box.get_value(),
        )));
        dragged.with_value(|d| d.set(false));
    };
    let on_move = move |e: leptos::ev::PointerEvent| {
        let Some((x0, y0, start)) = drag.get_value() else {
            return;
        };
        let Some(canvas) = canvas.get_untracked() else {
            return;
        };
        let (dx, dy) = (e.client_x() as f64 - x0, e.client_y() as f64 - y0);
        if dx.abs() + dy.abs() < 4.0 && !dragged.with_value(Cell::get) {
            return;
        }
        dragged.with_value(|d| d.set(true));
        let scale = start[2] / f64::from(canvas.client_width().max(1));
        let view = [
            start[0] - dx * scale,
            start[1] - dy * scale,
            start[2],
            start[3],
        ];
        view_box.set_value(view);
        apply_view(&canvas, view);
    };
    let on_up = move |_: leptos::ev::PointerEvent| drag.set_value(None);
    let activate = move |target: Option<web_sys::EventTarget>| -> bool {
        let Some(element) = target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
            return false;
        };
        if let Ok(Some(aggregate)) = element.closest("[data-expand]") {
            let region = aggregate.get_attribute("data-expand").unwrap_or_default();
            update(state, false, |q| {
                if !q.expand.contains(&region) {
                    q.expand.push(region);
                }
            });
            return true;
        }
        if let Ok(Some(title)) = element.closest("[data-toggle]") {
            let region = title.get_attribute("data-toggle").unwrap_or_default();
            let open = answer.with_untracked(|a| {
                a.as_ref()
                    .and_then(|a| a.as_ref().ok())
                    .and_then(|m| m.regions.iter().find(|r| r.id == region))
                    .is_some_and(|r| r.expanded)
            });
            update(state, false, |q| {
                if open {
                    let asked = q.expand.contains(&region);
                    q.expand.retain(|e| e != &region);
                    // A region held open by a highlight closes with it.
                    if !asked {
                        q.focus.clear();
                        q.path = None;
                    }
                } else if !q.expand.contains(&region) {
                    q.expand.push(region);
                }
            });
            return true;
        }
        false
    };
    let on_click = move |e: leptos::ev::MouseEvent| {
        if dragged.with_value(|d| d.replace(false)) {
            // The end of a pan, not a click on what is under the pointer.
            e.prevent_default();
            return;
        }
        if activate(e.target()) {
            e.prevent_default();
        }
    };
    let on_key = move |e: leptos::ev::KeyboardEvent| {
        if (e.key() == "Enter" || e.key() == " ") && activate(e.target()) {
            e.prevent_default();
        }
    };

    let svg = move || {
        answer.with(|a| match a {
            Some(Ok(m)) => m.svg.clone(),
            _ => String::new(),
        })
    };
    let summary = move || {
        answer.with(|a| match a {
            Some(Ok(m)) => format!(
                "{} resources and identities on the map · {} boxes drawn · {} edges",
                thousands(m.entities),
                thousands(m.elements),
                thousands(m.edges)
            ),
            Some(Err(e)) => format!("The map could not be drawn: {e}"),
            None => "Drawing the map…".into(),
        })
    };
    let map_data = move || answer.with(|a| a.as_ref().and_then(|a| a.as_ref().ok()).cloned());
    let has_analysis = move || state.analysis.with(Option::is_some);

    view! {
        <Show when=has_analysis fallback=|| view! { <NoSnapshot /> }>
            <header class="page-head">
                <div>
                    <h1>"Security map"</h1>
                    <p
                        class="page-sub"
                        data-testid="map-summary"
                        data-number="map-summary"
                        title="Nodes of the security graph the filters keep (containers, pods and volumes folded into their workload); boxes drawn, one per node or per kind of a collapsed namespace; edges drawn between boxes"
                    >
                        {summary}
                    </p>
                </div>
            </header>
            <div class="toolbar map-toolbar">
                <input
                    type="search"
                    class="search"
                    placeholder="Find a workload, identity, secret…"
                    aria-label="Search the map"
                    data-testid="map-search"
                    prop:value=move || state.route.with(|r| r.query.q.clone())
                    on:input=move |e| {
                        let text = event_target_value(&e);
                        update(state, true, |q| q.q = text);
                    }
                />
                <select
                    data-testid="map-insight"
                    aria-label="Only workloads with"
                    on:change=move |e| {
                        let value = event_target_value(&e);
                        update(state, false, |q| q.insight = value);
                    }
                >
                    <option value="" selected=move || state.route.with(|r| r.query.insight.is_empty())>"All workloads"</option>
                    {move || map_data().map(|m| m.insights.into_iter().map(|i| {
                        let selected = state.route.with_untracked(|r| r.query.insight == i);
                        view! { <option value=i.clone() selected=selected>{insight_label(&i)}</option> }
                    }).collect_view())}
                </select>
                <button class="button" data-testid="map-zoom-in" on:click=move |_| zoom(1.0 / ZOOM_STEP)>"+"</button>
                <button class="button" data-testid="map-zoom-out" on:click=move |_| zoom(ZOOM_STEP)>"−"</button>
                <button class="button" data-testid="map-fit" on:click=fit>"Fit"</button>
                <button class="button" data-testid="map-collapse" on:click=move |_| update(state, false, |q| {
                    q.expand.clear();
                    q.focus.clear();
                    q.path = None;
                })>"Collapse all"</button>
                {move || waiting.get().then(|| view! { <span class="muted" data-testid="map-waiting">"Drawing…"</span> })}
            </div>
            <div class="chips map-kinds" data-testid="map-kinds">
                {move || map_data().map(|m| m.kinds.into_iter().map(|k| {
                    let kind = k.kind.clone();
                    let hidden = state.route.with(|r| r.query.hide.contains(&kind));
                    let toggle = kind.clone();
                    let title = format!(
                        "{} {} nodes of the graph ({kind}); uncheck to leave them off the map",
                        k.count,
                        if k.label.is_empty() { kind.as_str() } else { k.label.as_str() }
                    );
                    view! {
                        <label class="chip" class:active=!hidden data-kind=kind.clone() title=title>
                            <input type="checkbox" prop:checked=!hidden on:change=move |_| {
                                let kind = toggle.clone();
                                update(state, false, move |q| {
                                    if q.hide.contains(&kind) {
                                        q.hide.retain(|h| h != &kind);
                                    } else {
                                        q.hide.push(kind);
                                    }
                                });
                            } />
                            {if k.label.is_empty() { kind.clone() } else { k.label.clone() }}" "<span class="chip-count">{k.count}</span>
                        </label>
                    }
                }).collect_view())}
            </div>
            {move || map_data().map(|m| {
                let path = state.route.with(|r| r.query.path);
                view! {
                    {path.map(|rank| view! {
                        <p class="map-note" data-testid="map-path-note">
                            "Highlighted: " <a href=format!("#/attack-paths/{rank}")>{format!("attack path #{rank}")}</a>
                            {format!(" ({} boxes)", m.highlighted.len())}
                        </p>
                    })}
                    {(path.is_none() && !m.highlighted.is_empty()).then(|| view! {
                        <p class="map-note" data-testid="map-focus-note">{format!("Highlighted: {} of what was asked for.", m.highlighted.len())}</p>
                    })}
                    {(!m.missing.is_empty()).then(|| view! {
                        <p class="map-note muted" data-testid="map-missing">{format!("{} asked for not on the map (filtered out or not in this snapshot).", m.missing.len())}</p>
                    })}
                    {(!m.hits.is_empty()).then(|| view! {
                        <ul class="plain-list map-hits" data-testid="map-hits">
                            {m.hits.into_iter().map(|h| view! {
                                <li><a href=map_focus_href(std::slice::from_ref(&h.id)) data-testid="map-hit"><bdi>{h.label.clone()}</bdi></a>" "<span class="muted"><bdi>{portolan_engine::text::visible(&h.region).into_owned()}</bdi></span></li>
                            }).collect_view()}
                        </ul>
                    })}
                }
            })}
            <div
                class="map-canvas"
                data-testid="map-canvas"
                node_ref=canvas
                inner_html=svg
                on:wheel=on_wheel
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointerleave=on_up
                on:click=on_click
                on:keydown=on_key
            ></div>
            <p class="muted map-legend">
                <span class="legend-technique">"━ attack technique"</span>" · "
                <span class="legend-structure">"━ structure"</span>" · "
                <span class="legend-hl">"━ highlighted"</span>
                " · Click a box of many to expand it, a region's title to open or close it, one thing to see its details. Drag to pan, wheel to zoom."
            </p>
        </Show>
    }
}
