//! Network policies of the CNI plugins: Cilium (`CiliumNetworkPolicy`,
//! `CiliumClusterwideNetworkPolicy`) and Calico (`NetworkPolicy` and
//! `GlobalNetworkPolicy` of `projectcalico.org/v3` and `crd.projectcalico.org/v1`).
//!
//! Each policy is read into the few facts the isolation rules need: for each of its
//! rules, which pods it selects and whether it puts them in default-deny for ingress
//! and for egress. The plugins' own semantics:
//!
//! - **Cilium**: a rule (`spec`, or each of `specs`) selects endpoints with
//!   `endpointSelector`, a label selector whose keys may carry a source prefix (`k8s:`,
//!   `any:`; other prefixes such as `reserved:` name non-pod identities). A namespaced
//!   policy selects pods of its own namespace; a cluster-wide one selects pods of every
//!   namespace, narrowed by the labels Cilium adds to each pod
//!   (`io.kubernetes.pod.namespace`, `io.cilium.k8s.namespace.labels.<key>`,
//!   `io.cilium.k8s.policy.serviceaccount`). A rule with a non-empty `ingress` or
//!   `ingressDeny` list enforces ingress (likewise egress), unless
//!   `enableDefaultDeny.ingress` (`.egress`) is `false`. Rules with `nodeSelector`
//!   select hosts, not pods.
//! - **Calico**: `selector` (a selector expression; empty means `all()`) selects the
//!   pods of the policy's namespace, or of every namespace that `namespaceSelector`
//!   matches for a `GlobalNetworkPolicy`; `types` says which directions it enforces and
//!   defaults to `Ingress`, plus `Egress` when egress rules are present (`Egress` alone
//!   when only egress rules are). Calico adds `projectcalico.org/namespace`,
//!   `projectcalico.org/orchestrator` and `projectcalico.org/serviceaccount` to a pod's
//!   labels, and `projectcalico.org/name` to a namespace's.
//!
//! A selector that does not parse selects nothing and is kept with its error, so that a
//! finding can say so rather than count a policy whose reach is unknown.

use crate::model::meta::SmallMap;

use serde::{Deserialize, Serialize};

use super::kinds::KindScope;
use super::meta::{lenient_string, null_default, null_vec, string_list, LabelSelector, ObjectMeta};
use crate::source::Source;

/// The CNI policy kinds Portolan reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CniKind {
    CiliumNetworkPolicy,
    CiliumClusterwideNetworkPolicy,
    CalicoNetworkPolicy,
    CalicoGlobalNetworkPolicy,
}

impl CniKind {
    /// The kind of `apiVersion`/`kind`, `None` when it is not a CNI policy.
    pub fn of(api_version: &str, kind: &str) -> Option<CniKind> {
        let group = super::kinds::group_of(api_version);
        match (group, kind) {
            ("cilium.io", "CiliumNetworkPolicy") => Some(CniKind::CiliumNetworkPolicy),
            ("cilium.io", "CiliumClusterwideNetworkPolicy") => {
                Some(CniKind::CiliumClusterwideNetworkPolicy)
            }
            ("projectcalico.org" | "crd.projectcalico.org", "NetworkPolicy") => {
                Some(CniKind::CalicoNetworkPolicy)
            }
            ("projectcalico.org" | "crd.projectcalico.org", "GlobalNetworkPolicy") => {
                Some(CniKind::CalicoGlobalNetworkPolicy)
            }
            _ => None,
        }
    }

    /// Whether the kind is cluster-scoped.
    pub fn cluster_wide(self) -> bool {
        matches!(
            self,
            CniKind::CiliumClusterwideNetworkPolicy | CniKind::CalicoGlobalNetworkPolicy
        )
    }

    /// The kind as the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            CniKind::CiliumNetworkPolicy => "CiliumNetworkPolicy",
            CniKind::CiliumClusterwideNetworkPolicy => "CiliumClusterwideNetworkPolicy",
            CniKind::CalicoNetworkPolicy => "NetworkPolicy",
            CniKind::CalicoGlobalNetworkPolicy => "GlobalNetworkPolicy",
        }
    }

    /// The scope of the kind.
    pub fn scope(self) -> KindScope {
        if self.cluster_wide() {
            KindScope::Cluster
        } else {
            KindScope::Namespaced
        }
    }
}

/// A Cilium or Calico network policy, reduced to its rules' reach.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CniPolicy {
    pub kind: CniKind,
    pub metadata: ObjectMeta,
    pub source: Source,
    pub rules: Vec<CniRule>,
}

/// One rule of a CNI policy: the pods it selects and the directions it enforces.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CniRule {
    pub selector: PodSelector,
    /// Calico `GlobalNetworkPolicy.namespaceSelector`; `None` for every namespace.
    pub namespace_selector: Option<Expr>,
    pub ingress: bool,
    pub egress: bool,
}

/// Which pods a rule selects.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum PodSelector {
    /// A Cilium `endpointSelector`, keys without their `k8s:`/`any:` prefix.
    Labels(LabelSelector),
    /// A Calico selector expression.
    Calico(Expr),
    /// Selects no pod: a host (`nodeSelector`) rule.
    Hosts,
    /// A selector that did not parse: the text and the reason.
    Invalid(String, String),
}

/// A Calico selector expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Expr {
    All,
    /// `global()`: non-namespaced endpoints only (never a pod).
    Global,
    Has(String),
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Contains(String, String),
    StartsWith(String, String),
    EndsWith(String, String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Whether the expression matches `labels`.
    pub fn matches(&self, labels: &SmallMap) -> bool {
        let get = |k: &String| labels.get(k).map(String::as_str);
        match self {
            Expr::All => true,
            Expr::Global => false,
            Expr::Has(k) => labels.contains_key(k),
            Expr::Eq(k, v) => get(k) == Some(v),
            Expr::Ne(k, v) => get(k) != Some(v),
            Expr::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Expr::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Expr::Contains(k, v) => get(k).is_some_and(|x| x.contains(v.as_str())),
            Expr::StartsWith(k, v) => get(k).is_some_and(|x| x.starts_with(v.as_str())),
            Expr::EndsWith(k, v) => get(k).is_some_and(|x| x.ends_with(v.as_str())),
            Expr::Not(e) => !e.matches(labels),
            Expr::And(a, b) => a.matches(labels) && b.matches(labels),
            Expr::Or(a, b) => a.matches(labels) || b.matches(labels),
        }
    }
}

/// A pod as the CNI plugins see it, for matching.
pub struct PodView<'a> {
    pub namespace: &'a str,
    pub namespace_labels: Option<&'a SmallMap>,
    pub labels: &'a SmallMap,
    pub service_account: &'a str,
}

impl CniPolicy {
    /// Whether any rule of the policy selects `pod` and enforces `ingress` (or, with
    /// `false`, egress) on it.
    pub fn isolates(&self, pod: &PodView, ingress: bool) -> bool {
        if !self.kind.cluster_wide() && self.metadata.namespace != pod.namespace {
            return false;
        }
        self.rules
            .iter()
            .any(|r| (if ingress { r.ingress } else { r.egress }) && self.selects(r, pod))
    }

    /// Whether some rule of the policy may apply to pods of `namespace` (for the
    /// namespace-level rule): a namespaced policy of that namespace, or a cluster-wide
    /// one whose rules can select pods there.
    pub fn covers_namespace(&self, namespace: &str, namespace_labels: Option<&SmallMap>) -> bool {
        if !self.kind.cluster_wide() {
            return self.metadata.namespace == namespace;
        }
        self.rules.iter().any(|r| {
            (r.ingress || r.egress)
                && namespace_matches(r, namespace, namespace_labels)
                && match &r.selector {
                    PodSelector::Labels(s) => {
                        // Only the namespace-identifying keys are judged here.
                        let labels = cilium_namespace_labels(namespace, namespace_labels);
                        let narrowed = LabelSelector {
                            match_labels: s
                                .match_labels
                                .iter()
                                .filter(|(k, _)| is_cilium_namespace_key(k))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect(),
                            match_expressions: s
                                .match_expressions
                                .iter()
                                .filter(|e| is_cilium_namespace_key(&e.key))
                                .cloned()
                                .collect(),
                        };
                        narrowed.matches(&labels)
                    }
                    PodSelector::Calico(e) => !matches!(e, Expr::Global),
                    PodSelector::Hosts | PodSelector::Invalid(..) => false,
                }
        })
    }

    fn selects(&self, rule: &CniRule, pod: &PodView) -> bool {
        if !namespace_matches(rule, pod.namespace, pod.namespace_labels) {
            return false;
        }
        match &rule.selector {
            PodSelector::Labels(s) => {
                let mut labels = cilium_namespace_labels(pod.namespace, pod.namespace_labels);
                labels.extend(pod.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
                labels.insert(
                    "io.cilium.k8s.policy.serviceaccount".into(),
                    pod.service_account.to_string(),
                );
                s.matches(&labels)
            }
            PodSelector::Calico(e) => {
                let mut labels = pod.labels.clone();
                labels.insert("projectcalico.org/namespace".into(), pod.namespace.into());
                labels.insert("projectcalico.org/orchestrator".into(), "k8s".into());
                labels.insert(
                    "projectcalico.org/serviceaccount".into(),
                    pod.service_account.into(),
                );
                e.matches(&labels)
            }
            PodSelector::Hosts | PodSelector::Invalid(..) => false,
        }
    }
}

fn is_cilium_namespace_key(k: &str) -> bool {
    k == "io.kubernetes.pod.namespace" || k.starts_with("io.cilium.k8s.namespace.labels.")
}

fn cilium_namespace_labels(namespace: &str, namespace_labels: Option<&SmallMap>) -> SmallMap {
    let mut labels: SmallMap = namespace_labels
        .into_iter()
        .flatten()
        .map(|(k, v)| (format!("io.cilium.k8s.namespace.labels.{k}"), v.clone()))
        .collect();
    labels.insert("io.kubernetes.pod.namespace".into(), namespace.to_string());
    labels
}

fn namespace_matches(rule: &CniRule, namespace: &str, namespace_labels: Option<&SmallMap>) -> bool {
    let Some(e) = &rule.namespace_selector else {
        return true;
    };
    let mut labels = namespace_labels.cloned().unwrap_or_default();
    labels.insert("projectcalico.org/name".into(), namespace.to_string());
    e.matches(&labels)
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// Cilium's `enableDefaultDeny`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct DefaultDeny {
    ingress: Option<bool>,
    egress: Option<bool>,
}

/// One Cilium rule, as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CiliumRuleSpec {
    endpoint_selector: Option<LabelSelector>,
    node_selector: Option<LabelSelector>,
    #[serde(deserialize_with = "null_vec")]
    ingress: Vec<serde::de::IgnoredAny>,
    #[serde(deserialize_with = "null_vec")]
    ingress_deny: Vec<serde::de::IgnoredAny>,
    #[serde(deserialize_with = "null_vec")]
    egress: Vec<serde::de::IgnoredAny>,
    #[serde(deserialize_with = "null_vec")]
    egress_deny: Vec<serde::de::IgnoredAny>,
    #[serde(deserialize_with = "null_default")]
    enable_default_deny: DefaultDeny,
}

impl CiliumRuleSpec {
    /// The rule's reach.
    pub fn into_rule(self) -> CniRule {
        let selector = match (self.endpoint_selector, self.node_selector) {
            (Some(s), _) => PodSelector::Labels(strip_prefixes(s)),
            (None, Some(_)) => PodSelector::Hosts,
            (None, None) => PodSelector::Invalid(
                String::new(),
                "neither endpointSelector nor nodeSelector".into(),
            ),
        };
        CniRule {
            selector,
            namespace_selector: None,
            ingress: (!self.ingress.is_empty() || !self.ingress_deny.is_empty())
                && self.enable_default_deny.ingress != Some(false),
            egress: (!self.egress.is_empty() || !self.egress_deny.is_empty())
                && self.enable_default_deny.egress != Some(false),
        }
    }
}

fn strip(key: &str) -> String {
    key.strip_prefix("k8s:")
        .or_else(|| key.strip_prefix("any:"))
        .unwrap_or(key)
        .to_string()
}

fn strip_prefixes(s: LabelSelector) -> LabelSelector {
    LabelSelector {
        match_labels: s
            .match_labels
            .into_iter()
            .map(|(k, v)| (strip(&k), v))
            .collect(),
        match_expressions: s
            .match_expressions
            .into_iter()
            .map(|mut e| {
                e.key = strip(&e.key);
                e
            })
            .collect(),
    }
}

/// A Calico policy spec, as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CalicoSpec {
    #[serde(deserialize_with = "lenient_string")]
    selector: String,
    #[serde(deserialize_with = "lenient_string")]
    namespace_selector: String,
    #[serde(deserialize_with = "lenient_string")]
    service_account_selector: String,
    #[serde(deserialize_with = "string_list")]
    types: Vec<String>,
    ingress: Option<Vec<serde::de::IgnoredAny>>,
    egress: Option<Vec<serde::de::IgnoredAny>>,
}

impl CalicoSpec {
    /// The policy's single rule of reach.
    pub fn into_rule(self, global: bool) -> CniRule {
        let has_ingress = self.ingress.as_ref().is_some_and(|r| !r.is_empty());
        let has_egress = self.egress.as_ref().is_some_and(|r| !r.is_empty());
        let (ingress, egress) = if self.types.is_empty() {
            (has_ingress || !has_egress, has_egress)
        } else {
            (
                self.types.iter().any(|t| t == "Ingress"),
                self.types.iter().any(|t| t == "Egress"),
            )
        };
        let mut selector = match parse(&self.selector) {
            Ok(e) => PodSelector::Calico(e),
            Err(why) => PodSelector::Invalid(self.selector.clone(), why),
        };
        if !self.service_account_selector.trim().is_empty() {
            // Service account labels are not in the snapshot's pod view: the reach
            // is known only when the expression is `all()`.
            match parse(&self.service_account_selector) {
                Ok(Expr::All) => {}
                _ => {
                    selector = PodSelector::Invalid(
                        self.service_account_selector.clone(),
                        "serviceAccountSelector on service account labels is not evaluated".into(),
                    )
                }
            }
        }
        let namespace_selector = if global && !self.namespace_selector.trim().is_empty() {
            match parse(&self.namespace_selector) {
                Ok(e) => Some(e),
                Err(why) => {
                    selector = PodSelector::Invalid(self.namespace_selector.clone(), why);
                    None
                }
            }
        } else {
            None
        };
        CniRule {
            selector,
            namespace_selector,
            ingress,
            egress,
        }
    }
}

// ---------------------------------------------------------------------------
// Calico selector expressions
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Sym(&'static str),
}

fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if let Some(sym) = ["==", "!=", "&&", "||"].into_iter().find(|s| *s == two) {
            out.push(Tok::Sym(sym));
            i += 2;
            continue;
        }
        if let Some(sym) = ["(", ")", "{", "}", ",", "!"]
            .into_iter()
            .find(|s| s.starts_with(c))
        {
            out.push(Tok::Sym(sym));
            i += 1;
            continue;
        }
        if c == '\'' || c == '"' {
            let end = chars[i + 1..]
                .iter()
                .position(|&d| d == c)
                .ok_or_else(|| format!("unterminated string at {i}"))?;
            out.push(Tok::Str(chars[i + 1..i + 1 + end].iter().collect()));
            i += end + 2;
            continue;
        }
        if c.is_ascii_alphanumeric() || "_./-".contains(c) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "_./-".contains(chars[i]))
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
            continue;
        }
        return Err(format!("unexpected `{c}` at {i}"));
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn eat(&mut self, sym: &'static str) -> bool {
        if self.peek() == Some(&Tok::Sym(sym)) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, sym: &'static str) -> Result<(), String> {
        if self.eat(sym) {
            Ok(())
        } else {
            Err(format!("expected `{sym}`"))
        }
    }
    fn word_is(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.eat("||") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        while self.eat("&&") {
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }
    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let e = self.or()?;
            self.expect(")")?;
            return Ok(e);
        }
        let word = match self.next() {
            Some(Tok::Word(w)) => w,
            other => return Err(format!("expected a label key, found {other:?}")),
        };
        if matches!(word.as_str(), "all" | "global" | "has") && self.eat("(") {
            let e = match word.as_str() {
                "all" => Expr::All,
                "global" => Expr::Global,
                _ => match self.next() {
                    Some(Tok::Word(k)) => Expr::Has(k),
                    _ => return Err("expected a label key in has()".into()),
                },
            };
            self.expect(")")?;
            return Ok(e);
        }
        if self.eat("==") {
            return Ok(Expr::Eq(word, self.string()?));
        }
        if self.eat("!=") {
            return Ok(Expr::Ne(word, self.string()?));
        }
        if self.word_is("in") {
            self.at += 1;
            return Ok(Expr::In(word, self.set()?));
        }
        if self.word_is("not") {
            self.at += 1;
            if !self.word_is("in") {
                return Err("expected `in` after `not`".into());
            }
            self.at += 1;
            return Ok(Expr::NotIn(word, self.set()?));
        }
        if self.word_is("contains") {
            self.at += 1;
            return Ok(Expr::Contains(word, self.string()?));
        }
        for (first, make) in [
            ("starts", Expr::StartsWith as fn(String, String) -> Expr),
            ("ends", Expr::EndsWith),
        ] {
            if self.word_is(first) {
                self.at += 1;
                if !self.word_is("with") {
                    return Err(format!("expected `with` after `{first}`"));
                }
                self.at += 1;
                return Ok(make(word, self.string()?));
            }
        }
        Err(format!("expected an operator after `{word}`"))
    }
    fn string(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(s),
            _ => Err("expected a quoted value".into()),
        }
    }
    fn set(&mut self) -> Result<Vec<String>, String> {
        self.expect("{")?;
        let mut values = Vec::new();
        if self.eat("}") {
            return Ok(values);
        }
        loop {
            values.push(self.string()?);
            if self.eat("}") {
                return Ok(values);
            }
            self.expect(",")?;
        }
    }
}

/// Parses a Calico selector expression; an empty one is `all()`.
pub fn parse(s: &str) -> Result<Expr, String> {
    let toks = tokens(s)?;
    if toks.is_empty() {
        return Ok(Expr::All);
    }
    let mut p = Parser { toks, at: 0 };
    let e = p.or()?;
    if p.at < p.toks.len() {
        return Err(format!("unexpected {:?}", p.toks[p.at]));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> SmallMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn calico_selectors_follow_the_documented_operators() {
        let web = labels(&[("app", "web"), ("tier", "front")]);
        let cases = [
            ("", true),
            ("all()", true),
            ("global()", false),
            ("app == 'web'", true),
            ("app == \"db\"", false),
            ("app != 'db'", true),
            ("missing != 'x'", true),
            ("has(tier)", true),
            ("!has(tier)", false),
            ("app in {'a', 'web'}", true),
            ("app not in {'web'}", false),
            ("missing not in {'web'}", true),
            ("app == 'web' && !has(tier)", false),
            ("app == 'db' || (tier == 'front' && has(app))", true),
            ("app contains 'e'", true),
            ("app starts with 'w'", true),
            ("app ends with 'x'", false),
        ];
        for (expr, want) in cases {
            let e = parse(expr).unwrap_or_else(|why| panic!("{expr}: {why}"));
            assert_eq!(e.matches(&web), want, "{expr}");
        }
    }

    #[test]
    fn malformed_calico_selectors_are_errors_not_panics() {
        for bad in [
            "app ==",
            "app = 'web'",
            "has(",
            "'web'",
            "app in {'a'",
            "app == 'web",
            "(app == 'a'",
            "app == 'a' junk",
            "ä == 'b'",
            "app not 'a'",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
