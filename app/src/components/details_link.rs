//! The small link beside a resource's name, wherever one is listed, to its resource
//! panel (`#/resource/<id>`). Its icon is drawn by the stylesheet, so the link adds no
//! text to the cell it sits in (tables and tests read cells' text).

use leptos::prelude::*;
use portolan_engine::rules::ResourceRef;

use crate::links::{details_href, object_href};

/// A link to the panel of graph node or `k8s:` id `id`.
#[component]
pub fn DetailsLink(#[prop(into)] id: String) -> impl IntoView {
    view! {
        <a class="details-link" href=details_href(&id) data-testid="details-link"
            title="Resource details" aria-label="Resource details"></a>
    }
}

/// A link to the panel of the Kubernetes object `resource`.
#[component]
pub fn ObjectLink(resource: ResourceRef) -> impl IntoView {
    view! {
        <a class="details-link" href=object_href(&resource) data-testid="details-link"
            title="Resource details" aria-label="Resource details"></a>
    }
}
