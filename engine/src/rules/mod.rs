//! Hardening rules: the posture checks Portolan evaluates (capability 1).
//!
//! Every rule is a [`Rule`]: its documentation ([`RuleInfo`], the one place its text
//! lives — the app, the CLI's `rules`/`explain`, the report and `docs/rules.md` all read
//! it) and a check function that emits [`Finding`]s. Rules live one per file or in tight
//! families; [`CATALOG`] lists them all. The Pod Security Standards are evaluated by
//! [`pss`] exactly as Kubernetes' pod-security-admission does; [`pod_security`] turns
//! its checks into rules.
//!
//! Workload rules run over [`WorkloadUnit`]s, so a finding names the controller, not
//! each replica, and points at the exact field that fails.

pub mod admission;
pub mod azure;
pub mod cloud;
pub mod cluster;
pub mod control_plane;
pub mod exemptions;
pub mod exposure;
pub mod fix;
pub mod gcp;
pub mod lifecycle;
pub mod network;
pub mod pod_security;
pub mod pss;
pub mod rbac;
pub mod score;
pub mod storage;
pub mod vulnerabilities;
pub mod workload;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::model::permissions::Permissions;
use crate::model::rbac::ServiceAccount;
use crate::model::{Inventory, WorkloadUnit};
use crate::source::Source;

/// How much a failing rule matters, in the vocabulary of the ecosystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Informational,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Informational,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Informational => "informational",
        }
    }

    /// Parses `critical`, `high`, ... (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

/// The area a rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    PodSecurity,
    Workload,
    Rbac,
    Network,
    Namespace,
    Cluster,
    /// Cloud accounts around the cluster (AWS IAM).
    Cloud,
    /// The user's own admission policies (Gatekeeper, ValidatingAdmissionPolicy).
    Policy,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::PodSecurity => "Pod Security Standards",
            Category::Workload => "Workload hardening",
            Category::Rbac => "RBAC",
            Category::Network => "Network",
            Category::Namespace => "Namespaces",
            Category::Cluster => "Cluster",
            Category::Cloud => "Cloud",
            Category::Policy => "Your policies",
        }
    }
}

/// A rule's documentation: what users read in the app, the CLI and the report.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable id (`privileged`, `hostNamespaces`, ... keep their upstream ids).
    pub id: &'static str,
    /// A recommendation in Defender's style: what should hold.
    pub title: &'static str,
    pub severity: Severity,
    pub category: Category,
    /// Resource kinds the rule applies to.
    pub kinds: &'static [&'static str],
    /// What it checks.
    pub checks: &'static str,
    /// Why a failure matters.
    pub why: &'static str,
    /// A failing example (YAML).
    pub example: &'static str,
    pub remediation: &'static str,
    /// Framework tags: `pss-baseline/privileged`, `cis-k8s/5.2.2`, `nsa-cisa`,
    /// `mitre/T1611`.
    pub frameworks: &'static [&'static str],
}

/// A rule: documentation plus the check.
pub struct Rule {
    pub info: RuleInfo,
    pub check: fn(&Context, &mut Vec<Finding>),
}

/// What rules read: the inventory, its workload units and the options.
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub units: &'a [WorkloadUnit<'a>],
    pub options: &'a RuleOptions,
    /// Pod Security Standards violations per unit, computed once for all PSS rules.
    pub(crate) pss: std::cell::OnceCell<Vec<Vec<pss::Violation>>>,
    /// Effective RBAC permissions, resolved once for all RBAC rules.
    permissions: std::cell::OnceCell<Permissions<'a>>,
    /// Control-plane components and their flags, parsed once for all their rules.
    control_plane: std::cell::OnceCell<Vec<control_plane::Instance<'a>>>,
    /// Cloud principals and their risks, judged once for all cloud rules.
    cloud: std::cell::OnceCell<Vec<cloud::Judged>>,
    /// ServiceAccounts by (namespace, name), indexed on first use: rules look up each
    /// unit's account, and a scan per unit would grow with units × accounts.
    service_accounts: std::cell::OnceCell<HashMap<(&'a str, &'a str), &'a ServiceAccount>>,
}

impl<'a> Context<'a> {
    /// Effective RBAC permissions of the inventory, resolved on first use.
    pub fn permissions(&self) -> &Permissions<'a> {
        self.permissions
            .get_or_init(|| Permissions::resolve(self.inventory))
    }

    /// The control-plane components of the inventory, parsed on first use.
    pub fn control_plane(&self) -> &[control_plane::Instance<'a>] {
        self.control_plane
            .get_or_init(|| control_plane::instances(self.inventory))
    }

    /// The ServiceAccount `name` of `namespace`, when the snapshot holds it (the first
    /// one read, as [`Inventory::extend`] keeps).
    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&'a ServiceAccount> {
        let index = self.service_accounts.get_or_init(|| {
            let mut index = HashMap::new();
            for sa in &self.inventory.service_accounts {
                index
                    .entry((sa.metadata.namespace.as_str(), sa.metadata.name.as_str()))
                    .or_insert(sa);
            }
            index
        });
        index.get(&(namespace, name)).copied()
    }

    /// The cloud principals of the inventory with their risks, judged on first use.
    pub fn cloud(&self) -> &[cloud::Judged] {
        self.cloud.get_or_init(|| cloud::judge(self.inventory))
    }
}

/// Settings that change what rules decide.
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    /// Pod Security Standards version to evaluate (`None`: latest). A namespace's
    /// `pod-security.kubernetes.io/enforce-version` label takes precedence.
    pub pss_version: Option<pss::Version>,
    /// Registries (or registry/repository prefixes) images may come from; empty means
    /// the trusted-registry rule has no allow-list and reports nothing.
    pub trusted_registries: Vec<String>,
    /// Registries (or registry/repository prefixes) images must not come from, matched
    /// like `trusted_registries`; empty means the blocked-registry rule reports nothing.
    pub blocked_registries: Vec<String>,
    /// Accepted findings; see [`exemptions`].
    pub exemptions: Vec<exemptions::Exemption>,
    /// Today's date (YYYY-MM-DD), for exemption expiry. The engine has no clock.
    pub today: Option<String>,
}

/// Kinds whose pod template the workload rules read.
pub(crate) const POD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// Shared by the engine's tests: inline YAML in, inventory or findings out.
#[cfg(test)]
pub(crate) mod testing {
    use super::{evaluate, Finding, RuleOptions};
    use crate::ingest::{parse_file, InputFile};
    use crate::model::Inventory;

    /// The finished inventory of `yaml`, which must parse cleanly.
    pub fn inventory(yaml: &str) -> Inventory {
        let parsed = parse_file(&InputFile::new("t.yaml", yaml.as_bytes().to_vec()));
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let mut inventory = Inventory::default();
        inventory.extend(parsed.objects, None);
        inventory.finish();
        inventory
    }

    /// Parses `yaml` (which must be clean) and evaluates every rule with `options`.
    pub fn findings_with(yaml: &str, options: &RuleOptions) -> Vec<Finding> {
        evaluate(&inventory(yaml), options).0
    }

    /// [`findings_with`] the default options.
    pub fn findings(yaml: &str) -> Vec<Finding> {
        findings_with(yaml, &RuleOptions::default())
    }
}

/// The resource a finding is about: for workloads, the controller.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub name: String,
    /// The cluster the resource is in, when the analysis holds several (see
    /// `ingest::partition`); empty with one cluster and for cloud resources, which all
    /// clusters share. Last, so that one cluster sorts as before.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cluster: String,
}

impl ResourceRef {
    /// `namespace/name`, or `name` for a cluster-scoped resource.
    pub fn qualified_name(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }
}

impl std::fmt::Display for ResourceRef {
    /// `Deployment shop/web`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.qualified_name())
    }
}

/// One rule failing on one resource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub resource: ResourceRef,
    /// The container concerned, when the rule is about one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub container: String,
    /// The exact field that fails, as a path in the resource
    /// (`spec.template.spec.containers[0].securityContext.privileged`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field: String,
    pub message: String,
    pub source: Source,
    /// The exemption covering this finding, when one does: the finding is shown as
    /// exempt and no longer counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<Box<exemptions::AppliedExemption>>,
    /// The change that makes the rule pass on this resource, when one can be stated
    /// exactly; see [`fix`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Box<fix::Fix>>,
}

impl Finding {
    /// What identifies the finding across two analyses of the same estate: rule,
    /// resource, container and field (not the message, severity or source line, which
    /// may move). Used by the diff and as the SARIF fingerprint.
    pub fn key(&self) -> String {
        let r = &self.resource;
        let key = format!(
            "{}|{}|{}|{}|{}|{}",
            self.rule, r.kind, r.namespace, r.name, self.container, self.field
        );
        // Only with several clusters, so one cluster's keys stay as they were.
        if r.cluster.is_empty() {
            key
        } else {
            format!("{key}|{}", r.cluster)
        }
    }

    /// A finding of `rule` on `resource`, not about one container.
    pub fn new(
        rule: &Rule,
        resource: ResourceRef,
        field: impl Into<String>,
        message: String,
        source: &Source,
    ) -> Finding {
        Finding {
            rule: rule.info.id.to_string(),
            severity: rule.info.severity,
            resource,
            container: String::new(),
            field: field.into(),
            message,
            source: source.clone(),
            exemption: None,
            fix: None,
        }
    }
}

/// A rule that does not apply to a resource by design — neither a pass nor a failure:
/// the control-plane flag rules on a managed cluster, whose control plane the provider
/// runs (see [`control_plane::not_applicable`]). Shown as its own status; the secure
/// score leaves it out.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotApplicable {
    pub rule: String,
    /// What the rule does not apply to (the cluster).
    pub resource: ResourceRef,
    /// Why, in a sentence.
    pub reason: String,
}

/// A rule with the resources it fails on: one row of the recommendation table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    pub rule: String,
    pub title: String,
    pub severity: Severity,
    pub category: Category,
    pub frameworks: Vec<String>,
    pub remediation: String,
    /// Distinct resources failing the rule, exempted ones not counted.
    pub affected: usize,
    /// Distinct resources whose finding is exempted.
    #[serde(default)]
    pub exempted: usize,
    /// Indices into `Analysis::findings`.
    pub findings: Vec<usize>,
}

/// Every rule, in catalogue order: one list per family, each family in its own module.
pub fn catalog() -> impl Iterator<Item = &'static Rule> {
    [
        pod_security::RULES,
        workload::RULES,
        rbac::RULES,
        network::RULES,
        exposure::RULES,
        cluster::RULES,
        admission::RULES,
        storage::RULES,
        vulnerabilities::RULES,
        cloud::RULES,
        gcp::RULES,
        azure::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
    .chain(control_plane::rules())
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    catalog().find(|r| r.info.id == id)
}

/// Runs every rule. Findings come back sorted (severity, rule, resource, field) so the
/// output is deterministic, with one recommendation per failing rule.
pub fn evaluate(
    inventory: &Inventory,
    options: &RuleOptions,
) -> (Vec<Finding>, Vec<Recommendation>) {
    let (findings, recommendations, _, _) = evaluate_scored(inventory, options);
    (findings, recommendations)
}

/// What evaluating the rules gives: the findings (ordered), one recommendation per
/// failing rule, the secure score, and the warnings about exemptions.
pub type Evaluated = (
    Vec<Finding>,
    Vec<Recommendation>,
    score::SecureScore,
    Vec<crate::source::Diagnostic>,
);

/// [`evaluate`], with the [`score::SecureScore`] of the result and the warnings about
/// exemptions (expired, or matching nothing).
pub fn evaluate_scored(inventory: &Inventory, options: &RuleOptions) -> Evaluated {
    evaluate_scored_with(inventory, options, ExternalFindings::default())
}

/// A rule from outside the catalogue (a user's admission policy): what its
/// recommendation says.
#[derive(Clone, Debug)]
pub struct ExternalRule {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub framework: String,
    pub remediation: String,
}

/// Findings from outside the rule catalogue (the user's admission policies, see
/// [`crate::policy`]), joined to the rules' own: sorted with them, exempted alike and
/// grouped into recommendations; in the secure score only when `scored`.
#[derive(Clone, Debug, Default)]
pub struct ExternalFindings {
    pub findings: Vec<Finding>,
    pub rules: Vec<ExternalRule>,
    pub scored: bool,
}

/// [`evaluate_scored`] with findings from outside the catalogue.
pub fn evaluate_scored_with(
    inventory: &Inventory,
    options: &RuleOptions,
    external: ExternalFindings,
) -> Evaluated {
    evaluate_units(inventory, &inventory.workload_units(), options, external)
}

/// [`evaluate_scored_with`] over the inventory's workload units already found
/// ([`Inventory::workload_units`]: conclude finds them once for every stage).
pub fn evaluate_units<'a>(
    inventory: &'a Inventory,
    units: &'a [WorkloadUnit<'a>],
    options: &'a RuleOptions,
    external: ExternalFindings,
) -> Evaluated {
    evaluate_units_tallied(inventory, units, options, external).0
}

/// [`evaluate_units`], also giving the secure score's tally of the findings, for
/// [`reexempt`] to score them under other exemptions from.
pub fn evaluate_units_tallied<'a>(
    inventory: &'a Inventory,
    units: &'a [WorkloadUnit<'a>],
    options: &'a RuleOptions,
    external: ExternalFindings,
) -> (Evaluated, score::Tally) {
    let cx = Context {
        inventory,
        units,
        options,
        pss: std::cell::OnceCell::new(),
        permissions: std::cell::OnceCell::new(),
        control_plane: std::cell::OnceCell::new(),
        cloud: std::cell::OnceCell::new(),
        service_accounts: std::cell::OnceCell::new(),
    };
    let mut findings = Vec::new();
    for rule in catalog() {
        (rule.check)(&cx, &mut findings);
    }
    findings.extend(external.findings);
    sort_findings(&mut findings);
    fix::attach(&cx, &mut findings);
    let (recommendations, score, warnings, tally) = judge(
        inventory,
        cx.units,
        &mut findings,
        options,
        &external.rules,
        external.scored,
    );
    ((findings, recommendations, score, warnings), tally)
}

/// What exempting gives, with other exemptions, for findings already evaluated (and
/// ordered) by [`evaluate_scored_with`]: their new exemption marks, and the
/// recommendations, secure score and warnings that follow. The app changes exemptions
/// far more often than the snapshot; this is a fraction of the rules' cost.
/// `recommendations` are those the same findings give as they are marked now (they name
/// the rules from outside the catalogue, and the rules none of whose findings changes
/// between counted and exempted keep their counts); `external_scored` is what
/// [`ExternalFindings::scored`] was.
pub fn reexempt(
    inventory: &Inventory,
    population: &score::Population,
    findings: &mut [Finding],
    recommendations: &[Recommendation],
    options: &RuleOptions,
    external_scored: bool,
    tally: &mut Option<score::Tally>,
) -> Reexempted {
    let external = external_rules(recommendations);
    let was: Vec<bool> = findings
        .iter_mut()
        .map(|f| f.exemption.take().is_some())
        .collect();
    let warnings = exemptions::apply(
        findings,
        &options.exemptions,
        inventory,
        options.today.as_deref(),
    );
    // The rules some finding of which turned counted or exempted.
    let mut changed: BTreeSet<&str> = BTreeSet::new();
    let mut last = None;
    for (f, &was) in findings.iter().zip(&was) {
        if f.exemption.is_some() != was && last != Some(f.rule.as_str()) {
            changed.insert(f.rule.as_str());
            last = Some(f.rule.as_str());
        }
    }
    let recommendations = if groups(recommendations, findings) {
        // Only the changed rules count again.
        let mut recommendations: Vec<Recommendation> = recommendations
            .iter()
            .map(|r| {
                let (affected, exempted) = if changed.contains(r.rule.as_str()) {
                    affected_counts(findings, &r.findings, "")
                } else {
                    (r.affected, r.exempted)
                };
                Recommendation {
                    affected,
                    exempted,
                    ..r.clone()
                }
            })
            .collect();
        sort_recommendations(&mut recommendations);
        recommendations
    } else {
        recommend(findings, &external)
    };
    let unscored = unscored_rules(&external, external_scored);
    let kept = tally
        .as_mut()
        .is_some_and(|t| t.update(findings, &unscored));
    if !kept {
        *tally = Some(score::Tally::of(findings, &unscored));
    }
    let tally = tally.get_or_insert_with(score::Tally::default);
    let secure_score = score::secure_score_tallied(inventory, population, tally);
    Reexempted {
        changed: changed.into_iter().map(str::to_string).collect(),
        recommendations,
        secure_score,
        warnings,
    }
}

/// What [`reexempt`] gives.
#[derive(Debug)]
pub struct Reexempted {
    /// The rules some finding of which turned counted or exempted, sorted: the others'
    /// recommendations count as before.
    pub changed: Vec<String>,
    pub recommendations: Vec<Recommendation>,
    pub secure_score: score::SecureScore,
    /// The warnings about exemptions (expired, or matching nothing).
    pub warnings: Vec<crate::source::Diagnostic>,
}

/// Whether `recommendations` group exactly `findings`: every finding in the one of its
/// rule, once (not so when given another list's, as for one cluster's part of them).
fn groups(recommendations: &[Recommendation], findings: &[Finding]) -> bool {
    recommendations
        .iter()
        .map(|r| r.findings.len())
        .sum::<usize>()
        == findings.len()
        && recommendations.iter().all(|r| {
            r.findings
                .iter()
                .all(|&i| findings.get(i).is_some_and(|f| f.rule == r.rule))
        })
}

/// Marks the exempted `findings`, groups them into recommendations (fully exempted
/// ones last) and scores them (findings of `external` rules only when
/// `external_scored`), giving the score's tally of them too.
fn judge(
    inventory: &Inventory,
    units: &[WorkloadUnit],
    findings: &mut [Finding],
    options: &RuleOptions,
    external: &[ExternalRule],
    external_scored: bool,
) -> (
    Vec<Recommendation>,
    score::SecureScore,
    Vec<crate::source::Diagnostic>,
    score::Tally,
) {
    let warnings = exemptions::apply(
        findings,
        &options.exemptions,
        inventory,
        options.today.as_deref(),
    );
    let recommendations = recommend(findings, external);
    let tally = score::Tally::of(findings, &unscored_rules(external, external_scored));
    let population = score::Population::of(inventory, units);
    let score = score::secure_score_tallied(inventory, &population, &tally);
    (recommendations, score, warnings, tally)
}

/// The rules whose findings the secure score leaves out: `external`'s unless
/// `external_scored`.
fn unscored_rules(external: &[ExternalRule], external_scored: bool) -> BTreeSet<String> {
    if external_scored {
        BTreeSet::new()
    } else {
        external.iter().map(|e| e.id.clone()).collect()
    }
}

/// Orders findings as every analysis lists them (severity, rule, resource, container,
/// field) and drops exact duplicates.
pub(crate) fn sort_findings(findings: &mut Vec<Finding>) {
    // Ordered by (severity, rule, resource, container, field), stably; by positions
    // (`sorting`), and by each rule's rank among the rules' names rather than its name:
    // a hundred rules for hundreds of thousands of findings.
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    rules.dedup();
    let rank: Vec<usize> = findings
        .iter()
        .map(|f| rules.binary_search(&f.rule.as_str()).unwrap_or(0))
        .collect();
    drop(rules);
    let order = crate::sorting::positions(findings.len(), |a, b| {
        let (fa, fb) = (&findings[a], &findings[b]);
        (fa.severity, rank[a], &fa.resource, &fa.container, &fa.field).cmp(&(
            fb.severity,
            rank[b],
            &fb.resource,
            &fb.container,
            &fb.field,
        ))
    });
    crate::sorting::permute(findings, order);
    findings.dedup();
}

/// The rules outside the catalogue that `recommendations` name (the user's policies).
pub(crate) fn external_rules(recommendations: &[Recommendation]) -> Vec<ExternalRule> {
    recommendations
        .iter()
        .filter(|r| rule(&r.rule).is_none())
        .map(|r| ExternalRule {
            id: r.rule.clone(),
            title: r.title.clone(),
            severity: r.severity,
            framework: r.frameworks.first().cloned().unwrap_or_default(),
            remediation: r.remediation.clone(),
        })
        .collect()
}

/// The distinct resources the findings at `indices` fail, in `cluster` (empty: every
/// cluster): (affected, exempted ones not counted; exempted, those only exempted). The
/// one count of a recommendation's affected resources, whole or for one cluster.
pub fn affected_counts(findings: &[Finding], indices: &[usize], cluster: &str) -> (usize, usize) {
    let mut affected = crate::hash::FastSet::default();
    let mut exempted = crate::hash::FastSet::default();
    for f in indices.iter().filter_map(|&i| findings.get(i)) {
        if !cluster.is_empty() && f.resource.cluster != cluster {
            continue;
        }
        if f.exemption.is_some() {
            exempted.insert(&f.resource);
        } else {
            affected.insert(&f.resource);
        }
    }
    (affected.len(), exempted.difference(&affected).count())
}

impl Recommendation {
    /// Its affected and exempted resources in `cluster` (empty: its totals).
    pub fn counts_in(&self, findings: &[Finding], cluster: &str) -> (usize, usize) {
        affected_counts(findings, &self.findings, cluster)
    }
}

/// Groups exempted and ordered `findings` into recommendations, one per rule (fully
/// exempted ones last).
pub(crate) fn recommend(findings: &[Finding], external: &[ExternalRule]) -> Vec<Recommendation> {
    let mut by_rule: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    // Findings come sorted by severity then rule: each run of one rule's findings is
    // looked up once, not each finding.
    let mut start = 0;
    while start < findings.len() {
        let rule = findings[start].rule.as_str();
        let end = findings[start..]
            .iter()
            .position(|f| f.rule != rule)
            .map_or(findings.len(), |n| start + n);
        by_rule.entry(rule).or_default().extend(start..end);
        start = end;
    }
    let mut recommendations: Vec<Recommendation> = by_rule
        .into_iter()
        .filter_map(|(id, indices)| {
            let (affected, exempted) = affected_counts(findings, &indices, "");
            let (title, severity, category, frameworks, remediation) = match rule(id) {
                Some(r) => (
                    r.info.title.to_string(),
                    r.info.severity,
                    r.info.category,
                    r.info.frameworks.iter().map(|s| s.to_string()).collect(),
                    r.info.remediation.to_string(),
                ),
                None => {
                    let e = external.iter().find(|e| e.id == id)?;
                    (
                        e.title.clone(),
                        e.severity,
                        Category::Policy,
                        vec![e.framework.clone()],
                        e.remediation.clone(),
                    )
                }
            };
            Some(Recommendation {
                rule: id.to_string(),
                title,
                severity,
                category,
                frameworks,
                remediation,
                affected,
                exempted,
                findings: indices,
            })
        })
        .collect();
    sort_recommendations(&mut recommendations);
    recommendations
}

/// Orders recommendations as every analysis lists them: by severity, then the most
/// affected resources first; fully exempted ones last.
fn sort_recommendations(recommendations: &mut [Recommendation]) {
    recommendations.sort_by(|a, b| {
        (
            a.affected == 0,
            a.severity,
            std::cmp::Reverse(a.affected),
            &a.rule,
        )
            .cmp(&(
                b.affected == 0,
                b.severity,
                std::cmp::Reverse(b.affected),
                &b.rule,
            ))
    });
}

/// The rule catalogue as Markdown: `docs/rules.md` is this text, checked by a test.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Hardening rules\n\n\
         Generated from the rule catalogue (`engine/src/rules/`) by \
         `UPDATE_DOCS=1 cargo test -p portolan-engine rules_doc`; do not edit by hand.\n\n\
         | Rule | Severity | Category | Recommendation |\n|---|---|---|---|\n",
    );
    for r in catalog() {
        let i = &r.info;
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} |",
            i.id,
            i.id.to_lowercase(),
            i.severity.as_str(),
            i.category.label(),
            i.title
        );
    }
    for r in catalog() {
        let i = &r.info;
        let _ = write!(
            out,
            "\n## {}\n\n**{}** — severity {}, {}; applies to {}.\n\n\
             **What it checks.** {}\n\n**Why it matters.** {}\n\n\
             **Failing example.**\n\n```yaml\n{}\n```\n\n**Remediation.** {}\n\n\
             **Frameworks.** {}\n",
            i.id,
            i.title,
            i.severity.as_str(),
            i.category.label(),
            i.kinds.join(", "),
            i.checks,
            i.why,
            i.example.trim_end(),
            i.remediation,
            i.frameworks
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique_and_documented() {
        let mut ids = BTreeSet::new();
        for r in catalog() {
            let i = &r.info;
            assert!(ids.insert(i.id), "duplicate rule id {}", i.id);
            for (name, text) in [
                ("title", i.title),
                ("checks", i.checks),
                ("why", i.why),
                ("example", i.example),
                ("remediation", i.remediation),
            ] {
                assert!(!text.trim().is_empty(), "{}: empty {name}", i.id);
            }
            assert!(!i.frameworks.is_empty(), "{}: no framework", i.id);
            assert!(!i.kinds.is_empty(), "{}: no kinds", i.id);
        }
    }

    /// Each rule's documented example, analysed alone (a pod spec fragment as a Pod): the
    /// rules listed must report their own example. The others' examples need a second
    /// object (a role needs a binding, a policy its pods) or input that is not YAML (a
    /// scan); listing the set keeps a change visible.
    #[test]
    fn documented_examples_give_their_finding() {
        use crate::ingest::{parse_file, InputFile};
        let mut fires = Vec::new();
        let mut silent = Vec::new();
        for r in catalog() {
            // A fragment (`spec:` of a pod) is read as a Pod.
            let example = if !r.info.example.trim_start().starts_with("spec:") {
                r.info.example.to_string()
            } else {
                format!(
                    "apiVersion: v1\nkind: Pod\nmetadata: {{name: example}}\n{}",
                    r.info.example
                )
            };
            let parsed = parse_file(&InputFile::new("example.yaml", example.as_bytes()));
            let mut inventory = crate::model::Inventory::default();
            inventory.extend(parsed.objects, None);
            inventory.finish();
            let (findings, ..) = evaluate(&inventory, &RuleOptions::default());
            if findings.iter().any(|f| f.rule == r.info.id) {
                fires.push(r.info.id);
            } else {
                silent.push(r.info.id);
            }
        }
        assert!(fires.contains(&"clusterAdminBinding"), "{fires:?}");
        assert!(fires.contains(&"namespaceAdminBinding"), "{fires:?}");
        assert_eq!(fires, EXAMPLES_THAT_FIRE, "fires: {fires:?}");
    }

    /// The rules whose documented example reports itself (see above).
    const EXAMPLES_THAT_FIRE: &[&str] = &[
        "privileged",
        "hostNamespaces",
        "hostPathVolumes",
        "hostPorts",
        "procMount_restricted",
        "seccompProfile_restricted",
        "containerRuntimeSocket",
        "hostPathSensitive",
        "hostPathWritable",
        "hostPathCloudCredentials",
        "dangerousCapabilities",
        "netRawCapability",
        "readOnlyRootFilesystem",
        "shareProcessNamespace",
        "sudoInCommand",
        "resourceRequests",
        "memoryLimits",
        "livenessProbe",
        "readinessProbe",
        "imageLatestTag",
        "imageDigest",
        "imagePullPolicy",
        "imageKnownExploitable",
        "imageEndOfLife",
        "defaultNamespace",
        "nakedPod",
        "serviceAccountToken",
        "defaultServiceAccount",
        "secretsInEnv",
        "credentialsInEnv",
        "credentialsInConfigMap",
        "clusterAdminBinding",
        "namespaceAdminBinding",
        "rbacWildcard",
        "anonymousAccess",
        "broadGroupBinding",
        "defaultServiceAccountBound",
        "namespaceWithoutNetworkPolicy",
        "workloadWithoutIngressPolicy",
        "networkPolicyAllowsAllIngress",
        "networkPolicyAllowsAllEgress",
        "ingressWithoutTls",
        "nodePortService",
        "internetFacingLoadBalancer",
        "serviceExternalIps",
        "workloadExposedOutsideCluster",
        "sensitiveInterfaceExposed",
        "loadBalancerWithoutTls",
        "gatewayWithoutTls",
        "namespaceWithoutPodSecurityEnforce",
        "apiServerPublicAccess",
        "clusterRbacDisabled",
        "clusterLocalAccounts",
        "clusterNetworkPolicyEngine",
        "eksAuditLoggingDisabled",
        "eksSecretsEncryption",
        "namespaceWithoutPolicyMechanism",
        "dashboardAccess",
        "storageClassUnencrypted",
        "storageClassCustomerManagedKey",
        "eksPrivateEndpoint",
        "eksAuthenticationConfigMap",
        "aksAzureRbac",
        "aksSecretsEncryption",
        "aksDefender",
        "aksAzurePolicy",
        "aksNodePublicIp",
        "aksAutoUpgrade",
        "gkePrivateNodes",
        "gkeWorkloadIdentity",
        "gkeShieldedNodes",
        "gkeLegacyAbac",
        "gkeLegacyClientAuth",
        "gkeBinaryAuthorization",
        "gkeLogging",
        "gkeSecretsEncryption",
        "gkeAutoUpgrade",
    ];

    #[test]
    fn rules_doc_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rules.md");
        let generated = markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &generated).expect("write docs/rules.md");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/rules.md is out of date: run `UPDATE_DOCS=1 cargo test -p portolan-engine rules_doc`"
        );
    }
}
