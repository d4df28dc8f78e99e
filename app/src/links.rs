//! Links from a resource named anywhere in the app to where it is listed: the
//! inventory table of its kind, filtered to its namespace and searched for its name.
//! The filters live in the URL, so the link is the filtered list.

use portolan_engine::rules::ResourceRef;

use crate::route::{Page, Route};

/// `#/resource/<id>`: the panel of a graph node (its id) or of an inventory object.
pub fn details_href(id: &str) -> String {
    Route {
        page: Page::Resource { id: id.to_string() },
        ..Route::default()
    }
    .to_hash()
}

/// The panel of the Kubernetes object `r`.
pub fn object_href(r: &ResourceRef) -> String {
    details_href(&portolan_engine::details::k8s_id(r))
}

/// The security map with `ids` (graph node ids) highlighted.
pub fn map_focus_href(ids: &[String]) -> String {
    let mut route = Route {
        page: Page::Map,
        ..Route::default()
    };
    route.query.focus = ids.to_vec();
    route.to_hash()
}

/// `#/inventory/<Kind>?ns=<namespace>&q=<name>` (and `&cluster=` in an analysis of several
/// clusters): the resource's row in the inventory.
pub fn resource_href(r: &ResourceRef) -> String {
    let mut route = Route::inventory(Some(&r.kind));
    route.query.ns = r.namespace.clone();
    route.query.q = r.name.clone();
    route.query.cluster = r.cluster.clone();
    route.to_hash()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resource_links_to_its_filtered_inventory_row() {
        let r = ResourceRef {
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "web &co".into(),
            cluster: String::new(),
        };
        assert_eq!(
            resource_href(&r),
            "#/inventory/Deployment?ns=shop&q=web%20%26co"
        );
        let back = Route::parse(&resource_href(&r));
        assert_eq!(back.query.q, "web &co");
    }
}
