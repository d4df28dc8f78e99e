//! One analysis of several clusters, kept apart and joined through the cloud.
//!
//! When the inputs hold several cluster folders (`ingest::partition`), `load` builds
//! one inventory per cluster, each with the account-level inputs (IAM exports, scans)
//! all clusters share. [`conclude`] runs today's pipeline on each — rules, exemptions,
//! secure score, graph — then merges: findings, inventory rows, namespaces and
//! not-applicable rules are tagged with their cluster (`ResourceRef::cluster`, so
//! grouping, fixes, exemptions and `Finding::key` keep two clusters' `default/web`
//! apart); cloud findings and rows are kept once, untagged; the graphs become one
//! ([`SecurityGraph::merge`]), so attack paths and choke points are searched over the
//! whole estate and may cross from one cluster into another through a cloud identity.
//! With one cluster none of this runs: the analysis is exactly the single pipeline's.

use std::collections::BTreeMap;

use crate::analysis::{
    Analysis, AnalyzeOptions, ExemptionSummary, InventorySummary, Snapshot, Tool, SCHEMA_VERSION,
};
use crate::detect::Alert;
use crate::graph::SecurityGraph;
use crate::model::{is_cloud_kind, sort_rows, Inventory};
use crate::rules::{self, score, ExternalFindings, Finding};
use crate::source::Diagnostic;

/// Names each inventory's cluster: its kubeconfig or cloud name, else its folder's;
/// made distinct by the folder when two clusters share a name.
pub(crate) fn name(inventories: &mut [Inventory], folders: &[String]) {
    let base: Vec<String> = inventories
        .iter()
        .zip(folders)
        .map(|(inv, folder)| {
            inv.clusters
                .iter()
                .map(|c| c.name.as_str())
                .find(|n| !n.is_empty())
                .or_else(|| folder.rsplit(['/', '\\']).find(|s| !s.is_empty()))
                .unwrap_or("cluster")
                .to_string()
        })
        .collect();
    for (i, inv) in inventories.iter_mut().enumerate() {
        let clash = base.iter().filter(|b| **b == base[i]).count() > 1;
        inv.cluster_name = if clash {
            format!("{} ({})", base[i], folders[i])
        } else {
            base[i].clone()
        };
    }
}

/// The analysis of a snapshot of several clusters, and its merged graph.
pub(crate) fn conclude(snapshot: &Snapshot, options: &AnalyzeOptions) -> (Analysis, SecurityGraph) {
    let parts: Vec<&Inventory> = snapshot.clusters().collect();
    let names: Vec<&str> = parts.iter().map(|i| i.cluster_name.as_str()).collect();
    let (external, policies) =
        crate::policy::conclude(&snapshot.policies, &snapshot.reviewable, &options.policies);
    // The user's policies reviewed every input once: each finding joins the evaluation
    // of the cluster its object's file belongs to.
    let external_rules = external.rules;
    let mut per_cluster: Vec<Vec<Finding>> = vec![Vec::new(); parts.len()];
    for f in external.findings {
        let at = snapshot.cluster_of(&f.source.file).min(parts.len() - 1);
        per_cluster[at].push(f);
    }
    let mut findings = Vec::new();
    let mut scores = Vec::new();
    let mut warnings: Vec<Vec<Diagnostic>> = Vec::new();
    let mut graphs = Vec::new();
    for ((i, inventory), mine) in parts.iter().enumerate().zip(per_cluster) {
        let ext = ExternalFindings {
            findings: mine,
            rules: external_rules.clone(),
            scored: external.scored,
        };
        // As for one cluster: the rules on one thread, the graph beside them (`par`).
        let ((mut f, _, score, warned), graph) = crate::par::join(
            || rules::evaluate_scored_with(inventory, &options.rules, ext),
            || SecurityGraph::build(inventory),
        );
        tag(&mut f, &inventory.cluster_name, i == 0);
        findings.extend(f);
        scores.push(score);
        warnings.push(warned);
        graphs.push((inventory.cluster_name.clone(), graph));
    }
    rules::sort_findings(&mut findings);
    let recommendations = rules::recommend(&findings, &external_rules);
    let graph = SecurityGraph::merge(graphs);
    let mut attack_paths = graph.attack_paths(&options.paths);
    crate::graph::paths::link_findings(&mut attack_paths.paths, &findings);
    let (alerts, audit) = snapshot.audit.clone().unzip();
    let alerts = link_alerts(
        alerts.unwrap_or_default(),
        snapshot,
        &parts,
        &mut attack_paths,
    );
    let units: Vec<_> = parts.iter().flat_map(|i| i.workload_units()).collect();
    // Scans are shared by every cluster: the first inventory holds them all.
    let vulnerabilities = crate::vulns::assess(parts[0], &units, &attack_paths);
    let mut enforcement = Vec::new();
    let mut not_applicable = Vec::new();
    let mut clusters = Vec::new();
    for inventory in &parts {
        let cluster = &inventory.cluster_name;
        enforcement.extend(
            crate::enforce::summarize(inventory, options.rules.pss_version)
                .into_iter()
                .map(|mut e| {
                    e.cluster.clone_from(cluster);
                    e
                }),
        );
        not_applicable.extend(
            rules::control_plane::not_applicable(inventory)
                .into_iter()
                .map(|mut n| {
                    n.resource.cluster.clone_from(cluster);
                    n
                }),
        );
        clusters.extend(inventory.cluster_summaries());
    }
    not_applicable.sort_by(|a, b| (&a.resource, &a.rule).cmp(&(&b.resource, &b.rule)));
    let analysis = Analysis {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "portolan".into(),
            version: crate::VERSION.into(),
        },
        inputs: snapshot.inputs.clone(),
        clusters,
        snapshot_time: parts
            .iter()
            .find_map(|i| i.snapshot_time())
            .map(str::to_string),
        inventory: inventory(&parts, options.include_resources),
        findings,
        recommendations,
        secure_score: score::merge(&scores, &names),
        exemptions: ExemptionSummary {
            applied: options.rules.exemptions.clone(),
            diagnostics: common(warnings),
        },
        attack_paths,
        graph: options.include_graph.then(|| graph.export()),
        enforcement,
        vulnerabilities,
        alerts,
        audit,
        not_applicable,
        policies,
    };
    (analysis, graph)
}

/// [`crate::analysis::reexempt`] for a snapshot of several clusters: each cluster's
/// findings are exempted and scored by its own inventory, then grouped again.
pub(crate) fn reexempt(
    analysis: &mut Analysis,
    snapshot: &Snapshot,
    options: &AnalyzeOptions,
) -> Vec<String> {
    let external = rules::external_rules(&analysis.recommendations);
    let mut changed = std::collections::BTreeSet::new();
    let mut scores = Vec::new();
    let mut names = Vec::new();
    let mut warnings = Vec::new();
    for (i, inventory) in snapshot.clusters().enumerate() {
        let cluster = inventory.cluster_name.as_str();
        let mine: Vec<usize> = (0..analysis.findings.len())
            .filter(|&k| {
                let r = &analysis.findings[k].resource;
                r.cluster == cluster || (i == 0 && r.cluster.is_empty())
            })
            .collect();
        let mut part: Vec<Finding> = mine.iter().map(|&k| analysis.findings[k].clone()).collect();
        let population = rules::score::Population::of(inventory, &inventory.workload_units());
        let reexempted = rules::reexempt(
            inventory,
            &population,
            &mut part,
            &analysis.recommendations,
            &options.rules,
            options.policies.scored,
            &mut None,
        );
        changed.extend(reexempted.changed);
        let (score, warned) = (reexempted.secure_score, reexempted.warnings);
        for (k, f) in mine.into_iter().zip(part) {
            analysis.findings[k].exemption = f.exemption;
        }
        scores.push(score);
        names.push(cluster);
        warnings.push(warned);
    }
    let recommendations = rules::recommend(&analysis.findings, &external);
    crate::analysis::exemption_update(
        analysis,
        recommendations,
        score::merge(&scores, &names),
        common(warnings),
        options,
    );
    changed.into_iter().collect()
}

/// Each alert tied to the cluster of the audit log its first event came from (a log in
/// a cluster's folder is that cluster's; one outside every cluster folder is the first
/// cluster's) and linked to that cluster's graph nodes and paths.
fn link_alerts(
    alerts: Vec<Alert>,
    snapshot: &Snapshot,
    parts: &[&Inventory],
    attack_paths: &mut crate::graph::AttackPathReport,
) -> Vec<Alert> {
    let mut per_cluster: Vec<Vec<Alert>> = vec![Vec::new(); parts.len()];
    for mut alert in alerts {
        let at = alert
            .evidence
            .first()
            .map_or(0, |e| snapshot.cluster_of(&e.file))
            .min(parts.len() - 1);
        alert.cluster.clone_from(&parts[at].cluster_name);
        per_cluster[at].push(alert);
    }
    let mut linked = Vec::new();
    for (mine, inventory) in per_cluster.iter_mut().zip(parts) {
        crate::detect::link::link(mine, inventory, attack_paths);
        linked.append(mine);
    }
    // The detector's order, whatever the clusters.
    crate::detect::sort_alerts(&mut linked);
    linked
}

/// Tags the user's policies' findings as [`conclude`] does: each with the cluster its
/// object's file belongs to.
pub(crate) fn tag_policy_findings(findings: &mut [Finding], snapshot: &Snapshot) {
    let names: Vec<&str> = snapshot
        .clusters()
        .map(|i| i.cluster_name.as_str())
        .collect();
    for f in findings.iter_mut() {
        if !is_cloud_kind(&f.resource.kind) {
            let at = snapshot.cluster_of(&f.source.file).min(names.len() - 1);
            f.resource.cluster = names[at].to_string();
        }
    }
}

/// Tags `findings` with `cluster`; the cloud account's findings, which every cluster's
/// evaluation gives alike, are kept from the `first` only, untagged.
fn tag(findings: &mut Vec<Finding>, cluster: &str, first: bool) {
    findings.retain(|f| first || !is_cloud_kind(&f.resource.kind));
    for f in findings.iter_mut() {
        if !is_cloud_kind(&f.resource.kind) {
            f.resource.cluster = cluster.to_string();
        }
    }
}

/// The exemption warnings every cluster gives: an exemption matches no finding only
/// when it matches none in any cluster; an expired one is told by each.
fn common(mut warnings: Vec<Vec<Diagnostic>>) -> Vec<Diagnostic> {
    let Some(first) = warnings.first().cloned() else {
        return Vec::new();
    };
    warnings.remove(0);
    first
        .into_iter()
        .filter(|d| warnings.iter().all(|w| w.contains(d)))
        .collect()
}

/// The inventory of every cluster: counts summed (the cloud account's once), rows
/// tagged with their cluster and sorted as one.
fn inventory(parts: &[&Inventory], with_resources: bool) -> InventorySummary {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut resources = Vec::new();
    for (i, inventory) in parts.iter().enumerate() {
        let summary = inventory.summary(with_resources);
        for (kind, n) in summary.counts {
            if i == 0 || !is_cloud_kind(&kind) {
                *counts.entry(kind).or_default() += n;
            }
        }
        for mut row in summary.resources {
            if is_cloud_kind(&row.kind) {
                if i > 0 {
                    continue;
                }
            } else {
                row.cluster.clone_from(&inventory.cluster_name);
            }
            resources.push(row);
        }
    }
    sort_rows(&mut resources);
    InventorySummary { counts, resources }
}

#[cfg(test)]
mod tests {
    use crate::analysis::{analyze, conclude, load, reexempt, AnalyzeOptions};
    use crate::graph::Target;
    use crate::ingest::InputFile;
    use crate::rules::exemptions;

    const ROLE: &str = "arn:aws:iam::111122223333:role/deployer";

    fn kubeconfig(name: &str) -> String {
        format!(
            r#"{{"kind": "Config", "apiVersion": "v1", "clusters": [{{"name": "{name}", "cluster": {{"server": "https://{name}.example:6443"}}}}],
            "contexts": [{{"name": "{name}", "context": {{"cluster": "{name}", "user": "me"}}}}], "current-context": "{name}",
            "users": [{{"name": "me", "user": {{"token": "REDACTED"}}}}]}}"#
        )
    }

    /// A pod `ci/build` on the host network, running as `sa`.
    fn build_pod(sa: &str) -> String {
        format!("---\napiVersion: v1\nkind: Pod\nmetadata: {{name: build, namespace: ci}}\nspec:\n  serviceAccountName: {sa}\n  hostNetwork: true\n  containers:\n  - name: c\n    image: builder:1\n")
    }

    /// Two clusters, each in its folder with its kubeconfig view, and the AWS account
    /// they share beside them: `prod-a`'s `ci/build` may assume the `deployer` role
    /// (IRSA); `prod-b`'s `aws-auth` maps that role to `system:masters`. Both have a pod
    /// `ci/build`.
    fn estate() -> Vec<InputFile> {
        let trust = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:ci:runner"}}}]}"#;
        let iam = format!(
            r#"{{"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [
            {{"RoleName": "deployer", "Arn": "{ROLE}", "AssumeRolePolicyDocument": {trust},
              "RolePolicyList": [], "AttachedManagedPolicies": []}}]}}"#
        );
        let runner = format!("---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n  namespace: ci\n  annotations:\n    eks.amazonaws.com/role-arn: {ROLE}\n");
        let aws_auth = format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: aws-auth, namespace: kube-system}}\ndata:\n  mapRoles: |\n    - rolearn: {ROLE}\n      username: deployer\n      groups: [system:masters]\n");
        [
            ("snap/aws/iam.json", iam),
            ("snap/prod-a/cluster.json", kubeconfig("prod-a")),
            (
                "snap/prod-a/ci.yaml",
                format!("{runner}{}", build_pod("runner")),
            ),
            ("snap/prod-b/cluster.json", kubeconfig("prod-b")),
            (
                "snap/prod-b/ci.yaml",
                format!("{aws_auth}{}", build_pod("default")),
            ),
        ]
        .into_iter()
        .map(|(path, text)| InputFile::new(path, text.into_bytes()))
        .collect()
    }

    fn options() -> AnalyzeOptions {
        let mut options = AnalyzeOptions::default();
        options.paths.assume_breach = true;
        options
    }

    #[test]
    fn s3_settings_beside_the_cluster_folders_are_the_account_s_not_a_third_cluster() {
        let mut files = estate();
        let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shop-assets/*"}]}"#;
        files.push(InputFile::new(
            "snap/aws/s3/shop-assets.policy.json",
            serde_json::json!({ "Policy": policy })
                .to_string()
                .into_bytes(),
        ));
        files.push(InputFile::new(
            "snap/aws/s3/111122223333.public-access-block.json",
            br#"{"PublicAccessBlockConfiguration": {"BlockPublicAcls": false, "IgnorePublicAcls": false, "BlockPublicPolicy": false, "RestrictPublicBuckets": false}}"#.to_vec(),
        ));
        let a = analyze(&files, &options(), &mut |_| {});
        let names: Vec<&str> = a.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["prod-a", "prod-b"]);
        assert!(
            a.findings.iter().any(|f| f.rule == "awsS3PublicBucket"),
            "the bucket is judged once the files are read"
        );
    }

    #[test]
    fn a_path_crosses_from_one_cluster_into_another_through_a_shared_role() {
        let a = analyze(&estate(), &options(), &mut |_| {});
        let names: Vec<&str> = a.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["prod-a", "prod-b"]);
        let crossing = a
            .attack_paths
            .paths
            .iter()
            .find(|p| p.target == Target::ClusterAdmin && p.entry.cluster == "prod-a")
            .expect("prod-a's build pod reaches cluster-admin of prod-b");
        assert_eq!(crossing.entry.name, "build");
        let kinds: Vec<&str> = crossing.steps.iter().map(|s| s.edge.name()).collect();
        assert!(
            kinds.ends_with(&["CLOUD_IDENTITY_ASSUME", "CLOUD_KUBE_IDENTITY"]),
            "{kinds:?}"
        );
        let role = &crossing.steps[crossing.steps.len() - 2];
        // The role is one node, shared, unprefixed and in no cluster.
        assert_eq!(role.to, format!("aws-role:{ROLE}"));
        assert_eq!(role.cluster, "");
        let last = crossing.steps.last().unwrap();
        assert_eq!(last.to, "prod-b/cluster-admin");
        assert_eq!(last.cluster, "prod-b");
        assert_eq!(
            crate::graph::path_filter::clusters(crossing),
            ["prod-a", "prod-b"]
        );
        // prod-b's own pod has no such path: nothing links it to the role.
        assert!(!a
            .attack_paths
            .paths
            .iter()
            .any(|p| p.entry.cluster == "prod-b"
                && p.target == Target::ClusterAdmin
                && p.steps
                    .iter()
                    .any(|s| s.edge.name() == "CLOUD_IDENTITY_ASSUME")));
    }

    #[test]
    fn objects_of_the_same_name_stay_apart_with_a_finding_key_each() {
        let a = analyze(&estate(), &options(), &mut |_| {});
        let rows: Vec<&str> = a
            .inventory
            .resources
            .iter()
            .filter(|r| r.kind == "Pod" && r.namespace == "ci" && r.name == "build")
            .map(|r| r.cluster.as_str())
            .collect();
        assert_eq!(rows, ["prod-a", "prod-b"]);
        assert_eq!(a.count("Pod"), 2);
        let host: Vec<&crate::rules::Finding> = a
            .findings
            .iter()
            .filter(|f| f.rule == "hostNamespaces")
            .collect();
        assert_eq!(host.len(), 2, "{host:#?}");
        assert_ne!(host[0].key(), host[1].key());
        assert!(host[0].key().ends_with("|prod-a") && host[1].key().ends_with("|prod-b"));
        let rec = a
            .recommendations
            .iter()
            .find(|r| r.rule == "hostNamespaces")
            .unwrap();
        assert_eq!(rec.affected, 2, "one pod per cluster");
        // The account's principals are listed and judged once, in no cluster.
        let roles: Vec<&crate::analysis::ResourceSummary> = a
            .inventory
            .resources
            .iter()
            .filter(|r| r.kind == "AWS::IAM::Role")
            .collect();
        assert_eq!(roles.len(), 1);
        assert_eq!(roles[0].cluster, "");
        assert_eq!(a.count("AWS::IAM::Role"), 1);
        let scores: Vec<&str> = a
            .secure_score
            .clusters
            .iter()
            .map(|c| c.cluster.as_str())
            .collect();
        assert_eq!(scores, ["prod-a", "prod-b"]);
        assert!(a
            .secure_score
            .namespaces
            .iter()
            .any(|n| n.cluster == "prod-b"));
    }

    #[test]
    fn the_map_draws_each_clusters_namespaces_apart() {
        let snapshot = load(&estate(), &mut |_| {});
        let (a, graph) = crate::analysis::conclude_with_graph(&snapshot, &options());
        let request = crate::map::MapRequest {
            expand: vec!["prod-b/ns:ci".into()],
            ..Default::default()
        };
        let map = crate::map::draw(&a, &graph, &request);
        let regions: Vec<(&str, bool)> = map
            .regions
            .iter()
            .map(|r| (r.id.as_str(), r.expanded))
            .collect();
        assert!(regions.contains(&("prod-a/ns:ci", false)), "{regions:?}");
        assert!(regions.contains(&("prod-b/ns:ci", true)), "{regions:?}");
        assert!(!regions.iter().any(|(id, _)| *id == "ns:ci"), "{regions:?}");
        let b = map.regions.iter().find(|r| r.id == "prod-b/ns:ci").unwrap();
        assert_eq!(b.label, "namespace ci of prod-b");
    }

    #[test]
    fn one_cluster_is_told_nothing_of_clusters() {
        let one: Vec<InputFile> = estate()
            .into_iter()
            .filter(|f| !f.path.contains("prod-b"))
            .collect();
        let a = analyze(&one, &options(), &mut |_| {});
        let json = serde_json::to_string(&a).unwrap();
        assert!(!json.contains("\"cluster\":"), "{json}");
        assert!(a
            .attack_paths
            .paths
            .iter()
            .all(|p| !p.id.contains("prod-a/")));
    }

    #[test]
    fn exemptions_reapply_per_cluster_as_a_full_evaluation_would() {
        let files = estate();
        let (exempt, problems) = exemptions::parse(
            "ex.yaml",
            "- rule: hostNamespaces\n  namespace: ci\n  reason: Build hosts.\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let mut exempted = options();
        exempted.rules.exemptions = exempt;
        let snapshot = load(&files, &mut |_| {});
        let mut a = conclude(&snapshot, &options());
        reexempt(&mut a, &snapshot, &exempted);
        assert_eq!(a, conclude(&snapshot, &exempted));
        let exempted = a.findings.iter().filter(|f| f.exemption.is_some()).count();
        assert_eq!(exempted, 2, "both clusters' build pods");
    }

    /// An audit log of one exec into `ci/build` by `user`.
    fn exec_log(user: &str) -> String {
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{user}-1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ci/pods/build/exec?command=sh&container=c&stdin=true&tty=true","verb":"create","user":{{"username":"{user}","groups":["system:authenticated"]}},"sourceIPs":["10.0.0.5"],"userAgent":"kubectl/v1.30.0","objectRef":{{"resource":"pods","subresource":"exec","namespace":"ci","name":"build"}},"responseStatus":{{"code":101}},"requestReceivedTimestamp":"2026-11-29T10:00:00Z"}}"#
        ) + "\n"
    }

    /// A ValidatingAdmissionPolicy, among the inputs, refusing pods on the host network.
    const NO_HOST_NETWORK: &str = "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: no-host-network}\nspec:\n  matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods]}]}\n  validations:\n  - expression: \"!has(object.spec.hostNetwork) || !object.spec.hostNetwork\"\n    message: host network\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: no-host-network}\nspec: {policyName: no-host-network, validationActions: [Deny]}\n";

    #[test]
    fn audit_alerts_and_policy_findings_belong_to_their_own_cluster() {
        let mut files = estate();
        files.extend(
            [
                ("snap/prod-b/audit/audit.jsonl", exec_log("bob")),
                ("snap/loose-audit.jsonl", exec_log("carol")),
                ("snap/prod-a/policies.yaml", NO_HOST_NETWORK.to_string()),
            ]
            .into_iter()
            .map(|(path, text)| InputFile::new(path, text.into_bytes())),
        );
        let a = analyze(&files, &options(), &mut |_| {});
        let exec: Vec<(&str, &str, &[String])> = a
            .alerts
            .iter()
            .filter(|x| x.kind == "K8S_ExecIntoContainer")
            .map(|x| (x.user.as_str(), x.cluster.as_str(), x.nodes.as_slice()))
            .collect();
        assert_eq!(exec.len(), 2, "{:#?}", a.alerts);
        for (user, cluster, nodes) in exec {
            // bob's log sits in prod-b's folder; carol's outside every cluster folder is
            // the first cluster's.
            let want = if user == "bob" { "prod-b" } else { "prod-a" };
            assert_eq!(cluster, want, "{user}");
            assert!(!nodes.is_empty(), "{user}: not linked");
            assert!(
                nodes.iter().all(|n| n.starts_with(&format!("{want}/"))),
                "{user}: {nodes:?}"
            );
        }
        // The policy is read once and judges each cluster's build pod, each finding in
        // its own cluster.
        let mut policy: Vec<&str> = a
            .findings
            .iter()
            .filter(|f| f.rule.contains("no-host-network"))
            .map(|f| f.resource.cluster.as_str())
            .collect();
        policy.sort_unstable();
        assert_eq!(
            policy,
            ["prod-a", "prod-b"],
            "{:#?}",
            a.findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
        );
        // Re-running the policies alone tags them alike.
        let snapshot = load(&files, &mut |_| {});
        let mut concluded = conclude(&snapshot, &options());
        assert!(
            crate::analysis::repolicy(&mut concluded, &snapshot, &options()),
            "policies among the inputs keep the objects"
        );
        let mut again: Vec<&str> = concluded
            .findings
            .iter()
            .filter(|f| f.rule.contains("no-host-network"))
            .map(|f| f.resource.cluster.as_str())
            .collect();
        again.sort_unstable();
        assert_eq!(again, ["prod-a", "prod-b"]);
        // One cluster alone: a policy in another cluster's folder does not judge it; in
        // its own folder it does.
        for (kept, judged) in [("prod-b", 0), ("prod-a", 1)] {
            let mut snapshot = load(&files, &mut |_| {});
            snapshot.keep_cluster(kept).expect("cluster");
            let alone = conclude(&snapshot, &options());
            let n = alone
                .findings
                .iter()
                .filter(|f| f.rule.contains("no-host-network"))
                .count();
            assert_eq!(n, judged, "{kept}");
        }
        // One cluster alone: its folder's files and the account's, and its alerts only.
        let files: Vec<InputFile> = files
            .into_iter()
            .filter(|f| !f.path.ends_with("policies.yaml"))
            .collect();
        let mut snapshot = load(&files, &mut |_| {});
        snapshot.keep_cluster("prod-b").expect("prod-b");
        let b = conclude(&snapshot, &options());
        let alone: Vec<InputFile> = files
            .iter()
            .filter(|f| f.path.contains("prod-b/") || f.path.starts_with("snap/aws/"))
            .cloned()
            .collect();
        let want = analyze(&alone, &options(), &mut |_| {});
        // The audit timeline too counts the kept cluster's logs alone.
        assert_eq!(b.audit.as_ref().map(|t| t.events), Some(1));
        assert_eq!(b, want);
        assert_eq!(b.clusters.len(), 1);
        assert!(b.alerts.iter().all(|x| x.user == "bob"), "{:#?}", b.alerts);
        assert!(b.alerts.iter().any(|x| x.user == "bob"));
        let err = load(&files, &mut |_| {})
            .keep_cluster("prod-c")
            .unwrap_err();
        assert_eq!(
            err,
            "no cluster named \"prod-c\" among the inputs (clusters: prod-a, prod-b)"
        );
    }

    #[test]
    fn the_same_account_export_in_two_cluster_folders_is_read_once() {
        let files = estate();
        let iam = files[0].bytes.clone();
        let twice: Vec<InputFile> = files
            .iter()
            .skip(1)
            .cloned()
            .chain([
                InputFile::new("snap/prod-a/iam.json", iam.clone()),
                InputFile::new("snap/prod-b/iam.json", iam.clone()),
            ])
            .collect();
        let a = analyze(&twice, &options(), &mut |_| {});
        let once = analyze(&files, &options(), &mut |_| {});
        assert_eq!(a.findings, once.findings);
        assert_eq!(a.inventory.counts, once.inventory.counts);
        assert_eq!(a.attack_paths, once.attack_paths);
        let read: Vec<(&str, usize, usize)> = a
            .inputs
            .iter()
            .filter(|i| i.path.ends_with("iam.json"))
            .map(|i| (i.path.as_str(), i.objects, i.diagnostics.len()))
            .collect();
        assert_eq!(
            read,
            [
                ("snap/prod-a/iam.json", 1, 0),
                ("snap/prod-b/iam.json", 0, 1)
            ]
        );
        let told = &a
            .inputs
            .iter()
            .find(|i| i.path == "snap/prod-b/iam.json")
            .unwrap()
            .diagnostics[0];
        assert!(told.message.contains("snap/prod-a/iam.json"), "{told:?}");
        // A copy that differs by one byte is read as its own export; two identical
        // Kubernetes files in two clusters are each their cluster's.
        let mut other = iam.clone();
        other.push(b'\n');
        let differ: Vec<InputFile> = files
            .iter()
            .skip(1)
            .cloned()
            .chain([
                InputFile::new("snap/prod-a/iam.json", iam),
                InputFile::new("snap/prod-b/iam.json", other),
            ])
            .collect();
        let d = analyze(&differ, &options(), &mut |_| {});
        assert!(d
            .inputs
            .iter()
            .filter(|i| i.path.ends_with("iam.json"))
            .all(|i| i.objects == 1 && i.diagnostics.is_empty()));
        let pods: Vec<InputFile> = estate()
            .into_iter()
            .chain([
                InputFile::new(
                    "snap/prod-a/extra.yaml",
                    build_pod("x").replace("build", "same"),
                ),
                InputFile::new(
                    "snap/prod-b/extra.yaml",
                    build_pod("x").replace("build", "same"),
                ),
            ])
            .collect();
        let p = analyze(&pods, &options(), &mut |_| {});
        let same: Vec<&str> = p
            .inventory
            .resources
            .iter()
            .filter(|r| r.kind == "Pod" && r.name == "same")
            .map(|r| r.cluster.as_str())
            .collect();
        assert_eq!(same, ["prod-a", "prod-b"]);
    }
}
