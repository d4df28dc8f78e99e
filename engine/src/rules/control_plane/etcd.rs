//! `etcd` flags (CIS Kubernetes Benchmark 2): TLS for clients and peers, client
//! certificate authentication, no self-signed certificates, and a CA of its own.

use super::{must_be, must_set, Component, Fail, Instance};
use crate::rules::{Category, Context, Finding, Rule, RuleInfo, Severity};

/// The family's rules, in catalogue order.
pub static RULES: &[&Rule] = &[
    &ETCD_TLS_CERTIFICATE,
    &ETCD_CLIENT_CERT_AUTH,
    &ETCD_AUTO_TLS,
    &ETCD_PEER_TLS_CERTIFICATE,
    &ETCD_PEER_CLIENT_CERT_AUTH,
    &ETCD_PEER_AUTO_TLS,
    &ETCD_UNIQUE_CA,
    &ETCD_PLAINTEXT_CLIENT_URLS,
];

macro_rules! edit {
    ($what:literal) => {
        concat!(
            "Edit `/etc/kubernetes/manifests/etcd.yaml` on each etcd member (kubeadm: `etcd.local.extraArgs`) and ",
            $what,
            "."
        )
    };
}

/// Whether etcd talks to peers at all (a single member without peer URLs has none).
fn has_peers(i: &Instance) -> bool {
    i.flags.has("listen-peer-urls")
        || i.flags.has("initial-cluster")
        || i.flags.has("initial-advertise-peer-urls")
}

flag_rule!(ETCD_TLS_CERTIFICATE, Etcd, "etcdTlsCertificate", High,
    ["cis-k8s/2.1", "nsa-cisa", "mitre/T1557"],
    title: "etcd should serve clients over TLS",
    checks: "`etcd` sets `--cert-file` and `--key-file`.",
    why: "Without a serving certificate clients talk to etcd in clear text: every object of the cluster, Secrets included, crosses the network readable.",
    example: "command:\n- etcd\n- --listen-client-urls=http://0.0.0.0:2379",
    remediation: edit!("set `--cert-file` and `--key-file` and use `https://` client URLs"),
    eval: |i| must_set(i, &["cert-file", "key-file"]),
);

flag_rule!(ETCD_CLIENT_CERT_AUTH, Etcd, "etcdClientCertAuth", Critical,
    ["cis-k8s/2.2", "nsa-cisa", "mitre/T1552"],
    title: "etcd should require client certificates",
    checks: "`etcd` runs with `--client-cert-auth=true` (the default is false).",
    why: "Without client certificate authentication anyone who reaches etcd's client port reads and writes the whole cluster state directly, bypassing authentication, RBAC, admission and the audit log.",
    example: "command:\n- etcd\n- --cert-file=/etc/kubernetes/pki/etcd/server.crt\n- --key-file=/etc/kubernetes/pki/etcd/server.key",
    remediation: edit!("set `--client-cert-auth=true` and `--trusted-ca-file` to the etcd CA"),
    eval: |i| must_be(i, "client-cert-auth", true, false),
);

flag_rule!(ETCD_AUTO_TLS, Etcd, "etcdAutoTls", Medium,
    ["cis-k8s/2.3", "nsa-cisa", "mitre/T1557"],
    title: "etcd should not use self-signed client certificates",
    checks: "`etcd` does not run with `--auto-tls=true`.",
    why: "Automatically generated self-signed certificates cannot be verified by clients, so the connection can be intercepted.",
    example: "command:\n- etcd\n- --auto-tls=true",
    remediation: edit!("remove `--auto-tls` and set `--cert-file`/`--key-file`"),
    eval: |i| must_be(i, "auto-tls", false, false),
);

flag_rule!(ETCD_PEER_TLS_CERTIFICATE, Etcd, "etcdPeerTlsCertificate", High,
    ["cis-k8s/2.4", "nsa-cisa", "mitre/T1557"],
    title: "etcd members should talk to each other over TLS",
    checks: "When etcd has peers (`--listen-peer-urls`, `--initial-cluster`), it sets `--peer-cert-file` and `--peer-key-file`.",
    why: "Replication traffic carries every write of the cluster; in clear text it exposes Secrets to anyone on the control-plane network.",
    example: "command:\n- etcd\n- --listen-peer-urls=http://10.0.0.10:2380",
    remediation: edit!("set `--peer-cert-file` and `--peer-key-file` and use `https://` peer URLs"),
    eval: |i| if has_peers(i) { must_set(i, &["peer-cert-file", "peer-key-file"]) } else { None },
);

flag_rule!(ETCD_PEER_CLIENT_CERT_AUTH, Etcd, "etcdPeerClientCertAuth", High,
    ["cis-k8s/2.5", "nsa-cisa", "mitre/T1552"],
    title: "etcd should require certificates from its peers",
    checks: "When etcd has peers, it runs with `--peer-client-cert-auth=true` (the default is false).",
    why: "Without peer authentication anything that reaches the peer port can join the cluster as a member and receive a full copy of the data.",
    example: "command:\n- etcd\n- --listen-peer-urls=https://10.0.0.10:2380\n- --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt\n- --peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
    remediation: edit!("set `--peer-client-cert-auth=true` and `--peer-trusted-ca-file`"),
    eval: |i| if has_peers(i) { must_be(i, "peer-client-cert-auth", true, false) } else { None },
);

flag_rule!(ETCD_PEER_AUTO_TLS, Etcd, "etcdPeerAutoTls", Medium,
    ["cis-k8s/2.6", "nsa-cisa", "mitre/T1557"],
    title: "etcd should not use self-signed peer certificates",
    checks: "`etcd` does not run with `--peer-auto-tls=true`.",
    why: "Self-signed peer certificates cannot be verified, so peer authentication is meaningless: any host can present one.",
    example: "command:\n- etcd\n- --peer-auto-tls=true",
    remediation: edit!("remove `--peer-auto-tls` and set `--peer-cert-file`/`--peer-key-file`"),
    eval: |i| must_be(i, "peer-auto-tls", false, false),
);

flag_rule!(ETCD_PLAINTEXT_CLIENT_URLS, Etcd, "etcdPlaintextClientUrls", High,
    ["nsa-cisa", "mitre/T1040", "mitre/T1552"],
    title: "etcd should not listen for clients over plain HTTP beyond localhost",
    checks: "No URL of `--listen-client-urls` is `http://` on an address other than loopback (`127.0.0.1`, `localhost`, `[::1]`).",
    why: "A plain-HTTP client URL skips TLS and client certificate authentication whatever the other flags say: anyone who reaches it reads and writes the whole cluster state, Secrets included.",
    example: "command:\n- etcd\n- --listen-client-urls=https://10.0.0.10:2379,http://0.0.0.0:2379",
    remediation: edit!("serve clients on `https://` URLs only (keep `http://127.0.0.1` only if a local tool needs it)"),
    eval: |i| {
        let plain: Vec<&str> = i
            .flags
            .list("listen-client-urls")
            .into_iter()
            .filter(|u| {
                u.strip_prefix("http://").is_some_and(|rest| {
                    let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
                    !super::controller_manager::loopback(host)
                })
            })
            .collect();
        (!plain.is_empty()).then(|| Fail {
            flag: "listen-client-urls",
            message: format!("accepts clients over plain HTTP on {}", plain.join(", ")),
        })
    },
);

/// CIS 2.7 compares etcd with the API server, so it is not a one-component flag rule.
pub static ETCD_UNIQUE_CA: Rule = Rule {
    info: RuleInfo {
        id: "etcdUniqueCa",
        title: "etcd should trust a CA of its own",
        severity: Severity::Medium,
        category: Category::Cluster,
        kinds: super::KINDS,
        checks: "`etcd`'s `--trusted-ca-file` is not the file the API server uses as `--client-ca-file` (compared as written, across the static pods of the snapshot).",
        why: "If etcd trusts the cluster CA, every client certificate that CA signs for the API (any kubelet, any user certificate) also authenticates to etcd, with full access to the cluster's data.",
        example: "# etcd\n- --trusted-ca-file=/etc/kubernetes/pki/ca.crt\n# kube-apiserver\n- --client-ca-file=/etc/kubernetes/pki/ca.crt",
        remediation: "Issue etcd's certificates from a dedicated CA (kubeadm uses `/etc/kubernetes/pki/etcd/ca.crt`), set `--trusted-ca-file` and `--peer-trusted-ca-file` to it, and give the API server a client certificate from that CA.",
        frameworks: &["cis-k8s/2.7", "nsa-cisa", "mitre/T1552"],
    },
    check: check_unique_ca,
};

fn check_unique_ca(cx: &Context, out: &mut Vec<Finding>) {
    let all = cx.control_plane();
    let api_cas: Vec<&str> = all
        .iter()
        .filter(|i| i.component == Component::ApiServer)
        .filter_map(|i| i.flags.non_empty("client-ca-file"))
        .collect();
    for i in all.iter().filter(|i| i.component == Component::Etcd) {
        let Some(ca) = i.flags.non_empty("trusted-ca-file") else {
            continue;
        };
        if api_cas.contains(&ca) {
            let fail = Fail {
                flag: "trusted-ca-file",
                message: format!("trusts {ca}, the CA the API server uses for client certificates"),
            };
            out.push(Finding::new(
                &ETCD_UNIQUE_CA,
                i.resource.clone(),
                i.field(fail.flag),
                format!("etcd {}", fail.message),
                i.source,
            ));
        }
    }
}
