//! Run-time threat detection from Kubernetes audit logs (capability 3).
//!
//! Every detection is a [`Detection`]: its documentation ([`DetectionInfo`], the one
//! place its text lives — `docs/detections.md`, `portolan detections`/`explain`, the
//! report and the app all read it) and, for detections that judge one request alone, a
//! check over an [`AuditEvent`]. Stateful detections (bursts, enumeration, new
//! behaviour of a service account) keep bounded state in the [`Detector`] and conclude
//! when the log ends. Detections live in families, one file each; [`CATALOG`] lists
//! them all, and an alert's `type` is its detection's id (Defender's `K8S_` names).
//!
//! The [`Detector`] folds the stages of one request (one event per `auditID`, duplicates
//! across files dropped) before any detection sees it, so it can be fed events in
//! chunks from any number of files and holds only alerts and per-identity counters,
//! never the log.

pub mod access;
pub mod catalog;
pub mod cluster;
pub mod exec;
pub mod link;
pub mod network;
pub mod rbac;
pub mod system;
pub mod workload;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ingest::audit::format_time;
pub use crate::ingest::audit::{AuditEvent, AuditReader, AuditReport, Request, Stage};
use crate::rules::Severity;

pub use catalog::{detection, CATALOG};

/// A detection's documentation: what users read in the app, the CLI and the report.
#[derive(Debug)]
pub struct DetectionInfo {
    /// The alert type: `K8S_ExecIntoContainer`.
    pub id: &'static str,
    pub title: &'static str,
    /// Severity of its alerts (some checks lower or raise it for one alert).
    pub severity: Severity,
    /// MITRE ATT&CK tactic, by name (`Execution`).
    pub tactic: &'static str,
    /// MITRE ATT&CK technique ids (`T1609`).
    pub techniques: &'static [&'static str],
    /// Microsoft Threat Matrix for Kubernetes technique id (`MS-TA9006`), checked
    /// against the matrix; `None` where the matrix has no technique for it (CSRs,
    /// impersonation, port forwarding) rather than a near miss.
    pub matrix: Option<&'static str>,
    /// What it detects and why it matters.
    pub description: &'static str,
    /// Audit event fields it reads.
    pub reads: &'static [&'static str],
    /// What it ignores by default and its thresholds.
    pub defaults: &'static str,
    /// An audit event (JSON) that raises it.
    pub example: &'static str,
    pub remediation: &'static str,
}

/// A detection: documentation plus, for single-event detections, the check.
pub struct Detection {
    pub info: DetectionInfo,
    /// Judges one (folded) event; `None` for stateful detections, which the
    /// [`Detector`] runs itself.
    pub check: Option<fn(&AuditEvent, &mut Vec<Hit>)>,
}

/// One detection firing on one event.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The detection's id.
    pub id: &'static str,
    /// Set when this alert is more or less severe than the detection's default.
    pub severity: Option<Severity>,
    /// What the alert is about; the event's object when `None`.
    pub resource: Option<AlertResource>,
    /// A short note for the analyst: the command run, the role bound.
    pub detail: String,
}

impl Hit {
    /// A hit about the event's own object.
    pub fn new(id: &'static str) -> Hit {
        Hit {
            id,
            severity: None,
            resource: None,
            detail: String::new(),
        }
    }

    pub fn severity(mut self, severity: Severity) -> Hit {
        self.severity = Some(severity);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Hit {
        self.detail = detail.into();
        self
    }

    pub fn resource(mut self, resource: AlertResource) -> Hit {
        self.resource = Some(resource);
        self
    }
}

/// The resource an alert is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlertResource {
    /// Kubernetes kind (`Pod`, `ClusterRoleBinding`); `Identity` for alerts about
    /// whoever made the requests.
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl AlertResource {
    /// The object an event is about, as a kind.
    pub fn of(event: &AuditEvent) -> AlertResource {
        AlertResource {
            kind: kind_of(&event.object.resource),
            namespace: event.object.namespace.clone(),
            name: event.object.name.clone(),
        }
    }
}

/// One audit event shown as evidence of an alert (never its request or response body).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    #[serde(rename = "auditID", default, skip_serializing_if = "String::is_empty")]
    pub audit_id: String,
    /// RFC 3339, when the event has a timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    pub file: String,
    pub line: u32,
    pub verb: String,
    #[serde(rename = "requestURI")]
    pub request_uri: String,
    pub user: String,
    pub user_agent: String,
    #[serde(rename = "sourceIPs")]
    pub source_ips: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_code: Option<u16>,
}

impl Evidence {
    fn of(event: &AuditEvent) -> Evidence {
        Evidence {
            audit_id: event.audit_id.clone(),
            time: event.time.map(format_time),
            file: event.source.file.to_string(),
            line: event.source.line,
            verb: event.verb.clone(),
            request_uri: event.request_uri.clone(),
            user: event.user.clone(),
            user_agent: event.user_agent.clone(),
            source_ips: event.source_ips.clone(),
            response_code: event.code,
        }
    }
}

/// An alert: one detection firing for one identity and resource, however often.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// The detection's id (`K8S_ExecIntoContainer`).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub severity: Severity,
    /// MITRE ATT&CK tactic.
    pub tactic: String,
    /// MITRE ATT&CK technique ids.
    pub techniques: Vec<String>,
    /// RFC 3339 time of the first event, when events carry timestamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Events that raised it.
    pub count: usize,
    /// The identity that made the requests.
    pub user: String,
    pub resource: AlertResource,
    /// The cluster whose audit log raised it, when the inputs hold several: the
    /// cluster folder the log sits in (the first cluster for a log outside every
    /// cluster folder).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// A short note: the command run, the role bound, the threshold crossed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// The first events (at most [`MAX_EVIDENCE`]), earliest first.
    pub evidence: Vec<Evidence>,
    /// Ids of the snapshot's graph nodes the alert is about (a workload, its service
    /// account, a node), when a snapshot was loaded with the log.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<String>,
    /// Ids of the attack paths through those nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attack_paths: Vec<String>,
}

impl Default for Alert {
    fn default() -> Self {
        Alert {
            kind: String::new(),
            title: String::new(),
            severity: Severity::Medium,
            tactic: String::new(),
            techniques: Vec::new(),
            time: None,
            count: 0,
            user: String::new(),
            resource: AlertResource::default(),
            cluster: String::new(),
            detail: String::new(),
            evidence: Vec::new(),
            nodes: Vec::new(),
            attack_paths: Vec::new(),
        }
    }
}

impl Alert {
    /// What identifies an alert across analyses: type, user, resource and detail.
    pub fn key(&self) -> String {
        let r = &self.resource;
        format!(
            "{}|{}|{}/{}/{}|{}",
            self.kind, self.user, r.kind, r.namespace, r.name, self.detail
        )
    }

    /// The resource as `Kind namespace/name` (or `Kind name`).
    pub fn resource_label(&self) -> String {
        let r = &self.resource;
        match (r.namespace.is_empty(), r.name.is_empty()) {
            (_, true) => r.kind.clone(),
            (true, false) => format!("{} {}", r.kind, r.name),
            (false, false) => format!("{} {}/{}", r.kind, r.namespace, r.name),
        }
    }
}

/// Evidence events kept per alert.
pub const MAX_EVIDENCE: usize = 5;

/// What the audit logs of an analysis held, for timelines.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditSummary {
    /// Requests read (one per `auditID` after folding stages and duplicates).
    pub events: usize,
    /// Time of the first and last event, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
    /// Width of one timeline bucket, in seconds.
    pub bucket_seconds: i64,
    /// Events and alerts per bucket, in time order (empty buckets left out).
    pub timeline: Vec<TimelineBucket>,
}

/// Requests and alerts in one slice of time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineBucket {
    /// Start of the bucket, RFC 3339.
    pub start: String,
    pub events: usize,
    /// Alerts first raised in this bucket, per severity (`critical`, `high`, ...).
    pub alerts: BTreeMap<Severity, usize>,
}

/// Settings of the detections.
#[derive(Clone, Debug)]
pub struct DetectOptions {
    /// 401/403 responses for one identity in [`DetectOptions::window_seconds`] that make
    /// a burst.
    pub forbidden_threshold: usize,
    /// Distinct secrets read by one identity in a window that make an enumeration.
    pub secret_threshold: usize,
    /// Width of the windows of the stateful detections.
    pub window_seconds: i64,
    /// Share of the log's time span that is the service accounts' baseline.
    pub baseline_share: f64,
    /// Requests a service account must make in the baseline to be judged after it.
    pub baseline_min_events: usize,
}

impl Default for DetectOptions {
    fn default() -> Self {
        DetectOptions {
            forbidden_threshold: 20,
            secret_threshold: 10,
            window_seconds: 600,
            baseline_share: 0.5,
            baseline_min_events: 3,
        }
    }
}

#[derive(Clone, Debug, Default)]
struct AlertState {
    alert: Alert,
    first: Option<i64>,
    /// (time, file, line) of each kept evidence event, to keep the earliest.
    keys: Vec<(Option<i64>, std::sync::Arc<str>, u32)>,
}

impl AlertState {
    fn add(&mut self, event: &AuditEvent) {
        self.alert.count += 1;
        if let Some(t) = event.time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
        }
        let key = (event.time, event.source.file.clone(), event.source.line);
        if self.keys.len() < MAX_EVIDENCE || self.keys.last().is_some_and(|l| &key < l) {
            let at = self.keys.partition_point(|k| k < &key);
            if self.keys.get(at) == Some(&key) {
                return;
            }
            self.keys.insert(at, key);
            self.alert.evidence.insert(at, Evidence::of(event));
            self.keys.truncate(MAX_EVIDENCE);
            self.alert.evidence.truncate(MAX_EVIDENCE);
        }
    }
}

/// (verb, resource, namespace) → the first time and event a service account made it.
type FirstSeen = HashMap<(String, String, String), (i64, AuditEvent)>;

/// Per-window counters of the stateful detections.
#[derive(Default)]
struct WindowState {
    /// (user, window) → 401/403 responses.
    forbidden: HashMap<(String, i64), usize>,
    /// user → the first failing events, for evidence.
    forbidden_events: HashMap<String, AlertState>,
    /// (user, window) → distinct secrets read.
    secrets: HashMap<(String, i64), BTreeSet<(String, String)>>,
    secret_events: HashMap<String, AlertState>,
    /// service account → (verb, resource, namespace) → first event.
    behaviour: HashMap<String, FirstSeen>,
}

/// Runs every detection over a stream of audit events.
pub struct Detector {
    options: DetectOptions,
    /// Hashes of `auditID`s already judged (duplicates across files are dropped).
    done: HashSet<u64>,
    /// Requests seen only in an earlier stage, by `auditID` hash.
    pending: HashMap<u64, AuditEvent>,
    alerts: HashMap<(&'static str, String, AlertResource, String), AlertState>,
    windows: WindowState,
    /// Minute → events.
    minutes: BTreeMap<i64, usize>,
    events: usize,
    span: Option<(i64, i64)>,
    /// The same counts per log file, so that one cluster's logs can be told alone
    /// (`Snapshot::keep_cluster`).
    files: HashMap<String, AuditCounts>,
}

/// Requests judged from one audit log: per minute, in all, and the time they span.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditCounts {
    minutes: BTreeMap<i64, usize>,
    events: usize,
    span: Option<(i64, i64)>,
}

impl AuditCounts {
    fn add(&mut self, time: Option<i64>) {
        self.events += 1;
        if let Some(t) = time {
            *self.minutes.entry(t.div_euclid(60_000_000)).or_default() += 1;
            self.span = Some(self.span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
    }

    fn merge(&mut self, other: &AuditCounts) {
        self.events += other.events;
        for (m, n) in &other.minutes {
            *self.minutes.entry(*m).or_default() += n;
        }
        if let Some((a, b)) = other.span {
            self.span = Some(self.span.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
        }
    }
}

/// The audit summary of some logs only: their requests' counts and timeline, with
/// `alerts` (those the logs raised) on it.
pub fn summary_of<'a>(
    counts: impl IntoIterator<Item = &'a AuditCounts>,
    alerts: &[Alert],
) -> AuditSummary {
    let mut all = AuditCounts::default();
    for c in counts {
        all.merge(c);
    }
    summarize(&all.minutes, all.events, all.span, alerts)
}

impl Default for Detector {
    fn default() -> Self {
        Detector::new(DetectOptions::default())
    }
}

fn hash_id(id: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike the std hasher's seed.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Detector {
    pub fn new(options: DetectOptions) -> Detector {
        Detector {
            options,
            done: HashSet::new(),
            pending: HashMap::new(),
            alerts: HashMap::new(),
            windows: WindowState::default(),
            minutes: BTreeMap::new(),
            events: 0,
            span: None,
            files: HashMap::new(),
        }
    }

    /// Takes one event as read from a log: folds it with the other stages of its
    /// request and judges it once the request is complete.
    pub fn observe(&mut self, event: AuditEvent) {
        if event.audit_id.is_empty() {
            self.judge(event);
            return;
        }
        let key = hash_id(&event.audit_id);
        if self.done.contains(&key) {
            return;
        }
        if event.is_final() {
            self.done.insert(key);
            self.pending.remove(&key);
            self.judge(event);
        } else {
            self.pending.entry(key).or_insert(event);
        }
    }

    fn judge(&mut self, event: AuditEvent) {
        self.events += 1;
        if let Some(t) = event.time {
            *self.minutes.entry(t.div_euclid(60_000_000)).or_default() += 1;
            self.span = Some(self.span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
        match self.files.get_mut(&*event.source.file) {
            Some(counts) => counts.add(event.time),
            None => {
                let mut counts = AuditCounts::default();
                counts.add(event.time);
                self.files.insert(event.source.file.to_string(), counts);
            }
        }
        let mut hits = Vec::new();
        for detection in &CATALOG {
            if let Some(check) = detection.check {
                check(&event, &mut hits);
            }
        }
        for hit in hits {
            self.record(hit, &event);
        }
        self.stateful(event);
    }

    fn record(&mut self, hit: Hit, event: &AuditEvent) {
        let resource = hit
            .resource
            .clone()
            .unwrap_or_else(|| AlertResource::of(event));
        let key = (hit.id, event.user.clone(), resource, hit.detail.clone());
        let state = self
            .alerts
            .entry(key)
            .or_insert_with_key(|(id, user, resource, detail)| {
                let info = detection(id).map(|d| &d.info);
                AlertState {
                    alert: Alert {
                        kind: (*id).to_string(),
                        title: info.map_or("", |i| i.title).to_string(),
                        severity: hit
                            .severity
                            .or(info.map(|i| i.severity))
                            .unwrap_or(Severity::Medium),
                        tactic: info.map_or("", |i| i.tactic).to_string(),
                        techniques: info
                            .map(|i| i.techniques.iter().map(|t| t.to_string()).collect())
                            .unwrap_or_default(),
                        user: user.clone(),
                        resource: resource.clone(),
                        detail: detail.clone(),
                        ..Alert::default()
                    },
                    ..AlertState::default()
                }
            });
        state.add(event);
    }

    fn stateful(&mut self, event: AuditEvent) {
        let window = self.options.window_seconds.max(1) * 1_000_000;
        let bucket = event.time.map_or(0, |t| t.div_euclid(window));
        if event.denied() && !access::is_health_probe(&event) {
            *self
                .windows
                .forbidden
                .entry((event.user.clone(), bucket))
                .or_default() += 1;
            self.windows
                .forbidden_events
                .entry(event.user.clone())
                .or_default()
                .add(&event);
        }
        if event.succeeded()
            && event.verb == "get"
            && event.object.resource == "secrets"
            && event.object.subresource.is_empty()
            && !system::is_system_event(&event)
        {
            let set = self
                .windows
                .secrets
                .entry((event.user.clone(), bucket))
                .or_default();
            set.insert((event.object.namespace.clone(), event.object.name.clone()));
            self.windows
                .secret_events
                .entry(event.user.clone())
                .or_default()
                .add(&event);
        }
        if let (Some(t), Some(_)) = (event.time, system::service_account(&event.user)) {
            if event.succeeded() && !system::is_system_identity(&event.user) {
                let what = (
                    event.verb.clone(),
                    if event.object.subresource.is_empty() {
                        event.object.resource.clone()
                    } else {
                        format!("{}/{}", event.object.resource, event.object.subresource)
                    },
                    event.object.namespace.clone(),
                );
                let seen = self
                    .windows
                    .behaviour
                    .entry(event.user.clone())
                    .or_default();
                match seen.get_mut(&what) {
                    Some(first) if first.0 <= t => {}
                    _ => {
                        seen.insert(what, (t, event));
                    }
                }
            }
        }
    }

    /// Ends the log: judges requests never seen complete and concludes the stateful
    /// detections. Alerts come sorted by severity, time, type, user and resource.
    pub fn finish(self) -> (Vec<Alert>, AuditSummary) {
        let (alerts, summary, _) = self.finish_by_file();
        (alerts, summary)
    }

    /// [`Detector::finish`], with the requests counted per log file (see
    /// [`summary_of`]).
    pub fn finish_by_file(mut self) -> (Vec<Alert>, AuditSummary, BTreeMap<String, AuditCounts>) {
        let mut pending: Vec<AuditEvent> =
            std::mem::take(&mut self.pending).into_values().collect();
        pending.sort_by(|a, b| {
            (a.time, &a.source.file, a.source.line).cmp(&(b.time, &b.source.file, b.source.line))
        });
        for event in pending {
            self.judge(event);
        }
        self.conclude_windows();
        let mut alerts: Vec<Alert> = self
            .alerts
            .into_values()
            .map(|mut s| {
                s.alert.time = s.first.map(format_time);
                s.alert
            })
            .collect();
        sort_alerts(&mut alerts);
        let summary = summarize(&self.minutes, self.events, self.span, &alerts);
        let files = self.files.into_iter().collect();
        (alerts, summary, files)
    }

    fn conclude_windows(&mut self) {
        let opts = self.options.clone();
        let windows = std::mem::take(&mut self.windows);
        let mut burst_users = BTreeSet::new();
        for ((user, bucket), n) in &windows.forbidden {
            let next = windows
                .forbidden
                .get(&(user.clone(), bucket + 1))
                .copied()
                .unwrap_or(0);
            if *n >= opts.forbidden_threshold || n + next >= opts.forbidden_threshold {
                burst_users.insert(user.clone());
            }
        }
        for user in burst_users {
            let total: usize = windows
                .forbidden
                .iter()
                .filter(|((u, _), _)| *u == user)
                .map(|(_, n)| n)
                .sum();
            if let Some(state) = windows.forbidden_events.get(&user) {
                self.insert_stateful(
                    "K8S_ForbiddenBurst",
                    &user,
                    AlertResource {
                        kind: "Identity".into(),
                        namespace: String::new(),
                        name: user.clone(),
                    },
                    format!(
                        "{total} requests refused (401/403); threshold {} in {} s",
                        opts.forbidden_threshold, opts.window_seconds
                    ),
                    state,
                    total,
                );
            }
        }
        let mut enumerators: BTreeMap<String, usize> = BTreeMap::new();
        for ((user, bucket), set) in &windows.secrets {
            let next = windows.secrets.get(&(user.clone(), bucket + 1));
            let joint = next.map_or(set.len(), |n| set.union(n).count());
            if set.len() >= opts.secret_threshold || joint >= opts.secret_threshold {
                let e = enumerators.entry(user.clone()).or_default();
                *e = (*e).max(joint);
            }
        }
        for (user, distinct) in enumerators {
            if let Some(state) = windows.secret_events.get(&user) {
                self.insert_stateful(
                    "K8S_SecretEnumeration",
                    &user,
                    AlertResource {
                        kind: "Secret".into(),
                        namespace: String::new(),
                        name: String::new(),
                    },
                    format!(
                        "{distinct} distinct secrets read within {} s",
                        2 * opts.window_seconds
                    ),
                    state,
                    distinct,
                );
            }
        }
        if let Some((start, end)) = self.span {
            let cut = start + ((end - start) as f64 * opts.baseline_share) as i64;
            let mut users: Vec<&String> = windows.behaviour.keys().collect();
            users.sort();
            for user in users {
                let seen = &windows.behaviour[user];
                let baseline = seen.values().filter(|(t, _)| *t <= cut).count();
                if baseline < opts.baseline_min_events.min(seen.len()) || baseline == 0 {
                    continue;
                }
                let mut new: Vec<&(i64, AuditEvent)> =
                    seen.values().filter(|(t, _)| *t > cut).collect();
                if new.is_empty() {
                    continue;
                }
                new.sort_by(|a, b| {
                    (a.0, &a.1.source.file, a.1.source.line).cmp(&(
                        b.0,
                        &b.1.source.file,
                        b.1.source.line,
                    ))
                });
                let mut state = AlertState::default();
                for (_, e) in &new {
                    state.add(e);
                }
                let mut what: Vec<String> = new
                    .iter()
                    .map(|(_, e)| {
                        let mut s = format!("{} {}", e.verb, e.object.resource);
                        if !e.object.subresource.is_empty() {
                            s.push('/');
                            s.push_str(&e.object.subresource);
                        }
                        s
                    })
                    .collect();
                what.dedup();
                let (ns, name) = system::service_account(user).unwrap_or_default();
                self.insert_stateful(
                    "K8S_NewServiceAccountBehavior",
                    user,
                    AlertResource {
                        kind: "ServiceAccount".into(),
                        namespace: ns.to_string(),
                        name: name.to_string(),
                    },
                    format!("first seen after its baseline: {}", what.join(", ")),
                    &state,
                    new.len(),
                );
            }
        }
    }

    fn insert_stateful(
        &mut self,
        id: &'static str,
        user: &str,
        resource: AlertResource,
        detail: String,
        events: &AlertState,
        count: usize,
    ) {
        let Some(d) = detection(id) else { return };
        let mut state = events.clone();
        state.alert = Alert {
            kind: id.to_string(),
            title: d.info.title.to_string(),
            severity: d.info.severity,
            tactic: d.info.tactic.to_string(),
            techniques: d.info.techniques.iter().map(|t| t.to_string()).collect(),
            count,
            user: user.to_string(),
            resource: resource.clone(),
            detail: detail.clone(),
            evidence: events.alert.evidence.clone(),
            ..Alert::default()
        };
        self.alerts
            .insert((id, user.to_string(), resource, detail), state);
    }
}

/// Sorts alerts by severity, time, type, user, resource and detail.
pub fn sort_alerts(alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| {
        (
            a.severity,
            &a.time,
            &a.kind,
            &a.user,
            &a.resource,
            &a.detail,
        )
            .cmp(&(
                b.severity,
                &b.time,
                &b.kind,
                &b.user,
                &b.resource,
                &b.detail,
            ))
    });
}

/// Buckets the per-minute counts into at most about 120 buckets.
fn summarize(
    minutes: &BTreeMap<i64, usize>,
    events: usize,
    span: Option<(i64, i64)>,
    alerts: &[Alert],
) -> AuditSummary {
    let mut summary = AuditSummary {
        events,
        first: span.map(|s| format_time(s.0)),
        last: span.map(|s| format_time(s.1)),
        bucket_seconds: 60,
        timeline: Vec::new(),
    };
    let Some((start, end)) = span else {
        return summary;
    };
    let span_minutes = (end - start) / 60_000_000 + 1;
    let widths = [1, 5, 10, 15, 30, 60, 120, 360, 720, 1440, 10080];
    let width = widths
        .iter()
        .copied()
        .find(|w| span_minutes / w <= 120)
        .unwrap_or(10080 * ((span_minutes / 10080 / 120) + 1));
    summary.bucket_seconds = width * 60;
    let mut buckets: BTreeMap<i64, TimelineBucket> = BTreeMap::new();
    for (minute, n) in minutes {
        let b = minute.div_euclid(width);
        buckets
            .entry(b)
            .or_insert_with(|| TimelineBucket {
                start: format_time(b * width * 60_000_000),
                ..TimelineBucket::default()
            })
            .events += n;
    }
    for alert in alerts {
        let Some(t) = alert
            .time
            .as_deref()
            .and_then(crate::ingest::audit::parse_time)
        else {
            continue;
        };
        let b = t.div_euclid(60_000_000).div_euclid(width);
        *buckets
            .entry(b)
            .or_insert_with(|| TimelineBucket {
                start: format_time(b * width * 60_000_000),
                ..TimelineBucket::default()
            })
            .alerts
            .entry(alert.severity)
            .or_default() += 1;
    }
    summary.timeline = buckets.into_values().collect();
    summary
}

/// The Kubernetes kind of a plural resource name.
pub fn kind_of(resource: &str) -> String {
    let known = [
        ("pods", "Pod"),
        ("deployments", "Deployment"),
        ("replicasets", "ReplicaSet"),
        ("statefulsets", "StatefulSet"),
        ("daemonsets", "DaemonSet"),
        ("jobs", "Job"),
        ("cronjobs", "CronJob"),
        ("replicationcontrollers", "ReplicationController"),
        ("services", "Service"),
        ("configmaps", "ConfigMap"),
        ("secrets", "Secret"),
        ("serviceaccounts", "ServiceAccount"),
        ("roles", "Role"),
        ("clusterroles", "ClusterRole"),
        ("rolebindings", "RoleBinding"),
        ("clusterrolebindings", "ClusterRoleBinding"),
        ("nodes", "Node"),
        ("namespaces", "Namespace"),
        ("events", "Event"),
        ("certificatesigningrequests", "CertificateSigningRequest"),
        (
            "mutatingwebhookconfigurations",
            "MutatingWebhookConfiguration",
        ),
        (
            "validatingwebhookconfigurations",
            "ValidatingWebhookConfiguration",
        ),
        ("ingresses", "Ingress"),
        ("persistentvolumes", "PersistentVolume"),
        ("persistentvolumeclaims", "PersistentVolumeClaim"),
    ];
    known
        .iter()
        .find(|(r, _)| *r == resource)
        .map_or_else(|| resource.to_string(), |(_, k)| (*k).to_string())
}

/// Runs the detections over whole audit logs held in memory (tests, small inputs).
pub fn detect_files(files: &[(&str, &[u8])]) -> (Vec<Alert>, AuditSummary, Vec<AuditReport>) {
    let mut detector = Detector::default();
    let mut reports = Vec::new();
    for (path, bytes) in files {
        let report = crate::ingest::audit::read_all(path, bytes, &mut |e| detector.observe(e));
        reports.push(report);
    }
    let (alerts, summary) = detector.finish();
    (alerts, summary, reports)
}
