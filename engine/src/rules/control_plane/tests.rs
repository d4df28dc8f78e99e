//! Control-plane, node and managed-cluster rules over the kubeadm fixtures
//! (`tests/fixtures/control-plane`), inline static pods written in every flag spelling,
//! and cloud descriptions.

use super::{instances, not_applicable, Component};
use crate::ingest::{parse_file, InputFile};
use crate::model::Inventory;
use crate::rules::{evaluate_scored, Finding, RuleOptions};

const HARDENED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/control-plane/kubeadm-hardened.yaml"
));
const DEFAULT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/control-plane/kubeadm-default.yaml"
));
const EKS_FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/cloud/eks-describe-cluster.json"
));

fn inventory(files: &[(&str, &str)]) -> Inventory {
    let mut inventory = Inventory::default();
    for (path, text) in files {
        let parsed = parse_file(&InputFile::new(*path, text.as_bytes().to_vec()));
        assert!(
            parsed.diagnostics.is_empty(),
            "{path}: {:?}",
            parsed.diagnostics
        );
        inventory.extend(parsed.objects, parsed.server_version);
    }
    inventory.finish();
    inventory
}

fn findings(files: &[(&str, &str)]) -> Vec<Finding> {
    evaluate_scored(&inventory(files), &RuleOptions::default()).0
}

/// The control-plane, node and managed findings only, as `rule resource field`.
fn ours(files: &[(&str, &str)]) -> Vec<String> {
    let mut out: Vec<String> = findings(files)
        .into_iter()
        .filter(|f| super::rules().any(|r| r.info.id == f.rule))
        .map(|f| format!("{} {} {}", f.rule, f.resource.name, f.field))
        .collect();
    out.sort();
    out
}

fn ids(found: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = found
        .iter()
        .map(|s| s.split(' ').next().unwrap_or_default())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// One kube-system static pod running `binary` with `command` and `args`.
fn static_pod(name: &str, binary: &str, image: &str, command: &[&str], args: &[&str]) -> String {
    let list = |items: &[&str]| {
        items
            .iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: kube-system\n  labels: {{component: {binary}}}\nspec:\n  containers:\n  - name: {binary}\n    image: {image}\n    command: [{}]\n    args: [{}]\n",
        list(command),
        list(args),
    )
}

#[test]
fn the_hardened_kubeadm_control_plane_passes_every_flag_rule() {
    let inv = inventory(&[("hardened.yaml", HARDENED)]);
    let found: Vec<Component> = instances(&inv).iter().map(|i| i.component).collect();
    assert_eq!(
        found,
        [
            Component::ApiServer,
            Component::ControllerManager,
            Component::Scheduler,
            Component::Etcd
        ]
    );
    assert_eq!(ours(&[("hardened.yaml", HARDENED)]), Vec::<String>::new());
    assert!(not_applicable(&inv).is_empty());
}

#[test]
fn kubeadm_defaults_fail_where_the_benchmark_says() {
    let found = ours(&[("default.yaml", DEFAULT)]);
    assert_eq!(
        ids(&found),
        [
            "apiServerAlwaysPullImages",
            "apiServerAnonymousAuth",
            "apiServerAuditLogPath",
            "apiServerDenyServiceExternalIps",
            "apiServerEncryptionProviderConfig",
            "apiServerEventRateLimit",
            "apiServerExtendTokenExpiration",
            "apiServerKubeletCertificateAuthority",
            "apiServerProfiling",
            "apiServerTlsCipherSuites",
            "controllerManagerProfiling",
            "controllerManagerTerminatedPodGc",
            "schedulerBindAddress",
            "schedulerProfiling",
        ]
    );
    // Written flags are pointed at; absent ones at the command.
    assert!(found.contains(
        &"apiServerAnonymousAuth kube-apiserver-cp-1 spec.containers[0].command[3]".to_string()
    ));
    assert!(found.contains(
        &"apiServerAuditLogPath kube-apiserver-cp-1 spec.containers[0].command".to_string()
    ));
    assert!(found.contains(
        &"schedulerBindAddress kube-scheduler-cp-1 spec.containers[0].command[3]".to_string()
    ));
}

#[test]
fn flags_count_in_every_spelling() {
    // `--flag value`, args instead of command, repeated list flags, a shell wrapper.
    let yaml = [
        static_pod(
            "kube-apiserver-a",
            "kube-apiserver",
            "registry.k8s.io/kube-apiserver:v1.35.0",
            &[],
            &[
                "kube-apiserver",
                "--authorization-mode",
                "Node",
                "--authorization-mode=AlwaysAllow",
                "--disable-admission-plugins",
                "ServiceAccount,NamespaceLifecycle",
                "--disable-admission-plugins=PodSecurity",
                "--kubelet-https=false",
                "--token-auth-file",
                "/etc/tokens.csv",
                "--request-timeout=0",
            ],
        ),
        static_pod(
            "kube-controller-manager-a",
            "kube-controller-manager",
            "registry.k8s.io/kube-controller-manager:v1.35.0",
            &["/bin/sh", "-c"],
            &["exec /usr/local/bin/kube-controller-manager --use-service-account-credentials=false --feature-gates=RotateKubeletServerCertificate=false"],
        ),
        static_pod(
            "etcd-a",
            "etcd",
            "registry.k8s.io/etcd:3.5.16-0",
            &[
                "etcd",
                "-auto-tls=true",
                "-listen-peer-urls",
                "http://10.0.0.1:2380",
                "--peer-auto-tls",
                "--listen-client-urls=https://127.0.0.1:2379,http://127.0.0.1:2390,http://10.0.0.1:2379",
            ],
            &[],
        ),
    ]
    .concat();
    let found = ours(&[("spellings.yaml", &yaml)]);
    let got = ids(&found);
    for id in [
        "apiServerAuthorizationAlwaysAllow",
        "apiServerAuthorizationRbac",
        "apiServerServiceAccountAdmission",
        "apiServerNamespaceLifecycle",
        "apiServerTokenAuthFile",
        "apiServerRequestTimeout",
        "controllerManagerServiceAccountCredentials",
        "controllerManagerRotateKubeletServerCertificate",
        "controllerManagerBindAddress",
        "etcdAutoTls",
        "etcdPeerAutoTls",
        "etcdPeerTlsCertificate",
        "etcdPeerClientCertAuth",
        "etcdClientCertAuth",
        "etcdTlsCertificate",
        "apiServerPodSecurityAdmission",
        "apiServerKubeletHttps",
        "etcdPlaintextClientUrls",
    ] {
        assert!(got.contains(&id), "{id} missing from {found:#?}");
    }
    // Node is present (first spelling): only the RBAC rule fails on the modes.
    assert!(!got.contains(&"apiServerAuthorizationNode"), "{found:#?}");
    assert!(found.contains(
        &"apiServerTokenAuthFile kube-apiserver-a spec.containers[0].args[8]".to_string()
    ));
    let plain = findings(&[("spellings.yaml", &yaml)])
        .into_iter()
        .find(|f| f.rule == "etcdPlaintextClientUrls")
        .unwrap();
    assert!(
        plain.message.ends_with("on http://10.0.0.1:2379"),
        "{}",
        plain.message
    );
    assert!(found.contains(
        &"controllerManagerServiceAccountCredentials kube-controller-manager-a spec.containers[0].args[0]"
            .to_string()
    ));
}

#[test]
fn a_boolean_followed_by_a_word_is_true_as_pflag_reads_it() {
    let yaml = static_pod(
        "kube-scheduler-x",
        "kube-scheduler",
        "registry.k8s.io/kube-scheduler:v1.35.0",
        &[
            "kube-scheduler",
            "--profiling",
            "false",
            "--bind-address=127.0.0.1",
        ],
        &[],
    );
    assert_eq!(
        ours(&[("s.yaml", &yaml)]),
        ["schedulerProfiling kube-scheduler-x spec.containers[0].command[1]"]
    );
}

#[test]
fn the_insecure_port_depends_on_the_version() {
    let old = static_pod(
        "kube-apiserver-old",
        "kube-apiserver",
        "k8s.gcr.io/kube-apiserver:v1.19.16",
        &["kube-apiserver", "--authorization-mode=Node,RBAC"],
        &[],
    );
    let new = old
        .replace("kube-apiserver-old", "kube-apiserver-new")
        .replace("v1.19.16", "v1.35.0");
    let open = old
        .replace("kube-apiserver-old", "kube-apiserver-open")
        .replace("v1.19.16", "v1.18.0")
        .replace(
            "\"--authorization-mode=Node,RBAC\"",
            "\"--insecure-port=8080\", \"--insecure-bind-address=0.0.0.0\"",
        );
    let closed = old
        .replace("kube-apiserver-old", "kube-apiserver-closed")
        .replace(
            "\"--authorization-mode=Node,RBAC\"",
            "\"--insecure-port=0\"",
        );
    let found = ours(&[("p.yaml", &[old, new, open, closed].concat())]);
    let insecure: Vec<&String> = found
        .iter()
        .filter(|f| f.starts_with("apiServerInsecurePort "))
        .collect();
    assert_eq!(
        insecure,
        [
            "apiServerInsecurePort kube-apiserver-old spec.containers[0].command",
            "apiServerInsecurePort kube-apiserver-open spec.containers[0].command[2]",
        ]
    );
}

#[test]
fn pods_outside_kube_system_or_running_something_else_are_not_control_plane() {
    let app = static_pod(
        "etcd-for-my-app",
        "etcd",
        "quay.io/coreos/etcd:v3.5.0",
        &["etcd"],
        &[],
    )
    .replace("namespace: kube-system", "namespace: apps");
    let coredns = static_pod(
        "coredns-1",
        "coredns",
        "registry.k8s.io/coredns/coredns:v1.11.1",
        &["/coredns", "-conf", "/etc/coredns/Corefile"],
        &[],
    );
    let inv = inventory(&[("x.yaml", &format!("{app}{coredns}"))]);
    assert!(instances(&inv).is_empty());
}

#[test]
fn a_managed_cluster_reports_control_plane_rules_as_not_applicable_not_passing() {
    let inv = inventory(&[("eks.json", EKS_FIXTURE)]);
    let na = not_applicable(&inv);
    let flag_rules: usize = Component::ALL.iter().map(|c| c.rules().len()).sum();
    assert_eq!(na.len(), flag_rules);
    assert!(na.iter().all(|n| n.resource.kind == "Cluster"));
    assert!(na.iter().any(|n| n.rule == "apiServerAnonymousAuth"
        && n.reason.contains("Amazon EKS runs the control plane")));
    let (findings, _, score, _) = evaluate_scored(&inv, &RuleOptions::default());
    assert!(findings
        .iter()
        .all(|f| Component::of_rule(&f.rule).is_none()));
    // Not applicable is not a pass: the score is the same without those rules.
    let hardened = inventory(&[("eks.json", EKS_FIXTURE), ("h.yaml", HARDENED)]);
    assert!(
        not_applicable(&hardened).is_empty(),
        "components present are evaluated"
    );
    let (_, _, with_pods, _) = evaluate_scored(&hardened, &RuleOptions::default());
    // Not applicable rules are no control of the score; present components' rules are.
    assert!(score
        .controls
        .iter()
        .all(|c| Component::of_rule(&c.rule).is_none()));
    assert!(with_pods
        .controls
        .iter()
        .any(|c| Component::of_rule(&c.rule).is_some()));
}

#[test]
fn control_plane_findings_lower_the_score_of_kube_system() {
    let good = evaluate_scored(&inventory(&[("h.yaml", HARDENED)]), &RuleOptions::default()).2;
    let bad = evaluate_scored(&inventory(&[("d.yaml", DEFAULT)]), &RuleOptions::default()).2;
    let ns = |s: &crate::rules::score::SecureScore| {
        s.namespaces
            .iter()
            .find(|n| n.namespace == "kube-system")
            .map(|n| n.score)
    };
    assert!(ns(&bad) < ns(&good), "{bad:?} vs {good:?}");
}

#[test]
fn etcd_should_not_trust_the_cluster_ca() {
    let shared = HARDENED.replace(
        "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        "--trusted-ca-file=/etc/kubernetes/pki/ca.crt",
    );
    assert_eq!(
        ours(&[("s.yaml", &shared)]),
        ["etcdUniqueCa etcd-cp-1 spec.containers[0].command[17]"]
    );
}

const NODES: &str = r#"{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "old"},
  "status": {"nodeInfo": {"kubeletVersion": "v1.30.2", "containerRuntimeVersion": "containerd://1.7.11",
   "osImage": "Ubuntu 20.04.6 LTS"}}},
 {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "skewed"},
  "status": {"nodeInfo": {"kubeletVersion": "v1.31.14", "containerRuntimeVersion": "cri-o://1.31.2",
   "osImage": "Debian GNU/Linux 12 (bookworm)"}}},
 {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "current"},
  "status": {"nodeInfo": {"kubeletVersion": "v1.35.1", "containerRuntimeVersion": "containerd://2.3.1",
   "osImage": "Amazon Linux 2023.6.20241010"}}}]}"#;

#[test]
fn nodes_by_version_runtime_and_os() {
    let version = r#"{"serverVersion": {"major": "1", "minor": "35", "gitVersion": "v1.35.1"}}"#;
    let found = ours(&[("nodes.json", NODES), ("version.json", version)]);
    assert_eq!(
        found,
        [
            "nodeKubeletUnsupported old status.nodeInfo.kubeletVersion",
            "nodeKubeletUnsupported skewed status.nodeInfo.kubeletVersion",
            "nodeKubeletVersionSkew old status.nodeInfo.kubeletVersion",
            "nodeKubeletVersionSkew skewed status.nodeInfo.kubeletVersion",
            "nodeKubeletVulnerable old status.nodeInfo.kubeletVersion",
            "nodeOsEndOfLife old status.nodeInfo.osImage",
            "nodeRuntimeEndOfLife old status.nodeInfo.containerRuntimeVersion",
            "nodeRuntimeEndOfLife skewed status.nodeInfo.containerRuntimeVersion",
        ]
    );
}

#[test]
fn managed_settings_from_the_cloud_descriptions() {
    let eks = r#"{"cluster": {"name": "prod", "arn": "arn:aws:eks:eu-west-1:1:cluster/prod",
        "resourcesVpcConfig": {"endpointPublicAccess": true, "endpointPrivateAccess": false,
          "publicAccessCidrs": ["203.0.113.0/24"]},
        "accessConfig": {"authenticationMode": "CONFIG_MAP"}}}"#;
    let aks = r#"{"name": "weak", "id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/weak",
        "type": "Microsoft.ContainerService/ManagedClusters", "location": "westeurope",
        "aadProfile": {"managed": true, "enableAzureRbac": false}, "disableLocalAccounts": true,
        "securityProfile": {"defender": null}, "addonProfiles": {"azurepolicy": {"enabled": false}},
        "agentPoolProfiles": [{"name": "system"}, {"name": "web", "enableNodePublicIp": true}],
        "apiServerAccessProfile": {"enablePrivateCluster": true},
        "networkProfile": {"networkPolicy": "cilium"}}"#;
    let strong = r#"{"name": "strong", "id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/strong",
        "type": "Microsoft.ContainerService/ManagedClusters",
        "aadProfile": {"managed": true, "enableAzureRbac": true}, "disableLocalAccounts": true,
        "securityProfile": {"defender": {"securityMonitoring": {"enabled": true}},
          "azureKeyVaultKms": {"enabled": true}},
        "addonProfiles": {"azurepolicy": {"enabled": true}},
        "agentPoolProfiles": [{"name": "system", "enableNodePublicIp": false}],
        "apiServerAccessProfile": {"enablePrivateCluster": true},
        "autoUpgradeProfile": {"upgradeChannel": "stable"},
        "networkProfile": {"networkPolicy": "azure"}}"#;
    let found = ours(&[
        ("eks.json", eks),
        ("aks.json", aks),
        ("strong.json", strong),
    ]);
    assert_eq!(
        found,
        [
            "aksAutoUpgrade weak autoUpgradeProfile.upgradeChannel",
            "aksAzurePolicy weak addonProfiles.azurepolicy.enabled",
            "aksAzureRbac weak aadProfile.enableAzureRbac",
            "aksDefender weak securityProfile.defender.securityMonitoring.enabled",
            "aksNodePublicIp weak agentPoolProfiles",
            "aksSecretsEncryption weak securityProfile.azureKeyVaultKms.enabled",
            "eksAuthenticationConfigMap prod cluster.accessConfig.authenticationMode",
            "eksPrivateEndpoint prod cluster.resourcesVpcConfig.endpointPrivateAccess",
        ]
    );
}

/// `kubectl get cm -n kube-system -o json` as kubectl writes it: `data` before `kind`
/// and `metadata`.
fn config_map_json(name: &str, key: &str, value: &str) -> String {
    format!(
        r#"{{"apiVersion": "v1", "data": {{{key:?}: {value:?}, "other": "not read"}}, "kind": "ConfigMap",
            "metadata": {{"name": "{name}", "namespace": "kube-system"}}}}"#
    )
}

#[test]
fn kubeadm_cluster_configuration_stands_in_for_missing_static_pods() {
    let cluster_config = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nkubernetesVersion: v1.35.0\napiServer:\n  extraArgs:\n  - {name: profiling, value: \"false\"}\n  - {name: authorization-mode, value: AlwaysAllow}\nscheduler:\n  extraArgs:\n  - {name: bind-address, value: 0.0.0.0}\netcd:\n  local:\n    dataDir: /var/lib/etcd\n";
    let cm = config_map_json("kubeadm-config", "ClusterConfiguration", cluster_config);
    let inv = inventory(&[("cm.json", &cm)]);
    let cms = &inv.config_maps;
    assert_eq!(cms.len(), 1);
    assert!(cms[0].settings.is_some());
    assert_eq!(cms[0].keys, ["ClusterConfiguration", "other"]);
    let found = ours(&[("cm.json", &cm)]);
    assert!(found.contains(
        &"apiServerAuthorizationAlwaysAllow kubeadm-config data.ClusterConfiguration.apiServer.extraArgs.authorization-mode".to_string()
    ), "{found:#?}");
    assert!(found.contains(
        &"schedulerBindAddress kubeadm-config data.ClusterConfiguration.scheduler.extraArgs.bind-address".to_string()
    ));
    assert!(found.contains(
        &"apiServerAuditLogPath kubeadm-config data.ClusterConfiguration.apiServer.extraArgs"
            .to_string()
    ));
    // kubeadm's own flags pass what they decide; profiling was turned off.
    for id in [
        "apiServerProfiling",
        "apiServerNodeRestriction",
        "apiServerEtcdClientCertificate",
        "controllerManagerBindAddress",
        "controllerManagerServiceAccountCredentials",
        "etcdClientCertAuth",
        "etcdPeerClientCertAuth",
    ] {
        assert!(!ids(&found).contains(&id), "{id}: {found:#?}");
    }
    // A static pod of a component wins over the ClusterConfiguration.
    let both = ours(&[("cm.json", &cm), ("h.yaml", HARDENED)]);
    assert_eq!(both, Vec::<String>::new());
    // The same key in another ConfigMap, or in a Secret, is not kept.
    let other = cm.replace("kubeadm-config", "my-copy");
    assert!(inventory(&[("o.json", &other)]).config_maps[0]
        .settings
        .is_none());
    let secret = cm.replace("\"kind\": \"ConfigMap\"", "\"kind\": \"Secret\"");
    let inv = inventory(&[("s.json", &secret)]);
    assert_eq!(inv.secrets[0].keys, ["ClusterConfiguration", "other"]);
    assert!(instances(&inv).is_empty());
}

#[test]
fn kube_proxy_metrics_on_every_interface() {
    let conf = |address: &str| {
        format!("apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: {address}\nmode: iptables\n")
    };
    let eks = config_map_json("kube-proxy-config", "config", &conf("0.0.0.0:10249"));
    let kubeadm = config_map_json("kube-proxy", "config.conf", &conf("127.0.0.1:10249"));
    let unset = config_map_json(
        "kube-proxy",
        "config.conf",
        "kind: KubeProxyConfiguration\nmode: ipvs\n",
    );
    assert_eq!(
        ours(&[("eks.json", &eks)]),
        ["kubeProxyMetricsBindAddress kube-proxy-config data.config.metricsBindAddress"]
    );
    assert!(ours(&[("kubeadm.json", &kubeadm)]).is_empty());
    assert!(ours(&[("unset.json", &unset)]).is_empty());
    // A ConfigMap elsewhere with the same content is not kube-proxy's.
    let elsewhere = eks.replace("kube-proxy-config", "proxy-notes");
    assert!(ours(&[("e.json", &elsewhere)]).is_empty());
}

#[test]
fn kubeadm_kubelet_configuration() {
    // What kubeadm 1.31 writes, then a weakened copy.
    let kubeadm = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: false\n  webhook:\n    cacheTTL: 0s\n    enabled: true\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\nauthorization:\n  mode: Webhook\ncgroupDriver: systemd\nrotateCertificates: true\nstreamingConnectionIdleTimeout: 0s\n";
    let found = ours(&[(
        "k.json",
        &config_map_json("kubelet-config", "kubelet", kubeadm),
    )]);
    assert_eq!(
        found,
        [
            "kubeletPodPidsLimit kubelet-config data.kubelet.podPidsLimit",
            "kubeletProtectKernelDefaults kubelet-config data.kubelet.protectKernelDefaults",
            "kubeletSeccompDefault kubelet-config data.kubelet.seccompDefault",
            "kubeletStreamingTimeout kubelet-config data.kubelet.streamingConnectionIdleTimeout",
            "kubeletTlsCipherSuites kubelet-config data.kubelet.tlsCipherSuites",
        ]
    );
    let weak = kubeadm
        .replace("enabled: false", "enabled: true")
        .replace("mode: Webhook", "mode: AlwaysAllow")
        .replace("    clientCAFile: /etc/kubernetes/pki/ca.crt\n", "    clientCAFile: \"\"\n")
        .replace("rotateCertificates: true", "rotateCertificates: false\nreadOnlyPort: 10255\nmakeIPTablesUtilChains: false\nfeatureGates:\n  RotateKubeletServerCertificate: false\ntlsCipherSuites: [TLS_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\npodPidsLimit: -1");
    let found = ours(&[(
        "k.json",
        &config_map_json("kubelet-config", "kubelet", &weak),
    )]);
    assert_eq!(
        ids(&found),
        [
            "kubeletAnonymousAuth",
            "kubeletAuthorizationAlwaysAllow",
            "kubeletClientCaFile",
            "kubeletIptablesUtilChains",
            "kubeletPodPidsLimit",
            "kubeletProtectKernelDefaults",
            "kubeletReadOnlyPort",
            "kubeletRotateCertificates",
            "kubeletSeccompDefault",
            "kubeletServerCertificateRotation",
            "kubeletStreamingTimeout",
            "kubeletTlsCipherSuites",
        ]
    );
    let hardened = kubeadm
        .replace("streamingConnectionIdleTimeout: 0s", "streamingConnectionIdleTimeout: 5m0s\nprotectKernelDefaults: true\nseccompDefault: true\npodPidsLimit: 4096\ntlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256]");
    assert!(ours(&[(
        "k.json",
        &config_map_json("kubelet-config", "kubelet", &hardened)
    )])
    .is_empty());
    // Elsewhere, the same configuration is not the cluster's kubelet configuration.
    let elsewhere = config_map_json("my-kubelet-notes", "kubelet", &weak);
    assert!(ours(&[("e.json", &elsewhere)]).is_empty());
}

/// `gcloud container clusters describe --format json`, fields as the GKE API reference
/// names them: a weak cluster, a hardened one, and the control plane as not applicable.
#[test]
fn gke_settings_from_gcloud_describe() {
    let weak = r#"{"name": "weak", "location": "europe-west1",
        "selfLink": "https://container.googleapis.com/v1/projects/acme/locations/europe-west1/clusters/weak",
        "endpoint": "34.78.1.2", "currentMasterVersion": "1.33.5-gke.1000",
        "masterAuth": {"username": "admin", "password": "PORTOLAN-PLANTED-GKE-PASSWORD",
          "clientCertificateConfig": {"issueClientCertificate": true}, "clientKey": "c2VjcmV0"},
        "legacyAbac": {"enabled": true}, "loggingService": "none",
        "monitoringService": "monitoring.googleapis.com/kubernetes",
        "networkPolicy": {"provider": "CALICO", "enabled": false},
        "binaryAuthorization": {"evaluationMode": "DISABLED"},
        "databaseEncryption": {"state": "DECRYPTED"},
        "masterAuthorizedNetworksConfig": {"enabled": false},
        "nodePools": [{"name": "default-pool", "config": {"machineType": "e2-medium"},
          "management": {"autoUpgrade": false, "autoRepair": true}}]}"#;
    let strong = r#"{"name": "strong", "location": "europe-west1",
        "selfLink": "https://container.googleapis.com/v1/projects/acme/locations/europe-west1/clusters/strong",
        "endpoint": "10.0.0.2", "currentMasterVersion": "1.34.1-gke.1",
        "privateClusterConfig": {"enablePrivateNodes": true, "enablePrivateEndpoint": true},
        "masterAuth": {"clientCertificateConfig": {}},
        "workloadIdentityConfig": {"workloadPool": "acme.svc.id.goog"},
        "shieldedNodes": {"enabled": true}, "legacyAbac": {},
        "loggingService": "logging.googleapis.com/kubernetes",
        "monitoringService": "monitoring.googleapis.com/kubernetes",
        "networkConfig": {"datapathProvider": "ADVANCED_DATAPATH"},
        "binaryAuthorization": {"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"},
        "databaseEncryption": {"state": "ENCRYPTED", "keyName": "projects/acme/locations/europe-west1/keyRings/k/cryptoKeys/gke"},
        "releaseChannel": {"channel": "REGULAR"},
        "nodePools": [{"name": "pool-1", "config": {"workloadMetadataConfig": {"mode": "GKE_METADATA"}},
          "management": {"autoUpgrade": true}}]}"#;
    let found = ours(&[("weak.json", weak), ("strong.json", strong)]);
    assert_eq!(
        found,
        [
            "gkeAutoUpgrade weak releaseChannel.channel",
            "gkeBinaryAuthorization weak binaryAuthorization.evaluationMode",
            "gkeLegacyAbac weak legacyAbac.enabled",
            "gkeLegacyClientAuth weak masterAuth",
            "gkeLogging weak loggingService",
            "gkePrivateNodes weak privateClusterConfig.enablePrivateNodes",
            "gkeSecretsEncryption weak databaseEncryption.state",
            "gkeShieldedNodes weak shieldedNodes.enabled",
            "gkeWorkloadIdentity weak workloadIdentityConfig.workloadPool",
        ]
    );
    let inv = inventory(&[("weak.json", weak), ("strong.json", strong)]);
    // The public endpoint without authorized networks and the disabled network policy
    // engine are the cluster rules'; the strong cluster's private endpoint is not public.
    let (findings, ..) = evaluate_scored(&inv, &RuleOptions::default());
    let cluster_rules: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f.rule == "apiServerPublicAccess" || f.rule == "clusterNetworkPolicyEngine")
        .map(|f| (f.rule.as_str(), f.resource.name.as_str()))
        .collect();
    assert_eq!(
        cluster_rules,
        [
            ("apiServerPublicAccess", "weak"),
            ("clusterNetworkPolicyEngine", "weak")
        ]
    );
    // The control plane is Google's: its flag rules are not applicable on both.
    let na = not_applicable(&inv);
    assert!(na
        .iter()
        .any(|n| n.resource.name == "strong"
            && n.reason.contains("Google GKE runs the control plane")));
    // The password and client key are never read into the model.
    let debug = format!("{inv:?}");
    assert!(!debug.contains("PORTOLAN-PLANTED-GKE-PASSWORD") && !debug.contains("c2VjcmV0"));
}
