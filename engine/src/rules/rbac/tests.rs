use crate::rules::testing::findings;
use crate::rules::Finding;

/// `kind/ns/name` of the resources a rule fired on.
fn fired(findings: &[Finding], rule: &str) -> Vec<String> {
    let mut v: Vec<String> = findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            if f.resource.namespace.is_empty() {
                format!("{}/{}", f.resource.kind, f.resource.name)
            } else {
                format!(
                    "{}/{}/{}",
                    f.resource.kind, f.resource.namespace, f.resource.name
                )
            }
        })
        .collect();
    v.sort();
    v
}

fn message<'a>(findings: &'a [Finding], rule: &str, name: &str) -> &'a str {
    &findings
        .iter()
        .find(|f| f.rule == rule && f.resource.name == name)
        .unwrap_or_else(|| panic!("no {rule} on {name}: {findings:#?}"))
        .message
}

const H: &str = "apiVersion: rbac.authorization.k8s.io/v1\n";

fn cluster_role(name: &str, rules: &str) -> String {
    format!("---\n{H}kind: ClusterRole\nmetadata: {{name: '{name}'}}\nrules:\n{rules}")
}

fn role(ns: &str, name: &str, rules: &str) -> String {
    format!("---\n{H}kind: Role\nmetadata: {{name: '{name}', namespace: {ns}}}\nrules:\n{rules}")
}

fn crb(name: &str, role: &str, subjects: &str) -> String {
    format!(
        "---\n{H}kind: ClusterRoleBinding\nmetadata: {{name: '{name}'}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: '{role}'}}\nsubjects: {subjects}\n"
    )
}

fn rb(ns: &str, name: &str, kind: &str, role: &str, subjects: &str) -> String {
    format!(
        "---\n{H}kind: RoleBinding\nmetadata: {{name: '{name}', namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: '{role}'}}\nsubjects: {subjects}\n"
    )
}

const ALICE: &str = "[{kind: User, name: alice}]";
const CLUSTER_ADMIN: &str = "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n- {nonResourceURLs: ['*'], verbs: ['*']}\n";

/// One finding per rule: a rule grants `rules` to alice via a ClusterRoleBinding
/// named `bad`, and variants that must not fire get other names.
fn one(rules: &str) -> Vec<Finding> {
    findings(&(cluster_role("r", rules) + &crb("bad", "r", ALICE)))
}

#[test]
fn cluster_admin_bindings_are_reported_except_system_masters() {
    let yaml = cluster_role("cluster-admin", CLUSTER_ADMIN)
        + &cluster_role(
            "almighty",
            "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n",
        )
        + &crb(
            "cluster-admin",
            "cluster-admin",
            "[{kind: Group, name: 'system:masters'}]",
        )
        + &crb("alice-admin", "cluster-admin", ALICE)
        + &crb(
            "sa-admin",
            "almighty",
            "[{kind: ServiceAccount, name: deployer, namespace: ci}]",
        )
        + &crb("system:backup", "system:backup", ALICE)
        + &rb("team", "team-admin", "ClusterRole", "cluster-admin", ALICE);
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "clusterAdminBinding"),
        [
            "ClusterRoleBinding/alice-admin",
            "ClusterRoleBinding/sa-admin"
        ]
    );
    let m = message(&f, "clusterAdminBinding", "sa-admin");
    assert!(m.contains("ServiceAccount ci/deployer"), "{m}");
    assert!(m.contains("ClusterRole almighty"), "{m}");
    // Capability rules do not repeat admin-equivalent bindings: the namespace-scoped
    // one is reported once, as namespace admin.
    assert!(fired(&f, "secretsAccess").is_empty());
    assert_eq!(
        fired(&f, "namespaceAdminBinding"),
        ["RoleBinding/team/team-admin"]
    );
    // The definition of cluster-admin is not a wildcard finding; `almighty` is.
    assert_eq!(fired(&f, "rbacWildcard"), ["ClusterRole/almighty"]);
}

#[test]
fn wildcards_in_roles() {
    let yaml = role(
        "data",
        "owner",
        "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n",
    ) + &role(
        "data",
        "sub",
        "- {apiGroups: [''], resources: ['*/exec'], verbs: [create]}\n",
    ) + &role(
        "data",
        "explicit",
        "- {apiGroups: [''], resources: [pods], verbs: [get, list]}\n",
    ) + &cluster_role(
        "system:controller:x",
        "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n",
    ) + &rb(
        "data",
        "owners",
        "Role",
        "owner",
        "[{kind: Group, name: data-eng}]",
    );
    let f = findings(&yaml);
    // `system:controller:x` is no bootstrap controller role: a user's, judged.
    assert_eq!(
        fired(&f, "rbacWildcard"),
        [
            "ClusterRole/system:controller:x",
            "Role/data/owner",
            "Role/data/sub"
        ]
    );
    let m = message(&f, "rbacWildcard", "owner");
    assert!(
        m.contains("RoleBinding data/owners (Group data-eng)"),
        "{m}"
    );
}

#[test]
fn secrets_access_and_its_negative_controls() {
    let f = one("- {apiGroups: [''], resources: [secrets], verbs: [list]}\n");
    assert_eq!(fired(&f, "secretsAccess"), ["ClusterRoleBinding/bad"]);
    let m = message(&f, "secretsAccess", "bad");
    assert!(
        m.contains("User alice can list secrets cluster-wide"),
        "{m}"
    );
    assert!(m.contains("verbs [list] on resources [secrets]"), "{m}");
    // Another API group, specific names, other verbs: nothing.
    for rules in [
        "- {apiGroups: [example.io], resources: [secrets], verbs: [get, list]}\n",
        "- {apiGroups: [''], resources: [secrets], resourceNames: [tls], verbs: [get, list, watch]}\n",
        "- {apiGroups: [''], resources: [secrets], verbs: [create, update]}\n",
        "- {apiGroups: [''], resources: [configmaps], verbs: ['*']}\n",
    ] {
        assert!(fired(&one(rules), "secretsAccess").is_empty(), "{rules}");
    }
    // A RoleBinding in another namespace than its Role grants nothing; one in the
    // Role's namespace does, scoped to it.
    let yaml = role(
        "a",
        "reader",
        "- {apiGroups: [''], resources: [secrets], verbs: [get]}\n",
    ) + &rb("b", "elsewhere", "Role", "reader", ALICE)
        + &rb("a", "here", "Role", "reader", ALICE);
    let f = findings(&yaml);
    assert_eq!(fired(&f, "secretsAccess"), ["RoleBinding/a/here"]);
    assert!(message(&f, "secretsAccess", "here").contains("in namespace a"));
}

#[test]
fn aggregated_roles_are_resolved() {
    let yaml = format!(
        "---\n{H}kind: ClusterRole\nmetadata: {{name: umbrella}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{acme/agg: 'true'}}\nrules: []\n"
    ) + &format!(
        "---\n{H}kind: ClusterRole\nmetadata: {{name: piece, labels: {{acme/agg: 'true'}}}}\nrules:\n- {{apiGroups: [''], resources: [secrets], verbs: [watch]}}\n"
    ) + &crb("umbrella-users", "umbrella", "[{kind: Group, name: ops}]");
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "secretsAccess"),
        ["ClusterRoleBinding/umbrella-users"]
    );
    assert!(message(&f, "secretsAccess", "umbrella-users")
        .contains("aggregated from ClusterRole piece"));
}

#[test]
fn pod_creation_exec_portforward_and_modification() {
    let f = one("- {apiGroups: [apps], resources: [deployments], verbs: [create]}\n");
    assert_eq!(fired(&f, "podCreation"), ["ClusterRoleBinding/bad"]);
    assert!(fired(
        &one("- {apiGroups: [''], resources: [deployments], verbs: [create]}\n"),
        "podCreation"
    )
    .is_empty());
    assert!(fired(
        &one("- {apiGroups: [''], resources: [pods], verbs: [get, list]}\n"),
        "podCreation"
    )
    .is_empty());

    let f = one("- {apiGroups: [''], resources: [pods/exec, pods/portforward], verbs: [create]}\n");
    assert_eq!(fired(&f, "podExec"), ["ClusterRoleBinding/bad"]);
    assert_eq!(fired(&f, "podPortForward"), ["ClusterRoleBinding/bad"]);
    assert!(fired(&f, "podCreation").is_empty());
    let f = one("- {apiGroups: [''], resources: [pods/attach], verbs: [get]}\n");
    assert_eq!(fired(&f, "podExec"), ["ClusterRoleBinding/bad"]);
    // `pods` does not include its subresources.
    let f = one("- {apiGroups: [''], resources: [pods], verbs: ['*']}\n");
    assert!(fired(&f, "podExec").is_empty());
    assert_eq!(fired(&f, "podCreation"), ["ClusterRoleBinding/bad"]);
    assert_eq!(fired(&f, "podModification"), ["ClusterRoleBinding/bad"]);

    let f = one("- {apiGroups: [''], resources: [pods/ephemeralcontainers], verbs: [update]}\n");
    assert_eq!(fired(&f, "podModification"), ["ClusterRoleBinding/bad"]);
    assert!(fired(
        &one("- {apiGroups: [apps], resources: [deployments/scale], verbs: [patch]}\n"),
        "podModification"
    )
    .is_empty());
}

#[test]
fn cluster_scoped_permissions_need_a_cluster_role_binding() {
    for (rules, rule) in [
        ("- {apiGroups: [''], resources: [nodes/proxy], verbs: [get]}\n", "nodeProxy"),
        ("- {apiGroups: [''], resources: [persistentvolumes], verbs: [create]}\n", "persistentVolumeCreation"),
        ("- {apiGroups: [admissionregistration.k8s.io], resources: [mutatingwebhookconfigurations], verbs: [patch]}\n", "admissionWebhookWrite"),
        ("- {apiGroups: [''], resources: [users, groups], verbs: [impersonate]}\n", "impersonation"),
    ] {
        let yaml = cluster_role("r", rules)
            + &crb("cluster", "r", ALICE)
            + &rb("ns", "namespaced", "ClusterRole", "r", ALICE);
        let f = findings(&yaml);
        assert_eq!(fired(&f, rule), ["ClusterRoleBinding/cluster"], "{rule}");
    }
    // Specific node names, other groups: nothing.
    assert!(fired(
        &one("- {apiGroups: [''], resources: [nodes/proxy], resourceNames: [n1], verbs: [get]}\n"),
        "nodeProxy"
    )
    .is_empty());
    assert!(fired(
        &one("- {apiGroups: [''], resources: [nodes, nodes/metrics], verbs: [get]}\n"),
        "nodeProxy"
    )
    .is_empty());
    assert!(fired(
        &one("- {apiGroups: [''], resources: [persistentvolumeclaims], verbs: [create]}\n"),
        "persistentVolumeCreation"
    )
    .is_empty());
    assert!(fired(&one("- {apiGroups: [admissionregistration.k8s.io], resources: [validatingwebhookconfigurations], resourceNames: [mine], verbs: [patch]}\n"), "admissionWebhookWrite").is_empty());
}

#[test]
fn bind_escalate_and_impersonation() {
    let f = one("- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate]}\n");
    assert_eq!(fired(&f, "rbacBindEscalate"), ["ClusterRoleBinding/bad"]);
    // bind on roles through a RoleBinding counts in its namespace.
    let yaml = role(
        "t",
        "binder",
        "- {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [bind]}\n",
    ) + &rb("t", "binders", "Role", "binder", ALICE);
    assert_eq!(
        fired(&findings(&yaml), "rbacBindEscalate"),
        ["RoleBinding/t/binders"]
    );
    assert!(fired(&one("- {apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings], verbs: [create, update]}\n"), "rbacBindEscalate").is_empty());
    assert!(fired(&one("- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [view], verbs: [bind]}\n"), "rbacBindEscalate").is_empty());

    // Impersonating service accounts works through a RoleBinding.
    let yaml = role(
        "t",
        "imp",
        "- {apiGroups: [''], resources: [serviceaccounts], verbs: [impersonate]}\n",
    ) + &rb("t", "imps", "Role", "imp", ALICE);
    assert_eq!(
        fired(&findings(&yaml), "impersonation"),
        ["RoleBinding/t/imps"]
    );
    assert!(fired(
        &one(
            "- {apiGroups: [''], resources: [users], resourceNames: [bob], verbs: [impersonate]}\n"
        ),
        "impersonation"
    )
    .is_empty());
}

#[test]
fn csr_approval_needs_both_halves() {
    let approval = "- {apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}\n";
    assert!(fired(&one(approval), "csrApproval").is_empty());
    let f = one(&format!(
        "{approval}- {{apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: ['kubernetes.io/*'], verbs: [approve]}}\n"
    ));
    assert_eq!(fired(&f, "csrApproval"), ["ClusterRoleBinding/bad"]);
    // A signer that does not issue API client certificates.
    let f = one(&format!(
        "{approval}- {{apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: ['acme.example/internal'], verbs: [approve]}}\n"
    ));
    assert!(fired(&f, "csrApproval").is_empty());
    // The signer right may come from another binding of the same user.
    let yaml = cluster_role("a", approval)
        + &cluster_role(
            "s",
            "- {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}\n",
        )
        + &crb("approve", "a", ALICE)
        + &crb(
            "sign",
            "s",
            "[{kind: User, name: alice}, {kind: User, name: carol}]",
        );
    assert_eq!(
        fired(&findings(&yaml), "csrApproval"),
        ["ClusterRoleBinding/approve"]
    );
}

#[test]
fn token_creation_and_delete_rights() {
    let f = one("- {apiGroups: [''], resources: [serviceaccounts/token], verbs: [create]}\n");
    assert_eq!(
        fired(&f, "serviceAccountTokenCreation"),
        ["ClusterRoleBinding/bad"]
    );
    assert!(fired(
        &one("- {apiGroups: [''], resources: [serviceaccounts], verbs: [create]}\n"),
        "serviceAccountTokenCreation"
    )
    .is_empty());
    assert!(fired(&one("- {apiGroups: [''], resources: [serviceaccounts/token], resourceNames: [builder], verbs: [create]}\n"), "serviceAccountTokenCreation").is_empty());

    let f =
        one("- {apiGroups: [''], resources: [namespaces, secrets], verbs: [deletecollection]}\n");
    assert_eq!(fired(&f, "deleteRights"), ["ClusterRoleBinding/bad"]);
    assert!(message(&f, "deleteRights", "bad").contains("deletecollection namespaces"));
    assert!(fired(
        &one("- {apiGroups: [''], resources: [pods], verbs: [delete]}\n"),
        "deleteRights"
    )
    .is_empty());
}

#[test]
fn anonymous_and_broad_groups() {
    let discovery = "- {nonResourceURLs: ['/healthz', '/version', '/api/*'], verbs: [get]}\n- {apiGroups: [authorization.k8s.io], resources: [selfsubjectaccessreviews], verbs: [create]}\n";
    let view = "- {apiGroups: [''], resources: [pods], verbs: [get, list]}\n";
    let yaml = cluster_role("disc", discovery)
        + &cluster_role("view", view)
        + &crb(
            "public-info",
            "disc",
            "[{kind: Group, name: 'system:unauthenticated'}]",
        )
        + &crb(
            "anon-view",
            "view",
            "[{kind: User, name: 'system:anonymous'}]",
        )
        + &rb(
            "web",
            "unauth-view",
            "ClusterRole",
            "view",
            "[{kind: Group, name: 'system:unauthenticated'}]",
        )
        + &crb(
            "everyone-view",
            "view",
            "[{kind: Group, name: 'system:authenticated'}]",
        )
        + &crb(
            "all-sa-view",
            "view",
            "[{kind: Group, name: 'system:serviceaccounts'}]",
        )
        + &crb(
            "ns-sa-view",
            "view",
            "[{kind: Group, name: 'system:serviceaccounts:ci'}]",
        )
        + &crb(
            "everyone-disc",
            "disc",
            "[{kind: Group, name: 'system:authenticated'}]",
        );
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "anonymousAccess"),
        [
            "ClusterRoleBinding/anon-view",
            "RoleBinding/web/unauth-view"
        ]
    );
    assert_eq!(
        fired(&f, "broadGroupBinding"),
        [
            "ClusterRoleBinding/all-sa-view",
            "ClusterRoleBinding/everyone-view"
        ]
    );
}

#[test]
fn default_service_account_bindings() {
    let view = "- {apiGroups: [''], resources: [pods], verbs: [get, list]}\n";
    let yaml = cluster_role("view", view)
        + &rb(
            "team",
            "implicit-ns",
            "ClusterRole",
            "view",
            "[{kind: ServiceAccount, name: default}]",
        )
        + &crb(
            "explicit",
            "view",
            "[{kind: ServiceAccount, name: default, namespace: web}]",
        )
        + &rb(
            "team",
            "own-sa",
            "ClusterRole",
            "view",
            "[{kind: ServiceAccount, name: reporter}]",
        );
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "defaultServiceAccountBound"),
        [
            "ClusterRoleBinding/explicit",
            "RoleBinding/team/implicit-ns"
        ]
    );
    assert!(message(&f, "defaultServiceAccountBound", "implicit-ns")
        .contains("ServiceAccount team/default"));
}

fn deployment(ns: &str, name: &str, sa: Option<&str>, automount: Option<bool>) -> String {
    let mut spec = String::new();
    if let Some(sa) = sa {
        spec.push_str(&format!("      serviceAccountName: {sa}\n"));
    }
    if let Some(a) = automount {
        spec.push_str(&format!("      automountServiceAccountToken: {a}\n"));
    }
    format!(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  template:\n    spec:\n{spec}      containers: [{{name: c, image: 'example/app:1'}}]\n"
    )
}

#[test]
fn workload_service_accounts_with_takeover_rights() {
    let yaml = cluster_role("cluster-admin", CLUSTER_ADMIN)
        + &cluster_role("secret-lister", "- {apiGroups: [''], resources: [secrets], verbs: [list]}\n")
        + &cluster_role("view", "- {apiGroups: [''], resources: [pods], verbs: [get, list]}\n")
        + &role("apps", "deploy", "- {apiGroups: [apps], resources: [deployments], verbs: [create, patch]}\n")
        + &crb("bot-admin", "cluster-admin", "[{kind: ServiceAccount, name: deployer, namespace: ci}]")
        + &crb("lister", "secret-lister", "[{kind: Group, name: 'system:serviceaccounts:mon'}]")
        + &crb("everyone", "cluster-admin", "[{kind: Group, name: 'system:authenticated'}]")
        + &rb("apps", "runner-deploy", "Role", "deploy", "[{kind: ServiceAccount, name: runner, namespace: ci}]")
        + &crb("runner-view", "view", "[{kind: ServiceAccount, name: runner, namespace: ci}]")
        + &deployment("ci", "deploy-bot", Some("deployer"), None)
        + &deployment("ci", "quiet-bot", Some("deployer"), Some(false))
        + &deployment("mon", "exporter", None, None)
        + &deployment("ci", "build", Some("runner"), None)
        + &deployment("web", "shop", None, None)
        + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: runner, namespace: other}\nautomountServiceAccountToken: false\n";
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "serviceAccountClusterTakeover"),
        ["Deployment/ci/deploy-bot", "Deployment/mon/exporter"]
    );
    let m = message(&f, "serviceAccountClusterTakeover", "deploy-bot");
    assert!(m.contains("ServiceAccount ci/deployer"), "{m}");
    assert!(m.contains("ClusterRoleBinding bot-admin"), "{m}");
    assert!(m.contains("read secrets"), "{m}");
    assert!(message(&f, "serviceAccountClusterTakeover", "exporter")
        .contains("ServiceAccount mon/default"));
    assert_eq!(
        fired(&f, "serviceAccountNamespaceTakeover"),
        ["Deployment/ci/build"]
    );
    let m = message(&f, "serviceAccountNamespaceTakeover", "build");
    assert!(m.contains("create pods, modify pods"), "{m}");
    assert!(m.contains("RoleBinding apps/runner-deploy"), "{m}");
    // The grant to system:authenticated is broadGroupBinding's, not every workload's.
    assert!(
        !fired(&f, "serviceAccountClusterTakeover").contains(&"Deployment/web/shop".to_string())
    );
}

#[test]
fn service_account_automount_off_on_the_account_is_honoured() {
    let yaml = cluster_role("secret-lister", "- {apiGroups: [''], resources: [secrets], verbs: [list]}\n")
        + &crb("l", "secret-lister", "[{kind: ServiceAccount, name: s, namespace: a}]")
        + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s, namespace: a}\nautomountServiceAccountToken: false\n"
        + &deployment("a", "off", Some("s"), None)
        + &deployment("a", "forced-on", Some("s"), Some(true));
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "serviceAccountClusterTakeover"),
        ["Deployment/a/forced-on"]
    );
}

const ALL_VERBS_LISTED: &str = "- {apiGroups: ['*'], resources: ['*'], verbs: [watch, list, get]}\n- {apiGroups: ['*'], resources: ['*'], verbs: [deletecollection, delete, patch, update, create]}\n";

#[test]
fn admin_equivalence_is_reported_once_however_written() {
    // Every verb listed out, across two rules, in no particular order.
    let f = one(ALL_VERBS_LISTED);
    assert_eq!(fired(&f, "clusterAdminBinding"), ["ClusterRoleBinding/bad"]);
    let m = message(&f, "clusterAdminBinding", "bad");
    assert!(m.contains("deletecollection") && m.contains("watch"), "{m}");
    for rule in ["secretsAccess", "podCreation", "podExec", "deleteRights"] {
        assert!(
            fired(&f, rule).is_empty(),
            "{rule} repeats the admin binding"
        );
    }
    // Negative control: every verb but `deletecollection` is not admin-equivalent, and
    // the capabilities it does grant are reported one by one.
    let f = one("- {apiGroups: ['*'], resources: ['*'], verbs: [get, list, watch, create, update, patch, delete]}\n");
    assert!(fired(&f, "clusterAdminBinding").is_empty());
    assert_eq!(fired(&f, "secretsAccess"), ["ClusterRoleBinding/bad"]);
    assert_eq!(fired(&f, "podCreation"), ["ClusterRoleBinding/bad"]);
    // resourceNames narrow a rule: not admin-equivalent either.
    let f = one("- {apiGroups: ['*'], resources: ['*'], resourceNames: [x], verbs: ['*']}\n");
    assert!(fired(&f, "clusterAdminBinding").is_empty());
}

#[test]
fn namespace_admin_bindings() {
    let yaml = cluster_role("everything", ALL_VERBS_LISTED)
        + &role(
            "team",
            "owner",
            "- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n",
        )
        + &role(
            "team",
            "reader",
            "- {apiGroups: [''], resources: [pods], verbs: [get]}\n",
        )
        + &rb("team", "to-admin", "ClusterRole", "admin", ALICE)
        + &rb("team", "to-everything", "ClusterRole", "everything", ALICE)
        + &rb("team", "to-owner", "Role", "owner", ALICE)
        + &rb("team", "to-reader", "Role", "reader", ALICE)
        + &rb("team", "to-view", "ClusterRole", "view", ALICE);
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "namespaceAdminBinding"),
        [
            "RoleBinding/team/to-admin",
            "RoleBinding/team/to-everything",
            "RoleBinding/team/to-owner"
        ]
    );
    let m = message(&f, "namespaceAdminBinding", "to-admin");
    assert!(m.contains("User alice is admin of namespace team"), "{m}");
    assert!(m.contains("built-in role, definition assumed"), "{m}");
    // A RoleBinding is never cluster admin.
    assert!(fired(&f, "clusterAdminBinding").is_empty());
}

#[test]
fn built_in_roles_absent_from_the_snapshot_are_assumed() {
    // A manifest-only repository: the binding names roles it does not contain.
    let yaml = crb("ops-admin", "cluster-admin", ALICE)
        + &rb(
            "shop",
            "devs",
            "ClusterRole",
            "edit",
            "[{kind: Group, name: devs}]",
        )
        + &crb("nodes-x", "system:node", "[{kind: User, name: bob}]")
        + &crb("typo", "clustr-admin", ALICE);
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "clusterAdminBinding"),
        ["ClusterRoleBinding/ops-admin"]
    );
    let m = message(&f, "clusterAdminBinding", "ops-admin");
    assert!(
        m.contains("ClusterRole cluster-admin (built-in role, definition assumed)"),
        "{m}"
    );
    // edit, aggregated from the bootstrap aggregate-to-edit and aggregate-to-view roles.
    let m = message(&f, "secretsAccess", "devs");
    assert!(
        m.contains("Group devs") && m.contains("in namespace shop"),
        "{m}"
    );
    assert!(m.contains("definition assumed"), "{m}");
    assert!(
        m.contains("aggregated from ClusterRole system:aggregate-to-edit"),
        "{m}"
    );
    assert_eq!(fired(&f, "podExec"), ["RoleBinding/shop/devs"]);
    // system:node reads secrets cluster-wide.
    assert!(fired(&f, "secretsAccess").contains(&"ClusterRoleBinding/nodes-x".to_string()));
    // An unknown role is still absent: it grants nothing.
    assert!(f.iter().all(|f| f.resource.name != "typo"));
}

#[test]
fn the_snapshot_definition_of_a_built_in_role_wins() {
    // This cluster's `edit` was replaced by one that only reads config maps.
    let yaml = cluster_role(
        "edit",
        "- {apiGroups: [''], resources: [configmaps], verbs: [get, list]}\n",
    ) + &rb(
        "shop",
        "devs",
        "ClusterRole",
        "edit",
        "[{kind: Group, name: devs}]",
    );
    let f = findings(&yaml);
    assert!(fired(&f, "secretsAccess").is_empty(), "{f:#?}");
    assert!(fired(&f, "podExec").is_empty());
    assert!(f.iter().all(|f| !f.message.contains("assumed")));
    // Without it, the bootstrap `edit` applies.
    let f = findings(&rb(
        "shop",
        "devs",
        "ClusterRole",
        "edit",
        "[{kind: Group, name: devs}]",
    ));
    assert_eq!(fired(&f, "secretsAccess"), ["RoleBinding/shop/devs"]);
}

#[test]
fn a_role_binding_to_admin_is_one_finding() {
    let f = findings(&rb("team", "to-admin", "ClusterRole", "admin", ALICE));
    let rules: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["namespaceAdminBinding"], "{f:#?}");
    // Negative control: `edit` is not admin, and is reported by what it grants.
    let f = findings(&rb("team", "to-edit", "ClusterRole", "edit", ALICE));
    assert!(fired(&f, "namespaceAdminBinding").is_empty());
    assert_eq!(fired(&f, "secretsAccess"), ["RoleBinding/team/to-edit"]);
}

#[test]
fn broad_group_exemptions_are_by_exact_bootstrap_name_not_prefix() {
    let view = "- {apiGroups: [''], resources: [secrets], verbs: [get, list]}\n";
    let issuer = "- {nonResourceURLs: ['/.well-known/openid-configuration', '/openid/v1/jwks'], verbs: [get]}\n- {apiGroups: [''], resources: [configmaps], verbs: [get]}\n";
    let yaml = cluster_role("system:secret-reader", view)
        + &cluster_role("system:service-account-issuer-discovery", issuer)
        // User-made, disguised with the prefix on both names: reported.
        + &crb(
            "system:everyone-reads-secrets",
            "system:secret-reader",
            "[{kind: Group, name: 'system:authenticated'}]",
        )
        + &crb(
            "system:anonymous-reads-secrets",
            "system:secret-reader",
            "[{kind: Group, name: 'system:unauthenticated'}]",
        )
        // The bootstrap binding, by its exact name and role: exempt.
        + &crb(
            "system:service-account-issuer-discovery",
            "system:service-account-issuer-discovery",
            "[{kind: Group, name: 'system:serviceaccounts'}]",
        )
        // The bootstrap name pointed at another role: reported.
        + &crb(
            "system:discovery",
            "system:secret-reader",
            "[{kind: Group, name: 'system:authenticated'}]",
        );
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "broadGroupBinding"),
        [
            "ClusterRoleBinding/system:discovery",
            "ClusterRoleBinding/system:everyone-reads-secrets"
        ]
    );
    assert_eq!(
        fired(&f, "anonymousAccess"),
        ["ClusterRoleBinding/system:anonymous-reads-secrets"]
    );
}

#[test]
fn dns_configuration_write_in_kube_system() {
    let corefile = "- {apiGroups: [''], resources: [configmaps], resourceNames: [coredns], verbs: [get, patch]}\n";
    let any_cm = "- {apiGroups: [''], resources: [configmaps], verbs: [update]}\n";
    let other_cm = "- {apiGroups: [''], resources: [configmaps], resourceNames: [app-config], verbs: [update, patch]}\n";
    let read = "- {apiGroups: [''], resources: [configmaps], verbs: [get, list, watch]}\n";
    let yaml = role("kube-system", "dns-editor", corefile)
        + &cluster_role("cm-writer", any_cm)
        + &role("kube-system", "app-config", other_cm)
        + &cluster_role("cm-reader", read)
        + &rb("kube-system", "dns", "Role", "dns-editor", ALICE)
        + &rb("kube-system", "cm-all", "ClusterRole", "cm-writer", ALICE)
        + &crb("cm-everywhere", "cm-writer", ALICE)
        // Write on configmaps, but in another namespace: not the DNS config.
        + &rb("shop", "cm-shop", "ClusterRole", "cm-writer", ALICE)
        + &rb("kube-system", "app", "Role", "app-config", ALICE)
        + &crb("reader", "cm-reader", ALICE);
    let f = findings(&yaml);
    assert_eq!(
        fired(&f, "dnsConfigWrite"),
        [
            "ClusterRoleBinding/cm-everywhere",
            "RoleBinding/kube-system/cm-all",
            "RoleBinding/kube-system/dns"
        ]
    );
    assert!(message(&f, "dnsConfigWrite", "dns")
        .contains("patch the cluster DNS configuration (ConfigMap coredns in kube-system)"));
}

#[test]
fn only_the_platforms_own_names_are_exempt_not_their_prefixes() {
    let secrets = "- {apiGroups: [''], resources: [secrets], verbs: [list]}\n";
    // A user-made role and binding under `system:`/`eks:` names is judged.
    for name in [
        "system:foo",
        "eks:ci-deployer",
        "system:controller:my-operator",
    ] {
        let f = findings(&(cluster_role(name, secrets) + &crb(name, name, ALICE)));
        assert_eq!(
            fired(&f, "secretsAccess"),
            [format!("ClusterRoleBinding/{name}")],
            "{name}"
        );
    }
    // The bootstrap policy's own controller binding is the platform's.
    let name = "system:controller:namespace-controller";
    let sa = "[{kind: ServiceAccount, name: namespace-controller, namespace: kube-system}]";
    let f = findings(&(cluster_role(name, secrets) + &crb(name, name, sa)));
    assert!(fired(&f, "secretsAccess").is_empty(), "{f:#?}");
}
