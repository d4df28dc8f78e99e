//! IRSA: service accounts that assume AWS IAM roles, from inputs in the formats the AWS
//! CLI writes (`aws iam get-account-authorization-details`, `aws eks describe-cluster`),
//! with negative controls that must give no link.

use super::tests::{assume_breach, techniques};
use super::{EdgeKind, SecurityGraph, Target};
use crate::ingest::{parse_file, InputFile, InputFormat};
use crate::model::Inventory;

const ISSUER: &str = "oidc.eks.eu-west-1.amazonaws.com/id/ABC123";
const OTHER: &str = "oidc.eks.eu-west-1.amazonaws.com/id/OTHER9";

fn eks() -> String {
    format!(
        r#"{{"cluster": {{"name": "prod", "arn": "arn:aws:eks:eu-west-1:111122223333:cluster/prod",
        "version": "1.30", "endpoint": "https://ABC123.gr7.eu-west-1.eks.amazonaws.com",
        "identity": {{"oidc": {{"issuer": "https://{ISSUER}"}}}}}}}}"#
    )
}

/// A trust policy for `provider` with `condition` (JSON of the `Condition` value).
fn trust(provider: &str, condition: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
        "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{provider}"}},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {condition}}}]}}"#
    )
}

fn role(name: &str, trust: &str, inline: &str, attached: &str) -> String {
    format!(
        r#"{{"Path": "/", "RoleName": "{name}", "RoleId": "AROA{name}",
        "Arn": "arn:aws:iam::111122223333:role/{name}", "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": {trust}, "InstanceProfileList": [],
        "RolePolicyList": [{inline}], "AttachedManagedPolicies": [{attached}], "Tags": []}}"#
    )
}

/// The export: roles and one managed policy whose default version (v2) reads S3 and
/// whose older version (v1) was admin.
fn export(roles: &[String]) -> String {
    format!(
        r#"{{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [{}],
        "Policies": [{{"PolicyName": "ReadData", "PolicyId": "ANPA1",
          "Arn": "arn:aws:iam::111122223333:policy/service-role/ReadData", "Path": "/service-role/",
          "DefaultVersionId": "v2", "AttachmentCount": 1, "IsAttachable": true,
          "PolicyVersionList": [
            {{"Document": {{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "*", "Resource": "*"}}}},
              "VersionId": "v1", "IsDefaultVersion": false}},
            {{"Document": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
               "Action": ["S3:getobject", "s3:ListBucket"], "Resource": "arn:aws:s3:::data/*"}}]}},
              "VersionId": "v2", "IsDefaultVersion": true}}]}}]}}"#,
        roles.join(",")
    )
}

const ATTACHED: &str = r#"{"PolicyName": "ReadData", "PolicyArn": "arn:aws:iam::111122223333:policy/service-role/ReadData"}"#;

fn sa(ns: &str, name: &str, role: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/{role}\n"
    )
}

fn graph(files: &[(&str, String)]) -> SecurityGraph {
    SecurityGraph::build(&crate::test_support::inventory(files))
}

fn sub(op: &str, value: &str) -> String {
    format!(r#"{{"{op}": {{"{ISSUER}:sub": "{value}", "{ISSUER}:aud": "sts.amazonaws.com"}}}}"#)
}

#[test]
fn export_is_detected_and_default_version_is_in_force() {
    let text = export(&[role("app", &trust(ISSUER, "{}"), "", ATTACHED)]);
    let parsed = parse_file(&InputFile::new("iam.json", text.into_bytes()));
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.format(), InputFormat::AwsIam);
    let mut inv = Inventory::default();
    inv.extend(parsed.objects, None);
    inv.finish();
    let role = &inv.aws_iam[0].roles[0];
    assert_eq!(role.arn, "arn:aws:iam::111122223333:role/app");
    let access = role.access();
    // v1 (`*` on `*`) is not in force: only v2's S3 read.
    assert!(!access.admin);
    assert_eq!(access.phrase().as_deref(), Some("access to S3 data"));
}

#[test]
fn url_encoded_documents_and_located_diagnostics() {
    // The raw API's form: URL-encoded JSON strings, a single Statement object.
    let encoded_trust = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Federated%22%3A%22arn%3Aaws%3Aiam%3A%3A111122223333%3Aoidc-provider%2Foidc.eks.eu-west-1.amazonaws.com%2Fid%2FABC123%22%7D%2C%22Action%22%3A%22sts%3AAssumeRoleWithWebIdentity%22%7D%7D";
    let encoded_inline = "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22secretsmanager%3AGetSecretValue%22%2C%22Resource%22%3A%22*%22%7D%7D";
    let text = format!(
        r#"{{"RoleDetailList": [
          {{"RoleName": "enc", "Arn": "arn:aws:iam::111122223333:role/enc",
            "AssumeRolePolicyDocument": "{encoded_trust}",
            "RolePolicyList": [{{"PolicyName": "s", "PolicyDocument": "{encoded_inline}"}},
                               {{"PolicyName": "bad", "PolicyDocument": "%7Bnot json"}}],
            "AttachedManagedPolicies": [{{"PolicyName": "Gone", "PolicyArn": "arn:aws:iam::aws:policy/Gone"}}]}},
          {{"RoleName": "", "Arn": ""}}], "Policies": []}}"#
    );
    let parsed = parse_file(&InputFile::new("iam.json", text.into_bytes()));
    let paths: Vec<String> = parsed
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.file, d.line, d.path))
        .collect();
    assert_eq!(
        paths,
        [
            "iam.json:1 RoleDetailList[0].RolePolicyList[1]",
            "iam.json:1 RoleDetailList[0].AttachedManagedPolicies[0]",
            "iam.json:1 RoleDetailList[1]",
        ]
    );
    let mut inv = Inventory::default();
    inv.extend(parsed.objects, None);
    inv.finish();
    let role = &inv.aws_iam[0].roles[0];
    assert_eq!(role.trust.statements.len(), 1);
    assert_eq!(
        role.access().phrase().as_deref(),
        Some("access to Secrets Manager secrets")
    );
}

#[test]
fn hostile_exports_never_panic() {
    for text in [
        r#"{"RoleDetailList": 5}"#,
        r#"{"RoleDetailList": [null, 1, {"RoleName": 3}], "Policies": [{}]}"#,
        r#"{"RoleDetailList": [{"RoleName": "r", "Arn": "a", "AssumeRolePolicyDocument": "%", "RolePolicyList": [{"PolicyDocument": {"Statement": [1, {"Effect": "Allow", "Action": {"x": 1}}]}}]}]}"#,
        r#"{"Policies": [{"Arn": "p", "DefaultVersionId": "v9", "PolicyVersionList": [{"VersionId": "v1"}]}]}"#,
        r#"{"RoleDetailList": [{"#,
        r#"{"UserDetailList": [{"UserName": "u", "Arn": "a", "GroupList": 7, "PermissionsBoundary": 1}, {"UserName": "u"}], "GroupDetailList": [{"GroupName": [], "Arn": "g"}]}"#,
        r#"{"UserDetailList": [{"UserName": "u", "Arn": "a", "GroupList": ["g"], "PermissionsBoundary": {"PermissionsBoundaryArn": "missing"}}], "GroupDetailList": [{"GroupName": "g", "Arn": "g", "GroupPolicyList": [{"PolicyName": "x", "PolicyDocument": "%ZZ"}]}]}"#,
    ] {
        let _ = parse_file(&InputFile::new("iam.json", text.as_bytes().to_vec()));
    }
}

#[test]
fn irsa_links_the_named_account_and_not_the_others() {
    let roles = [
        // Trusts shop/api exactly: linked.
        role(
            "app",
            &trust(
                ISSUER,
                &sub("StringEquals", "system:serviceaccount:shop:api"),
            ),
            "",
            ATTACHED,
        ),
        // Trusts another service account: annotation alone does not link.
        role(
            "other",
            &trust(
                ISSUER,
                &sub("StringEquals", "system:serviceaccount:shop:worker"),
            ),
            "",
            ATTACHED,
        ),
        // A wildcard over the namespace: linked.
        role(
            "wild",
            &trust(ISSUER, &sub("StringLike", "system:serviceaccount:batch:*")),
            "",
            ATTACHED,
        ),
        // Trusts another cluster's provider: not linked.
        role(
            "foreign",
            &trust(
                OTHER,
                &sub("StringEquals", "system:serviceaccount:shop:api"),
            ),
            "",
            ATTACHED,
        ),
        // An explicit Deny of S3 on the role: linked, but no data access, so no target.
        role(
            "denied",
            &trust(ISSUER, "{}"),
            r#"{"PolicyName": "deny", "PolicyDocument": {"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}}"#,
            ATTACHED,
        ),
    ];
    let k8s = [
        sa("shop", "api", "app"),
        sa("shop", "api2", "other"),
        sa("batch", "job", "wild"),
        sa("shop", "api3", "foreign"),
        sa("shop", "api4", "denied"),
        sa("shop", "ghost", "not-in-export"),
    ]
    .concat();
    let g = graph(&[
        ("iam.json", export(&roles)),
        ("eks.json", eks()),
        ("sa.yaml", k8s),
    ]);
    let cloud: Vec<String> = techniques(&g)
        .into_iter()
        .filter(|t| t.contains("CLOUD_IDENTITY_ASSUME"))
        .collect();
    assert_eq!(
        cloud,
        [
            "sa:batch/job -CLOUD_IDENTITY_ASSUME-> aws-role:arn:aws:iam::111122223333:role/wild",
            "sa:shop/api -CLOUD_IDENTITY_ASSUME-> aws-role:arn:aws:iam::111122223333:role/app",
            "sa:shop/api4 -CLOUD_IDENTITY_ASSUME-> aws-role:arn:aws:iam::111122223333:role/denied",
        ]
    );
    let node = |arn: &str| g.node(g.find(&format!("aws-role:{arn}")).expect("role node"));
    let app = node("arn:aws:iam::111122223333:role/app");
    assert_eq!(app.label(), "AWS IAM role app");
    // Data access, not administrator: the role leads to the bucket its policy names.
    assert!(!app.is_target(Target::CloudAdmin));
    let bucket = g.node(
        g.find("aws-resource:arn:aws:s3:::data")
            .expect("bucket node"),
    );
    assert_eq!(bucket.label(), "S3 bucket data");
    assert!(bucket.is_target(Target::CloudData));
    assert_eq!(app.properties["arn"], "arn:aws:iam::111122223333:role/app");
    assert_eq!(
        app.properties["grantedBy"],
        "arn:aws:iam::111122223333:policy/service-role/ReadData"
    );
    // The explicit Deny of s3:* leaves the denied role no data edge.
    let reads: Vec<String> = techniques(&g)
        .into_iter()
        .filter(|t| t.contains("CLOUD_DATA_READ"))
        .collect();
    assert_eq!(
        reads,
        [
            "aws-role:arn:aws:iam::111122223333:role/app -CLOUD_DATA_READ-> aws-resource:arn:aws:s3:::data",
            "aws-role:arn:aws:iam::111122223333:role/wild -CLOUD_DATA_READ-> aws-resource:arn:aws:s3:::data",
        ]
    );
    // Every confirmed link is certain (no assumption).
    assert!(g
        .graph
        .edge_weights()
        .filter(|e| e.kind == EdgeKind::CLOUD_IDENTITY_ASSUME)
        .all(|e| e.assumption.is_none()));
}

#[test]
fn attack_path_ends_in_the_cloud() {
    let roles = [role(
        "app",
        &trust(
            ISSUER,
            &sub("StringEquals", "system:serviceaccount:shop:api"),
        ),
        r#"{"PolicyName": "kms", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}}]}}"#,
        ATTACHED,
    )];
    let pod = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: api\n  containers:\n  - name: c\n    image: nginx:1.27\n";
    let k8s = format!("{}{pod}", sa("shop", "api", "app"));
    let g = graph(&[
        ("iam.json", export(&roles)),
        ("eks.json", eks()),
        ("k.yaml", k8s),
    ]);
    let report = g.attack_paths(&assume_breach());
    let cloud: Vec<&str> = report
        .paths
        .iter()
        .filter(|p| p.target == Target::CloudData)
        .map(|p| p.title.as_str())
        .collect();
    assert_eq!(cloud.len(), 1, "{cloud:?}");
    // Without the Kubernetes token, the webhook's web identity token still reaches it.
    let no_token = pod.replace(
        "  serviceAccountName: api\n",
        "  serviceAccountName: api\n  automountServiceAccountToken: false\n",
    );
    assert_ne!(no_token, pod);
    let k8s = format!("{}{no_token}", sa("shop", "api", "app"));
    let g2 = graph(&[
        ("iam.json", export(&roles)),
        ("eks.json", eks()),
        ("k.yaml", k8s),
    ]);
    let direct: Vec<String> = techniques(&g2)
        .into_iter()
        .filter(|t| t.contains("CLOUD_IDENTITY_ASSUME"))
        .collect();
    assert_eq!(direct.len(), 2, "{direct:?}");
    assert!(
        direct.iter().any(|t| t.starts_with("container:")),
        "{direct:?}"
    );
    assert!(g2
        .attack_paths(&assume_breach())
        .paths
        .iter()
        .any(|p| p.target == Target::CloudData));
    assert!(
        cloud[0].ends_with("can read S3 bucket data as AWS IAM role app"),
        "{}",
        cloud[0]
    );
}

#[test]
fn unknown_issuer_or_condition_makes_the_link_possible() {
    // No describe-cluster: the provider cannot be confirmed as the cluster's.
    let roles = [role(
        "app",
        &trust(
            ISSUER,
            &sub("StringEquals", "system:serviceaccount:shop:api"),
        ),
        "",
        ATTACHED,
    )];
    let g = graph(&[
        ("iam.json", export(&roles)),
        ("sa.yaml", sa("shop", "api", "app")),
    ]);
    let edge = g
        .graph
        .edge_weights()
        .find(|e| e.kind == EdgeKind::CLOUD_IDENTITY_ASSUME)
        .expect("possible link");
    assert!(edge
        .assumption
        .as_deref()
        .is_some_and(|a| a.contains("issuer is unknown")));
    // A condition the snapshot cannot judge (source IP) also leaves it possible.
    let cond = format!(
        r#"{{"StringEquals": {{"{ISSUER}:sub": "system:serviceaccount:shop:api"}}, "IpAddress": {{"aws:SourceIp": "10.0.0.0/8"}}}}"#
    );
    let roles = [role("app", &trust(ISSUER, &cond), "", ATTACHED)];
    let g = graph(&[
        ("iam.json", export(&roles)),
        ("eks.json", eks()),
        ("sa.yaml", sa("shop", "api", "app")),
    ]);
    let edge = g
        .graph
        .edge_weights()
        .find(|e| e.kind == EdgeKind::CLOUD_IDENTITY_ASSUME)
        .expect("possible link");
    assert!(edge
        .assumption
        .as_deref()
        .is_some_and(|a| a.contains("conditions")));
    // A Deny in the trust policy for that subject removes the link.
    let deny_trust = format!(
        r#"{{"Statement": [{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::111122223333:oidc-provider/{ISSUER}"}}, "Action": "sts:AssumeRoleWithWebIdentity"}},
        {{"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": {{"StringLike": {{"{ISSUER}:sub": "system:serviceaccount:shop:*"}}}}}}]}}"#
    );
    let roles = [role("app", &deny_trust, "", ATTACHED)];
    let g = graph(&[
        ("iam.json", export(&roles)),
        ("eks.json", eks()),
        ("sa.yaml", sa("shop", "api", "app")),
    ]);
    assert!(!g
        .graph
        .edge_weights()
        .any(|e| e.kind == EdgeKind::CLOUD_IDENTITY_ASSUME));
}

#[test]
fn admin_and_escalating_roles_are_cloud_admin_and_a_boundary_caps_them() {
    let irsa = |ns_sa: &str| {
        trust(
            ISSUER,
            &sub("StringEquals", &format!("system:serviceaccount:{ns_sa}")),
        )
    };
    let admin = r#"{"PolicyName": "all", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}"#;
    let escalate = r#"{"PolicyName": "pv", "PolicyDocument": {"Statement": {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*"}}}"#;
    let boundary = r#", "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/service-role/ReadData"}"#;
    let capped = role("capped", &irsa("shop:c"), admin, "")
        .replace(r#""Tags": []"#, &format!(r#""Tags": []{boundary}"#));
    let roles = [
        role("admin", &irsa("shop:a"), admin, ""),
        role("escalate", &irsa("shop:b"), escalate, ""),
        capped,
    ];
    let pod = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: a\n  containers:\n  - name: c\n    image: nginx:1.27\n";
    let k8s = [
        sa("shop", "a", "admin"),
        sa("shop", "b", "escalate"),
        sa("shop", "c", "capped"),
        pod.to_string(),
    ]
    .concat();
    let g = graph(&[
        ("iam.json", export(&roles)),
        ("eks.json", eks()),
        ("sa.yaml", k8s),
    ]);
    let node = |name: &str| {
        g.node(
            g.find(&format!("aws-role:arn:aws:iam::111122223333:role/{name}"))
                .expect("role node"),
        )
    };
    assert!(node("admin").is_target(Target::CloudAdmin));
    assert_eq!(node("admin").properties["access"], "administrator access");
    assert!(node("escalate").is_target(Target::CloudAdmin));
    assert_eq!(
        node("escalate").properties["escalation"],
        "CreateNewPolicyVersion"
    );
    // `*` capped by a boundary that allows S3 reads of one bucket: data, not admin.
    assert!(!node("capped").is_target(Target::CloudAdmin));
    assert!(techniques(&g).contains(
        "aws-role:arn:aws:iam::111122223333:role/capped -CLOUD_DATA_READ-> aws-resource:arn:aws:s3:::data"
    ));
    let titles: Vec<String> = g
        .attack_paths(&assume_breach())
        .paths
        .iter()
        .filter(|p| p.target == Target::CloudAdmin)
        .map(|p| p.title.clone())
        .collect();
    assert_eq!(
        titles,
        ["A compromised Pod shop/web can assume AWS IAM role admin with administrator access"]
    );
}

/// `aws s3api get-bucket-policy` output for `bucket`: its statements (JSON), the policy
/// a JSON string as the CLI writes it.
fn bucket_policy(statements: &str) -> String {
    let policy = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    serde_json::json!({ "Policy": policy }).to_string()
}

#[test]
fn bucket_policies_grant_roles_their_buckets() {
    // `app` has no S3 permission of its own; the bucket policy of `orders` names it.
    // `denied` is named too, but its own policy denies reading the bucket; `other` is
    // named by a statement that only lists; `logs`' policy names a role not in the graph.
    let deny = r#"{"PolicyName": "no-orders", "PolicyDocument": {"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::orders/*"}}}"#;
    let roles = [
        role(
            "app",
            &trust(
                ISSUER,
                &sub("StringEquals", "system:serviceaccount:shop:app"),
            ),
            "",
            "",
        ),
        role(
            "denied",
            &trust(
                ISSUER,
                &sub("StringEquals", "system:serviceaccount:shop:denied"),
            ),
            deny,
            "",
        ),
        role(
            "other",
            &trust(
                ISSUER,
                &sub("StringEquals", "system:serviceaccount:shop:other"),
            ),
            "",
            "",
        ),
    ];
    let orders = bucket_policy(
        r#"{"Sid":"App","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/app","arn:aws:iam::111122223333:role/denied"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::orders/*"},
           {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/other"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::orders"},
           {"Sid":"Site","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::orders/public/*"}"#,
    );
    let logs = bucket_policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/nobody"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}"#,
    );
    let parsed = parse_file(&InputFile::new(
        "aws/s3/orders.bucket-policy.json",
        orders.clone().into_bytes(),
    ));
    assert_eq!(parsed.format(), InputFormat::AwsS3);
    let g = graph(&[
        ("eks.json", eks()),
        ("iam.json", export(&roles)),
        ("aws/s3/orders.bucket-policy.json", orders),
        ("aws/s3/logs.bucket-policy.json", logs),
        (
            "sa.yaml",
            [
                sa("shop", "app", "app"),
                sa("shop", "denied", "denied"),
                sa("shop", "other", "other"),
                "---\napiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop}\nspec:\n  serviceAccountName: app\n  containers:\n  - name: c\n    image: api:1\n".into(),
            ]
            .concat(),
        ),
    ]);
    let reads: Vec<String> = techniques(&g)
        .into_iter()
        .filter(|t| t.contains("CLOUD_DATA_READ"))
        .collect();
    assert_eq!(
        reads,
        ["aws-role:arn:aws:iam::111122223333:role/app -CLOUD_DATA_READ-> aws-resource:arn:aws:s3:::orders"]
    );
    let bucket = g
        .find("aws-resource:arn:aws:s3:::orders")
        .expect("bucket node");
    let props = &g.graph[bucket].properties;
    assert!(props.contains_key("public"), "{props:?}");
    assert!(g.find("aws-resource:arn:aws:s3:::logs").is_none());
    // The path from the service account to the bucket is a cloud-data path.
    let report = g.attack_paths(&assume_breach());
    assert!(report.paths.iter().any(|p| p.target == Target::CloudData
        && p.steps
            .last()
            .is_some_and(|s| s.edge == EdgeKind::CLOUD_DATA_READ)));
}

/// The attack paths (title, steps' edges) of `files` from the internet alone.
fn internet_paths(files: &[(&str, String)]) -> Vec<(String, Vec<EdgeKind>)> {
    graph(files)
        .attack_paths(&super::PathOptions::default())
        .paths
        .into_iter()
        .map(|p| (p.title, p.steps.iter().map(|s| s.edge).collect()))
        .collect()
}

#[test]
fn a_public_bucket_is_an_internet_entry_unless_block_public_access_restricts_it() {
    // `site`'s policy lets anyone read; `vpc` lets anyone in its VPC endpoint only (not
    // public); `lists` lets anyone list but not read objects.
    let site = bucket_policy(
        r#"{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}"#,
    );
    let vpc = bucket_policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::vpc/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}"#,
    );
    let lists = bucket_policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::lists"}"#,
    );
    let files = vec![
        ("aws/s3/site.bucket-policy.json", site.clone()),
        ("aws/s3/vpc.bucket-policy.json", vpc),
        ("aws/s3/lists.bucket-policy.json", lists),
    ];
    let paths = internet_paths(&files);
    assert_eq!(
        paths.len(),
        1,
        "{paths:#?} {:?}",
        techniques(&graph(&files))
    );
    assert_eq!(paths[0].1, [EdgeKind::CLOUD_PUBLIC_ACCESS]);
    assert!(paths[0].0.contains("site"), "{}", paths[0].0);
    let g = graph(&files);
    let steps = techniques(&g);
    assert!(
        steps
            .iter()
            .any(|s| s == "internet -CLOUD_PUBLIC_ACCESS-> aws-resource:arn:aws:s3:::site"),
        "{steps:?}"
    );
    let bucket = g.find("aws-resource:arn:aws:s3:::site").expect("site");
    assert!(g.graph[bucket].is_target(Target::CloudData));
    // The fix that breaks it is the public-bucket finding's.
    let report = g.attack_paths(&super::PathOptions::default());
    assert!(
        report
            .choke_points
            .fixes
            .iter()
            .any(|f| f.rule == "awsS3PublicBucket"),
        "{:?}",
        report.choke_points.fixes
    );
    // The account's Block Public Access (a twelve-digit file name, `aws s3control
    // get-public-access-block`) restricts every bucket: no entry.
    let restrict = r#"{"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}}"#;
    let mut blocked = files.clone();
    blocked.push((
        "aws/s3/111122223333.public-access-block.json",
        restrict.to_string(),
    ));
    assert!(internet_paths(&blocked).is_empty());
    // BlockPublicPolicy alone refuses new public policies, not the one in force.
    let policy_only = restrict.replace(
        r#""RestrictPublicBuckets": true"#,
        r#""RestrictPublicBuckets": false"#,
    );
    let mut still = files.clone();
    still.push(("aws/s3/111122223333.public-access-block.json", policy_only));
    assert_eq!(internet_paths(&still).len(), 1);
    // The bucket's own setting restricts it alone.
    let mut own = files;
    own.push(("aws/s3/site.public-access-block.json", restrict.to_string()));
    assert!(internet_paths(&own).is_empty());
}

#[test]
fn a_permission_boundary_limits_a_bucket_grant_to_the_role() {
    // The bucket policy of `orders` names role `app`; a boundary that allows no S3 read
    // stops it (a policy naming the role's ARN is limited by its boundary), one that
    // allows reading `orders` keeps it, a boundary not in the export makes it possible.
    let orders = bucket_policy(
        r#"{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::orders/*"}"#,
    );
    let with_boundary = |boundary_arn: &str, boundary: &str| {
        let app = role(
            "app",
            &trust(ISSUER, &sub("StringEquals", "system:serviceaccount:shop:app")),
            "",
            "",
        )
        .replace(
            r#""Tags": []"#,
            &format!(
                r#""Tags": [], "PermissionsBoundary": {{"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "{boundary_arn}"}}"#
            ),
        );
        let export =
            export(&[app]).replace(r#""Policies": ["#, &format!(r#""Policies": [{boundary}"#));
        // Read as `graph` does, a missing boundary's warning allowed.
        let mut inventory = Inventory::default();
        for (path, text) in [
            ("eks.json", eks()),
            ("iam.json", export),
            ("aws/s3/orders.bucket-policy.json", orders.clone()),
            ("sa.yaml", sa("shop", "app", "app")),
        ] {
            let parsed = parse_file(&InputFile::new(path, text.into_bytes()));
            inventory.extend(parsed.objects, None);
        }
        inventory.finish();
        let g = SecurityGraph::build(&inventory);
        let reads: Vec<String> = techniques(&g)
            .into_iter()
            .filter(|t| t.contains("CLOUD_DATA_READ"))
            .collect();
        let possible = g
            .graph
            .edge_weights()
            .any(|e| e.kind == EdgeKind::CLOUD_DATA_READ && e.assumption.is_some());
        (reads.len(), possible)
    };
    let boundary = |name: &str, statement: &str| {
        format!(
            r#"{{"PolicyName": "{name}", "PolicyId": "ANPB{name}", "Arn": "arn:aws:iam::111122223333:policy/{name}", "Path": "/",
              "DefaultVersionId": "v1", "AttachmentCount": 1, "IsAttachable": true,
              "PolicyVersionList": [{{"Document": {{"Version": "2012-10-17", "Statement": [{statement}]}}, "VersionId": "v1", "IsDefaultVersion": true}}]}},"#
        )
    };
    let ec2_only = boundary(
        "Ec2Only",
        r#"{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}"#,
    );
    assert_eq!(
        with_boundary("arn:aws:iam::111122223333:policy/Ec2Only", &ec2_only),
        (0, false)
    );
    let reads = boundary(
        "ReadsOrders",
        r#"{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::orders/*"}"#,
    );
    assert_eq!(
        with_boundary("arn:aws:iam::111122223333:policy/ReadsOrders", &reads),
        (1, false)
    );
    let denies = boundary(
        "DeniesOrders",
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::orders/*"}"#,
    );
    assert_eq!(
        with_boundary("arn:aws:iam::111122223333:policy/DeniesOrders", &denies),
        (0, false)
    );
    assert_eq!(
        with_boundary("arn:aws:iam::111122223333:policy/Elsewhere", ""),
        (1, true)
    );
}

/// The cloud-data edges to `bucket` of a role `app` that IRSA links to `shop/app`, with
/// `attached` (its managed policy, or none) and `more` files, and an SCP denying `deny`
/// (an action) on the bucket's objects attached to `target` (an account id).
fn data_reads_with_scp(
    attached: &str,
    bucket: &str,
    deny: &str,
    target: &str,
    more: &[(&str, String)],
) -> usize {
    let scp = format!(
        r#"{{"Policy": {{"PolicySummary": {{"Id": "p-nodata12", "Name": "NoData", "Type": "SERVICE_CONTROL_POLICY"}},
        "Content": "{{\"Statement\": {{\"Sid\": \"NoData\", \"Effect\": \"Deny\", \"Action\": \"{deny}\", \"Resource\": \"arn:aws:s3:::{bucket}/*\"}}}}"}}}}"#
    );
    let list = r#"{"Policies": [{"Id": "p-nodata12", "Name": "NoData", "Type": "SERVICE_CONTROL_POLICY"}]}"#;
    let trusted = trust(
        ISSUER,
        &sub("StringEquals", "system:serviceaccount:shop:app"),
    );
    let mut files = vec![
        ("eks.json", eks()),
        ("iam.json", export(&[role("app", &trusted, "", attached)])),
        ("sa.yaml", sa("shop", "app", "app")),
        ("org/p-nodata12.json", scp),
    ];
    let listed = format!("org/{target}.policies.json");
    files.push((&listed, list.to_string()));
    files.extend(more.iter().cloned());
    let g = graph(&files);
    techniques(&g)
        .into_iter()
        .filter(|t| t.contains("CLOUD_DATA_READ") && t.contains(&format!("s3:::{bucket}")))
        .count()
}

/// An SCP of the role's account that denies reading the bucket takes the data edge
/// away; the same SCP attached to another account leaves it.
#[test]
fn an_scp_deny_drops_the_cloud_data_edge() {
    assert_eq!(
        data_reads_with_scp(ATTACHED, "data", "s3:GetObject", "111122223333", &[]),
        0
    );
    assert_eq!(
        data_reads_with_scp(ATTACHED, "data", "s3:GetObject", "444455556666", &[]),
        1
    );
}

/// SCPs limit a bucket policy's grant to a role too: denied on the role's account, kept
/// when the SCP sits on another account.
#[test]
fn an_scp_deny_drops_a_bucket_policy_grant() {
    let orders = [(
        "aws/s3/orders.bucket-policy.json",
        bucket_policy(
            r#"{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::orders/*"}"#,
        ),
    )];
    assert_eq!(
        data_reads_with_scp("", "orders", "s3:*", "111122223333", &orders),
        0
    );
    assert_eq!(
        data_reads_with_scp("", "orders", "s3:*", "444455556666", &orders),
        1
    );
}
