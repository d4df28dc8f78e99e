//! Hash-based navigation: the page a user sees is fully described by the URL fragment.
//!
//! Static hosting has no server routes, so every view lives behind `#`: `#/` is the
//! overview, `#/inventory` the kind list and `#/inventory/<Kind>?ns=&q=&sort=&dir=` one
//! kind's table with its filters, `#/recommendations?severity=&category=&q=` the
//! recommendation table and `#/recommendations/<ruleId>?q=` one recommendation with its
//! affected resources, `#/exemptions` the user's exemptions, `#/attack-paths[/<rank>]`
//! the attack paths and one of them, `#/enforcement` the Pod Security dry run, `#/compare`
//! the drift from a baseline analysis, `#/vulnerabilities` the image vulnerabilities,
//! `#/alerts[/<n>]` the audit-log alerts and one of them. Reloading or sharing the URL restores the same
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
    /// The query explorer; the query's text is `TableQuery::q`.
    Explorer,
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
            _ => Page::Overview,
        };
        let mut table = TableQuery::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match key {
                "ns" => table.ns = value,
                "q" => table.q = value,
                "sort" => table.sort = value,
                "dir" => table.descending = value == "desc",
                "severity" => table.severity = value,
                "category" => table.category = value,
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
            Page::Explorer => "#/explorer".to_string(),
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
        if matches!(
            self.page,
            Page::Recommendations { .. } | Page::AttackPaths { rank: None } | Page::Explorer
        ) && !q.q.is_empty()
        {
            params.push(format!("q={}", percent_encode(&q.q)));
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
    fn round_trips_the_alerts_routes() {
        for (hash, index) in [("#/alerts", None), ("#/alerts/3", Some(3))] {
            let route = Route::parse(hash);
            assert_eq!(route.page, Page::Alerts { index });
            assert_eq!(route.to_hash(), hash);
        }
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
