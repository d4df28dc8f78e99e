//! `public/collect.sh` on managed clusters, run for real under `sh` with stand-ins for
//! `kubectl`, `aws` and `az` on PATH: it must call the cloud CLI with the cluster's
//! name and region (or resource group) derived from the kubeconfig, save the output
//! where `portolan analyze` reads it, and only warn when the cloud CLI fails.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch folder with a `bin/` of stand-in commands.
struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let root =
            std::env::temp_dir().join(format!("portolan-collect-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("bin")).expect("sandbox");
        Sandbox { root }
    }

    /// `portolan analyze` of the collected snapshot folder, as JSON.
    fn analyze(&self) -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_portolan"))
            .args(["analyze", "--no-resources", "-q"])
            .arg(self.root.join("snapshot"))
            .output()
            .expect("run portolan");
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    fn tool(&self, name: &str, script: &str) {
        let path = self.root.join("bin").join(name);
        fs::write(&path, format!("#!/bin/sh\n{script}")).expect("write tool");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }

    /// A tool that appends its command line to the `calls` file, then runs `script`.
    fn recording_tool(&self, name: &str, script: &str) {
        let calls = self.root.join("calls");
        self.tool(
            name,
            &format!("echo \"{name} $*\" >> '{}'\n{script}", calls.display()),
        );
    }

    /// A kubectl whose kubeconfig names cluster `cluster` at `server`, and whose
    /// cluster serves empty Lists.
    fn kubectl(&self, cluster: &str, server: &str) {
        self.tool(
            "kubectl",
            &format!(
                r#"case "$*" in
*'clusters[0].cluster.server'*) printf '%s' '{server}' ;;
*'clusters[0].name'*) printf '%s' '{cluster}' ;;
'config current-context') echo ctx ;;
'config view --minify -o json') printf '{{"kind":"Config","apiVersion":"v1","clusters":[{{"name":"{cluster}","cluster":{{"server":"{server}"}}}}],"contexts":[{{"name":"ctx","context":{{"cluster":"{cluster}"}}}}],"current-context":"ctx"}}\n' ;;
'version -o json') echo '{{}}' ;;
get*) echo '{{"apiVersion":"v1","kind":"List","items":[]}}' ;;
*) exit 1 ;;
esac
"#
            ),
        );
    }

    /// Runs collect.sh with only the sandbox's tools (and the system's) on PATH.
    fn collect(&self, env: &[(&str, &str)]) -> (bool, String) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/collect.sh");
        let out = Command::new("sh")
            .arg(script)
            .arg(self.root.join("snapshot"))
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.root.join("bin").display()),
            )
            .env_remove("PORTOLAN_NO_CLOUD")
            .envs(env.iter().copied())
            .output()
            .expect("run collect.sh");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn file(&self, name: &str) -> Option<String> {
        fs::read_to_string(self.root.join("snapshot").join(name)).ok()
    }

    fn calls(&self) -> String {
        fs::read_to_string(self.root.join("calls")).unwrap_or_default()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

const EKS_OUTPUT: &str = r#"{"cluster": {"name": "acme-prod", "arn": "arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod", "version": "1.30"}}"#;

/// An aws CLI that describes the cluster and is otherwise not logged in.
/// (file name, detected format) of the analysis' inputs under `folder` (`/aws/`).
fn input_formats<'a>(analysis: &'a serde_json::Value, folder: &str) -> Vec<(&'a str, &'a str)> {
    analysis["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| Some((i["path"].as_str()?, i["format"].as_str()?)))
        .filter(|(path, _)| path.contains(folder))
        .map(|(path, format)| (path.rsplit('/').next().unwrap_or(path), format))
        .collect()
}

fn aws_describe_only() -> String {
    format!(
        "case \"$1 $2\" in\n'eks describe-cluster') echo '{EKS_OUTPUT}' ;;\n*) echo 'Unable to locate credentials' >&2; exit 255 ;;\nesac\n"
    )
}

#[test]
fn eks_cluster_described_from_the_kubeconfig_arn() {
    let sb = Sandbox::new("eks-arn");
    sb.kubectl(
        "arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod",
        "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
    );
    sb.recording_tool("aws", &aws_describe_only());
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    // Not logged in: the identity collection stops after one check, with a warning.
    assert_eq!(
        sb.calls().trim(),
        "aws eks describe-cluster --name acme-prod --region eu-west-1 --output json\n\
         aws sts get-caller-identity --output json"
    );
    assert!(stderr.contains("not logged in"), "{stderr}");
    assert_eq!(
        sb.file("eks-cluster.json").as_deref().map(str::trim),
        Some(EKS_OUTPUT)
    );

    // And portolan reads it as the cluster's EKS description.
    let analysis = sb.analyze();
    let providers: Vec<&str> = analysis["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .filter_map(|c| c["provider"].as_str())
        .collect();
    assert_eq!(providers, ["eks"], "{}", analysis["clusters"]);
}

#[test]
fn eksctl_names_and_overrides() {
    let sb = Sandbox::new("eksctl");
    sb.kubectl(
        "shop.us-east-2.eksctl.io",
        "https://XYZ.yl4.us-east-2.eks.amazonaws.com",
    );
    sb.recording_tool("aws", &aws_describe_only());
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    assert!(
        sb.calls().contains("--name shop --region us-east-2"),
        "{}",
        sb.calls()
    );
    let (ok, _) = {
        let _ = fs::remove_dir_all(sb.root.join("snapshot"));
        sb.collect(&[
            ("PORTOLAN_EKS_CLUSTER", "other"),
            ("PORTOLAN_EKS_REGION", "ap-south-1"),
        ])
    };
    assert!(ok);
    assert!(
        sb.calls().contains("--name other --region ap-south-1"),
        "{}",
        sb.calls()
    );
}

#[test]
fn aks_cluster_resource_group_looked_up_and_failures_only_warn() {
    let sb = Sandbox::new("aks");
    sb.kubectl(
        "shop-aks",
        "https://shop-dns-1a2b3c.hcp.westeurope.azmk8s.io:443",
    );
    sb.recording_tool(
        "az",
        r#"case "$2" in
list) echo shop-rg ;;
show) echo '{"name": "shop-aks", "type": "Microsoft.ContainerService/ManagedClusters", "location": "westeurope"}' ;;
esac
"#,
    );
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    assert!(
        sb.calls()
            .contains("az aks show --name shop-aks --resource-group shop-rg --output json"),
        "{}",
        sb.calls()
    );
    assert!(sb.file("aks-cluster.json").is_some());

    // A failing cloud CLI costs a warning; the Kubernetes snapshot is still written.
    let _ = fs::remove_dir_all(sb.root.join("snapshot"));
    sb.tool("az", "echo 'ERROR: Please run az login' >&2\nexit 1\n");
    let (ok, stderr) = sb.collect(&[("PORTOLAN_AKS_RESOURCE_GROUP", "shop-rg")]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("warning: az aks show failed"), "{stderr}");
    assert!(sb.file("aks-cluster.json").is_none());
    assert!(sb.file("pods.json").is_some());
}

#[test]
fn other_clusters_and_missing_clis_do_not_call_clouds() {
    let sb = Sandbox::new("plain");
    sb.kubectl("kind-dev", "https://127.0.0.1:6443");
    sb.recording_tool("aws", "");
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    assert_eq!(sb.calls(), "");

    let sb = Sandbox::new("no-aws");
    sb.kubectl("prod", "https://ABC.gr7.eu-west-1.eks.amazonaws.com");
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("the aws CLI is not installed"), "{stderr}");
}

#[test]
fn the_snapshot_records_when_it_was_taken() {
    let sb = Sandbox::new("time");
    sb.kubectl("kind-dev", "https://127.0.0.1:6443");
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    let info = sb.file("snapshot.json").expect("snapshot.json written");
    let info: serde_json::Value = serde_json::from_str(&info).expect("JSON");
    assert_eq!(info["kind"], "SnapshotInfo");
    let analysis = sb.analyze();
    let time = analysis["snapshotTime"].as_str().expect("snapshotTime");
    assert_eq!(time, info["collectedAt"]);
    // In the UTC form the schema fixes.
    assert!(
        time.starts_with("20") && time.ends_with('Z') && time.len() == 20,
        "{time}"
    );
    let inputs = analysis["inputs"].as_array().unwrap();
    assert!(
        inputs
            .iter()
            .any(|i| i["format"] == "snapshot-info"
                && i["diagnostics"].as_array().unwrap().is_empty())
    );
}

#[test]
fn logged_in_aws_collects_iam_and_eks_identities_read_only() {
    let sb = Sandbox::new("eks-identity");
    sb.kubectl(
        "arn:aws:eks:eu-west-1:111122223333:cluster/acme-prod",
        "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
    );
    let principal = "arn:aws:iam::111122223333:role/ops";
    sb.recording_tool(
        "aws",
        &format!(
            r#"case "$1 $2" in
'eks describe-cluster') echo '{EKS_OUTPUT}' ;;
'sts get-caller-identity') case "$*" in *--query*) echo '111122223333' ;; *) echo '{{"Account": "111122223333"}}' ;; esac ;;
's3api list-buckets') printf 'site\tlogs\n' ;;
's3api get-bucket-policy') case "$*" in *site*) echo '{{"Policy": "{{\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::site/*\"}}]}}"}}' ;; *) echo 'An error occurred (NoSuchBucketPolicy)' >&2; exit 254 ;; esac ;;
's3api get-public-access-block') case "$*" in *logs*) echo '{{"PublicAccessBlockConfiguration": {{"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}}}}' ;; *) exit 254 ;; esac ;;
's3control get-public-access-block') exit 254 ;;
'iam get-account-authorization-details') echo '{{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}}' ;;
'eks list-nodegroups') echo 'general' ;;
'eks describe-nodegroup') echo '{{"nodegroup": {{"nodegroupName": "general", "clusterName": "acme-prod", "nodeRole": "arn:aws:iam::111122223333:role/node"}}}}' ;;
'eks list-pod-identity-associations') echo 'a-1' ;;
'eks describe-pod-identity-association') echo '{{"association": {{"clusterName": "acme-prod", "namespace": "shop", "serviceAccount": "api", "roleArn": "arn:aws:iam::111122223333:role/api", "associationId": "a-1"}}}}' ;;
'eks list-access-entries') echo '{principal}' ;;
'eks describe-access-entry') echo '{{"accessEntry": {{"clusterName": "acme-prod", "principalArn": "{principal}", "kubernetesGroups": ["ops"], "type": "STANDARD"}}}}' ;;
'eks list-associated-access-policies') exit 254 ;;
'organizations describe-organization') echo '{{"Organization": {{"Id": "o-abc", "FeatureSet": "ALL", "MasterAccountId": "999988887777"}}}}' ;;
'organizations list-roots') echo '{{"Roots": [{{"Id": "r-ab12", "Name": "Root", "PolicyTypes": []}}]}}' ;;
'organizations list-accounts') echo 'AccessDenied' >&2; exit 254 ;;
'organizations list-parents') case "$*" in
    *--query*111122223333*|*111122223333*--query*) echo 'ou-ab12-prod' ;;
    *--query*) echo 'r-ab12' ;;
    *111122223333*) echo '{{"Parents": [{{"Id": "ou-ab12-prod", "Type": "ORGANIZATIONAL_UNIT"}}]}}' ;;
    *) echo '{{"Parents": [{{"Id": "r-ab12", "Type": "ROOT"}}]}}' ;;
  esac ;;
'organizations list-policies-for-target') case "$*" in
    *--query*) echo 'p-FullAWSAccess' ;;
    *) echo '{{"Policies": [{{"Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": true}}]}}' ;;
  esac ;;
'organizations describe-policy') echo '{{"Policy": {{"PolicySummary": {{"Id": "p-FullAWSAccess", "Name": "FullAWSAccess", "Type": "SERVICE_CONTROL_POLICY"}}, "Content": "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}]}}"}}}}' ;;
*) exit 1 ;;
esac
"#
        ),
    );
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    let calls = sb.calls();
    // Only read-only calls: describe, get, list.
    for line in calls.lines() {
        let verb = line.split_whitespace().nth(2).unwrap_or_default();
        assert!(
            ["describe", "get", "list"]
                .iter()
                .any(|v| verb.starts_with(v)),
            "{line}"
        );
    }
    assert!(calls.contains(
        "aws eks describe-pod-identity-association --cluster-name acme-prod --region eu-west-1 --association-id a-1 --output json"
    ), "{calls}");
    // The organization's SCPs: the account's parents up to the root, the SCPs of each
    // level, each SCP's content once; a refused call only warns.
    for call in [
        "aws organizations list-parents --child-id ou-ab12-prod --output json",
        "aws organizations list-policies-for-target --target-id r-ab12 --filter SERVICE_CONTROL_POLICY --output json",
        "aws organizations describe-policy --policy-id p-FullAWSAccess --output json",
    ] {
        assert!(calls.contains(call), "{call} not in {calls}");
    }
    assert_eq!(calls.matches("describe-policy").count(), 1, "{calls}");
    assert!(
        stderr.contains("warning: aws organizations list-accounts failed"),
        "{stderr}"
    );
    // The failing call warns and writes nothing; the others are saved.
    assert!(
        stderr.contains("warning: aws eks list-associated-access-policies failed"),
        "{stderr}"
    );
    assert!(sb.file("aws/access-policies-1.json").is_none());
    // A bucket without a policy or settings is left out quietly: "none", not a failure.
    assert!(sb.file("aws/s3/logs.bucket-policy.json").is_none());
    assert!(sb.file("aws/s3/site.public-access-block.json").is_none());
    assert!(!stderr.contains("get-bucket-policy failed"), "{stderr}");
    for f in [
        "aws/s3/site.bucket-policy.json",
        "aws/s3/logs.public-access-block.json",
        "aws/iam-authorization-details.json",
        "aws/nodegroup-general.json",
        "aws/pod-identity-a-1.json",
        "aws/access-entry-1.json",
    ] {
        assert!(sb.file(f).is_some(), "{f} missing");
    }
    // portolan reads every file it wrote by content.
    let analysis = sb.analyze();
    let formats = input_formats(&analysis, "/aws/");
    assert_eq!(
        formats,
        [
            ("access-entry-1.json", "eks-identity"),
            ("iam-authorization-details.json", "aws-iam"),
            ("nodegroup-general.json", "eks-identity"),
            ("111122223333.parents.json", "aws-organizations"),
            ("111122223333.policies.json", "aws-organizations"),
            ("organization.json", "aws-organizations"),
            ("ou-ab12-prod.parents.json", "aws-organizations"),
            ("ou-ab12-prod.policies.json", "aws-organizations"),
            ("p-FullAWSAccess.json", "aws-organizations"),
            ("r-ab12.policies.json", "aws-organizations"),
            ("roots.json", "aws-organizations"),
            ("pod-identity-a-1.json", "eks-identity"),
            ("logs.public-access-block.json", "aws-s3"),
            ("site.bucket-policy.json", "aws-s3"),
        ]
    );
    // The public bucket is a finding; the other's settings restrict it anyway.
    let public: Vec<&str> = analysis["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "awsS3PublicBucket")
        .map(|f| f["resource"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(public, ["site"]);
}

#[test]
fn logged_in_gcloud_collects_project_and_service_account_policies_read_only() {
    let sb = Sandbox::new("gcp-iam");
    sb.kubectl("gke_shop-prod_europe-west1_prod", "https://34.1.2.3");
    let email = "app@shop-prod.iam.gserviceaccount.com";
    sb.recording_tool(
        "gcloud",
        &format!(
            r#"case "$*" in
'auth list'*) echo me@example.com ;;
'projects get-iam-policy shop-prod --format json') echo '{{"bindings": [{{"role": "roles/editor", "members": ["serviceAccount:{email}"]}}], "etag": "BwX", "version": 1}}' ;;
*'service-accounts list --project shop-prod --format value(email)') echo '{email}'; echo 'gone@shop-prod.iam.gserviceaccount.com' ;;
'iam service-accounts list --project shop-prod --format json') echo '[{{"email": "{email}", "name": "projects/shop-prod/serviceAccounts/{email}", "projectId": "shop-prod"}}]' ;;
'iam service-accounts get-iam-policy {email} --project shop-prod --format json') echo '{{"etag": "ACAB"}}' ;;
*) exit 1 ;;
esac
"#
        ),
    );
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    let calls = sb.calls();
    // Only read-only calls: each names `list` or `get-iam-policy` as its verb.
    for line in calls.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let verb = words
            .iter()
            .take_while(|w| !w.starts_with("--"))
            .find(|w| ["list", "get-iam-policy"].contains(w));
        assert!(verb.is_some(), "not read-only: {line}");
        assert!(
            !line.contains("set-iam-policy") && !line.contains("create"),
            "{line}"
        );
    }
    // The second account's policy fails: a warning, no file.
    assert!(
        stderr.contains("warning: gcloud iam service-accounts failed"),
        "{stderr}"
    );
    assert!(sb
        .file("gcp/gone@shop-prod.iam.gserviceaccount.com.iam-policy.json")
        .is_none());
    let analysis = sb.analyze();
    let formats = input_formats(&analysis, "/gcp/");
    assert_eq!(
        formats,
        [
            (
                "app@shop-prod.iam.gserviceaccount.com.iam-policy.json",
                "gcp-iam"
            ),
            ("service-accounts.json", "gcp-iam"),
            ("shop-prod.iam-policy.json", "gcp-iam"),
        ]
    );
    let rules: Vec<&str> = analysis["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .filter(|r| r.starts_with("gcp"))
        .collect();
    assert_eq!(rules, ["gcpIamPrimitiveRole"]);

    // Negative control: gcloud not logged in collects nothing and only warns.
    let sb = Sandbox::new("gcp-logged-out");
    sb.kubectl("gke_shop-prod_europe-west1_prod", "https://34.1.2.3");
    sb.recording_tool("gcloud", "exit 0\n");
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("gcloud is not logged in"), "{stderr}");
    assert!(!sb.calls().contains("get-iam-policy"));
}

#[test]
fn logged_in_az_collects_rbac_identities_and_data_stores_read_only() {
    let sb = Sandbox::new("azure");
    sb.kubectl(
        "shop-aks",
        "https://shop-dns-1a2b3c.hcp.westeurope.azmk8s.io:443",
    );
    let sub = "/subscriptions/00000000-0000-0000-0000-0000000000aa";
    let identity = format!("{sub}/resourcegroups/shop/providers/Microsoft.ManagedIdentity/userAssignedIdentities/api-identity");
    sb.recording_tool(
        "az",
        &format!(
            r#"case "$*" in
'aks list'*) echo shop-rg ;;
'aks show'*) echo '{{"name": "shop-aks", "id": "{sub}/resourceGroups/shop-rg/providers/Microsoft.ContainerService/managedClusters/shop-aks", "type": "Microsoft.ContainerService/ManagedClusters", "location": "westeurope"}}' ;;
'account show --output json') echo '{{"id": "00000000-0000-0000-0000-0000000000aa", "state": "Enabled"}}' ;;
'role assignment list --all --output json') echo '[{{"principalId": "b1", "principalName": "api-identity", "principalType": "ServicePrincipal", "roleDefinitionId": "{sub}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "roleDefinitionName": "Owner", "scope": "{sub}", "type": "Microsoft.Authorization/roleAssignments"}}]' ;;
'role definition list --output json') echo '[{{"id": "{sub}/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "roleName": "Owner", "roleType": "BuiltInRole", "permissions": [{{"actions": ["*"]}}], "type": "Microsoft.Authorization/roleDefinitions"}}]' ;;
'identity list --output json') echo '[{{"clientId": "c1", "principalId": "b1", "id": "{identity}", "name": "api-identity", "type": "Microsoft.ManagedIdentity/userAssignedIdentities"}}]' ;;
'identity list --query'*) echo 'shop/api-identity' ;;
'identity federated-credential list --identity-name api-identity --resource-group shop --output json') echo '[{{"audiences": ["api://AzureADTokenExchange"], "id": "{identity}/federatedIdentityCredentials/aks", "issuer": "https://westeurope.oic.prod-aks.azure.com/t/c/", "name": "aks", "subject": "system:serviceaccount:web:api", "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"}}]' ;;
'storage account list --output json') echo '[{{"id": "{sub}/resourceGroups/shop/providers/Microsoft.Storage/storageAccounts/shopdata", "name": "shopdata", "allowBlobPublicAccess": false, "type": "Microsoft.Storage/storageAccounts"}}]' ;;
*) echo 'AuthorizationFailed' >&2; exit 1 ;;
esac
"#
        ),
    );
    let (ok, stderr) = sb.collect(&[]);
    assert!(ok, "{stderr}");
    // Only read-only calls: `list` or `show`.
    for line in sb.calls().lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let verb = words
            .iter()
            .take_while(|w| !w.starts_with("--"))
            .find(|w| ["list", "show"].contains(w));
        assert!(verb.is_some(), "not read-only: {line}");
    }
    // The key vault list fails: a warning, no file.
    assert!(
        stderr.contains("warning: az keyvault list failed"),
        "{stderr}"
    );
    assert!(sb.file("azure/keyvaults.json").is_none());
    let analysis = sb.analyze();
    assert_eq!(
        input_formats(&analysis, "/azure/"),
        [
            ("federated-credentials-api-identity.json", "azure"),
            ("identities.json", "azure"),
            ("role-assignments.json", "azure"),
            ("role-definitions.json", "azure"),
            ("storage-accounts.json", "azure"),
        ]
    );
    let findings: Vec<(&str, &str)> = analysis["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| Some((f["rule"].as_str()?, f["resource"]["kind"].as_str()?)))
        .filter(|(r, _)| r.starts_with("azure"))
        .collect();
    assert_eq!(
        findings,
        [(
            "azureRbacPrivilegeEscalation",
            "Azure::ManagedIdentity::UserAssignedIdentity"
        )]
    );

    // Negative control: az not logged in collects no Azure RBAC and only warns.
    let sb = Sandbox::new("azure-logged-out");
    sb.kubectl(
        "shop-aks",
        "https://shop-dns-1a2b3c.hcp.westeurope.azmk8s.io:443",
    );
    sb.recording_tool("az", "exit 1\n");
    let (ok, stderr) = sb.collect(&[("PORTOLAN_AKS_RESOURCE_GROUP", "shop-rg")]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("the az CLI is not logged in"), "{stderr}");
    assert!(!sb.calls().contains("role assignment"));
}

#[test]
fn several_contexts_go_to_a_folder_each_and_analyse_as_several_clusters() {
    let sb = Sandbox::new("contexts");
    // A kubectl that serves two contexts; every call must name one (--context NAME).
    sb.tool(
        "kubectl",
        r#"if [ "$1" != --context ]; then
  case "$*" in
  'config get-contexts -o name') printf 'arn:aws:eks:eu-west-1:111122223333:cluster/prod\nlab\n' ; exit 0 ;;
  *) echo "no context in: $*" >&2; exit 1 ;;
  esac
fi
ctx="$2"; shift 2
case "$*" in
*'clusters[0].cluster.server'*) printf 'https://%s.example:6443' "$(echo "$ctx" | tr -c 'a-z' x)" ;;
*'clusters[0].name'*) printf '%s' "$ctx" ;;
'config view --minify -o json') printf '{"kind":"Config","apiVersion":"v1","clusters":[{"name":"%s","cluster":{"server":"https://x.example"}}],"contexts":[{"name":"%s","context":{"cluster":"%s"}}],"current-context":"%s"}\n' "$ctx" "$ctx" "$ctx" "$ctx" ;;
'version -o json') echo '{}' ;;
'get namespaces -A -o json') printf '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}]}\n' ;;
get*) echo '{"apiVersion":"v1","kind":"List","items":[]}' ;;
*) exit 1 ;;
esac
"#,
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/collect.sh");
    let out = Command::new("sh")
        .arg(&script)
        .args(["--all-contexts"])
        .arg(sb.root.join("snapshot"))
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", sb.root.join("bin").display()),
        )
        .env("PORTOLAN_NO_CLOUD", "1")
        .output()
        .expect("run collect.sh");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // One folder per context, named after it (an ARN's `:` and `/` made safe).
    for folder in ["arn_aws_eks_eu-west-1_111122223333_cluster_prod", "lab"] {
        assert!(
            sb.file(&format!("{folder}/cluster.json")).is_some(),
            "{folder}: {stderr}"
        );
    }
    let analysis = sb.analyze();
    let names: Vec<&str> = analysis["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["arn:aws:eks:eu-west-1:111122223333:cluster/prod", "lab"]
    );
    assert_eq!(analysis["inventory"]["counts"]["Namespace"], 2);
}
