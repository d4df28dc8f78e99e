//! Tests of the audit log reader: envelopes, ragged input, folding, secret stripping.

use super::*;

fn read(text: &str) -> (Vec<AuditEvent>, AuditReport) {
    let mut events = Vec::new();
    let report = read_all("audit.log", text.as_bytes(), &mut |e| events.push(e));
    (events, report)
}

/// Reads `text` in chunks of `size` bytes.
fn read_chunked(text: &str, size: usize) -> (Vec<AuditEvent>, AuditReport) {
    let mut events = Vec::new();
    let mut reader = AuditReader::new("audit.log");
    for chunk in text.as_bytes().chunks(size) {
        reader.feed(chunk, &mut |e| events.push(e));
    }
    let report = reader.finish(&mut |e| events.push(e));
    (events, report)
}

const EXEC: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"11111111-1","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/prod/pods/api-1/exec?command=sh&command=-c&command=cat%20%2Fetc%2Fpasswd&container=api&stdin=true","verb":"create","user":{"username":"alice","groups":["dev","system:authenticated"]},"sourceIPs":["203.0.113.4","10.0.0.1"],"userAgent":"kubectl/v1.30.2","objectRef":{"resource":"pods","namespace":"prod","name":"api-1","apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2026-11-29T10:00:00.123456Z","stageTimestamp":"2026-11-29T10:00:00.200000Z"}"#;

#[test]
fn json_lines_with_blank_lines_and_no_final_newline() {
    let text = format!("\n{EXEC}\n\n   \n{}", EXEC.replace("11111111-1", "2"));
    let (events, report) = read(&text);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(events.len(), 2);
    let e = &events[0];
    assert_eq!(e.source.line, 2);
    assert_eq!(events[1].source.line, 5);
    assert_eq!(e.audit_id, "11111111-1");
    assert_eq!(e.stage, Stage::ResponseStarted);
    assert_eq!(e.code, Some(101));
    assert!(e.succeeded() && e.is_final());
    assert_eq!(e.command, ["sh", "-c", "cat /etc/passwd"]);
    assert_eq!(e.source_ips, ["203.0.113.4", "10.0.0.1"]);
    assert_eq!(e.object.subresource, "exec");
    assert_eq!(format_time(e.time.unwrap()), "2026-11-29T10:00:00.123456Z");
}

#[test]
fn chunks_of_any_size_read_the_same() {
    let text = format!(
        "{EXEC}\n{}\n{}",
        EXEC.replace("11111111-1", "2"),
        EXEC.replace("11111111-1", "3")
    );
    let (whole, _) = read(&text);
    for size in [1, 7, 64, 1000] {
        let (chunked, report) = read_chunked(&text, size);
        assert!(report.diagnostics.is_empty());
        assert_eq!(chunked, whole, "chunk size {size}");
    }
    // An EventList spread over lines is read whole, whatever the chunking.
    let list = format!(
        "{{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"items\": [\n{EXEC},\n{}\n]\n}}\n",
        EXEC.replace("11111111-1", "2")
    );
    let (events, report) = read_chunked(&list, 13);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].source.line, 5);
    assert_eq!(events[1].source.line, 6);
}

#[test]
fn arrays_and_stripped_events() {
    let stripped = r#"{"auditID":"x","verb":"get","requestURI":"/api/v1/namespaces/a/secrets/s","user":{"username":"bob"},"responseStatus":{"code":200}}"#;
    let (events, report) = read(&format!("[{stripped}, {EXEC}]"));
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(events.len(), 2);
    // No objectRef: filled from the request URI.
    assert_eq!(events[0].object.resource, "secrets");
    assert_eq!(events[0].object.namespace, "a");
    assert_eq!(events[0].object.name, "s");
    assert_eq!(events[0].stage, Stage::ResponseComplete);
}

#[test]
fn ragged_timestamps_and_v1beta1() {
    for (raw, want) in [
        ("2022-11-29 00:09:04.38", "2022-11-29T00:09:04.38Z"),
        (
            "2022-11-29T00:09:04.123456789Z",
            "2022-11-29T00:09:04.123456Z",
        ),
        ("2022-11-29T02:09:04+02:00", "2022-11-29T00:09:04Z"),
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
    ] {
        assert_eq!(
            parse_time(raw).map(format_time).as_deref(),
            Some(want),
            "{raw}"
        );
    }
    assert_eq!(parse_time("yesterday"), None);
    assert_eq!(parse_time("2022-13-01T00:00:00Z"), None);
    let beta = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","metadata":{"creationTimestamp":"2019-01-01T00:00:00Z"},"timestamp":"2019-01-01T00:00:01Z","auditID":"b","stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"u"},"sourceIPs":["1.2.3.4"],"responseStatus":{"code":200}}"#;
    let (events, _) = read(beta);
    assert_eq!(
        events[0].time.map(format_time).as_deref(),
        Some("2019-01-01T00:00:01Z")
    );
}

#[test]
fn non_events_are_located_warnings_and_garbage_never_panics() {
    let text =
        format!("{EXEC}\n{{\"kind\":\"Pod\",\"metadata\":{{}}}}\n42\nnot json\n{{\"user\": 5}}\n");
    let (events, report) = read(&text);
    assert_eq!(events.len(), 1);
    let lines: Vec<u32> = report.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, [2, 3, 4, 5], "{:?}", report.diagnostics);
    for bad in [
        "{",
        "[",
        "{\"items\": 3}",
        "{\"records\": [1, {\"properties\": 2}]}",
        "\u{0}\u{1}",
        "{\"message\": \"{\\\"auditID\"}",
    ] {
        let _ = read(bad);
        let _ = read_chunked(bad, 1);
    }
}

#[test]
fn generate_name_and_response_name_and_exec_body() {
    let create = r#"{"auditID":"g","verb":"create","requestURI":"/api/v1/namespaces/ci/pods","user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"ci"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"generateName":"runner-"},"spec":{"containers":[{"name":"c","image":"alpine"}]}},"responseObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"runner-x7k2p"}}}"#;
    let (events, _) = read(create);
    assert_eq!(events[0].object.name, "runner-x7k2p");
    assert!(matches!(&events[0].request, Request::Pod(p) if p.spec.containers.len() == 1));
    let only_generate = create.replace(
        r#","responseObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"runner-x7k2p"}}"#,
        "",
    );
    let (events, _) = read(&only_generate);
    assert_eq!(events[0].object.name, "runner-");
    let exec_body = r#"{"auditID":"e","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/a/pods/p/exec","user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"a","name":"p","subresource":"exec"},"responseStatus":{"code":101},"requestObject":{"kind":"PodExecOptions","apiVersion":"v1","command":["tar","cf","-","/data"]}}"#;
    let (events, _) = read(exec_body);
    assert_eq!(events[0].command, ["tar", "cf", "-", "/data"]);
    let null_body = r#"{"auditID":"n","verb":"create","user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"a"},"requestObject":null}"#;
    let (events, report) = read(null_body);
    assert!(report.diagnostics.is_empty());
    assert_eq!(events[0].request, Request::None);
}

#[test]
fn aks_records_alone_and_wrapped() {
    let log = serde_json::to_string(EXEC).unwrap();
    let wrapped = format!(
        r#"{{"records":[{{"time":"2026-11-29T10:00:00Z","category":"kube-audit","operationName":"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read","properties":{{"log":{log},"stream":"stdout","pod":"kube-apiserver-x"}}}},{{"category":"kube-audit-admin","properties":{{"log":{}}}}}]}}"#,
        serde_json::to_string(&EXEC.replace("11111111-1", "2")).unwrap()
    );
    assert!(sniff(&wrapped));
    let (events, report) = read(&wrapped);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].command, ["sh", "-c", "cat /etc/passwd"]);
    let single = format!(r#"{{"category":"kube-audit","properties":{{"log":{log}}}}}"#);
    assert!(sniff(&single));
    let (events, _) = read(&single);
    assert_eq!(events.len(), 1);
}

#[test]
fn eks_cloudwatch_lines_and_filter_log_events() {
    let message = serde_json::to_string(EXEC).unwrap();
    let lines = format!("{{\"@timestamp\":\"2026-11-29 10:00:00.000\",\"@message\":{message}}}\n{{\"timestamp\":1764410400000,\"message\":{}}}\n", serde_json::to_string(&EXEC.replace("11111111-1", "2")).unwrap());
    assert!(sniff(&lines));
    let (events, report) = read(&lines);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].source.line, 2);
    let filter = format!(
        r#"{{"events":[{{"logStreamName":"kube-apiserver-audit-abc","timestamp":1764410400000,"message":{message},"ingestionTime":1764410401000,"eventId":"1"}}],"searchedLogStreams":[]}}"#
    );
    assert!(sniff(&filter));
    let (events, _) = read(&filter);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].user, "alice");
}

const GKE: &str = r#"{"insertId":"abc","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","operation":{"first":true,"id":"op-1","last":true,"producer":"k8s.io"},"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{"principalEmail":"mallory@example.com"},"authorizationInfo":[{"granted":true,"permission":"io.k8s.core.v1.pods.exec.create","resource":"core/v1/namespaces/prod/pods/api-1/exec"}],"methodName":"io.k8s.core.v1.pods.exec.create","requestMetadata":{"callerIp":"198.51.100.9","callerSuppliedUserAgent":"kubectl/v1.30.0"},"resourceName":"core/v1/namespaces/prod/pods/api-1/exec","serviceName":"k8s.io","status":{"code":0}},"receiveTimestamp":"2026-11-29T10:00:01Z","resource":{"type":"k8s_cluster"},"timestamp":"2026-11-29T10:00:00.5Z"}"#;

#[test]
fn gke_cloud_audit_logs() {
    assert!(sniff(GKE));
    let (events, report) = read(GKE);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let e = &events[0];
    assert_eq!(
        (
            e.verb.as_str(),
            e.object.resource.as_str(),
            e.object.subresource.as_str()
        ),
        ("create", "pods", "exec")
    );
    assert_eq!(
        (e.object.namespace.as_str(), e.object.name.as_str()),
        ("prod", "api-1")
    );
    assert_eq!(e.user, "mallory@example.com");
    assert_eq!(e.source_ips, ["198.51.100.9"]);
    assert_eq!(e.user_agent, "kubectl/v1.30.0");
    assert_eq!(e.audit_id, "op-1");
    assert_eq!(e.code, Some(200));
    // Denied by gRPC status 7; cluster-scoped; anonymous by authority selector; callerIP.
    let denied = r#"{"protoPayload":{"authenticationInfo":{"authoritySelector":"anonymous"},"methodName":"io.k8s.authorization.rbac.v1.clusterrolebindings.create","requestMetadata":{"callerIP":"203.0.113.1"},"resourceName":"rbac.authorization.k8s.io/v1/clusterrolebindings/x","status":{"code":7,"message":"PERMISSION_DENIED"}},"timestamp":"2026-11-29T10:00:00Z"}"#;
    let (events, _) = read(denied);
    let e = &events[0];
    assert_eq!(e.code, Some(403));
    assert_eq!(e.user, "system:anonymous");
    assert_eq!(e.object.api_group, "rbac.authorization.k8s.io");
    assert_eq!(
        (
            e.object.resource.as_str(),
            e.object.name.as_str(),
            e.object.namespace.as_str()
        ),
        ("clusterrolebindings", "x", "")
    );
    assert_eq!(e.source_ips, ["203.0.113.1"]);
    let refused = r#"{"protoPayload":{"authenticationInfo":{"principalEmail":"a@b.c"},"authorizationInfo":[{"granted":false}],"methodName":"io.k8s.core.v1.secrets.list"},"timestamp":"2026-11-29T10:00:00Z"}"#;
    assert_eq!(read(refused).0[0].code, Some(403));
    let failure = r#"{"protoPayload":{"methodName":"io.k8s.core.v1.pods.create","response":{"status":"Failure","code":422}}}"#;
    assert_eq!(read(failure).0[0].code, Some(422));
    // Minimal: no serviceName, resourceName or status.
    let minimal = r#"{"protoPayload":{"methodName":"io.k8s.core.v1.namespaces.delete"}}"#;
    let (events, report) = read(minimal);
    assert!(report.diagnostics.is_empty());
    assert_eq!(
        (events[0].verb.as_str(), events[0].object.resource.as_str()),
        ("delete", "namespaces")
    );
}

#[test]
fn sniff_tells_audit_logs_from_snapshots() {
    assert!(sniff(EXEC));
    assert!(sniff(&EXEC[..EXEC.len() / 2]));
    assert!(sniff(
        r#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}"#
    ));
    assert!(sniff(&format!("[{EXEC}]")));
    assert!(!sniff(
        r#"{"kind":"List","apiVersion":"v1","items":[{"kind":"Event","apiVersion":"v1","metadata":{"name":"e"},"reason":"Pulled"}]}"#
    ));
    assert!(!sniff(
        r#"{"kind":"ConfigMap","apiVersion":"v1","data":{"policy":"apiVersion: audit.k8s.io/v1\nkind: Policy"}}"#
    ));
    assert!(!sniff("apiVersion: v1\nkind: Pod\n"));
}

/// A RequestResponse-level Secret create and get: the values reach no event.
pub(crate) const SECRET_EVENTS: &str = concat!(
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/secrets","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"secrets","namespace":"prod","name":"db"},"responseStatus":{"code":201},"requestObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db"},"type":"Opaque","data":{"password":"U1VQRVJTRUNSRVRWQUxVRTE="},"stringData":{"token":"SUPERSECRETVALUE2"}},"responseObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db"},"data":{"password":"U1VQRVJTRUNSRVRWQUxVRTE="}},"requestReceivedTimestamp":"2026-11-29T10:00:00Z"}"#,
    "\n",
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s2","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/prod/secrets/db","verb":"get","user":{"username":"system:serviceaccount:ci:deployer"},"userAgent":"kubectl/v1.30.0","sourceIPs":["203.0.113.50"],"objectRef":{"resource":"secrets","namespace":"prod","name":"db"},"responseStatus":{"code":200},"responseObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db"},"data":{"password":"U1VQRVJTRUNSRVRWQUxVRTE="}},"requestReceivedTimestamp":"2026-11-29T10:00:01Z"}"#,
    "\n",
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s3","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/ci/serviceaccounts/deployer/token","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"serviceaccounts","namespace":"ci","name":"deployer","subresource":"token"},"responseStatus":{"code":201},"responseObject":{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","status":{"token":"eyJhbGciOiJSUzI1NiJ9.SUPERSECRETVALUE3.sig","expirationTimestamp":"2026-11-29T11:00:00Z"}},"requestReceivedTimestamp":"2026-11-29T10:00:02Z"}"#,
    "\n",
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s4","stage":"ResponseComplete","requestURI":"/apis/certificates.k8s.io/v1/certificatesigningrequests","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"certificatesigningrequests","apiGroup":"certificates.k8s.io","name":"me"},"responseStatus":{"code":201},"requestObject":{"kind":"CertificateSigningRequest","apiVersion":"certificates.k8s.io/v1","metadata":{"name":"me"},"spec":{"request":"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS1TVVBFUlNFQ1JFVFZBTFVFNA==","signerName":"kubernetes.io/kube-apiserver-client","usages":["client auth"]},"status":{"certificate":"SUPERSECRETVALUE5"}},"requestReceivedTimestamp":"2026-11-29T10:00:03Z"}"#,
    "\n",
    r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"s5","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/web/configmaps","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"configmaps","namespace":"web","name":"app"},"responseStatus":{"code":201},"requestObject":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"app"},"data":{"db_password":"SUPERSECRETVALUE6","mode":"fast"}},"requestReceivedTimestamp":"2026-11-29T10:00:04Z"}"#,
    "\n"
);

/// The secret values of [`SECRET_EVENTS`].
pub(crate) const SECRET_VALUES: &[&str] = &[
    "SUPERSECRETVALUE",
    "U1VQRVJTRUNSRVRWQUxVRTE",
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNU",
];

#[test]
fn secret_values_never_reach_events() {
    let (events, report) = read(SECRET_EVENTS);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(events.len(), 5);
    let dump = format!("{events:?}");
    for value in SECRET_VALUES {
        assert!(!dump.contains(value), "{value} leaked into {dump}");
    }
    assert_eq!(events[0].request, Request::SecretType("Opaque".into()));
    assert!(
        matches!(&events[3].request, Request::Csr { signer, .. } if signer == "kubernetes.io/kube-apiserver-client")
    );
    assert_eq!(
        events[4].request,
        Request::ConfigMap {
            credentials: vec![("db_password".into(), "password")]
        }
    );
}

#[test]
fn credential_classifier() {
    for (k, v) in [
        ("db_password", "hunter2hunter2"),
        ("anything", "-----BEGIN RSA PRIVATE KEY-----\nMIIE"),
        ("aws", "AKIAIOSFODNN7EXAMPLE"),
        ("url", "postgres://app:s3cret@db:5432/app"),
        ("app.properties", "db.user=app\ndb.password=s3cret"),
        ("GITHUB", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
    ] {
        assert!(credential_kind(k, v).is_some(), "{k}={v}");
    }
    for (k, v) in [
        ("password_file", "/etc/secret/password"),
        ("token_ttl", "1h"),
        ("mode", "fast"),
        ("password", ""),
        ("secret_name", "${DB_SECRET}"),
        ("url", "https://example.com/path"),
    ] {
        assert_eq!(credential_kind(k, v), None, "{k}={v}");
    }
}
