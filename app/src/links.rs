//! Links from a resource named anywhere in the app to where it is listed: the
//! inventory table of its kind, filtered to its namespace and searched for its name.
//! The filters live in the URL, so the link is the filtered list.

use portolan_engine::rules::ResourceRef;

use crate::route::Route;

/// `#/inventory/<Kind>?ns=<namespace>&q=<name>`: the resource's row in the inventory.
pub fn resource_href(r: &ResourceRef) -> String {
    let mut route = Route::inventory(Some(&r.kind));
    route.query.ns = r.namespace.clone();
    route.query.q = r.name.clone();
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
        };
        assert_eq!(
            resource_href(&r),
            "#/inventory/Deployment?ns=shop&q=web%20%26co"
        );
        let back = Route::parse(&resource_href(&r));
        assert_eq!(back.query.q, "web &co");
    }
}
