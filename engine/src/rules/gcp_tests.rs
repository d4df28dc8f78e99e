//! The GCP rules on gcloud output written as the IAM documentation describes it (a
//! policy's `bindings`, `etag`, `version`; conditions with `title` and `expression`;
//! the service-account list's fields), with negative controls for each rule.

use crate::ingest::{parse_file, InputFile, InputFormat};
use crate::model::Inventory;
use crate::rules::{evaluate, Finding, RuleOptions};

const PROJECT_POLICY: &str = r#"{
  "bindings": [
    {"members": ["serviceAccount:app@shop-prod.iam.gserviceaccount.com"], "role": "roles/editor"},
    {"members": ["user:alice@example.com"], "role": "roles/owner"},
    {"members": ["serviceAccount:reader@shop-prod.iam.gserviceaccount.com"], "role": "roles/viewer"},
    {"members": ["group:admins@example.com"], "role": "roles/resourcemanager.projectIamAdmin"},
    {"members": ["serviceAccount:ci@shop-prod.iam.gserviceaccount.com"], "role": "roles/iam.serviceAccountTokenCreator"},
    {"members": ["allUsers", "serviceAccount:reader@shop-prod.iam.gserviceaccount.com"], "role": "roles/storage.objectViewer"},
    {"condition": {"expression": "request.time < timestamp(\"2027-01-01T00:00:00Z\")", "title": "until 2027"},
     "members": ["serviceAccount:temp@shop-prod.iam.gserviceaccount.com"], "role": "roles/owner"},
    {"members": ["principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/shop-prod.svc.id.goog/subject/ns/web/sa/api"], "role": "roles/editor"}
  ],
  "etag": "BwYSk3Xw9lA=",
  "version": 3
}"#;

const SA_POLICY: &str = r#"{
  "bindings": [
    {"members": ["serviceAccount:ci@shop-prod.iam.gserviceaccount.com", "serviceAccount:app@shop-prod.iam.gserviceaccount.com"], "role": "roles/iam.serviceAccountTokenCreator"},
    {"members": ["serviceAccount:shop-prod.svc.id.goog[web/api]"], "role": "roles/iam.workloadIdentityUser"}
  ],
  "etag": "BwYSk3Xw9lB=",
  "version": 1
}"#;

const SA_LIST: &str = r#"[
  {"displayName": "App", "email": "app@shop-prod.iam.gserviceaccount.com", "etag": "MDEwMjE5MjA=",
   "name": "projects/shop-prod/serviceAccounts/app@shop-prod.iam.gserviceaccount.com",
   "oauth2ClientId": "100000000000000000001", "projectId": "shop-prod", "uniqueId": "100000000000000000001"},
  {"disabled": true, "email": "old@shop-prod.iam.gserviceaccount.com",
   "name": "projects/shop-prod/serviceAccounts/old@shop-prod.iam.gserviceaccount.com",
   "projectId": "shop-prod", "uniqueId": "100000000000000000002"}
]"#;

fn inventory(files: &[(&str, &str)]) -> Inventory {
    crate::test_support::inventory_of(InputFormat::GcpIam, files)
}

fn findings(files: &[(&str, &str)]) -> Vec<Finding> {
    evaluate(&inventory(files), &RuleOptions::default())
        .0
        .into_iter()
        .filter(|f| f.rule.starts_with("gcp"))
        .collect()
}

/// `rule kind/name field` of each finding, sorted.
fn keys(findings: &[Finding]) -> Vec<String> {
    let mut k: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {}/{} {}",
                f.rule, f.resource.kind, f.resource.name, f.field
            )
        })
        .collect();
    k.sort();
    k
}

#[test]
fn project_policy_findings() {
    let f = findings(&[("gcp/shop-prod.iam-policy.json", PROJECT_POLICY)]);
    assert_eq!(
        keys(&f),
        [
            "gcpIamPrimitiveRole GCP::IAM::ServiceAccount/app@shop-prod.iam.gserviceaccount.com roles/editor",
            "gcpIamPrimitiveRole GCP::IAM::ServiceAccount/temp@shop-prod.iam.gserviceaccount.com roles/owner",
            "gcpIamPrimitiveRole GCP::IAM::WorkloadIdentity/web/api roles/editor",
            "gcpIamPrivilegeEscalation GCP::IAM::Group/admins@example.com roles/resourcemanager.projectIamAdmin",
            "gcpIamPrivilegeEscalation GCP::IAM::ServiceAccount/ci@shop-prod.iam.gserviceaccount.com roles/iam.serviceAccountTokenCreator",
            "gcpIamPublicAccess GCP::ResourceManager::Project/shop-prod roles/storage.objectViewer allUsers",
        ]
    );
    // Negative controls are in the list's absence: Owner to a user, Viewer and
    // objectViewer to a service account.
    let temp = f
        .iter()
        .find(|f| f.resource.name.starts_with("temp@"))
        .expect("conditional owner");
    assert!(
        temp.message.contains("conditional: only when `until 2027`"),
        "{}",
        temp.message
    );
    let app = f
        .iter()
        .find(|f| f.resource.name.starts_with("app@"))
        .expect("editor");
    assert!(!app.message.contains("conditional"), "{}", app.message);
    assert!(
        app.message.contains("on project shop-prod"),
        "{}",
        app.message
    );
}

#[test]
fn service_account_policy_findings() {
    let f = findings(&[(
        "gcp/app@shop-prod.iam.gserviceaccount.com.iam-policy.json",
        SA_POLICY,
    )]);
    // ci may mint tokens of app; app minting its own is not escalation; the Workload
    // Identity grant is a link, not a finding.
    assert_eq!(
        keys(&f),
        ["gcpIamPrivilegeEscalation GCP::IAM::ServiceAccount/ci@shop-prod.iam.gserviceaccount.com roles/iam.serviceAccountTokenCreator"]
    );
    assert!(f[0]
        .message
        .contains("on service account app@shop-prod.iam.gserviceaccount.com"));
}

#[test]
fn public_members_on_a_service_account() {
    let policy = r#"{"bindings": [{"role": "roles/iam.serviceAccountUser", "members": ["allAuthenticatedUsers"]}], "etag": "x"}"#;
    let f = findings(&[(
        "gcp/app@shop-prod.iam.gserviceaccount.com.iam-policy.json",
        policy,
    )]);
    assert!(keys(&f).contains(
        &"gcpIamPublicAccess GCP::IAM::ServiceAccount/app@shop-prod.iam.gserviceaccount.com roles/iam.serviceAccountUser allAuthenticatedUsers".to_string()
    ));
}

#[test]
fn service_account_list_and_empty_policy_read() {
    let inv = inventory(&[
        ("gcp/service-accounts.json", SA_LIST),
        (
            "gcp/old@shop-prod.iam.gserviceaccount.com.iam-policy.json",
            r#"{"etag": "ACAB"}"#,
        ),
    ]);
    let accounts: Vec<(&str, bool)> = inv
        .gcp_iam
        .iter()
        .flat_map(|d| &d.service_accounts)
        .map(|a| (a.email.as_str(), a.disabled))
        .collect();
    assert_eq!(
        accounts,
        [
            ("app@shop-prod.iam.gserviceaccount.com", false),
            ("old@shop-prod.iam.gserviceaccount.com", true)
        ]
    );
    assert_eq!(inv.gcp_iam.iter().flat_map(|d| &d.policies).count(), 1);
    assert!(findings(&[("gcp/service-accounts.json", SA_LIST)]).is_empty());
}

#[test]
fn unreadable_bindings_are_located_not_fatal() {
    let text = r#"{"bindings": [{"role": "roles/owner"}, {"role": "roles/editor", "members": ["serviceAccount:a@p-123456.iam.gserviceaccount.com"]}], "etag": "x"}"#;
    let parsed = parse_file(&InputFile::new(
        "gcp/p-123456.iam-policy.json",
        text.as_bytes().to_vec(),
    ));
    assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
    assert_eq!(parsed.diagnostics[0].path, "bindings[0]");
    // A Kubernetes object with an `etag`-like key is not a policy.
    let cm = r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "etag": "x"}"#;
    let parsed = parse_file(&InputFile::new("cm.json", cm.as_bytes().to_vec()));
    assert_ne!(parsed.format(), InputFormat::GcpIam);
}

#[test]
fn hostile_gcloud_output_never_panics() {
    for (path, text) in [
        (
            "gcp/p-123456.iam-policy.json",
            r#"{"bindings": 5, "etag": 1}"#,
        ),
        (
            "gcp/p-123456.iam-policy.json",
            r#"{"bindings": [null, 1, {"role": 3, "members": [1, null]}, {"role": "roles/owner", "members": ["serviceAccount:x[", "principal://iam.googleapis.com/", "serviceAccount:.svc.id.goog[/]"], "condition": 7}]}"#,
        ),
        (
            "gcp/a@b.iam-policy.json",
            r#"{"bindings": [{"role": "roles/iam.serviceAccountUser", "members": ["serviceAccount:a@b"]}], "etag": "x"#,
        ),
        (
            "gcp/accounts.json",
            r#"[{"email": "a@p.iam.gserviceaccount.com", "name": "projects/p/serviceAccounts/a"}, 1, {"email": 2}, null]"#,
        ),
        (
            "gcp/accounts.json",
            r#"[{"email": "a@p.iam.gserviceaccount.com", "name": "projects/p/serviceAccounts/a"}, {"#,
        ),
    ] {
        let parsed = parse_file(&InputFile::new(path, text.as_bytes().to_vec()));
        let mut inv = Inventory::default();
        inv.extend(parsed.objects, None);
        inv.finish();
        let _ = evaluate(&inv, &RuleOptions::default());
        let _ = crate::graph::SecurityGraph::build(&inv);
    }
}

#[test]
fn a_truncated_account_list_keeps_what_came_before() {
    let text = r#"[{"email": "a@p-123456.iam.gserviceaccount.com", "name": "projects/p-123456/serviceAccounts/a@p-123456.iam.gserviceaccount.com"}, {"email": "b@"#;
    let parsed = parse_file(&InputFile::new(
        "gcp/accounts.json",
        text.as_bytes().to_vec(),
    ));
    assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
    assert!(parsed.diagnostics[0].message.contains("invalid JSON"));
    let mut inv = Inventory::default();
    inv.extend(parsed.objects, None);
    let emails: Vec<&str> = inv
        .gcp_iam
        .iter()
        .flat_map(|d| &d.service_accounts)
        .map(|a| a.email.as_str())
        .collect();
    assert_eq!(emails, ["a@p-123456.iam.gserviceaccount.com"]);
}

#[test]
fn every_member_is_an_inventory_row_named_as_its_findings() {
    let files = [
        ("gcp/shop-prod.iam-policy.json", PROJECT_POLICY),
        (
            "gcp/ci@shop-prod.iam.gserviceaccount.com.iam-policy.json",
            SA_POLICY,
        ),
        ("gcp/service-accounts.json", SA_LIST),
    ];
    let inv = inventory(&files);
    let rows = inv.summary(true).resources;
    let row = |kind: &str, name: &str| {
        let found: Vec<_> = rows
            .iter()
            .filter(|r| r.kind == kind && r.name == name)
            .collect();
        assert_eq!(found.len(), 1, "{kind} {name}: {rows:#?}");
        found[0].clone()
    };
    // Every finding on a member names a row (projects are not principals).
    for f in findings(&files)
        .iter()
        .filter(|f| f.resource.kind.starts_with("GCP::IAM::"))
    {
        row(&f.resource.kind, &f.resource.name);
    }
    // One row per member however many bindings, with its roles and resources.
    let reader = row(
        "GCP::IAM::ServiceAccount",
        "reader@shop-prod.iam.gserviceaccount.com",
    );
    let detail = |r: &crate::analysis::ResourceSummary, name: &str| {
        r.details
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        detail(&reader, "Roles"),
        "roles/storage.objectViewer on project shop-prod; roles/viewer on project shop-prod"
    );
    assert_eq!(
        detail(&reader, "Member"),
        "serviceAccount:reader@shop-prod.iam.gserviceaccount.com"
    );
    // A listed account bound to nothing is a row with no roles; a user and a group too.
    assert_eq!(
        detail(
            &row(
                "GCP::IAM::ServiceAccount",
                "old@shop-prod.iam.gserviceaccount.com"
            ),
            "Roles"
        ),
        ""
    );
    row("GCP::IAM::User", "alice@example.com");
    row("GCP::IAM::Group", "admins@example.com");
    row("GCP::IAM::Member", "allUsers");
    // Both forms of a Workload Identity member are one row.
    let wi = row("GCP::IAM::WorkloadIdentity", "web/api");
    assert_eq!(detail(&wi, "Member").matches(", ").count(), 1, "{wi:?}");
    // No GCP export: no GCP row.
    assert!(!Inventory::default()
        .summary(true)
        .resources
        .iter()
        .any(|r| r.kind.starts_with("GCP::")));
}
