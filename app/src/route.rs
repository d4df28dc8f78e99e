//! Hash-based navigation: the page a user sees is fully described by the URL fragment.
//!
//! Static hosting has no server routes, so every view lives behind `#`: `#/` is the
//! overview, `#/inventory` the kind list and `#/inventory/<Kind>?ns=&q=&sort=&dir=` one
//! kind's table with its filters, `#/recommendations?severity=&category=&q=` the
//! recommendation table and `#/recommendations/<ruleId>?q=` one recommendation with its
//! affected resources, `#/exemptions` the user's exemptions, `#/attack-paths[/<rank>]?target=&entry=&q=`
//! the attack paths and one of them, `#/enforcement` the Pod Security dry run, `#/compare`
//! the drift from a baseline analysis, `#/vulnerabilities` the image vulnerabilities,
//! `#/alerts[/<n>]` the audit-log alerts and one of them (the list's filters in
//! `?severity=&tactic=&type=&user=&ns=&from=&to=&q=`), `#/resource/<id>` one
//! resource's panel (`<id>` a percent-encoded graph node id or `k8s:<Kind>/<ns>/<name>`),
//! `#/map?expand=&focus=&path=&hide=&insight=&q=` the security map, `#/policies?lang=&severity=&q=&sort=&dir=`
//! the user's admission policies and their violations, `#/iam?principal=&action=&resource=`
//! a cloud principal's effective permissions. Reloading or sharing the URL restores the same
//! view (the compare page's baseline, a file the user picks, is not in the URL).

/// A view of the app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Page {
    #[default]
    Overview,
    /// The inventory; `kind` is `None` for the list of kinds.
    Inventory { kind: Option<String> },
    /// The recommendations; `rule` is `None` for the table of all of them.
    Recommendations { rule: Option<String> },
    /// The user's exemptions.
    Exemptions,
    /// The attack paths; `rank` (1-based) is `None` for the list and choke points.
    AttackPaths { rank: Option<usize> },
    /// Pod Security enforcement: the dry run per namespace and the admission export.
    Enforcement,
    /// The shown analysis compared with a baseline analysis file.
    Compare,
    /// Image vulnerabilities by image, by CVE or by workload.
    Vulnerabilities,
    /// Audit-log alerts; `index` (1-based, in the analysis' order) is `None` for the
    /// timeline and list.
    Alerts { index: Option<usize> },
    /// One resource's details; `id` is a graph node id or `k8s:<Kind>/<ns>/<name>`.
    Resource { id: String },
    /// The security map.
    Map,
    /// The query explorer; the query's text is `TableQuery::q`.
    Explorer,
    /// The user's admission policies (Gatekeeper, ValidatingAdmissionPolicy), their
    /// problems and violations.
    Policies,
    /// A cloud principal's effective permissions (`principal`, `action` and `resource`
    /// of [`TableQuery`]).
    Iam,
}

/// Filters and sort order of a table (inventory or recommendations).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableQuery {
    /// Namespace filter; empty for all namespaces.
    pub ns: String,
    /// Free-text search; empty for none.
    pub q: String,
    /// Column the table is sorted by; empty for the engine's order.
    pub sort: String,
    pub descending: bool,
    /// Severity filter of the recommendation table (`high`, ...); empty for all.
    pub severity: String,
    /// Category filter of the recommendation table (`rbac`, ...); empty for all.
    pub category: String,
    /// Map: graph node ids to highlight (`focus=<id>,<id>`, each percent-encoded).
    pub focus: Vec<String>,
    /// Map: the 1-based rank of the attack path to highlight.
    pub path: Option<usize>,
    /// Map: regions drawn one by one (`ns:<namespace>`, `cluster`, `cloud`).
    pub expand: Vec<String>,
    /// Map: node kinds left out.
    pub hide: Vec<String>,
    /// Map: only workloads with this insight; empty for all.
    pub insight: String,
    /// Alert filters (`#/alerts`): MITRE tactic, alert type, user and the time range
    /// (RFC 3339 bucket starts); empty for all. The alerts page also reads `severity`,
    /// `ns` and `q`.
    pub tactic: String,
    pub kind: String,
    pub user: String,
    pub from: String,
    pub to: String,
    /// The vulnerabilities page's table (`images`, `cves`, `workloads`); empty for
    /// images.
    pub view: String,
    /// Only fixable vulnerabilities.
    pub fixable: bool,
    /// The policies page's language filter (`rego`, `cel`); empty for both.
    pub language: String,
    /// The attack paths page's target filter (`cluster-admin`, ...); empty for all.
    pub target: String,
    /// The attack paths page's entry filter (`Deployment shop/web`); empty for all.
    pub entry: String,
    /// Cluster filter of the recommendations, inventory, attack paths, vulnerabilities
    /// and enforcement pages, in an analysis of several clusters; empty for all.
    pub cluster: String,
    /// The cloud identities page's question: a principal, an action, a resource.
    pub principal: String,
    pub action: String,
    pub resource: String,
}

impl TableQuery {
    /// The table's sort as the engine's tables read it.
    pub fn table_sort(&self) -> portolan_engine::report::tables::TableSort {
        portolan_engine::report::tables::TableSort {
            column: self.sort.clone(),
            descending: self.descending,
        }
    }
}

/// A parsed URL fragment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Route {
    pub page: Page,
    pub query: TableQuery,
}

impl Route {
    pub fn inventory(kind: Option<&str>) -> Self {
        Route {
            page: Page::Inventory {
                kind: kind.map(str::to_string),
            },
            query: TableQuery::default(),
        }
    }

    pub fn recommendations(rule: Option<&str>) -> Self {
        Route {
            page: Page::Recommendations {
                rule: rule.map(str::to_string),
            },
            query: TableQuery::default(),
        }
    }

    /// Parses a fragment such as `#/inventory/Pod?ns=default`; anything unknown is the
    /// overview.
    pub fn parse(hash: &str) -> Self {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        let (path, query) = hash.split_once('?').unwrap_or((hash, ""));
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let page = match segments.as_slice() {
            [first] if first == "inventory" => Page::Inventory { kind: None },
            [first, kind, ..] if first == "inventory" => Page::Inventory {
                kind: Some(kind.clone()),
            },
            [first] if first == "recommendations" => Page::Recommendations { rule: None },
            [first, rule, ..] if first == "recommendations" => Page::Recommendations {
                rule: Some(rule.clone()),
            },
            [first, ..] if first == "exemptions" => Page::Exemptions,
            [first] if first == "attack-paths" => Page::AttackPaths { rank: None },
            [first, rank, ..] if first == "attack-paths" => Page::AttackPaths {
                rank: rank.parse().ok(),
            },
            [first, ..] if first == "enforcement" => Page::Enforcement,
            [first, ..] if first == "compare" => Page::Compare,
            [first, ..] if first == "vulnerabilities" => Page::Vulnerabilities,
            [first, ..] if first == "explorer" => Page::Explorer,
            [first] if first == "alerts" => Page::Alerts { index: None },
            [first, index, ..] if first == "alerts" => Page::Alerts {
                index: index.parse().ok(),
            },
            // An id whose `/` was not encoded still names one resource.
            [first, rest @ ..] if first == "resource" && !rest.is_empty() => {
                Page::Resource { id: rest.join("/") }
            }
            [first, ..] if first == "map" => Page::Map,
            [first, ..] if first == "policies" => Page::Policies,
            [first, ..] if first == "iam" => Page::Iam,
            _ => Page::Overview,
        };
        let mut table = TableQuery::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
            // Lists are split before decoding: an encoded `,` belongs to an id.
            let list = || -> Vec<String> {
                raw.split(',')
                    .filter(|v| !v.is_empty())
                    .map(percent_decode)
                    .collect()
            };
            let value = percent_decode(raw);
            match key {
                "ns" => table.ns = value,
                "q" => table.q = value,
                "sort" => table.sort = value,
                "dir" => table.descending = value == "desc",
                "severity" => table.severity = value,
                "category" => table.category = value,
                "focus" => table.focus = list(),
                "expand" => table.expand = list(),
                "hide" => table.hide = list(),
                "path" => table.path = value.parse().ok(),
                "insight" => table.insight = value,
                "tactic" => table.tactic = value,
                "type" => table.kind = value,
                "user" => table.user = value,
                "from" => table.from = value,
                "to" => table.to = value,
                "view" => table.view = value,
                "fixable" => table.fixable = value == "1",
                "lang" => table.language = value,
                "target" => table.target = value,
                "entry" => table.entry = value,
                "cluster" => table.cluster = value,
                "principal" => table.principal = value,
                "action" => table.action = value,
                "resource" => table.resource = value,
                _ => {}
            }
        }
        Route { page, query: table }
    }

    /// The fragment for this route, with the leading `#`.
    pub fn to_hash(&self) -> String {
        let mut hash = match &self.page {
            Page::Overview => "#/".to_string(),
            Page::Inventory { kind: None } => "#/inventory".to_string(),
            Page::Inventory { kind: Some(kind) } => {
                format!("#/inventory/{}", percent_encode(kind))
            }
            Page::Recommendations { rule: None } => "#/recommendations".to_string(),
            Page::Recommendations { rule: Some(rule) } => {
                format!("#/recommendations/{}", percent_encode(rule))
            }
            Page::Exemptions => "#/exemptions".to_string(),
            Page::AttackPaths { rank: None } => "#/attack-paths".to_string(),
            Page::AttackPaths { rank: Some(rank) } => format!("#/attack-paths/{rank}"),
            Page::Enforcement => "#/enforcement".to_string(),
            Page::Compare => "#/compare".to_string(),
            Page::Vulnerabilities => "#/vulnerabilities".to_string(),
            Page::Alerts { index: None } => "#/alerts".to_string(),
            Page::Alerts { index: Some(i) } => format!("#/alerts/{i}"),
            Page::Resource { id } => format!("#/resource/{}", percent_encode(id)),
            Page::Map => "#/map".to_string(),
            Page::Explorer => "#/explorer".to_string(),
            Page::Policies => "#/policies".to_string(),
            Page::Iam => "#/iam".to_string(),
        };
        let q = &self.query;
        let mut params = Vec::new();
        if matches!(self.page, Page::Recommendations { rule: None }) {
            if !q.severity.is_empty() {
                params.push(format!("severity={}", percent_encode(&q.severity)));
            }
            if !q.category.is_empty() {
                params.push(format!("category={}", percent_encode(&q.category)));
            }
        }
        if matches!(self.page, Page::AttackPaths { rank: None }) {
            for (key, value) in [("target", &q.target), ("entry", &q.entry)] {
                if !value.is_empty() {
                    params.push(format!("{key}={}", percent_encode(value)));
                }
            }
        }
        if matches!(
            self.page,
            Page::Recommendations { .. } | Page::AttackPaths { rank: None } | Page::Explorer
        ) && !q.q.is_empty()
        {
            params.push(format!("q={}", percent_encode(&q.q)));
        }
        if matches!(self.page, Page::Vulnerabilities) {
            for (key, value) in [("view", &q.view), ("severity", &q.severity)] {
                if !value.is_empty() {
                    params.push(format!("{key}={}", percent_encode(value)));
                }
            }
            if q.fixable {
                params.push("fixable=1".to_string());
            }
        }
        if matches!(self.page, Page::Compare) && !q.severity.is_empty() {
            params.push(format!("severity={}", percent_encode(&q.severity)));
        }
        if matches!(self.page, Page::Vulnerabilities | Page::Compare) {
            if !q.q.is_empty() {
                params.push(format!("q={}", percent_encode(&q.q)));
            }
            if !q.sort.is_empty() {
                params.push(format!("sort={}", percent_encode(&q.sort)));
                if q.descending {
                    params.push("dir=desc".to_string());
                }
            }
        }
        if matches!(self.page, Page::Inventory { kind: Some(_) }) {
            if !q.ns.is_empty() {
                params.push(format!("ns={}", percent_encode(&q.ns)));
            }
            if !q.q.is_empty() {
                params.push(format!("q={}", percent_encode(&q.q)));
            }
            if !q.sort.is_empty() {
                params.push(format!("sort={}", percent_encode(&q.sort)));
                if q.descending {
                    params.push("dir=desc".to_string());
                }
            }
        }
        if self.page == Page::Map {
            let join = |list: &[String]| {
                list.iter()
                    .map(|v| percent_encode(v))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            for (key, list) in [
                ("expand", &q.expand),
                ("focus", &q.focus),
                ("hide", &q.hide),
            ] {
                if !list.is_empty() {
                    params.push(format!("{key}={}", join(list)));
                }
            }
            if let Some(path) = q.path {
                params.push(format!("path={path}"));
            }
            if !q.insight.is_empty() {
                params.push(format!("insight={}", percent_encode(&q.insight)));
            }
            if !q.q.is_empty() {
                params.push(format!("q={}", percent_encode(&q.q)));
            }
        }
        if matches!(
            self.page,
            Page::Recommendations { .. }
                | Page::AttackPaths { rank: None }
                | Page::Inventory { kind: Some(_) }
                | Page::Vulnerabilities
                | Page::Enforcement
                | Page::Alerts { index: None }
        ) && !q.cluster.is_empty()
        {
            params.push(format!("cluster={}", percent_encode(&q.cluster)));
        }
        if matches!(self.page, Page::Alerts { index: None }) {
            for (key, value) in [
                ("severity", &q.severity),
                ("tactic", &q.tactic),
                ("type", &q.kind),
                ("user", &q.user),
                ("ns", &q.ns),
                ("from", &q.from),
                ("to", &q.to),
                ("q", &q.q),
            ] {
                if !value.is_empty() {
                    params.push(format!("{key}={}", percent_encode(value)));
                }
            }
        }
        if self.page == Page::Iam {
            for (key, value) in [
                ("principal", &q.principal),
                ("action", &q.action),
                ("resource", &q.resource),
            ] {
                if !value.is_empty() {
                    params.push(format!("{key}={}", percent_encode(value)));
                }
            }
        }
        if self.page == Page::Policies {
            for (key, value) in [
                ("lang", &q.language),
                ("severity", &q.severity),
                ("q", &q.q),
                ("sort", &q.sort),
            ] {
                if !value.is_empty() {
                    params.push(format!("{key}={}", percent_encode(value)));
                }
            }
            if !q.sort.is_empty() && q.descending {
                params.push("dir=desc".to_string());
            }
        }
        if !params.is_empty() {
            hash.push('?');
            hash.push_str(&params.join("&"));
        }
        hash
    }

    /// The link to one kind's inventory table.
    pub fn kind_href(kind: &str) -> String {
        Route::inventory(Some(kind)).to_hash()
    }

    /// The link to one recommendation.
    pub fn recommendation_href(rule: &str) -> String {
        Route::recommendations(Some(rule)).to_hash()
    }

    /// The link to the recommendation table filtered by severity (`""` for all).
    pub fn severity_href(severity: &str) -> String {
        let mut route = Route::recommendations(None);
        route.query.severity = severity.to_string();
        route.to_hash()
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(text: &str) -> String {
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

/// Decodes `%XX` escapes (and `+` as a space, as forms write it); malformed escapes and
/// invalid UTF-8 are kept or replaced rather than rejected.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_an_inventory_route() {
        let route = Route {
            page: Page::Inventory {
                kind: Some("Deployment".into()),
            },
            query: TableQuery {
                ns: "kube-system".into(),
                q: "core dns/&?#".into(),
                sort: "Replicas".into(),
                descending: true,
                ..TableQuery::default()
            },
        };
        let hash = route.to_hash();
        assert_eq!(
            hash,
            "#/inventory/Deployment?ns=kube-system&q=core%20dns%2F%26%3F%23&sort=Replicas&dir=desc"
        );
        assert_eq!(Route::parse(&hash), route);
    }

    #[test]
    fn round_trips_the_policies_route_and_ignores_other_pages_filters() {
        let route = Route {
            page: Page::Policies,
            query: TableQuery {
                language: "rego".into(),
                severity: "high".into(),
                q: "K8sRequired/<x>".into(),
                sort: "violations".into(),
                descending: true,
                ..TableQuery::default()
            },
        };
        let hash = route.to_hash();
        assert_eq!(
            hash,
            "#/policies?lang=rego&severity=high&q=K8sRequired%2F%3Cx%3E&sort=violations&dir=desc"
        );
        assert_eq!(Route::parse(&hash), route);
        // A filter of another page is not written into the policies' URL.
        let other = Route {
            page: Page::Policies,
            query: TableQuery {
                ns: "prod".into(),
                ..TableQuery::default()
            },
        };
        assert_eq!(other.to_hash(), "#/policies");
        // The language filter belongs to this page only.
        let mut inventory = Route::inventory(Some("Pod"));
        inventory.query.language = "cel".into();
        assert_eq!(inventory.to_hash(), "#/inventory/Pod");
    }

    #[test]
    fn round_trips_the_alerts_routes() {
        for (hash, index) in [("#/alerts", None), ("#/alerts/3", Some(3))] {
            let route = Route::parse(hash);
            assert_eq!(route.page, Page::Alerts { index });
            assert_eq!(route.to_hash(), hash);
        }
    }

    #[test]
    fn keeps_the_alert_filters_in_the_url() {
        let hash = "#/alerts?severity=high&tactic=Execution&type=K8S_ExecIntoContainer\
                    &user=system%3Aserviceaccount%3Aci%3Adeployer&ns=shop\
                    &from=2026-11-29T10%3A00%3A00Z&to=2026-11-29T11%3A00%3A00Z&q=curl%20%7C%20sh";
        let route = Route::parse(hash);
        assert_eq!(route.page, Page::Alerts { index: None });
        let q = &route.query;
        assert_eq!(q.severity, "high");
        assert_eq!(q.tactic, "Execution");
        assert_eq!(q.kind, "K8S_ExecIntoContainer");
        assert_eq!(q.user, "system:serviceaccount:ci:deployer");
        assert_eq!(q.ns, "shop");
        assert_eq!(q.from, "2026-11-29T10:00:00Z");
        assert_eq!(q.to, "2026-11-29T11:00:00Z");
        assert_eq!(q.q, "curl | sh");
        assert_eq!(route.to_hash(), hash);
        // An alert's detail page carries no list filters.
        let detail = Route::parse("#/alerts/2?severity=high");
        assert_eq!(detail.to_hash(), "#/alerts/2");
    }

    #[test]
    fn round_trips_the_vulnerabilities_route() {
        let route = Route {
            page: Page::Vulnerabilities,
            query: TableQuery::default(),
        };
        assert_eq!(route.to_hash(), "#/vulnerabilities");
        assert_eq!(Route::parse("#/vulnerabilities"), route);
    }

    #[test]
    fn keeps_the_vulnerability_and_compare_filters() {
        let hash =
            "#/vulnerabilities?view=cves&severity=critical&fixable=1&q=openssl&sort=cvss&dir=desc";
        let route = Route::parse(hash);
        assert_eq!(route.query.view, "cves");
        assert!(route.query.fixable && route.query.descending);
        assert_eq!(route.to_hash(), hash);
        let compare = Route::parse("#/compare?q=kube%20system&sort=rule");
        assert_eq!(compare.query.q, "kube system");
        assert_eq!(compare.to_hash(), "#/compare?q=kube%20system&sort=rule");
        // Filters of other pages are not carried.
        assert_eq!(
            Route::parse("#/compare?view=cves&fixable=1").to_hash(),
            "#/compare"
        );
    }

    #[test]
    fn round_trips_recommendation_routes() {
        let mut route = Route::recommendations(None);
        route.query.severity = "high".into();
        route.query.category = "rbac".into();
        route.query.q = "node debugger".into();
        let hash = route.to_hash();
        assert_eq!(
            hash,
            "#/recommendations?severity=high&category=rbac&q=node%20debugger"
        );
        assert_eq!(Route::parse(&hash), route);
        let detail = Route::recommendations(Some("privileged"));
        assert_eq!(detail.to_hash(), "#/recommendations/privileged");
        assert_eq!(Route::parse("#/recommendations/privileged"), detail);
        let exemptions = Route {
            page: Page::Exemptions,
            ..Route::default()
        };
        assert_eq!(Route::parse(&exemptions.to_hash()), exemptions);
        for page in [
            Page::AttackPaths { rank: None },
            Page::AttackPaths { rank: Some(3) },
            Page::Enforcement,
            Page::Compare,
        ] {
            let route = Route {
                page,
                query: TableQuery::default(),
            };
            assert_eq!(Route::parse(&route.to_hash()), route);
        }
    }

    #[test]
    fn round_trips_the_resource_and_map_routes() {
        let id = "workload:shop/Deployment/web,1";
        let route = Route {
            page: Page::Resource { id: id.into() },
            query: TableQuery::default(),
        };
        assert_eq!(
            route.to_hash(),
            "#/resource/workload%3Ashop%2FDeployment%2Fweb%2C1"
        );
        assert_eq!(Route::parse(&route.to_hash()), route);
        // Unencoded slashes still name the whole id.
        assert_eq!(
            Route::parse("#/resource/k8s:Node/n1").page,
            Page::Resource {
                id: "k8s:Node/n1".into()
            }
        );
        let map = Route {
            page: Page::Map,
            query: TableQuery {
                focus: vec![id.into(), "sa:shop/web".into()],
                expand: vec!["ns:shop".into()],
                hide: vec!["Group".into()],
                path: Some(2),
                insight: "privileged".into(),
                q: "web".into(),
                ..TableQuery::default()
            },
        };
        let hash = map.to_hash();
        assert_eq!(
            hash,
            "#/map?expand=ns%3Ashop&focus=workload%3Ashop%2FDeployment%2Fweb%2C1,sa%3Ashop%2Fweb&hide=Group&path=2&insight=privileged&q=web"
        );
        assert_eq!(Route::parse(&hash), map);
        assert_eq!(Route::parse("#/map?path=x").query.path, None);
    }

    #[test]
    fn round_trips_the_explorer_route() {
        let mut route = Route {
            page: Page::Explorer,
            query: TableQuery::default(),
        };
        route.query.q = "workloads where name = \"a&b\" -[runs]-> containers".into();
        let hash = route.to_hash();
        assert_eq!(
            hash,
            "#/explorer?q=workloads%20where%20name%20%3D%20%22a%26b%22%20-%5Bruns%5D-%3E%20containers"
        );
        assert_eq!(Route::parse(&hash), route);
        assert_eq!(Route::parse("#/explorer").page, Page::Explorer);
        let mut iam = Route {
            page: Page::Iam,
            ..Route::default()
        };
        iam.query.principal = "arn:aws:iam::1:user/a b".into();
        iam.query.action = "s3:Get*".into();
        let hash = iam.to_hash();
        assert_eq!(
            hash,
            "#/iam?principal=arn%3Aaws%3Aiam%3A%3A1%3Auser%2Fa%20b&action=s3%3AGet%2A"
        );
        assert_eq!(Route::parse(&hash), iam);
    }

    #[test]
    fn round_trips_the_attack_path_filters() {
        let mut route = Route {
            page: Page::AttackPaths { rank: None },
            query: TableQuery::default(),
        };
        route.query.target = "cluster-admin".into();
        route.query.entry = "Deployment shop/web&x".into();
        route.query.q = "through:ServiceAccount ci/deployer".into();
        let hash = route.to_hash();
        assert_eq!(
            hash,
            "#/attack-paths?target=cluster-admin&entry=Deployment%20shop%2Fweb%26x\
             &q=through%3AServiceAccount%20ci%2Fdeployer"
        );
        assert_eq!(Route::parse(&hash), route);
        // One path's page keeps no list filter.
        route.page = Page::AttackPaths { rank: Some(2) };
        assert_eq!(route.to_hash(), "#/attack-paths/2");
    }

    #[test]
    fn unknown_fragments_are_the_overview() {
        assert_eq!(Route::parse(""), Route::default());
        assert_eq!(Route::parse("#/nowhere"), Route::default());
        assert_eq!(Route::parse("#/inventory"), Route::inventory(None));
        assert_eq!(Route::parse("%"), Route::default());
    }

    #[test]
    fn decoding_tolerates_malformed_escapes() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%C3%A9"), "é");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }
}
