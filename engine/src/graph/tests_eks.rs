//! EKS identity links in the formats the AWS CLI writes (`aws eks
//! describe-pod-identity-association`, `describe-nodegroup`, `describe-access-entry`,
//! `list-associated-access-policies`) and the `aws-auth` ConfigMap, with negative
//! controls: a role that does not trust the agent, a role not in the export, a pod whose
//! egress policy blocks the metadata address, a view-only access policy.

use super::tests::{assume_breach, techniques};
use super::{SecurityGraph, Target};
use crate::ingest::{parse_file, InputFile, InputFormat};
use crate::model::cluster::ComponentSettings;
use crate::model::Inventory;

const ACCOUNT: &str = "111122223333";

fn role(name: &str, service: &str, inline: &str) -> String {
    format!(
        r#"{{"Path": "/", "RoleName": "{name}", "RoleId": "AROA{name}",
        "Arn": "arn:aws:iam::{ACCOUNT}:role/{name}",
        "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
          "Principal": {{"Service": "{service}"}}, "Action": ["sts:AssumeRole", "sts:TagSession"]}}]}},
        "InstanceProfileList": [], "RolePolicyList": [{inline}], "AttachedManagedPolicies": [], "Tags": []}}"#
    )
}

const READ_BUCKET: &str = r#"{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::orders/*"}]}}"#;

fn export(roles: &[String]) -> String {
    format!(
        r#"{{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [{}], "Policies": []}}"#,
        roles.join(",")
    )
}

fn association(ns: &str, sa: &str, role: &str) -> String {
    format!(
        r#"{{"association": {{"clusterName": "prod", "namespace": "{ns}", "serviceAccount": "{sa}",
        "roleArn": "arn:aws:iam::{ACCOUNT}:role/{role}",
        "associationArn": "arn:aws:eks:eu-west-1:{ACCOUNT}:podidentityassociation/prod/a-1",
        "associationId": "a-1", "tags": {{}}, "createdAt": "2024-05-01T10:00:00Z", "modifiedAt": "2024-05-01T10:00:00Z"}}}}"#
    )
}

fn pod(name: &str, sa: &str, node: &str, extra: &str) -> String {
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: shop, labels: {{app: {name}}}}}\nspec:\n  serviceAccountName: {sa}\n  nodeName: {node}\n{extra}  containers:\n  - name: c\n    image: nginx:1.27\n"
    )
}

fn graph(files: &[(&str, String)]) -> (Inventory, SecurityGraph) {
    let inventory = crate::test_support::inventory(files);
    let g = SecurityGraph::build(&inventory);
    (inventory, g)
}

fn with(g: &SecurityGraph, kind: &str) -> Vec<String> {
    techniques(g)
        .into_iter()
        .filter(|t| t.contains(kind))
        .collect()
}

#[test]
fn pod_identity_links_only_roles_that_trust_the_agent() {
    let roles = [
        role("orders", "pods.eks.amazonaws.com", READ_BUCKET),
        role("lambda", "lambda.amazonaws.com", READ_BUCKET),
    ];
    let files = [
        ("iam.json", export(&roles)),
        ("a1.json", association("shop", "api", "orders")),
        ("a2.json", association("shop", "worker", "lambda")),
        ("a3.json", association("shop", "ghost", "not-in-export")),
        (
            "k.yaml",
            pod(
                "web",
                "api",
                "ip-1",
                "  automountServiceAccountToken: false\n",
            ),
        ),
    ];
    let parsed = parse_file(&InputFile::new("a1.json", files[1].1.as_bytes().to_vec()));
    assert_eq!(parsed.format(), InputFormat::EksIdentity);
    let (_, g) = graph(&files);
    assert_eq!(
        with(&g, "CLOUD_IDENTITY_ASSUME"),
        [
            "container:shop/Pod/web/c -CLOUD_IDENTITY_ASSUME-> aws-role:arn:aws:iam::111122223333:role/orders",
            "sa:shop/api -CLOUD_IDENTITY_ASSUME-> aws-role:arn:aws:iam::111122223333:role/orders",
        ]
    );
    let titles: Vec<String> = g
        .attack_paths(&assume_breach())
        .paths
        .iter()
        .filter(|p| p.target == Target::CloudData)
        .map(|p| p.title.clone())
        .collect();
    assert_eq!(
        titles,
        ["A compromised Pod shop/web can read S3 bucket orders as AWS IAM role orders"]
    );
}

#[test]
fn node_role_through_imds_unless_egress_blocks_it() {
    let roles = [role("node", "ec2.amazonaws.com", READ_BUCKET)];
    let nodegroup = format!(
        r#"{{"nodegroup": {{"nodegroupName": "ng1", "nodegroupArn": "arn:aws:eks:eu-west-1:{ACCOUNT}:nodegroup/prod/ng1/x",
        "clusterName": "prod", "version": "1.30", "status": "ACTIVE", "capacityType": "ON_DEMAND",
        "scalingConfig": {{"minSize": 1, "maxSize": 3, "desiredSize": 2}}, "instanceTypes": ["m5.large"],
        "nodeRole": "arn:aws:iam::{ACCOUNT}:role/node", "labels": {{}}, "amiType": "AL2023_x86_64_STANDARD"}}}}"#
    );
    let node = "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: ip-1\n  labels: {eks.amazonaws.com/nodegroup: ng1}\n";
    let other_node = "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: ip-9\n  labels: {eks.amazonaws.com/nodegroup: self-managed}\n";
    // Egress limited to the cluster network: the metadata address is not allowed.
    let deny = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: locked, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: locked}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {cidr: 10.0.0.0/8}\n";
    // Egress to anywhere but the metadata address's /32: blocked too.
    let except = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: except, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: except}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}\n";
    let k8s = [
        node.to_string(),
        other_node.to_string(),
        deny.to_string(),
        except.to_string(),
        pod("open", "default", "ip-1", ""),
        pod("locked", "default", "ip-1", ""),
        pod("except", "default", "ip-1", ""),
        // The host network bypasses NetworkPolicy.
        pod("hostnet", "default", "ip-1", "  hostNetwork: true\n")
            .replace("app: hostnet", "app: locked"),
        // A node of another group: no role known.
        pod("elsewhere", "default", "ip-9", ""),
    ]
    .concat();
    let (_, g) = graph(&[
        ("iam.json", export(&roles)),
        ("ng.json", nodegroup),
        ("k.yaml", k8s),
    ]);
    assert_eq!(
        with(&g, "CLOUD_IDENTITY_ASSUME"),
        [
            "container:shop/Pod/hostnet/c -CLOUD_IDENTITY_ASSUME-> aws-role:arn:aws:iam::111122223333:role/node",
            "container:shop/Pod/open/c -CLOUD_IDENTITY_ASSUME-> aws-role:arn:aws:iam::111122223333:role/node",
            "node:ip-1 -CLOUD_IDENTITY_ASSUME-> aws-role:arn:aws:iam::111122223333:role/node",
        ]
    );
}

#[test]
fn aws_auth_and_access_entries_lead_from_the_cloud_into_rbac() {
    let irsa_trust = |sub: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
            "Principal": {{"Federated": "arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"}},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {{"StringEquals": {{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "{sub}"}}}}}}]}}"#
        )
    };
    let deployer = format!(
        r#"{{"RoleName": "deployer", "Arn": "arn:aws:iam::{ACCOUNT}:role/deployer",
        "AssumeRolePolicyDocument": {}, "RolePolicyList": [], "AttachedManagedPolicies": []}}"#,
        irsa_trust("system:serviceaccount:ci:runner")
    );
    let aws_auth = format!(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: aws-auth, namespace: kube-system}}\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::{ACCOUNT}:role/deployer\n      username: deployer\n      groups: [system:masters]\n    - rolearn: arn:aws:iam::{ACCOUNT}:role/node\n      username: system:node:{{{{EC2PrivateDNSName}}}}\n      groups: [system:bootstrappers, system:nodes]\n  mapUsers: |\n    - userarn: arn:aws:iam::{ACCOUNT}:user/alice\n      username: alice\n      groups: [devs]\n"
    );
    // The same keys in another ConfigMap are not read.
    let decoy = aws_auth.replace("name: aws-auth", "name: not-aws-auth");
    let runner = "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n  namespace: ci\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/deployer\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: build, namespace: ci}\nspec:\n  serviceAccountName: runner\n  containers:\n  - name: c\n    image: builder:1\n";
    let entry = format!(
        r#"{{"accessEntry": {{"clusterName": "prod", "principalArn": "arn:aws:iam::{ACCOUNT}:role/ops",
        "kubernetesGroups": ["ops"], "accessEntryArn": "arn:aws:eks:eu-west-1:{ACCOUNT}:access-entry/prod/role/{ACCOUNT}/ops/x",
        "createdAt": "2024-05-01T10:00:00Z", "modifiedAt": "2024-05-01T10:00:00Z", "tags": {{}},
        "username": "arn:aws:sts::{ACCOUNT}:assumed-role/ops/{{{{SessionName}}}}", "type": "STANDARD"}}}}"#
    );
    let policies = |principal: &str, policy: &str, scope: &str| {
        format!(
            r#"{{"clusterName": "prod", "principalArn": "arn:aws:iam::{ACCOUNT}:role/{principal}",
            "associatedAccessPolicies": [{{"policyArn": "arn:aws:eks::aws:cluster-access-policy/{policy}",
              "accessScope": {scope}, "associatedAt": "2024-05-01T10:00:00Z", "modifiedAt": "2024-05-01T10:00:00Z"}}]}}"#
        )
    };
    let (inv, g) = graph(&[
        ("iam.json", export(&[deployer])),
        ("cm.yaml", format!("{aws_auth}{decoy}{runner}")),
        ("entry.json", entry),
        (
            "ops.json",
            policies(
                "ops",
                "AmazonEKSClusterAdminPolicy",
                r#"{"type": "cluster", "namespaces": []}"#,
            ),
        ),
        (
            "dev.json",
            policies(
                "dev",
                "AmazonEKSEditPolicy",
                r#"{"type": "namespace", "namespaces": ["shop"]}"#,
            ),
        ),
        (
            "view.json",
            policies(
                "viewer",
                "AmazonEKSViewPolicy",
                r#"{"type": "cluster", "namespaces": []}"#,
            ),
        ),
    ]);
    // Only aws-auth's settings are kept, and only ARNs, usernames and groups.
    let kept: Vec<&str> = inv
        .config_maps
        .iter()
        .filter(|c| matches!(c.settings, Some(ComponentSettings::AwsAuth(_))))
        .map(|c| c.metadata.name.as_str())
        .collect();
    assert_eq!(kept, ["aws-auth"]);
    assert_eq!(
        with(&g, "CLOUD_KUBE_IDENTITY"),
        [
            "aws-role:arn:aws:iam::111122223333:role/deployer -CLOUD_KUBE_IDENTITY-> cluster-admin",
            "aws-role:arn:aws:iam::111122223333:role/deployer -CLOUD_KUBE_IDENTITY-> user:deployer",
            "aws-role:arn:aws:iam::111122223333:role/dev -CLOUD_KUBE_IDENTITY-> namespace:shop",
            "aws-role:arn:aws:iam::111122223333:role/dev -CLOUD_KUBE_IDENTITY-> secrets:shop",
            "aws-role:arn:aws:iam::111122223333:role/node -CLOUD_KUBE_IDENTITY-> group:system:bootstrappers",
            "aws-role:arn:aws:iam::111122223333:role/node -CLOUD_KUBE_IDENTITY-> group:system:nodes",
            "aws-role:arn:aws:iam::111122223333:role/ops -CLOUD_KUBE_IDENTITY-> cluster-admin",
            "aws-role:arn:aws:iam::111122223333:role/ops -CLOUD_KUBE_IDENTITY-> group:ops",
            "aws-role:arn:aws:iam::111122223333:user/alice -CLOUD_KUBE_IDENTITY-> group:devs",
            "aws-role:arn:aws:iam::111122223333:user/alice -CLOUD_KUBE_IDENTITY-> user:alice",
        ]
    );
    // A pod whose IRSA role is mapped to system:masters reaches cluster-admin through
    // the cloud (the issuer is unknown: the IRSA step is only possible).
    let report = g.attack_paths(&assume_breach());
    let admin = report
        .paths
        .iter()
        .find(|p| p.target == Target::ClusterAdmin && p.title.contains("ci/build"))
        .expect("path through the cloud");
    let kinds: Vec<&str> = admin.steps.iter().map(|s| s.edge.name()).collect();
    assert!(
        kinds.ends_with(&["CLOUD_IDENTITY_ASSUME", "CLOUD_KUBE_IDENTITY"]),
        "{kinds:?}"
    );
}

#[test]
fn map_accounts_let_every_principal_of_the_account_authenticate() {
    // Role `ci` of the listed account, named by a binding; role `app` of the same account
    // reaches only what system:authenticated is bound to; role `other` of another account
    // (not listed) reaches nothing.
    let other = role("other", "ec2.amazonaws.com", READ_BUCKET).replace(
        &format!("iam::{ACCOUNT}:role/other"),
        "iam::999988887777:role/other",
    );
    let iam = export(&[
        role("ci", "ec2.amazonaws.com", READ_BUCKET),
        role("app", "ec2.amazonaws.com", READ_BUCKET),
        other,
    ]);
    let aws_auth = format!(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: aws-auth, namespace: kube-system}}\ndata:\n  mapAccounts: |\n    - \"{ACCOUNT}\"\n"
    );
    let rbac = format!(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: ci-admin}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}\nsubjects:\n- {{kind: User, apiGroup: rbac.authorization.k8s.io, name: \"arn:aws:iam::{ACCOUNT}:role/ci\"}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: everyone-reads}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}\nsubjects:\n- {{kind: Group, apiGroup: rbac.authorization.k8s.io, name: system:authenticated}}\n"
    );
    let (_, g) = graph(&[
        ("iam.json", iam.clone()),
        ("cm.yaml", format!("{aws_auth}{rbac}")),
    ]);
    assert_eq!(
        with(&g, "CLOUD_KUBE_IDENTITY"),
        [
            "aws-role:arn:aws:iam::111122223333:role/app -CLOUD_KUBE_IDENTITY-> group:system:authenticated",
            "aws-role:arn:aws:iam::111122223333:role/ci -CLOUD_KUBE_IDENTITY-> user:arn:aws:iam::111122223333:role/ci",
        ]
    );
    // Without mapAccounts (the same ConfigMap with mapRoles only), no principal enters.
    let no_accounts = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: aws-auth, namespace: kube-system}\ndata:\n  mapRoles: |\n    []\n";
    let (_, g) = graph(&[
        ("iam.json", iam),
        ("cm.yaml", format!("{no_accounts}{rbac}")),
    ]);
    assert!(with(&g, "CLOUD_KUBE_IDENTITY").is_empty());
}
