//! The kubelet configuration kubeadm shares with every node (`kube-system/kubelet-config`,
//! key `kubelet`: a `KubeletConfiguration`), against CIS Kubernetes Benchmark 4.2. Only
//! this cluster-wide configuration is visible in a snapshot: a node's own flags or local
//! overrides are not, so a finding says what nodes joined with kubeadm are given.

use crate::model::cluster::{ComponentSettings, KubeletSettings};
use crate::model::flags::parse_duration_secs;
use crate::rules::{Category, Context, Finding, ResourceRef, Rule, RuleInfo, Severity};

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &KUBELET_ANONYMOUS_AUTH,
    &KUBELET_AUTHORIZATION_ALWAYS_ALLOW,
    &KUBELET_CLIENT_CA_FILE,
    &KUBELET_READ_ONLY_PORT,
    &KUBELET_STREAMING_TIMEOUT,
    &KUBELET_IPTABLES_UTIL_CHAINS,
    &KUBELET_PROTECT_KERNEL_DEFAULTS,
    &KUBELET_ROTATE_CERTIFICATES,
    &KUBELET_SERVER_CERTIFICATE_ROTATION,
    &KUBELET_TLS_CIPHER_SUITES,
    &KUBELET_POD_PIDS_LIMIT,
    &KUBELET_SECCOMP_DEFAULT,
];

/// Kinds the kubelet rules report: kubeadm's kubelet ConfigMap.
const KINDS: &[&str] = &["ConfigMap"];

/// A failed check: the configuration field and what is wrong.
type Fail = Option<(&'static str, String)>;

fn run(cx: &Context, out: &mut Vec<Finding>, rule: &Rule, eval: fn(&KubeletSettings) -> Fail) {
    for cm in &cx.inventory.config_maps {
        let Some(ComponentSettings::Kubelet(k)) = &cm.settings else {
            continue;
        };
        if let Some((field, message)) = eval(k) {
            out.push(Finding::new(
                rule,
                ResourceRef {
                    kind: "ConfigMap".into(),
                    namespace: cm.metadata.namespace.clone(),
                    name: cm.metadata.name.clone(),
                    cluster: String::new(),
                },
                format!("data.kubelet.{field}"),
                format!("The kubelet configuration {message}"),
                &cm.source,
            ));
        }
    }
}

/// Whether `rule` is one of this family's (for the secure score's population).
pub(crate) fn is_kubelet_rule(rule: &str) -> bool {
    RULES.iter().any(|r| r.info.id == rule)
}

macro_rules! kubelet_rule {
    ($name:ident, $id:literal, $sev:ident, [$($fw:literal),+], title: $title:literal,
     checks: $checks:literal, why: $why:literal, example: $example:literal,
     remediation: $rem:literal, eval: $eval:expr $(,)?) => {
        #[doc = $title]
        pub static $name: Rule = Rule {
            info: RuleInfo {
                id: $id,
                title: $title,
                severity: Severity::$sev,
                category: Category::Cluster,
                kinds: KINDS,
                checks: $checks,
                why: $why,
                example: $example,
                remediation: $rem,
                frameworks: &[$($fw),+],
            },
            check: |cx, out| run(cx, out, &$name, $eval),
        };
    };
}

kubelet_rule!(KUBELET_ANONYMOUS_AUTH, "kubeletAnonymousAuth", High,
    ["cis-k8s/4.2.1", "nsa-cisa", "mitre/T1078.001"],
    title: "Kubelets should not accept anonymous requests",
    checks: "The shared `KubeletConfiguration` does not set `authentication.anonymous.enabled: true` (false is the default of the configuration file).",
    why: "Anonymous requests to the kubelet API (port 10250) reach pod listings and, with a permissive authorizer, exec and logs of every pod on the node.",
    example: "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true",
    remediation: "Set `authentication.anonymous.enabled: false` in `kube-system/kubelet-config` and on each node's `/var/lib/kubelet/config.yaml`, then restart the kubelets.",
    eval: |k| (k.anonymous_auth == Some(true)).then(|| ("authentication.anonymous.enabled", "accepts anonymous requests (authentication.anonymous.enabled: true)".into())),
);

kubelet_rule!(KUBELET_AUTHORIZATION_ALWAYS_ALLOW, "kubeletAuthorizationAlwaysAllow", Critical,
    ["cis-k8s/4.2.2", "nsa-cisa", "mitre/T1078"],
    title: "Kubelets should authorize requests with the API server",
    checks: "The shared `KubeletConfiguration` does not set `authorization.mode: AlwaysAllow` (the default of the configuration file is `Webhook`).",
    why: "With `AlwaysAllow` any client that authenticates to the kubelet (or any client at all, with anonymous auth) can run commands in every pod of the node.",
    example: "kind: KubeletConfiguration\nauthorization:\n  mode: AlwaysAllow",
    remediation: "Set `authorization.mode: Webhook` (and `authentication.webhook.enabled: true`), then restart the kubelets.",
    eval: |k| k.authorization_mode.as_deref().filter(|m| m.eq_ignore_ascii_case("AlwaysAllow")).map(|_| ("authorization.mode", "authorizes every request (authorization.mode: AlwaysAllow)".into())),
);

kubelet_rule!(KUBELET_CLIENT_CA_FILE, "kubeletClientCaFile", Medium,
    ["cis-k8s/4.2.3", "nsa-cisa", "mitre/T1557"],
    title: "Kubelets should verify client certificates",
    checks: "The shared `KubeletConfiguration` sets `authentication.x509.clientCAFile`.",
    why: "Without a client CA the kubelet cannot authenticate the API server's client certificate and falls back to tokens or anonymous access.",
    example: "kind: KubeletConfiguration\nauthentication:\n  webhook:\n    enabled: true",
    remediation: "Set `authentication.x509.clientCAFile: /etc/kubernetes/pki/ca.crt`.",
    eval: |k| k.client_ca_file.as_deref().is_none_or(|f| f.trim().is_empty()).then(|| ("authentication.x509.clientCAFile", "does not set authentication.x509.clientCAFile".into())),
);

kubelet_rule!(KUBELET_READ_ONLY_PORT, "kubeletReadOnlyPort", Medium,
    ["cis-k8s/4.2.4", "nsa-cisa", "mitre/T1046"],
    title: "Kubelets should not serve the unauthenticated read-only port",
    checks: "The shared `KubeletConfiguration` leaves `readOnlyPort` unset or 0.",
    why: "The read-only port (10255) serves pod specs, environment variables included, and node metrics to anyone without authentication.",
    example: "kind: KubeletConfiguration\nreadOnlyPort: 10255",
    remediation: "Set `readOnlyPort: 0` (or remove it).",
    eval: |k| k.read_only_port.filter(|p| *p != 0).map(|p| ("readOnlyPort", format!("serves the unauthenticated read-only port {p}"))),
);

kubelet_rule!(KUBELET_STREAMING_TIMEOUT, "kubeletStreamingTimeout", Low,
    ["cis-k8s/4.2.5", "mitre/T1499"],
    title: "Kubelet streaming connections should time out",
    checks: "The shared `KubeletConfiguration` does not set `streamingConnectionIdleTimeout` to 0 (the default is 4h).",
    why: "Idle exec, attach and port-forward sessions that never close hold resources on the node and keep forgotten shells open.",
    example: "kind: KubeletConfiguration\nstreamingConnectionIdleTimeout: 0s",
    remediation: "Set `streamingConnectionIdleTimeout: 5m` (or another bounded value).",
    eval: |k| k.streaming_connection_idle_timeout.as_deref().filter(|t| parse_duration_secs(t) == Some(0.0)).map(|t| ("streamingConnectionIdleTimeout", format!("never times out idle streaming connections (streamingConnectionIdleTimeout: {t})"))),
);

kubelet_rule!(KUBELET_IPTABLES_UTIL_CHAINS, "kubeletIptablesUtilChains", Low,
    ["cis-k8s/4.2.6", "mitre/T1562"],
    title: "Kubelets should manage their iptables chains",
    checks: "The shared `KubeletConfiguration` does not set `makeIPTablesUtilChains: false`.",
    why: "Without its utility chains the kubelet cannot keep the rules that drop invalid and martian traffic in place, and pods' network settings drift from what Kubernetes expects.",
    example: "kind: KubeletConfiguration\nmakeIPTablesUtilChains: false",
    remediation: "Remove `makeIPTablesUtilChains: false`.",
    eval: |k| (k.make_iptables_util_chains == Some(false)).then(|| ("makeIPTablesUtilChains", "does not manage its iptables utility chains (makeIPTablesUtilChains: false)".into())),
);

kubelet_rule!(KUBELET_PROTECT_KERNEL_DEFAULTS, "kubeletProtectKernelDefaults", Low,
    ["nsa-cisa", "mitre/T1611"],
    title: "Kubelets should protect the kernel's defaults",
    checks: "The shared `KubeletConfiguration` sets `protectKernelDefaults: true` (CIS 4.2.6 of benchmark v1.6).",
    why: "With it the kubelet refuses to start when kernel tunables differ from what it expects, instead of silently changing them; pods cannot rely on a node whose kernel settings were weakened.",
    example: "kind: KubeletConfiguration\nprotectKernelDefaults: false",
    remediation: "Set the kernel parameters the kubelet expects (`vm.overcommit_memory=1`, `kernel.panic=10`, ...) on the nodes, then `protectKernelDefaults: true`.",
    eval: |k| (k.protect_kernel_defaults != Some(true)).then(|| ("protectKernelDefaults", "does not set protectKernelDefaults: true".into())),
);

kubelet_rule!(KUBELET_ROTATE_CERTIFICATES, "kubeletRotateCertificates", Medium,
    ["cis-k8s/4.2.10", "nsa-cisa", "mitre/T1552.004"],
    title: "Kubelets should rotate their client certificates",
    checks: "The shared `KubeletConfiguration` does not set `rotateCertificates: false`.",
    why: "Without rotation the kubelet's client certificate is long-lived: stolen from a node, it keeps working until it expires, and expiry then takes the node down.",
    example: "kind: KubeletConfiguration\nrotateCertificates: false",
    remediation: "Set `rotateCertificates: true`.",
    eval: |k| (k.rotate_certificates == Some(false)).then(|| ("rotateCertificates", "does not rotate the kubelet's client certificate (rotateCertificates: false)".into())),
);

kubelet_rule!(KUBELET_SERVER_CERTIFICATE_ROTATION, "kubeletServerCertificateRotation", Low,
    ["cis-k8s/4.2.11", "nsa-cisa", "mitre/T1557"],
    title: "Kubelet serving certificate rotation should stay enabled",
    checks: "The shared `KubeletConfiguration` does not set `featureGates: {RotateKubeletServerCertificate: false}`.",
    why: "Without it kubelets serve with self-signed certificates that the API server cannot verify, and that stay valid after a node is compromised.",
    example: "kind: KubeletConfiguration\nfeatureGates:\n  RotateKubeletServerCertificate: false",
    remediation: "Remove the gate override; set `serverTLSBootstrap: true` and approve the kubelets' serving CSRs.",
    eval: |k| (k.rotate_server_certificate_gate == Some(false)).then(|| ("featureGates.RotateKubeletServerCertificate", "disables serving certificate rotation (RotateKubeletServerCertificate: false)".into())),
);

kubelet_rule!(KUBELET_TLS_CIPHER_SUITES, "kubeletTlsCipherSuites", Low,
    ["cis-k8s/4.2.12", "nsa-cisa", "mitre/T1557"],
    title: "Kubelets should offer strong TLS cipher suites only",
    checks: "The shared `KubeletConfiguration` sets `tlsCipherSuites` to ECDHE or TLS 1.3 suites with AES-GCM or ChaCha20 only.",
    why: "Suites without forward secrecy or with weak ciphers let a recorded kubelet session (exec, logs) be decrypted later.",
    example: "kind: KubeletConfiguration\ntlsCipherSuites: [TLS_RSA_WITH_AES_128_GCM_SHA256]",
    remediation: "Set `tlsCipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256]`.",
    eval: |k| {
        if k.tls_cipher_suites.is_empty() {
            return Some(("tlsCipherSuites", "does not set tlsCipherSuites: the Go defaults, with RSA key exchange, are offered".into()));
        }
        let strong = |s: &str| {
            (s.starts_with("TLS_ECDHE_") && (s.contains("_GCM_") || s.contains("CHACHA20")))
                || matches!(s, "TLS_AES_128_GCM_SHA256" | "TLS_AES_256_GCM_SHA384" | "TLS_CHACHA20_POLY1305_SHA256")
        };
        let weak: Vec<&str> = k.tls_cipher_suites.iter().map(String::as_str).filter(|s| !strong(s)).collect();
        (!weak.is_empty()).then(|| ("tlsCipherSuites", format!("offers weak TLS cipher suites: {}", weak.join(", "))))
    },
);

kubelet_rule!(KUBELET_POD_PIDS_LIMIT, "kubeletPodPidsLimit", Low,
    ["cis-k8s/4.2.13", "mitre/T1499"],
    title: "Kubelets should limit the processes of each pod",
    checks: "The shared `KubeletConfiguration` sets `podPidsLimit` to a positive number (unset or -1 means unlimited).",
    why: "A fork bomb in one pod exhausts the node's process IDs and takes down every other pod on it, and the kubelet with them.",
    example: "kind: KubeletConfiguration\npodPidsLimit: -1",
    remediation: "Set `podPidsLimit` (for example 4096) sized for the largest workload.",
    eval: |k| match k.pod_pids_limit {
        Some(n) if n > 0 => None,
        Some(n) => Some(("podPidsLimit", format!("does not limit a pod's processes (podPidsLimit: {n})"))),
        None => Some(("podPidsLimit", "does not set podPidsLimit: a pod can use every process ID of the node".into())),
    },
);

kubelet_rule!(KUBELET_SECCOMP_DEFAULT, "kubeletSeccompDefault", Low,
    ["cis-k8s/4.2.14", "nsa-cisa", "mitre/T1611"],
    title: "Kubelets should apply the runtime's seccomp profile by default",
    checks: "The shared `KubeletConfiguration` sets `seccompDefault: true`.",
    why: "Without it every container that does not ask for a seccomp profile runs unconfined, with every system call available to a kernel exploit.",
    example: "kind: KubeletConfiguration\nseccompDefault: false",
    remediation: "Set `seccompDefault: true` (test workloads first: a few need `Unconfined` or a custom profile).",
    eval: |k| (k.seccomp_default != Some(true)).then(|| ("seccompDefault", "does not apply the RuntimeDefault seccomp profile by default (seccompDefault is not true)".into())),
);
