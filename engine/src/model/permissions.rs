//! Effective RBAC permissions, resolved as the API server's RBAC authorizer does.
//!
//! [`Permissions::resolve`] indexes an [`Inventory`] once: every binding is linked to
//! the role it references and every subject to the bindings that name it, so asking
//! what a principal may do costs only its own bindings, whatever the cluster's size.
//!
//! The semantics follow `k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac`:
//!
//! - A **ClusterRoleBinding** grants its ClusterRole's rules cluster-wide: for
//!   cluster-scoped resources, non-resource URLs, and namespaced resources in every
//!   namespace. A ClusterRoleBinding that references a Role grants nothing (the API
//!   rejects it).
//! - A **RoleBinding** grants its Role (looked up in the binding's namespace) or its
//!   ClusterRole only for requests *in the binding's namespace*: never cluster-scoped
//!   resources, all-namespaces lists or non-resource URLs.
//! - A binding whose role is absent from the snapshot grants nothing (the authorizer
//!   fails it); [`Permissions::unresolved`] lists them. Built-in ClusterRoles the API
//!   server bootstraps are not absent: the inventory supplies them, marked assumed
//!   ([`super::bootstrap`]).
//! - **Admin equivalence**: rules that together allow every standard verb on every
//!   resource of every API group ([`admin_equivalent`]) are cluster-admin's power
//!   however they are written (`*` or the verbs listed, in one rule or several).
//! - **Aggregated ClusterRoles**: a ClusterRole with an `aggregationRule` holds the
//!   union of the rules of every other ClusterRole whose labels match one of its
//!   `clusterRoleSelectors` (an empty selector matches every ClusterRole), transitively
//!   — what the aggregation controller fills in. Its stored `rules` are kept too, so a
//!   snapshot taken from a live cluster (rules already filled in) and a hand-written
//!   manifest (rules empty) resolve the same way.
//! - **Subjects**: a `User` subject matches the user name; a `Group` subject matches
//!   any group of the principal; a `ServiceAccount` subject matches the user
//!   `system:serviceaccount:<ns>:<name>`, its namespace defaulting to the RoleBinding's
//!   (a ClusterRoleBinding's ServiceAccount subject without a namespace matches
//!   nothing). A `User` subject named `system:serviceaccount:<ns>:<name>` therefore also
//!   matches that service account. Service accounts are members of
//!   `system:serviceaccounts`, `system:serviceaccounts:<ns>` and
//!   `system:authenticated`; authenticated users of `system:authenticated`; the
//!   anonymous user `system:anonymous` of `system:unauthenticated` only (see
//!   [`Principal`]).
//! - **Rules** match exactly as `RuleAllows`: a verb, an API group and a resource
//!   each match their list or `*`; `resource/subresource` matches the combined name,
//!   `*`, or `*/subresource`; a rule with `resourceNames` matches only requests for one
//!   of those names (so never a `list`/`watch`/`create` without a name); a
//!   non-resource rule matches a URL exactly, by `*`, or by a `prefix*`.
//!
//! The `system:masters` group bypasses authorization in the API server before RBAC is
//! consulted; [`Principal::is_superuser`] tells it, [`Permissions::can`] does not
//! model it (it answers what RBAC grants).

use super::rbac::{Binding, PolicyRule, Role, Subject};
use super::Inventory;
use crate::hash::FastMap;

/// Where a grant applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope<'a> {
    /// Every namespace, cluster-scoped resources and non-resource URLs
    /// (ClusterRoleBinding).
    Cluster,
    /// Only requests in this namespace (RoleBinding).
    Namespace(&'a str),
}

impl Scope<'_> {
    /// Whether a request in `namespace` (`None`: cluster-scoped, all-namespaces or
    /// non-resource) falls in this scope.
    pub fn covers(&self, namespace: Option<&str>) -> bool {
        match self {
            Scope::Cluster => true,
            Scope::Namespace(ns) => namespace == Some(*ns),
        }
    }

    /// `cluster-wide` or `in namespace <ns>`.
    pub fn describe(&self) -> String {
        match self {
            Scope::Cluster => "cluster-wide".into(),
            Scope::Namespace(ns) => format!("in namespace {ns}"),
        }
    }
}

/// Who is asking: a user name and the groups it belongs to, as an authenticator
/// would hand them to the authorizer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Principal {
    /// The user name (`alice@example.com`, `system:serviceaccount:ns:name`,
    /// `system:anonymous`); empty for "some member of these groups".
    pub user: String,
    pub groups: Vec<String>,
}

impl Principal {
    /// An authenticated user: its groups plus `system:authenticated`.
    pub fn user(name: &str, groups: &[&str]) -> Principal {
        let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        if name == ANONYMOUS_USER {
            return Principal::anonymous();
        }
        if !groups.iter().any(|g| g == AUTHENTICATED) {
            groups.push(AUTHENTICATED.into());
        }
        Principal {
            user: name.into(),
            groups,
        }
    }

    /// The anonymous user: `system:anonymous` in `system:unauthenticated`.
    pub fn anonymous() -> Principal {
        Principal {
            user: ANONYMOUS_USER.into(),
            groups: vec![UNAUTHENTICATED.into()],
        }
    }

    /// A service account: user `system:serviceaccount:<ns>:<name>` in
    /// `system:serviceaccounts`, `system:serviceaccounts:<ns>` and
    /// `system:authenticated`.
    pub fn service_account(namespace: &str, name: &str) -> Principal {
        Principal {
            user: service_account_user(namespace, name),
            groups: vec![
                SERVICE_ACCOUNTS.into(),
                format!("{SERVICE_ACCOUNTS}:{namespace}"),
                AUTHENTICATED.into(),
            ],
        }
    }

    /// Any member of one group, with no other identity: what the group alone grants.
    pub fn group(name: &str) -> Principal {
        Principal {
            user: String::new(),
            groups: vec![name.into()],
        }
    }

    /// Exactly this user name and these groups, nothing implied.
    pub fn exact(user: &str, groups: &[&str]) -> Principal {
        Principal {
            user: user.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    /// The principal a binding subject names (a `User`, a `Group` member, or a
    /// `ServiceAccount`, its namespace defaulting to `binding_namespace`); `None` for
    /// a subject that can match nobody.
    pub fn of_subject(subject: &Subject, binding_namespace: &str) -> Option<Principal> {
        match subject.kind.as_str() {
            "User" => Some(Principal::user(&subject.name, &[])),
            "Group" => Some(Principal::group(&subject.name)),
            "ServiceAccount" => {
                let ns = if subject.namespace.is_empty() {
                    binding_namespace
                } else {
                    &subject.namespace
                };
                (!ns.is_empty()).then(|| Principal::service_account(ns, &subject.name))
            }
            _ => None,
        }
    }

    /// Members of `system:masters` bypass authorization altogether.
    pub fn is_superuser(&self) -> bool {
        self.groups.iter().any(|g| g == MASTERS)
    }
}

pub const AUTHENTICATED: &str = "system:authenticated";
pub const UNAUTHENTICATED: &str = "system:unauthenticated";
pub const ANONYMOUS_USER: &str = "system:anonymous";
pub const SERVICE_ACCOUNTS: &str = "system:serviceaccounts";
pub const MASTERS: &str = "system:masters";

/// The user name of a service account.
pub fn service_account_user(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// One request to authorize, as the API server's request-info resolver describes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Request<'r> {
    pub verb: &'r str,
    /// `None` for a non-resource request (then `path` is used).
    pub resource: Option<&'r str>,
    pub api_group: &'r str,
    /// `exec`, `status`, ...; empty when none.
    pub subresource: &'r str,
    /// `None`: a cluster-scoped resource, a list across all namespaces, or a
    /// non-resource URL.
    pub namespace: Option<&'r str>,
    /// `None`: no name (list, watch, create, deletecollection).
    pub name: Option<&'r str>,
    /// The URL path of a non-resource request.
    pub path: &'r str,
}

impl<'r> Request<'r> {
    /// `verb` on `resource` of `api_group` (`""`: the core group), cluster-wide and
    /// unnamed until narrowed.
    pub fn resource(verb: &'r str, api_group: &'r str, resource: &'r str) -> Self {
        Request {
            verb,
            resource: Some(resource),
            api_group,
            ..Request::default()
        }
    }

    /// `verb` on a non-resource URL (`/metrics`, `/healthz`).
    pub fn non_resource(verb: &'r str, path: &'r str) -> Self {
        Request {
            verb,
            path,
            ..Request::default()
        }
    }

    pub fn subresource(mut self, subresource: &'r str) -> Self {
        self.subresource = subresource;
        self
    }

    pub fn in_namespace(mut self, namespace: &'r str) -> Self {
        self.namespace = Some(namespace);
        self
    }

    pub fn named(mut self, name: &'r str) -> Self {
        self.name = Some(name);
        self
    }
}

/// `RuleAllows`: whether one policy rule allows one request.
pub fn rule_allows(rule: &PolicyRule, request: &Request) -> bool {
    if !verb_matches(rule, request.verb) {
        return false;
    }
    match request.resource {
        Some(resource) => {
            api_group_matches(rule, request.api_group)
                && resource_matches(rule, resource, request.subresource)
                && resource_name_matches(rule, request.name)
        }
        None => non_resource_url_matches(rule, request.path),
    }
}

pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

/// `resource` plus an optional `subresource`, matched against `*`, the combined
/// `resource/subresource` and `*/subresource`.
pub fn resource_matches(rule: &PolicyRule, resource: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        if r == "*" {
            return true;
        }
        if subresource.is_empty() {
            return r == resource;
        }
        match r.split_once('/') {
            Some((res, sub)) => sub == subresource && (res == resource || res == "*"),
            None => false,
        }
    })
}

/// A rule without `resourceNames` matches any name (and none); one with names only
/// a request for one of them.
pub fn resource_name_matches(rule: &PolicyRule, name: Option<&str>) -> bool {
    rule.resource_names.is_empty()
        || name.is_some_and(|n| rule.resource_names.iter().any(|r| r == n))
}

pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*"
            || u == path
            || u.strip_suffix('*')
                .is_some_and(|prefix| path.starts_with(prefix))
    })
}

/// The verbs every resource type serves. Holding all of them on every resource of every
/// API group is holding the cluster: secrets, pods on any node, and every RBAC object.
pub const STANDARD_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

/// Whether `rules` together allow every standard verb on every resource of every API
/// group, without `resourceNames`: `cluster-admin`'s power, whether written as `*` or
/// with the verbs listed, in one rule or spread over several. The one predicate the
/// rules and the graph use for "admin-equivalent".
pub fn admin_equivalent<'r>(rules: impl IntoIterator<Item = &'r PolicyRule>) -> bool {
    // A group and a resource no rule names: only wildcards match them.
    const UNLISTED_GROUP: &str = "\u{1}any-group";
    const UNLISTED_RESOURCE: &str = "\u{1}any-resource";
    let rules: Vec<&PolicyRule> = rules.into_iter().collect();
    STANDARD_VERBS.iter().all(|verb| {
        let request = Request::resource(verb, UNLISTED_GROUP, UNLISTED_RESOURCE);
        rules.iter().any(|r| rule_allows(r, &request))
    })
}

/// The rules of `rules` that count towards [`admin_equivalent`]: wildcard group and
/// resource, no names.
pub fn admin_rules<'r>(
    rules: impl IntoIterator<Item = &'r PolicyRule>,
) -> impl Iterator<Item = &'r PolicyRule> {
    rules.into_iter().filter(|r| {
        r.resource_names.is_empty()
            && r.api_groups.iter().any(|g| g == "*")
            && r.resources.iter().any(|x| x == "*")
    })
}

/// One rule a principal holds, with where it comes from.
#[derive(Clone, Copy, Debug)]
pub struct Grant<'a> {
    pub scope: Scope<'a>,
    pub rule: &'a PolicyRule,
    /// The binding that grants it.
    pub binding: &'a Binding,
    /// Index of the binding in `Inventory::bindings`.
    pub binding_index: usize,
    /// The subject of the binding that matched the principal.
    pub subject: &'a Subject,
    /// The role the binding references.
    pub role: &'a Role,
    /// The role whose `rules` hold `rule`: `role` itself, or for an aggregated
    /// ClusterRole the ClusterRole it aggregates the rule from.
    pub rule_source: &'a Role,
}

impl Grant<'_> {
    /// `ClusterRoleBinding x` / `RoleBinding ns/x`.
    pub fn binding_display(&self) -> String {
        binding_display(self.binding)
    }
}

/// `ClusterRoleBinding x` / `RoleBinding ns/x`.
pub fn binding_display(b: &Binding) -> String {
    if b.cluster_scoped {
        format!("ClusterRoleBinding {}", b.metadata.name)
    } else {
        format!("RoleBinding {}/{}", b.metadata.namespace, b.metadata.name)
    }
}

/// `ClusterRole x` / `Role ns/x`.
pub fn role_display(r: &Role) -> String {
    if r.cluster_scoped {
        format!("ClusterRole {}", r.metadata.name)
    } else {
        format!("Role {}/{}", r.metadata.namespace, r.metadata.name)
    }
}

/// `User x`, `Group x`, `ServiceAccount ns/x`.
pub fn subject_display(s: &Subject, binding_namespace: &str) -> String {
    match s.kind.as_str() {
        "ServiceAccount" => {
            let ns = if s.namespace.is_empty() {
                binding_namespace
            } else {
                &s.namespace
            };
            format!("ServiceAccount {ns}/{}", s.name)
        }
        _ => format!("{} {}", s.kind, s.name),
    }
}

/// A rule's short form: `verbs [get, list] on secrets in apiGroups [""]`.
pub fn rule_display(rule: &PolicyRule) -> String {
    let list = |v: &[String]| {
        v.iter()
            .map(|s| if s.is_empty() { "\"\"" } else { s.as_str() })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = format!("verbs [{}]", list(&rule.verbs));
    if !rule.resources.is_empty() {
        out.push_str(&format!(
            " on resources [{}] in apiGroups [{}]",
            list(&rule.resources),
            list(&rule.api_groups)
        ));
        if !rule.resource_names.is_empty() {
            out.push_str(&format!(
                " (resourceNames [{}])",
                list(&rule.resource_names)
            ));
        }
    }
    if !rule.non_resource_urls.is_empty() {
        if !rule.resources.is_empty() {
            out.push_str(" and");
        }
        out.push_str(&format!(
            " on nonResourceURLs [{}]",
            list(&rule.non_resource_urls)
        ));
    }
    out
}

/// The resolved RBAC state of one inventory. Borrowing the inventory, it is cheap to
/// build (linear in roles, bindings and subjects) and answers per-principal questions
/// from an index by subject.
#[derive(Debug)]
pub struct Permissions<'a> {
    inventory: &'a Inventory,
    /// Effective rules per role (index into `inventory.roles`): (source role, rule).
    role_rules: Vec<Vec<(u32, u32)>>,
    /// Role referenced by each binding, when present and valid.
    binding_role: Vec<Option<u32>>,
    /// User name → (binding, subject) pairs; service-account subjects are keyed by
    /// their user name.
    by_user: FastMap<String, Vec<(u32, u32)>>,
    /// Group name → (binding, subject) pairs.
    by_group: FastMap<&'a str, Vec<(u32, u32)>>,
    /// Whether each role's effective rules are [`admin_equivalent`]: asked of every
    /// binding by several rules and the graph, answered once per role.
    role_admin: Vec<bool>,
}

impl<'a> Permissions<'a> {
    /// Resolves bindings, roles, aggregation and subjects.
    pub fn resolve(inventory: &'a Inventory) -> Permissions<'a> {
        let roles = &inventory.roles;
        let mut cluster_roles: FastMap<&str, u32> = FastMap::default();
        let mut ns_roles: FastMap<(&str, &str), u32> = FastMap::default();
        for (i, r) in roles.iter().enumerate() {
            if r.cluster_scoped {
                cluster_roles.insert(&r.metadata.name, i as u32);
            } else {
                ns_roles.insert((&r.metadata.namespace, &r.metadata.name), i as u32);
            }
        }
        let role_rules = aggregate(roles);
        let mut binding_role = Vec::with_capacity(inventory.bindings.len());
        let mut by_user: FastMap<String, Vec<(u32, u32)>> = FastMap::default();
        let mut by_group: FastMap<&str, Vec<(u32, u32)>> = FastMap::default();
        for (bi, b) in inventory.bindings.iter().enumerate() {
            let role = match (b.role_ref.kind.as_str(), b.cluster_scoped) {
                ("ClusterRole", _) => cluster_roles.get(b.role_ref.name.as_str()).copied(),
                ("Role", false) => ns_roles
                    .get(&(b.metadata.namespace.as_str(), b.role_ref.name.as_str()))
                    .copied(),
                _ => None,
            };
            binding_role.push(role);
            if role.is_none() {
                continue;
            }
            let binding_ns = if b.cluster_scoped {
                ""
            } else {
                b.metadata.namespace.as_str()
            };
            for (si, s) in b.subjects.iter().enumerate() {
                let entry = (bi as u32, si as u32);
                match s.kind.as_str() {
                    "User" => by_user.entry(s.name.clone()).or_default().push(entry),
                    "Group" => by_group.entry(s.name.as_str()).or_default().push(entry),
                    "ServiceAccount" => {
                        let ns = if s.namespace.is_empty() {
                            binding_ns
                        } else {
                            s.namespace.as_str()
                        };
                        if !ns.is_empty() {
                            by_user
                                .entry(service_account_user(ns, &s.name))
                                .or_default()
                                .push(entry);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut permissions = Permissions {
            inventory,
            role_rules,
            binding_role,
            by_user,
            by_group,
            role_admin: Vec::new(),
        };
        permissions.role_admin = (0..roles.len())
            .map(|r| admin_equivalent(permissions.role_rules(r).map(|(_, rule)| rule)))
            .collect();
        permissions
    }

    pub fn inventory(&self) -> &'a Inventory {
        self.inventory
    }

    /// The role a binding (index into `Inventory::bindings`) references, if present.
    pub fn binding_role(&self, binding: usize) -> Option<&'a Role> {
        self.binding_role
            .get(binding)
            .copied()
            .flatten()
            .map(|r| &self.inventory.roles[r as usize])
    }

    /// Index into `Inventory::roles` of the role a binding references, if present.
    pub fn binding_role_index(&self, binding: usize) -> Option<usize> {
        self.binding_role
            .get(binding)
            .copied()
            .flatten()
            .map(|r| r as usize)
    }

    /// Where a binding's grants apply.
    pub fn binding_scope(&self, binding: usize) -> Scope<'a> {
        let b = &self.inventory.bindings[binding];
        if b.cluster_scoped {
            Scope::Cluster
        } else {
            Scope::Namespace(&b.metadata.namespace)
        }
    }

    /// Bindings whose role is missing from the snapshot (or a ClusterRoleBinding
    /// naming a Role): they grant nothing.
    pub fn unresolved(&self) -> impl Iterator<Item = &'a Binding> + '_ {
        self.binding_role
            .iter()
            .zip(&self.inventory.bindings)
            .filter(|(r, _)| r.is_none())
            .map(|(_, b)| b)
    }

    /// The effective rules of a role (index into `Inventory::roles`), aggregation
    /// resolved: (the role the rule is written in, the rule).
    pub fn role_rules(&self, role: usize) -> impl Iterator<Item = (&'a Role, &'a PolicyRule)> + '_ {
        let roles = &self.inventory.roles;
        self.role_rules
            .get(role)
            .into_iter()
            .flatten()
            .map(move |&(src, rule)| {
                let src = &roles[src as usize];
                (src, &src.rules[rule as usize])
            })
    }

    /// The effective rules a binding grants (empty when its role is missing).
    pub fn binding_rules(
        &self,
        binding: usize,
    ) -> impl Iterator<Item = (&'a Role, &'a PolicyRule)> + '_ {
        self.binding_role
            .get(binding)
            .copied()
            .flatten()
            .into_iter()
            .flat_map(move |r| self.role_rules(r as usize))
    }

    /// Whether a binding's rules are admin-equivalent ([`admin_equivalent`]); for a
    /// RoleBinding, within its namespace.
    pub fn binding_admin_equivalent(&self, binding: usize) -> bool {
        // A binding's rules are its role's (none when the role is missing).
        self.binding_role
            .get(binding)
            .copied()
            .flatten()
            .is_some_and(|r| self.role_admin[r as usize])
    }

    /// The (binding, subject) pairs that name the principal, ClusterRoleBindings
    /// first (the authorizer's order), each binding once.
    fn matches(&self, principal: &Principal) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = Vec::new();
        if !principal.user.is_empty() {
            if let Some(v) = self.by_user.get(&principal.user) {
                out.extend(v);
            }
        }
        for g in &principal.groups {
            if let Some(v) = self.by_group.get(g.as_str()) {
                out.extend(v);
            }
        }
        let bindings = &self.inventory.bindings;
        out.sort_by_key(|&(b, s)| (!bindings[b as usize].cluster_scoped, b, s));
        out.dedup_by_key(|&mut (b, _)| b);
        out
    }

    /// The bindings that apply to a principal (by user name or any of its groups),
    /// with the subject that matched: ClusterRoleBindings first.
    pub fn bindings_of(&self, principal: &Principal) -> Vec<(&'a Binding, &'a Subject)> {
        let bindings = &self.inventory.bindings;
        self.matches(principal)
            .into_iter()
            .map(|(b, s)| {
                let b = &bindings[b as usize];
                (b, &b.subjects[s as usize])
            })
            .collect()
    }

    /// Every rule the principal holds, with its scope and provenance.
    pub fn grants(&self, principal: &Principal) -> Vec<Grant<'a>> {
        let mut out = Vec::new();
        for (bi, si) in self.matches(principal) {
            self.push_grants(bi as usize, si as usize, &mut out);
        }
        out
    }

    /// The grants of one binding to one of its subjects.
    pub fn binding_grants(&self, binding: usize, subject: usize) -> Vec<Grant<'a>> {
        let mut out = Vec::new();
        self.push_grants(binding, subject, &mut out);
        out
    }

    fn push_grants(&self, bi: usize, si: usize, out: &mut Vec<Grant<'a>>) {
        let Some(role) = self.binding_role(bi) else {
            return;
        };
        let b = &self.inventory.bindings[bi];
        let scope = self.binding_scope(bi);
        for (src, rule) in self.binding_rules(bi) {
            out.push(Grant {
                scope,
                rule,
                binding: b,
                binding_index: bi,
                subject: &b.subjects[si],
                role,
                rule_source: src,
            });
        }
    }

    /// Whether RBAC allows the request for the principal: the first grant that
    /// allows it (ClusterRoleBindings first), or `None`.
    pub fn can(&self, principal: &Principal, request: &Request) -> Option<Grant<'a>> {
        let bindings = &self.inventory.bindings;
        for (bi, si) in self.matches(principal) {
            let bi = bi as usize;
            let b = &bindings[bi];
            let scope = self.binding_scope(bi);
            if !scope.covers(request.namespace) {
                continue;
            }
            let Some(role) = self.binding_role(bi) else {
                continue;
            };
            if let Some((src, rule)) = self
                .binding_rules(bi)
                .find(|(_, rule)| rule_allows(rule, request))
            {
                return Some(Grant {
                    scope,
                    rule,
                    binding: b,
                    binding_index: bi,
                    subject: &b.subjects[si as usize],
                    role,
                    rule_source: src,
                });
            }
        }
        None
    }
}

/// The namespaces where a principal may do something: every namespace (a
/// ClusterRoleBinding) or some.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamespaceSet {
    pub all: bool,
    pub some: std::collections::BTreeSet<String>,
}

impl NamespaceSet {
    /// Adds the namespaces of another set.
    pub fn extend(&mut self, other: NamespaceSet) {
        self.all |= other.all;
        self.some.extend(other.some);
    }

    /// Whether the two sets share a namespace.
    pub fn meets(&self, other: &NamespaceSet) -> bool {
        (self.all && (other.all || !other.some.is_empty()))
            || (other.all && !self.some.is_empty())
            || self.some.iter().any(|n| other.some.contains(n))
    }
}

impl Permissions<'_> {
    /// Where RBAC allows a namespaced request (its namespace ignored) for the
    /// principal: through ClusterRoleBindings in every namespace, through RoleBindings
    /// in theirs.
    pub fn namespaces_allowing(&self, principal: &Principal, request: &Request) -> NamespaceSet {
        let mut out = NamespaceSet::default();
        for grant in self.grants(principal) {
            if !rule_allows(grant.rule, request) {
                continue;
            }
            match grant.scope {
                Scope::Cluster => out.all = true,
                Scope::Namespace(ns) => {
                    out.some.insert(ns.to_string());
                }
            }
        }
        out
    }
}

/// Effective rules per role: own rules, plus for aggregated ClusterRoles the rules
/// of every matching ClusterRole (transitively), without duplicates.
fn aggregate(roles: &[Role]) -> Vec<Vec<(u32, u32)>> {
    let own = |i: usize| -> Vec<(u32, u32)> {
        (0..roles[i].rules.len())
            .map(|r| (i as u32, r as u32))
            .collect()
    };
    let mut result: Vec<Option<Vec<(u32, u32)>>> = vec![None; roles.len()];
    let aggregating: Vec<usize> = (0..roles.len())
        .filter(|&i| roles[i].cluster_scoped && !roles[i].aggregation.is_empty())
        .collect();
    if aggregating.is_empty() {
        return (0..roles.len()).map(own).collect();
    }
    let cluster: Vec<usize> = (0..roles.len())
        .filter(|&i| roles[i].cluster_scoped)
        .collect();
    // Direct aggregation edges.
    let mut selected: FastMap<usize, Vec<usize>> = FastMap::default();
    for &i in &aggregating {
        let picks: Vec<usize> = cluster
            .iter()
            .copied()
            .filter(|&j| {
                j != i
                    && roles[i]
                        .aggregation
                        .iter()
                        .any(|s| s.matches(&roles[j].metadata.labels))
            })
            .collect();
        selected.insert(i, picks);
    }
    fn visit(
        i: usize,
        roles: &[Role],
        selected: &FastMap<usize, Vec<usize>>,
        result: &mut Vec<Option<Vec<(u32, u32)>>>,
        on_stack: &mut Vec<bool>,
    ) {
        if result[i].is_some() || on_stack[i] {
            return;
        }
        on_stack[i] = true;
        let mut rules: Vec<(u32, u32)> = (0..roles[i].rules.len())
            .map(|r| (i as u32, r as u32))
            .collect();
        if let Some(picks) = selected.get(&i) {
            for &j in picks {
                visit(j, roles, selected, result, on_stack);
                let theirs: Vec<(u32, u32)> = match &result[j] {
                    Some(v) => v.clone(),
                    // A cycle: the role's own rules.
                    None => (0..roles[j].rules.len())
                        .map(|r| (j as u32, r as u32))
                        .collect(),
                };
                for (s, r) in theirs {
                    let rule = &roles[s as usize].rules[r as usize];
                    if !rules
                        .iter()
                        .any(|&(s2, r2)| &roles[s2 as usize].rules[r2 as usize] == rule)
                    {
                        rules.push((s, r));
                    }
                }
            }
        }
        on_stack[i] = false;
        result[i] = Some(rules);
    }
    let mut on_stack = vec![false; roles.len()];
    for &i in &aggregating {
        visit(i, roles, &selected, &mut result, &mut on_stack);
    }
    result
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|| own(i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::inventory;

    const RBAC: &str = "rbac.authorization.k8s.io/v1";

    #[test]
    fn aggregated_cluster_roles_union_the_selected_roles() {
        let inv = inventory(&format!(
            "apiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: monitoring}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{agg/monitoring: 'true'}}\nrules: []\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: part-a, labels: {{agg/monitoring: 'true'}}}}\nrules:\n- {{apiGroups: [''], resources: [pods], verbs: [get]}}\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: part-b, labels: {{agg/monitoring: 'true'}}}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{agg/b: 'true'}}\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: part-c, labels: {{agg/b: 'true'}}}}\nrules:\n- {{apiGroups: [''], resources: [secrets], verbs: [list]}}\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: other, labels: {{agg/monitoring: 'false'}}}}\nrules:\n- {{apiGroups: [''], resources: [nodes], verbs: [delete]}}\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRoleBinding\nmetadata: {{name: mon}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}}\nsubjects: [{{kind: User, name: ann}}]\n"
        ));
        let p = Permissions::resolve(&inv);
        let ann = Principal::user("ann", &[]);
        let g = p
            .can(
                &ann,
                &Request::resource("get", "", "pods").in_namespace("x"),
            )
            .unwrap();
        assert_eq!(g.role.metadata.name, "monitoring");
        assert_eq!(g.rule_source.metadata.name, "part-a");
        // Transitive: part-b aggregates part-c.
        let g = p
            .can(&ann, &Request::resource("list", "", "secrets"))
            .unwrap();
        assert_eq!(g.rule_source.metadata.name, "part-c");
        assert!(p
            .can(&ann, &Request::resource("delete", "", "nodes"))
            .is_none());
        assert_eq!(p.grants(&ann).len(), 2);
    }

    #[test]
    fn cluster_role_through_role_binding_is_scoped_to_the_namespace() {
        let inv = inventory(&format!(
            "apiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: powers}}\nrules:\n- {{apiGroups: [''], resources: [pods, nodes], verbs: ['*']}}\n- {{nonResourceURLs: ['/metrics'], verbs: [get]}}\n---\n\
             apiVersion: {RBAC}\nkind: RoleBinding\nmetadata: {{name: rb, namespace: team}}\nroleRef: {{kind: ClusterRole, name: powers}}\nsubjects: [{{kind: ServiceAccount, name: bot}}]\n"
        ));
        let p = Permissions::resolve(&inv);
        // The subject's namespace defaults to the binding's.
        let bot = Principal::service_account("team", "bot");
        let g = p
            .can(
                &bot,
                &Request::resource("create", "", "pods").in_namespace("team"),
            )
            .unwrap();
        assert_eq!(g.scope, Scope::Namespace("team"));
        assert_eq!(g.binding.metadata.name, "rb");
        assert!(p
            .can(
                &bot,
                &Request::resource("create", "", "pods").in_namespace("other")
            )
            .is_none());
        // Not all namespaces, not cluster-scoped resources, not non-resource URLs.
        assert!(p
            .can(&bot, &Request::resource("list", "", "pods"))
            .is_none());
        assert!(p
            .can(&bot, &Request::resource("get", "", "nodes"))
            .is_none());
        assert!(p
            .can(&bot, &Request::non_resource("get", "/metrics"))
            .is_none());
        // The same name in another namespace is another account.
        assert!(p
            .can(
                &Principal::service_account("other", "bot"),
                &Request::resource("create", "", "pods").in_namespace("team")
            )
            .is_none());
    }

    #[test]
    fn groups_and_service_account_identities_match() {
        let inv = inventory(&format!(
            "apiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n- {{apiGroups: [''], resources: [configmaps], verbs: [get]}}\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRoleBinding\nmetadata: {{name: all-sa}}\nroleRef: {{kind: ClusterRole, name: r}}\nsubjects: [{{kind: Group, name: 'system:serviceaccounts:ci'}}]\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRoleBinding\nmetadata: {{name: authn}}\nroleRef: {{kind: ClusterRole, name: r}}\nsubjects: [{{kind: Group, name: 'system:authenticated'}}]\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRoleBinding\nmetadata: {{name: as-user}}\nroleRef: {{kind: ClusterRole, name: r}}\nsubjects: [{{kind: User, name: 'system:serviceaccount:x:y'}}]\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRoleBinding\nmetadata: {{name: no-ns}}\nroleRef: {{kind: ClusterRole, name: r}}\nsubjects: [{{kind: ServiceAccount, name: z}}]\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRoleBinding\nmetadata: {{name: anon}}\nroleRef: {{kind: ClusterRole, name: r}}\nsubjects: [{{kind: Group, name: 'system:unauthenticated'}}]\n"
        ));
        let p = Permissions::resolve(&inv);
        let req = Request::resource("get", "", "configmaps").in_namespace("n");
        let names = |pr: &Principal| -> Vec<String> {
            p.bindings_of(pr)
                .iter()
                .map(|(b, _)| b.metadata.name.clone())
                .collect()
        };
        assert_eq!(
            names(&Principal::service_account("ci", "a")),
            ["all-sa", "authn"]
        );
        assert_eq!(
            names(&Principal::service_account("x", "y")),
            ["authn", "as-user"]
        );
        assert_eq!(names(&Principal::user("bob", &["dev"])), ["authn"]);
        assert_eq!(names(&Principal::anonymous()), ["anon"]);
        assert_eq!(names(&Principal::user("system:anonymous", &[])), ["anon"]);
        assert_eq!(names(&Principal::exact("bob", &[])), Vec::<String>::new());
        assert!(p.can(&Principal::exact("bob", &[]), &req).is_none());
        assert!(p
            .can(&Principal::group("system:authenticated"), &req)
            .is_some());
        // A ClusterRoleBinding's ServiceAccount subject without a namespace matches no one.
        assert_eq!(
            names(&Principal::exact("system:serviceaccount::z", &[])),
            Vec::<String>::new()
        );
    }

    #[test]
    fn subresources_resource_names_and_non_resource_urls() {
        let rule = |yaml: &str| -> PolicyRule { serde_yaml_rule(yaml) };
        let exec = rule("{apiGroups: [''], resources: [pods/exec], verbs: [create]}");
        assert!(rule_allows(
            &exec,
            &Request::resource("create", "", "pods").subresource("exec")
        ));
        assert!(!rule_allows(
            &exec,
            &Request::resource("create", "", "pods")
        ));
        assert!(!rule_allows(
            &exec,
            &Request::resource("create", "", "pods").subresource("attach")
        ));
        let star_sub = rule("{apiGroups: [''], resources: ['*/exec'], verbs: [create]}");
        assert!(rule_allows(
            &star_sub,
            &Request::resource("create", "", "pods").subresource("exec")
        ));
        assert!(!rule_allows(
            &star_sub,
            &Request::resource("create", "", "pods")
        ));
        let pods = rule("{apiGroups: [''], resources: [pods], verbs: ['*']}");
        assert!(!rule_allows(
            &pods,
            &Request::resource("create", "", "pods").subresource("exec")
        ));
        let all = rule("{apiGroups: ['*'], resources: ['*'], verbs: ['*']}");
        assert!(rule_allows(
            &all,
            &Request::resource("create", "x.io", "pods").subresource("exec")
        ));
        let other_group = rule("{apiGroups: [apps], resources: [pods], verbs: [create]}");
        assert!(!rule_allows(
            &other_group,
            &Request::resource("create", "", "pods")
        ));
        let named = rule(
            "{apiGroups: [''], resources: [secrets], resourceNames: [tls], verbs: [get, list]}",
        );
        assert!(rule_allows(
            &named,
            &Request::resource("get", "", "secrets").named("tls")
        ));
        assert!(!rule_allows(
            &named,
            &Request::resource("get", "", "secrets").named("db")
        ));
        assert!(!rule_allows(
            &named,
            &Request::resource("list", "", "secrets")
        ));
        let urls = rule("{nonResourceURLs: ['/metrics', '/debug/*'], verbs: [get]}");
        assert!(rule_allows(
            &urls,
            &Request::non_resource("get", "/metrics")
        ));
        assert!(rule_allows(
            &urls,
            &Request::non_resource("get", "/debug/pprof")
        ));
        assert!(!rule_allows(
            &urls,
            &Request::non_resource("get", "/healthz")
        ));
        assert!(!rule_allows(
            &urls,
            &Request::resource("get", "", "metrics")
        ));
    }

    fn serde_yaml_rule(yaml: &str) -> PolicyRule {
        let inv = inventory(&format!(
            "apiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n- {yaml}\n"
        ));
        inv.roles[0].rules[0].clone()
    }

    #[test]
    fn missing_roles_and_invalid_refs_grant_nothing() {
        let inv = inventory(&format!(
            "apiVersion: {RBAC}\nkind: Role\nmetadata: {{name: r, namespace: a}}\nrules:\n- {{apiGroups: [''], resources: [pods], verbs: [get]}}\n---\n\
             apiVersion: {RBAC}\nkind: RoleBinding\nmetadata: {{name: other-ns, namespace: b}}\nroleRef: {{kind: Role, name: r}}\nsubjects: [{{kind: User, name: u}}]\n---\n\
             apiVersion: {RBAC}\nkind: ClusterRoleBinding\nmetadata: {{name: crb-role}}\nroleRef: {{kind: Role, name: r}}\nsubjects: [{{kind: User, name: u}}]\n---\n\
             apiVersion: {RBAC}\nkind: RoleBinding\nmetadata: {{name: ok, namespace: a}}\nroleRef: {{kind: Role, name: r}}\nsubjects: [{{kind: User, name: u}}]\n"
        ));
        let p = Permissions::resolve(&inv);
        let u = Principal::user("u", &[]);
        assert_eq!(p.unresolved().count(), 2);
        assert!(p
            .can(&u, &Request::resource("get", "", "pods").in_namespace("b"))
            .is_none());
        let g = p
            .can(&u, &Request::resource("get", "", "pods").in_namespace("a"))
            .unwrap();
        assert_eq!(g.binding.metadata.name, "ok");
    }

    #[test]
    /// Correctness at scale; speed is measured by `examples/bench_ingest.rs`, not here.
    fn thousands_of_bindings_resolve_per_subject() {
        let mut yaml = format!(
            "apiVersion: {RBAC}\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n- {{apiGroups: [''], resources: [pods], verbs: [get]}}\n"
        );
        for i in 0..2_000 {
            yaml.push_str(&format!(
                "---\napiVersion: {RBAC}\nkind: RoleBinding\nmetadata: {{name: b{i}, namespace: ns{}}}\nroleRef: {{kind: ClusterRole, name: r}}\nsubjects: [{{kind: ServiceAccount, name: sa{i}}}, {{kind: Group, name: g{}}}]\n",
                i % 500,
                i % 50
            ));
        }
        let inv = inventory(&yaml);
        let p = Permissions::resolve(&inv);
        let sa = Principal::service_account("ns7", "sa507");
        assert!(p
            .can(
                &sa,
                &Request::resource("get", "", "pods").in_namespace("ns7")
            )
            .is_some());
        let mut n = 0;
        for i in 0..2_000 {
            n += p
                .grants(&Principal::service_account(
                    &format!("ns{}", i % 500),
                    &format!("sa{i}"),
                ))
                .len();
        }
        assert_eq!(n, 2_000);
    }
}
