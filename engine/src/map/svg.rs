//! The map as SVG: regions, edges and boxes, written with maud so that every name from
//! the snapshot is escaped text (in `<text>`, `<title>` and attributes alike).
//!
//! The page sets the string as the content of a container and handles clicks through
//! the data attributes: `data-expand` on an aggregate (the region it expands),
//! `data-toggle` on a region's title (expand or collapse it); a single thing is a link
//! to its resource panel (`#/resource/<id>`). Classes carry the meaning (`technique`,
//! `hl` for highlighted, `target`, `kind-<kind>`); the page's stylesheet colours them.

use maud::{html, Markup};

use super::layout::{Layout, Rect};
use super::{DrawnRegion, Element, Link};

/// Characters of a name shown in a box; the tooltip has the whole name.
const LABEL_CHARS: usize = 24;

/// The SVG of a laid-out map.
pub(crate) fn render(
    layout: &Layout,
    regions: &[DrawnRegion],
    elements: &[Element],
    links: &[Link],
    title: &str,
) -> String {
    let c = layout.cluster;
    let markup: Markup = html! {
        svg xmlns="http://www.w3.org/2000/svg" class="security-map" data-testid="map-svg"
            viewBox=(format!("0 0 {:.0} {:.0}", layout.width, layout.height))
            width=(format!("{:.0}", layout.width)) height=(format!("{:.0}", layout.height))
            role="group" aria-label="Security map" {
            defs {
                marker id="map-arrow-hl" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto-start-reverse" {
                    path d="M0,0 L8,4 L0,8 z" class="map-arrow hl" {}
                }
            }
            g class="map-cluster" data-testid="map-cluster" {
                rect x=(n(c.x)) y=(n(c.y)) width=(n(c.w)) height=(n(c.h)) rx="10" {}
                text x=(n(c.x + 12.0)) y=(n(c.y + 20.0)) class="map-cluster-label" { (title) }
            }
            g class="map-regions" {
                @for r in regions {
                    (region(r))
                }
            }
            g class="map-edges" {
                @for l in links {
                    (edge(l, elements))
                }
            }
            g class="map-nodes" {
                @for e in elements {
                    (element(e))
                }
            }
        }
    };
    markup.into_string()
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

fn region(r: &DrawnRegion) -> Markup {
    let Rect { x, y, w, h } = r.rect;
    let state = if r.expanded { "collapse" } else { "expand" };
    html! {
        g class=(format!("map-region{}", if r.expanded { " expanded" } else { "" }))
            data-testid="map-region" data-region=(r.id) data-expanded=(r.expanded) {
            rect x=(n(x)) y=(n(y)) width=(n(w)) height=(n(h)) rx="8" {}
            text x=(n(x + 10.0)) y=(n(y + 19.0)) class="map-region-label" data-toggle=(r.id)
                data-testid="map-region-label" {
                (truncate(&r.label, 40)) " · " (r.entities)
                title { (r.label) ": " (r.entities) " on the map; click to " (state) }
            }
        }
    }
}

fn edge(l: &Link, elements: &[Element]) -> Markup {
    let (Some(a), Some(b)) = (elements.get(l.from), elements.get(l.to)) else {
        return html! {};
    };
    let (x1, y1) = (a.rect.x + a.rect.w, a.rect.y + a.rect.h / 2.0);
    let (x2, y2) = (b.rect.x, b.rect.y + b.rect.h / 2.0);
    let dx = ((x2 - x1).abs() / 2.0).max(40.0);
    let d = format!(
        "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
        x1,
        y1,
        x1 + dx,
        y1,
        x2 - dx,
        y2,
        x2,
        y2
    );
    let mut class = String::from("map-edge");
    if l.technique {
        class.push_str(" technique");
    }
    if l.highlighted {
        class.push_str(" hl");
    }
    let kinds: Vec<&str> = l.kinds.iter().map(|k| k.name()).collect();
    // Arrowheads only on the highlighted path: a marker on each of a thousand edges
    // costs the page more to paint than the rest of the map.
    let marker = l.highlighted.then_some("url(#map-arrow-hl)");
    html! {
        path class=(class) d=(d) marker-end=[marker] data-from=(a.id) data-to=(b.id)
            data-testid="map-edge" {
            title { (a.label) " → " (b.label) ": " (kinds.join(", "))
                @if l.count > 1 { " (" (l.count) " edges)" } }
        }
    }
}

fn element(e: &Element) -> Markup {
    let mut class = format!("map-node kind-{}", e.kind.name().to_lowercase());
    if e.aggregate {
        class.push_str(" aggregate");
    }
    if e.highlighted {
        class.push_str(" hl");
    }
    if e.target {
        class.push_str(" target");
    }
    if e.insights.iter().any(|i| i == "exposedToInternet") {
        class.push_str(" exposed");
    }
    let Rect { x, y, w, h } = e.rect;
    let tooltip = if e.insights.is_empty() {
        e.label.clone()
    } else {
        format!("{} — {}", e.label, e.insights.join(", "))
    };
    let body = html! {
        rect x=(n(x)) y=(n(y)) width=(n(w)) height=(n(h)) rx="5" {}
        text x=(n(x + 8.0)) y=(n(y + h / 2.0 + 4.0)) { (truncate(&e.label, LABEL_CHARS)) }
        title { (tooltip) }
    };
    if e.aggregate {
        html! {
            g class=(class) data-testid="map-node" data-id=(e.id) data-kind=(e.kind.name())
                data-count=(e.count) data-expand=(e.expands) role="button" tabindex="0" {
                (body)
            }
        }
    } else {
        html! {
            a class=(class) href=(format!("#/resource/{}", percent_encode(&e.id)))
                data-testid="map-node" data-id=(e.id) data-kind=(e.kind.name()) data-count="1" {
                (body)
            }
        }
    }
}

/// At most `max` characters of `text`, with an ellipsis when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Percent-encodes everything but RFC 3986 unreserved characters, as
/// `encodeURIComponent` does for the resource panel's route.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
