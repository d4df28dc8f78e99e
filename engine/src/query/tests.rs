//! The query language on a small estate written for these tests, where each template's
//! answer is known by construction (with a negative control beside each positive), and
//! every parse error with its location.

use std::collections::BTreeSet;

use super::{parse, templates, QueryContext, TEMPLATES};
use crate::analysis::{conclude, load, AnalyzeOptions};
use crate::graph::SecurityGraph;
use crate::ingest::InputFile;

/// `shop-prod/web` is exposed through a public load balancer and privileged, running
/// nginx (critical, fixable, remotely exploitable CVE); `shop-prod/worker` runs the same
/// image unexposed and mounts the node's root; `dev/tool` runs it outside production;
/// `shop-prod/cache` runs an unscanned redis. RBAC: `shop-prod/reader` reads secrets
/// cluster-wide (`dev/ns-reader` only in dev); `kube-system/deployer` creates pods in
/// kube-system (`dev/builder` only in dev); `alice` is cluster-admin (`bob` only views);
/// `carol` impersonates users; `dev/default` may read pods. `shop-prod/uploader` assumes
/// an AWS role with administrator access through IRSA, `shop-prod/reader` one that reads
/// the `acme-statements` bucket.
const SNAPSHOT: &str = r#"---
apiVersion: v1
kind: Namespace
metadata: {name: shop-prod, labels: {tier: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop-prod, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      nodeName: node-1
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 8080}]
        securityContext: {privileged: true}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop-prod}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
status: {loadBalancer: {ingress: [{hostname: shop.example.com}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop-prod, labels: {app: worker}}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      automountServiceAccountToken: false
      nodeName: node-1
      volumes: [{name: root, hostPath: {path: /}}]
      containers:
      - name: agent
        image: nginx:1.25
        volumeMounts: [{name: root, mountPath: /host}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: shop-prod}
spec:
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: redis
        image: redis:7.2
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: tool, namespace: dev}
spec:
  selector: {matchLabels: {app: tool}}
  template:
    metadata: {labels: {app: tool}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: tool
        image: nginx:1.25
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: uploader, namespace: shop-prod}
spec:
  selector: {matchLabels: {app: uploader}}
  template:
    metadata: {labels: {app: uploader}}
    spec:
      serviceAccountName: uploader
      containers:
      - name: up
        image: ghcr.io/acme/uploader:1.0
---
apiVersion: v1
kind: Node
metadata: {name: node-1}
status: {addresses: [{type: InternalIP, address: 10.0.0.1}]}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: uploader
  namespace: shop-prod
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/admin"}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: reader
  namespace: shop-prod
  annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/statements"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ns-reader, namespace: dev}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: deployer, namespace: kube-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: dev}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: reader, namespace: shop-prod}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ns-reader-secrets, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{kind: ServiceAccount, name: ns-reader, namespace: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-creator}
rules: [{apiGroups: [""], resources: [pods], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: kube-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-creator}
subjects: [{kind: ServiceAccount, name: deployer, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: builder, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-creator}
subjects: [{kind: ServiceAccount, name: builder, namespace: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bob-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: impersonator}
rules: [{apiGroups: [""], resources: [users], verbs: [impersonate]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: carol-impersonates}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonator}
subjects: [{kind: User, name: carol}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: default-reads, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects: [{kind: ServiceAccount, name: default, namespace: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: anonymous-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: "system:anonymous"}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: admin-bot, namespace: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admin-bot}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: admin-bot, namespace: ops}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ops, namespace: ops}
spec:
  selector: {matchLabels: {app: ops}}
  template:
    metadata: {labels: {app: ops}}
    spec:
      serviceAccountName: admin-bot
      containers:
      - name: ops
        image: alpine:3.20
"#;

/// `mallory` execs into a pod of `web` (on an attack path) and of `worker` (on none).
const AUDIT: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop-prod/pods/web-5d9c8-abcde/exec?command=sh&container=nginx&stdin=true&tty=true","verb":"create","user":{"username":"mallory","groups":["system:authenticated"]},"sourceIPs":["10.0.0.5"],"objectRef":{"resource":"pods","subresource":"exec","namespace":"shop-prod","name":"web-5d9c8-abcde"},"responseStatus":{"code":101},"requestReceivedTimestamp":"2026-11-29T10:00:00Z"}
{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a2","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop-prod/pods/worker-6f7d9-fghij/exec?command=sh&container=agent&stdin=true&tty=true","verb":"create","user":{"username":"mallory","groups":["system:authenticated"]},"sourceIPs":["10.0.0.5"],"objectRef":{"resource":"pods","subresource":"exec","namespace":"shop-prod","name":"worker-6f7d9-fghij"},"responseStatus":{"code":101},"requestReceivedTimestamp":"2026-11-29T10:01:00Z"}
"#;

const TRIVY: &str = r#"{
  "SchemaVersion": 2,
  "ArtifactName": "docker.io/library/nginx:1.25",
  "ArtifactType": "container_image",
  "Metadata": {"RepoTags": ["nginx:1.25"]},
  "Results": [{"Target": "nginx:1.25 (debian 12.4)", "Class": "os-pkgs", "Type": "debian",
    "Vulnerabilities": [
      {"VulnerabilityID": "CVE-2099-0001", "PkgName": "libexample", "InstalledVersion": "1.0.0-1",
       "FixedVersion": "1.0.0-2", "Severity": "CRITICAL",
       "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}}}
    ]}]
}"#;

const IAM: &str = r#"{"UserDetailList": [], "GroupDetailList": [], "Policies": [],
  "RoleDetailList": [{"Path": "/", "RoleName": "admin", "RoleId": "AROAADMIN",
    "Arn": "arn:aws:iam::111122223333:role/admin", "CreateDate": "2024-01-01T00:00:00Z",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123"},
      "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {}}]},
    "InstanceProfileList": [],
    "RolePolicyList": [{"PolicyName": "all", "PolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}],
    "AttachedManagedPolicies": [], "Tags": []},
   {"Path": "/", "RoleName": "statements", "RoleId": "AROASTATEMENTS",
    "Arn": "arn:aws:iam::111122223333:role/statements", "CreateDate": "2024-01-01T00:00:00Z",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123"},
      "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {}}]},
    "InstanceProfileList": [],
    "RolePolicyList": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-statements/*"}]}}],
    "AttachedManagedPolicies": [], "Tags": []}]}"#;

/// Runs queries on a snapshot: (the analysis' inputs, its graph and its facts).
pub(super) struct Estate {
    analysis: crate::Analysis,
    snapshot: crate::Snapshot,
}

impl Estate {
    pub(super) fn new(files: &[(&str, &str)]) -> Estate {
        let files: Vec<InputFile> = files
            .iter()
            .map(|(p, t)| InputFile::new(*p, t.as_bytes().to_vec()))
            .collect();
        let snapshot = load(&files, &mut |_| {});
        let analysis = conclude(&snapshot, &AnalyzeOptions::default());
        for input in &analysis.inputs {
            assert!(input.diagnostics.is_empty(), "{:?}", input.diagnostics);
        }
        Estate { analysis, snapshot }
    }

    fn context(&self) -> QueryContext {
        let graph = SecurityGraph::build(self.snapshot.inventory());
        QueryContext::new(graph, &[self.snapshot.inventory()], &self.analysis)
    }

    /// The chains of `query` as `id > id > ...`.
    pub(super) fn run(&self, query: &str) -> BTreeSet<String> {
        let q = parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
        let cx = self.context();
        let r = cx.run(&q);
        assert!(r.complete);
        let chains: BTreeSet<String> = cx
            .answer(&q, &r)
            .results
            .iter()
            .map(|c| {
                c.nodes
                    .iter()
                    .map(|n| n.id.as_str())
                    .collect::<Vec<_>>()
                    .join(" > ")
            })
            .collect();
        assert_eq!(r.total, chains.len() as u64, "{query}");
        chains
    }
}

fn estate() -> Estate {
    Estate::new(&[
        ("snapshot.yaml", SNAPSHOT),
        ("trivy-nginx.json", TRIVY),
        ("iam.json", IAM),
        ("audit.log", AUDIT),
    ])
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Each template's answer on the estate, known by construction; the comment names the
/// negative control that must stay out.
#[test]
fn templates_answer_what_the_estate_was_built_to_answer() {
    let e = estate();
    let expected: &[(&str, &[&str])] = &[
        // worker runs the same image unexposed; cache is exposed nowhere and unscanned.
        ("exposed-critical-vulnerabilities", &["workload:shop-prod/Deployment/web > container:shop-prod/Deployment/web/nginx"]),
        ("remotely-exploitable-from-internet", &["internet > container:shop-prod/Deployment/web/nginx"]),
        // Only ops mounts a cluster-admin token; uploader's AWS role is not cluster-admin.
        ("reaches-cluster-admin", &["workload:ops/Deployment/ops > cluster-admin"]),
        // dev/builder creates pods only in dev.
        ("create-pods-in-kube-system", &[
            "sa:kube-system/deployer > permset:RoleBinding/kube-system/deployer > identities:kube-system",
            "sa:ops/admin-bot > permset:ClusterRoleBinding//admin-bot > identities:*",
            "user:alice > permset:ClusterRoleBinding//alice-admin > identities:*",
        ]),
        ("exec-into-kube-system", &[
            "sa:ops/admin-bot > permset:ClusterRoleBinding//admin-bot > namespace:*",
            "user:alice > permset:ClusterRoleBinding//alice-admin > namespace:*",
        ]),
        // dev/ns-reader reads secrets only in dev.
        ("read-secrets-cluster-wide", &[
            "sa:ops/admin-bot > permset:ClusterRoleBinding//admin-bot > secrets:*",
            "sa:shop-prod/reader > permset:ClusterRoleBinding//reader-secrets > secrets:*",
        ]),
        // tool, cache and uploader run unprivileged without host paths.
        ("container-escapes", &[
            "container:shop-prod/Deployment/web/nginx > node:node-1",
            "container:shop-prod/Deployment/worker/agent > node:node-1",
        ]),
        // dev/tool runs the same image outside production.
        ("fixable-critical-in-production", &[
            "workload:shop-prod/Deployment/web > container:shop-prod/Deployment/web/nginx > image:docker.io/library/nginx:1.25",
            "workload:shop-prod/Deployment/worker > container:shop-prod/Deployment/worker/agent > image:docker.io/library/nginx:1.25",
        ]),
        ("exposed-without-network-policy", &["workload:shop-prod/Deployment/web"]),
        // bob only views.
        ("users-bound-to-cluster-admin", &["user:alice > permset:ClusterRoleBinding//alice-admin > cluster-admin"]),
        // cluster-admin impersonates too; bob's view does not.
        ("escalation-rights", &[
            "permset:ClusterRoleBinding//admin-bot > identities:*",
            "permset:ClusterRoleBinding//alice-admin > identities:*",
            "permset:ClusterRoleBinding//carol-impersonates > cluster-admin",
        ]),
        // web escapes by privilege, not by a host path.
        ("sensitive-host-paths", &["workload:shop-prod/Deployment/worker > container:shop-prod/Deployment/worker/agent > volume:shop-prod/Deployment/worker/agent/root"]),
        ("privileged-and-exposed", &["workload:shop-prod/Deployment/web"]),
        // worker mounts the node's root but is not privileged.
        ("privileged-by-namespace", &["cluster > namespace:shop-prod > workload:shop-prod/Deployment/web"]),
        ("anonymous-permissions", &["user:system:anonymous > permset:ClusterRoleBinding//anonymous-view"]),
        // shop-prod's default account is bound to nothing.
        ("default-service-account-permissions", &["sa:dev/default > permset:RoleBinding/dev/default-reads"]),
        ("internet-to-node-takeover", &["internet > node:node-1"]),
        // ops reaches it as cluster-admin impersonating uploader's service account.
        ("cloud-admin", &[
            "workload:ops/Deployment/ops > aws-role:arn:aws:iam::111122223333:role/admin",
            "workload:shop-prod/Deployment/uploader > aws-role:arn:aws:iam::111122223333:role/admin",
        ]),
        // ops is cluster-admin: it takes reader's token, and reader's role reads the bucket.
        ("cloud-data", &["workload:ops/Deployment/ops > aws-resource:arn:aws:s3:::acme-statements"]),
        ("service-accounts-with-cloud-roles", &[
            "sa:shop-prod/reader > aws-role:arn:aws:iam::111122223333:role/statements",
            "sa:shop-prod/uploader > aws-role:arn:aws:iam::111122223333:role/admin",
        ]),
        // worker has an alert too but lies on no path.
        ("alerts-on-attack-paths", &["workload:shop-prod/Deployment/web"]),
    ];
    assert!(TEMPLATES.len() >= 15);
    for t in TEMPLATES {
        let want = expected
            .iter()
            .find(|(n, _)| *n == t.name)
            .unwrap_or_else(|| panic!("no expectation for {}", t.name));
        assert_eq!(e.run(t.query), set(want.1), "{}", t.name);
        assert!(templates::find(t.name).is_some());
    }
    assert_eq!(
        e.run("workloads where has_alerts"),
        set(&[
            "workload:shop-prod/Deployment/web",
            "workload:shop-prod/Deployment/worker"
        ])
    );
}

#[test]
fn cloud_templates_know_when_there_are_no_cloud_identities() {
    let e = Estate::new(&[("snapshot.yaml", SNAPSHOT)]);
    let cx = e.context();
    let t = templates::find("cloud-admin").expect("template");
    let (kind, note) = t.requires.expect("requires cloud identities");
    assert!(!cx.has_kind(kind));
    assert_eq!(note, "no cloud identities in this snapshot");
    assert!(e.run(t.query).is_empty());
    assert!(estate().context().has_kind(kind));
}

#[test]
fn each_named_relation_follows_its_edges_only() {
    let e = estate();
    let cases: &[(&str, &[&str])] = &[
        ("namespaces where name = \"dev\" -[contains]-> workloads", &["namespace:dev > workload:dev/Deployment/tool"]),
        ("workloads where name = \"tool\" -[runs]-> containers", &["workload:dev/Deployment/tool > container:dev/Deployment/tool/tool"]),
        ("containers where name = \"tool\" -[uses_image]-> images", &["container:dev/Deployment/tool/tool > image:docker.io/library/nginx:1.25"]),
        ("containers -[mounts]-> volumes", &["container:shop-prod/Deployment/worker/agent > volume:shop-prod/Deployment/worker/agent/root"]),
        ("internet -[routes_traffic_to]-> services", &["internet > service:shop-prod/web"]),
        ("services -[routes_traffic_to]-> containers", &["service:shop-prod/web > container:shop-prod/Deployment/web/nginx"]),
        ("users where name = \"bob\" -[has_permission]-> permission_sets", &["user:bob > permset:ClusterRoleBinding//bob-view"]),
        ("service_accounts where name = \"uploader\" -[can_authenticate_as]-> any", &["sa:shop-prod/uploader > aws-role:arn:aws:iam::111122223333:role/admin"]),
        ("cloud_identities -[can_read_cloud_data]-> cloud_resources", &["aws-role:arn:aws:iam::111122223333:role/statements > aws-resource:arn:aws:s3:::acme-statements"]),
        ("permission_sets where id ~ \"*//reader-secrets\" -[can_read_secrets]-> secrets", &["permset:ClusterRoleBinding//reader-secrets > secrets:*"]),
        ("permission_sets where id ~ \"*builder\" -[can_create_pods]-> any", &[
            // dev enforces no Pod Security Standard: a privileged pod on any node.
            "permset:RoleBinding/dev/builder > identities:dev",
            "permset:RoleBinding/dev/builder > nodes:*",
        ]),
        ("permission_sets -[is_admin]-> cluster_admin", &[
            "permset:ClusterRoleBinding//admin-bot > cluster-admin",
            "permset:ClusterRoleBinding//alice-admin > cluster-admin",
        ]),
        ("permission_sets where id ~ \"*carol*\" -[can_escalate]-> any", &["permset:ClusterRoleBinding//carol-impersonates > cluster-admin"]),
        ("workloads where name = \"tool\" -[owns]-> pods", &[]),
        ("pods -[scheduled_on]-> nodes", &[]),
        // No binding names a group, so no membership is drawn.
        ("subjects -[member_of]-> groups", &[]),
        ("permission_sets where id ~ \"*alice*\" -[can_exec]-> any", &["permset:ClusterRoleBinding//alice-admin > namespace:*"]),
        ("permission_sets where id ~ \"*alice*\" -[can_modify_pods]-> namespaces", &["permset:ClusterRoleBinding//alice-admin > namespace:*"]),
        ("workloads where name = \"ops\" -[can_reach]-> cluster_admin", &["workload:ops/Deployment/ops > cluster-admin"]),
        ("workloads where name = \"tool\" -[can_reach]-> cluster_admin", &[]),
        ("containers where namespace = \"shop-prod\" -[can_escape_to]-> nodes", &[
            "container:shop-prod/Deployment/web/nginx > node:node-1",
            "container:shop-prod/Deployment/worker/agent > node:node-1",
        ]),
    ];
    for (q, want) in cases {
        assert_eq!(e.run(q), set(want), "{q}");
    }
    // Every named relation has a case above.
    for r in super::RELATIONS {
        assert!(
            cases
                .iter()
                .any(|(q, _)| q.contains(&format!("[{}", r.name))),
            "{}",
            r.name
        );
    }
}

#[test]
fn clusters_contain_their_namespaces_and_nodes() {
    let e = estate();
    // No kubeconfig among the inputs: the one cluster is called `cluster`.
    assert_eq!(e.run("clusters"), set(&["cluster"]));
    assert_eq!(
        e.run("clusters where name = \"cluster\""),
        set(&["cluster"])
    );
    // node-1 is the only node; "any node" and "every node" are not members.
    assert_eq!(
        e.run("clusters -[contains]-> nodes"),
        set(&["cluster > node:node-1"])
    );
    // Each namespace, not the every-namespace scope (which contains them too).
    assert_eq!(
        e.run("clusters -[contains]-> namespaces where name in (\"dev\", \"shop-prod\", \"*\")"),
        set(&["cluster > namespace:dev", "cluster > namespace:shop-prod"])
    );
    assert_eq!(
        e.run("clusters -[contains]-> namespaces where label \"tier\" = \"prod\""),
        set(&["cluster > namespace:shop-prod"])
    );
    // Down to the workloads: web is the one privileged workload.
    assert_eq!(
        e.run("clusters -[contains*2]-> workloads where privileged"),
        set(&["cluster > workload:shop-prod/Deployment/web"])
    );
    // Nothing leads to the cluster: no attack technique reaches it.
    assert!(e.run("any -[can_reach*1..12]-> clusters").is_empty());
    assert_eq!(
        e.run("namespaces where name = \"dev\" <-[contains]- clusters"),
        set(&["namespace:dev > cluster"])
    );
    // The builder offers `contains` from clusters to namespaces and nodes.
    let cx = e.context();
    let contains = super::RELATIONS
        .iter()
        .position(|r| r.name == "contains")
        .expect("contains");
    let from_clusters: BTreeSet<&str> = cx
        .step_options()
        .iter()
        .filter(|o| o.from == super::Kind::Clusters && o.outgoing && o.relation == contains)
        .map(|o| o.to.name())
        .collect();
    for kind in ["namespaces", "nodes"] {
        assert!(from_clusters.contains(kind), "{from_clusters:?}");
    }
    assert!(!from_clusters.contains("workloads"), "{from_clusters:?}");
    // Its resource panel: the namespaces and nodes it contains are its neighbours.
    let details = crate::details::resource_details(
        &e.analysis,
        cx.graph(),
        e.snapshot.inventory(),
        "cluster",
    )
    .expect("the cluster has a panel");
    assert_eq!(details.title, "the cluster");
    let neighbours: BTreeSet<&str> = details.neighbours.iter().map(|n| n.id.as_str()).collect();
    for id in ["namespace:dev", "namespace:shop-prod", "node:node-1"] {
        assert!(neighbours.contains(id), "{neighbours:?}");
    }
}

#[test]
fn the_cluster_is_named_by_its_kubeconfig() {
    let kubeconfig = r#"{"kind": "Config", "apiVersion": "v1", "current-context": "ctx",
        "clusters": [{"name": "prod-eu", "cluster": {"server": "https://10.0.0.1:6443"}}],
        "contexts": [{"name": "ctx", "context": {"cluster": "prod-eu"}}]}"#;
    let e = Estate::new(&[("kubeconfig.json", kubeconfig), ("snapshot.yaml", SNAPSHOT)]);
    assert_eq!(
        e.run("clusters where name = \"prod-eu\""),
        set(&["cluster"])
    );
    let graph = SecurityGraph::build(e.snapshot.inventory());
    let cluster = graph.find("cluster").map(|i| graph.node(i).label());
    assert_eq!(cluster.as_deref(), Some("cluster prod-eu"));
    assert!(e.run("clusters where name = \"cluster\"").is_empty());
}

#[test]
fn edge_kinds_directions_and_hop_ranges() {
    let e = estate();
    // An edge kind by its name, and the same edge walked backwards.
    assert_eq!(
        e.run("containers -[CE_PRIV_MOUNT]-> nodes"),
        set(&["container:shop-prod/Deployment/web/nginx > node:node-1"])
    );
    assert_eq!(
        e.run("nodes <-[CE_PRIV_MOUNT]- containers"),
        set(&["node:node-1 > container:shop-prod/Deployment/web/nginx"])
    );
    // Exactly two hops: workload → container → image; one hop reaches no image.
    assert_eq!(
        e.run("workloads where name = \"tool\" -[runs|uses_image*2]-> images"),
        set(&["workload:dev/Deployment/tool > image:docker.io/library/nginx:1.25"])
    );
    assert!(e
        .run("workloads where name = \"tool\" -[runs|uses_image*1]-> images")
        .is_empty());
    // A range includes both ends; `*..2` starts at one.
    assert_eq!(
        e.run("workloads where name = \"tool\" -[runs|uses_image*..2]-> any"),
        set(&[
            "workload:dev/Deployment/tool > container:dev/Deployment/tool/tool",
            "workload:dev/Deployment/tool > image:docker.io/library/nginx:1.25",
        ])
    );
    // Three hops exactly: nothing lies that far along runs/uses_image.
    assert!(e
        .run("workloads where name = \"tool\" -[runs|uses_image*3]-> any")
        .is_empty());
    // The escape through a mounted volume is two hops; one finds only the volume.
    assert_eq!(
        e.run("containers where name = \"agent\" -[can_escape_to*1]-> any"),
        set(&["container:shop-prod/Deployment/worker/agent > volume:shop-prod/Deployment/worker/agent/root"])
    );
}

#[test]
fn without_keeps_the_nodes_from_which_the_step_finds_nothing() {
    let e = estate();
    // Service accounts bound to nothing at all, among those the snapshot names.
    let unbound = e.run("service_accounts where namespace in (\"dev\", \"shop-prod\") without -[has_permission]-> permission_sets");
    assert!(unbound.contains("sa:shop-prod/uploader"));
    assert!(!unbound.contains("sa:dev/default"));
    assert!(!unbound.contains("sa:shop-prod/reader"));
    // Workloads running nginx, without a container that escapes: tool only.
    assert_eq!(
        e.run("workloads where image ~ \"*nginx*\" without -[runs]-> containers where escapes_to_host"),
        set(&["workload:dev/Deployment/tool"])
    );
    // A without step does not move the chain: the next step continues from workloads.
    assert_eq!(
        e.run("workloads where image ~ \"*nginx*\" without -[runs]-> containers where escapes_to_host -[runs]-> containers"),
        set(&["workload:dev/Deployment/tool > container:dev/Deployment/tool/tool"])
    );
    // `not` on a condition.
    assert_eq!(
        e.run("workloads where namespace = \"shop-prod\" and not exposed and not name = \"cache\" and not name = \"uploader\""),
        set(&["workload:shop-prod/Deployment/worker"])
    );
}

#[test]
fn conditions_read_properties_insights_findings_and_counts() {
    let e = estate();
    let names = |q: &str| -> BTreeSet<String> { e.run(q) };
    assert_eq!(
        names("workloads where label \"app\" = \"worker\""),
        set(&["workload:shop-prod/Deployment/worker"])
    );
    assert_eq!(
        names("namespaces where label \"tier\""),
        set(&["namespace:shop-prod"])
    );
    assert_eq!(
        names("containers where port = 8080"),
        set(&["container:shop-prod/Deployment/web/nginx"])
    );
    assert_eq!(
        names("services where port >= 80 and exposed"),
        set(&["service:shop-prod/web"])
    );
    assert!(names("services where port > 80").is_empty());
    assert_eq!(
        names("workloads where registry = \"ghcr.io\""),
        set(&["workload:shop-prod/Deployment/uploader"])
    );
    assert_eq!(
        names("images where vulnerability = critical"),
        set(&["image:docker.io/library/nginx:1.25"])
    );
    assert!(names("images where vulnerability < critical").is_empty());
    assert_eq!(
        names("workloads where finding = \"privileged\""),
        names("workloads where privileged")
    );
    assert!(
        names("workloads where finding >= critical").contains("workload:shop-prod/Deployment/web")
    );
    assert!(!names("workloads where reaches_cluster_admin")
        .contains("workload:shop-prod/Deployment/web"));
    assert_eq!(
        names("workloads where reaches_cluster_admin"),
        set(&["workload:ops/Deployment/ops"])
    );
    assert_eq!(
        names("cloud_identities where access ~ \"*admin*\""),
        set(&["aws-role:arn:aws:iam::111122223333:role/admin"])
    );
    assert_eq!(
        names("any where target = cluster_admin"),
        set(&["cluster-admin"])
    );
    assert_eq!(
        names("workloads where alert = \"K8S_ExecIntoContainer\" and alert >= low"),
        set(&[
            "workload:shop-prod/Deployment/web",
            "workload:shop-prod/Deployment/worker"
        ])
    );
    assert!(names("workloads where alert = \"K8S_HostPort\"").is_empty());
    // count: permission sets with at least two technique targets.
    let many = names("permission_sets where count(can_reach) >= 5");
    assert!(many.contains("permset:ClusterRoleBinding//alice-admin"));
    assert!(!many.contains("permset:ClusterRoleBinding//bob-view"));
    assert_eq!(
        names("workloads where id = \"workload:dev/Deployment/tool\""),
        set(&["workload:dev/Deployment/tool"])
    );
}

#[test]
fn results_are_sorted_capped_and_counted() {
    let e = estate();
    let q = parse("workloads -[runs]-> containers").expect("parse");
    let cx = e.context();
    let all = cx.run(&q);
    assert_eq!(all.total, 6);
    let ids: Vec<&str> = all
        .chains
        .iter()
        .map(|c| cx.graph().node(c[0]).id.as_str())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let two = cx.run_capped(&q, 2);
    assert_eq!(two.chains, all.chains[..2].to_vec());
    assert_eq!(two.total, 6);
}

#[test]
fn text_round_trips_through_the_query() {
    for t in TEMPLATES {
        let q = parse(t.query).unwrap_or_else(|e| panic!("{}: {e}", t.name));
        assert_eq!(q.to_string(), t.query, "templates are written canonically");
        assert_eq!(parse(&q.to_string()).as_ref(), Ok(&q));
    }
    let messy = "roles\n  where not name ~ \"a\\\"b*\"  and label \"k\"\n <-[POD_EXEC|can_exec *2..3]- subjects where finding >= high and port <= 3 and count(runs) = 0 and target = secrets\n without -[contains]-> any";
    let q = parse(messy).expect("parse");
    let text = q.to_string();
    assert_eq!(
        text,
        "permission_sets where not name ~ \"a\\\"b*\" and label \"k\" <-[POD_EXEC|can_exec*2..3]- subjects where finding >= high and port <= 3 and count(runs) = 0 and target = secrets without -[contains]-> any"
    );
    assert_eq!(parse(&text), Ok(q));
}

#[test]
fn parse_errors_are_located_and_suggest_the_nearest_word() {
    let cases: &[(&str, &str)] = &[
        ("workloads -[cn_exec]-> pods", "line 1, column 13: unknown relation `cn_exec`, did you mean `can_exec`?"),
        ("workload", "line 1, column 1: unknown kind `workload`, did you mean `workloads`?"),
        ("pods where exposd", "line 1, column 12: unknown condition `exposd`, did you mean `exposed`?"),
        ("pods\nwhere vulnerability >= critcal", "line 2, column 24: unknown severity `critcal`, did you mean `critical`?"),
        ("pods where name = web", "line 1, column 19: expected a string in double quotes, found `web`"),
        ("pods where name = \"web", "line 1, column 19: unterminated string"),
        ("pods -[runs*0]-> any", "line 1, column 13: empty hop range 0..0"),
        ("pods -[runs*3..2]-> any", "line 1, column 13: empty hop range 3..2"),
        ("pods -[runs*99]-> any", "line 1, column 13: at most 16 hops"),
        ("pods -[runs]- any", "line 1, column 12: expected `]->`, found `]-`"),
        ("pods <-[runs]-> any", "line 1, column 13: expected `]-`, found `]->`"),
        ("pods -[runs]->", "line 1, column 15: expected a kind (`workloads`, `service_accounts`, ...), found the end of the query"),
        ("pods where target = admin", "line 1, column 12: unknown target `admin`"),
        ("pods where port = \"80\"", "line 1, column 19: expected a number, found the string \"80\""),
        ("pods without pods", "line 1, column 14: expected `-[` or `<-[` after `without`, found `pods`"),
        ("pods where", "line 1, column 11: expected a condition (`exposed`, `name = \"web\"`, ...), found the end of the query"),
        ("pods pods", "line 1, column 6: expected a step (`-[relation]->`), `where` or the end of the query, found `pods`"),
        ("pods where name = \"é\" and  ¤", "line 1, column 28: unexpected character `¤`"),
        ("", "line 1, column 1: expected a kind (`workloads`, `service_accounts`, ...), found the end of the query"),
        ("pods where name = \"a\\n\"", "line 1, column 21: unknown escape `\\n` (only `\\\"` and `\\\\`)"),
    ];
    for (text, want) in cases {
        match parse(text) {
            Ok(q) => panic!("{text:?} parsed as {q}"),
            Err(e) => assert_eq!(e.to_string(), *want, "{text:?}"),
        }
    }
}

#[test]
fn hostile_text_never_panics() {
    let e = estate();
    let cx = e.context();
    let inputs = [
        "\"",
        "-[",
        "pods -[",
        "pods -[runs*",
        "pods -[runs*..",
        "pods where label",
        "pods where count(",
        "pods where count(runs",
        "pods where count(runs) >=",
        "pods where name in (",
        "pods where name in (\"a\",",
        "pods where port = 99999999999999999999999",
        "pods where port = 18446744073709551615",
        "😀 -[runs]-> pods",
        "pods where name ~ \"**\"",
    ];
    for text in inputs {
        if let Ok(q) = parse(text) {
            cx.run(&q);
        }
    }
    // Patterns: `*` alone matches everything, a literal nothing else.
    assert_eq!(e.run("workloads where name ~ \"*\"").len(), 6);
    assert_eq!(
        e.run("workloads where name ~ \"w*r\""),
        set(&["workload:shop-prod/Deployment/worker"])
    );
}

#[test]
fn ask_answers_text_or_the_located_error() {
    let cx = estate().context();
    let ok = cx.ask("workloads where privileged", 10);
    assert_eq!(ok.error, None);
    assert_eq!(ok.total, 1);
    assert_eq!(ok.answer.query, "workloads where privileged");
    assert_eq!(
        ok.answer.results[0].nodes[0].id,
        "workload:shop-prod/Deployment/web"
    );
    // The builder's options come from the graph: workloads run containers, not images.
    let runs = super::Relation::from_name("runs");
    let offers = |from, to| {
        ok.steps.iter().any(|s| {
            s.from == from
                && s.outgoing
                && Some(super::Relation::Named(s.relation)) == runs
                && s.to == to
        })
    };
    assert!(offers(super::Kind::Workloads, super::Kind::Containers));
    assert!(!offers(super::Kind::Workloads, super::Kind::Images));
    assert!(ok.steps.iter().any(|s| !s.outgoing
        && s.from == super::Kind::Containers
        && s.to == super::Kind::Workloads));
    let bad = cx.ask("workloads where privileged and", 10);
    assert!(bad.answer.results.is_empty());
    assert_eq!(bad.error.map(|e| (e.line, e.column)), Some((1, 31)));
}

#[test]
fn query_doc() {
    let text = super::markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/query.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &text).expect("write docs/query.md");
    }
    let current = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        current == text,
        "docs/query.md is stale: run `UPDATE_DOCS=1 cargo test -p portolan-engine query_doc`"
    );
    // Every example in the document parses and runs.
    let e = estate();
    let mut examples = 0;
    for block in text.split("```text\n").skip(2) {
        let query = block.split("\n```").next().unwrap_or_default();
        e.run(query);
        examples += 1;
    }
    assert_eq!(examples, TEMPLATES.len());
}

#[test]
fn cloud_relations_follow_azure_identities() {
    use crate::rules::azure::tests::azure_files;
    let k8s = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: web\n  annotations:\n    azure.workload.identity/client-id: c1000000-0000-0000-0000-000000000001\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  namespace: web\n  labels:\n    azure.workload.identity/use: \"true\"\nspec:\n  serviceAccountName: api\n  containers:\n  - name: c\n    image: nginx:1.27\n";
    let azure = azure_files();
    let mut files: Vec<(&str, &str)> = azure.iter().map(|(p, t)| (*p, t.as_str())).collect();
    files.push(("k8s.yaml", k8s));
    let e = Estate::new(&files);
    assert_eq!(
        e.run("containers -[can_authenticate_as]-> cloud_identities"),
        set(&["container:web/Pod/api/c > azure-principal:b1000000-0000-0000-0000-000000000001"])
    );
    assert_eq!(
        e.run("cloud_identities where name = \"api-identity\" -[can_read_cloud_data]-> cloud_resources"),
        set(&["azure-principal:b1000000-0000-0000-0000-000000000001 > azure-resource:/subscriptions/00000000-0000-0000-0000-0000000000aa/resourcegroups/shop/providers/microsoft.keyvault/vaults/shop-kv"])
    );
}
