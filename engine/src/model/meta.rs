//! Object metadata and the small value types every Kubernetes kind shares.
//!
//! These are the "raw" serde shapes of the snapshot, kept close to the Kubernetes API
//! field names. Deserialisation is lenient where real exports are sloppy (a label value
//! written as a YAML number still loads) and strict nowhere else.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The annotation `kubectl apply` writes: a full copy of the applied object, Secret
/// data included. It is dropped at parse time for every kind.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `metadata` of any object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectMeta {
    #[serde(deserialize_with = "lenient_string")]
    pub name: String,
    #[serde(deserialize_with = "lenient_string")]
    pub generate_name: String,
    #[serde(deserialize_with = "lenient_string")]
    pub namespace: String,
    #[serde(deserialize_with = "lenient_string")]
    pub uid: String,
    #[serde(deserialize_with = "lenient_string")]
    pub creation_timestamp: String,
    pub labels: SmallMap,
    #[serde(deserialize_with = "annotations")]
    pub annotations: SmallMap,
    #[serde(deserialize_with = "null_vec")]
    pub owner_references: Vec<OwnerReference>,
}

impl ObjectMeta {
    /// The owner reference marked `controller: true`, if any.
    pub fn controller(&self) -> Option<&OwnerReference> {
        self.owner_references
            .iter()
            .find(|o| o.controller == Some(true))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OwnerReference {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub uid: String,
    pub controller: Option<bool>,
}

/// A label selector (`matchLabels` and `matchExpressions`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelSelector {
    pub match_labels: SmallMap,
    #[serde(deserialize_with = "null_vec")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LabelSelectorRequirement {
    pub key: String,
    pub operator: String,
    #[serde(deserialize_with = "string_list")]
    pub values: Vec<String>,
}

/// Items (by index) per `(namespace, label key, label value)`, to find what an
/// equality selector (a Service's `spec.selector`) selects without testing every item of
/// its namespace: the candidates are the items carrying the selector's rarest pair.
pub struct LabelIndex<'a> {
    labels: Vec<&'a SmallMap>,
    by_label: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
}

impl<'a> LabelIndex<'a> {
    /// Indexes `(namespace, labels)` of each item, in order.
    pub fn new(items: impl IntoIterator<Item = (&'a str, &'a SmallMap)>) -> Self {
        let mut index = LabelIndex {
            labels: Vec::new(),
            by_label: HashMap::new(),
        };
        for (i, (namespace, labels)) in items.into_iter().enumerate() {
            index.labels.push(labels);
            for (k, v) in labels {
                index
                    .by_label
                    .entry((namespace, k.as_str(), v.as_str()))
                    .or_default()
                    .push(i);
            }
        }
        index
    }

    /// The items of `namespace`, ascending, whose labels hold every pair of
    /// `selector`; none for an empty selector (a Service without one selects nothing).
    pub fn selected<'s>(
        &'s self,
        namespace: &'s str,
        selector: &'s SmallMap,
    ) -> impl Iterator<Item = usize> + 's {
        let candidates: &[usize] = selector
            .iter()
            .map(|(k, v)| {
                self.by_label
                    .get(&(namespace, k.as_str(), v.as_str()))
                    .map_or(&[][..], Vec::as_slice)
            })
            .min_by_key(|c| c.len())
            .unwrap_or(&[]);
        candidates.iter().copied().filter(move |&i| {
            selector
                .iter()
                .all(|(k, v)| self.labels[i].get(k) == Some(v))
        })
    }
}

impl LabelSelector {
    /// Whether the selector matches a label set, following the Kubernetes semantics:
    /// an empty selector matches everything; an unknown operator matches nothing.
    pub fn matches(&self, labels: &SmallMap) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let value = labels.get(&r.key);
                match r.operator.as_str() {
                    "In" => value.is_some_and(|v| r.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !r.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }

    /// Short human form, e.g. `app=web,tier in (a,b)`; `<all>` when empty.
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for r in &self.match_expressions {
            parts.push(match r.operator.as_str() {
                "Exists" => r.key.clone(),
                "DoesNotExist" => format!("!{}", r.key),
                op => format!("{} {} ({})", r.key, op.to_lowercase(), r.values.join(",")),
            });
        }
        if parts.is_empty() {
            "<all>".into()
        } else {
            parts.join(",")
        }
    }
}

/// Treats an explicit `null` like an absent field (real exports contain both).
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A list that may be `null`, its capacity trimmed to its length: decoding grows a
/// vector to at least four slots, which for one container or owner reference held most
/// of a pod's memory.
pub fn null_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut items = Option::<Vec<T>>::deserialize(d)?.unwrap_or_default();
    items.shrink_to_fit();
    Ok(items)
}

/// A string that may have been written as a YAML/JSON number or boolean.
pub fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(LenientString)
}

/// Like [`lenient_string`] for optional fields.
pub fn lenient_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_option(OptVisitor(LenientString))
}

struct LenientString;

impl<'de> Visitor<'de> for LenientString {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
}

struct OptVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptVisitor<V> {
    type Value = Option<V::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self.0).map(Some)
    }
}

/// A small `map[string]string` held as one sorted vector: a `BTreeMap` spends a node
/// of over 500 bytes on even one entry, and every container has two of these
/// (`resources.requests` and `limits`). Read leniently like [`string_map`] (a
/// repeated key keeps its last value), written as a map in key order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SmallMap(Vec<(String, String)>);

impl SmallMap {
    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Sets `key` to `value`, returning the value it replaces.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, String)> for SmallMap {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut entries: Vec<(String, String)> = iter.into_iter().collect();
        // Stable, so of equal keys the last written comes last and is kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                std::mem::swap(&mut later.1, &mut kept.1);
                true
            } else {
                false
            }
        });
        entries.shrink_to_fit();
        SmallMap(entries)
    }
}

impl Extend<(String, String)> for SmallMap {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        let entries = std::mem::take(&mut self.0);
        // Later entries win, as `insert` would have it.
        *self = entries.into_iter().chain(iter).collect();
    }
}

impl std::ops::Index<&str> for SmallMap {
    type Output = String;
    /// The value of `key`; panics when it is not set, like `BTreeMap`'s index.
    fn index(&self, key: &str) -> &String {
        self.get(key).expect("key in SmallMap")
    }
}

impl<'a> IntoIterator for &'a SmallMap {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, String)>,
        fn(&'a (String, String)) -> (&'a String, &'a String),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl IntoIterator for SmallMap {
    type Item = (String, String);
    type IntoIter = std::vec::IntoIter<(String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<const N: usize> From<[(String, String); N]> for SmallMap {
    fn from(entries: [(String, String); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for SmallMap {
    fn from(map: BTreeMap<String, String>) -> Self {
        // Already sorted and unique.
        let mut entries: Vec<(String, String)> = map.into_iter().collect();
        entries.shrink_to_fit();
        SmallMap(entries)
    }
}

impl Serialize for SmallMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for SmallMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_option(OptVisitor(SmallMapVisitor { skip: None }))
            .map(Option::unwrap_or_default)
    }
}

/// Reads a [`SmallMap`], leaving out the key `skip` without materialising its value.
struct SmallMapVisitor {
    skip: Option<&'static str>,
}

impl<'de> Visitor<'de> for SmallMapVisitor {
    type Value = SmallMap;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of strings")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SmallMap, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Lenient>()? {
            if Some(key.0.as_str()) == self.skip {
                map.next_value::<de::IgnoredAny>()?;
                continue;
            }
            let value: Lenient = map.next_value()?;
            entries.push((key.0, value.0));
        }
        Ok(entries.into_iter().collect())
    }
}

/// A `map[string]string` whose values may be numbers or booleans in sloppy YAML.
pub fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<SmallMap, D::Error> {
    SmallMap::deserialize(d)
}

/// Annotations, without the `last-applied-configuration` copy of the object.
fn annotations<'de, D: Deserializer<'de>>(d: D) -> Result<SmallMap, D::Error> {
    d.deserialize_option(OptVisitor(SmallMapVisitor {
        skip: Some(LAST_APPLIED),
    }))
    .map(Option::unwrap_or_default)
}

struct Lenient(String);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_string(d).map(Lenient)
    }
}

/// A list of strings whose items may be numbers in sloppy YAML; `null` is empty.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct ListVisitor;
    impl<'de> Visitor<'de> for ListVisitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(item) = seq.next_element::<Lenient>()? {
                out.push(item.0);
            }
            out.shrink_to_fit();
            Ok(out)
        }
    }
    d.deserialize_option(OptVisitor(ListVisitor))
        .map(Option::unwrap_or_default)
}

/// The keys of a map whose values must never be read (Secret and ConfigMap `data`).
/// Values are skipped by the parser without being materialised.
pub fn keys_only<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut keys = Vec::new();
            while let Some(key) = map.next_key::<Lenient>()? {
                map.next_value::<de::IgnoredAny>()?;
                keys.push(key.0);
            }
            keys.shrink_to_fit();
            Ok(keys)
        }
    }
    d.deserialize_option(OptVisitor(Keys))
        .map(Option::unwrap_or_default)
}

/// An `IntOrString` (ports, `maxUnavailable`, ...), kept as its string form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IntOrString(pub String);

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient_string(d).map(IntOrString)
    }
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
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
    fn decoded_lists_and_maps_hold_no_spare_slots() {
        // serde grows a vector to four slots on its first element: for one container
        // that was 3.5 KB of a pod's memory.
        let spec: crate::model::pod::PodSpec = serde_json::from_str(
            r#"{"containers":[{"name":"a","image":"x","args":["-v"],"env":[{"name":"A","value":"1"}]}],
                "volumes":[{"name":"v","emptyDir":{}}]}"#,
        )
        .unwrap();
        assert_eq!(spec.containers.capacity(), 1);
        assert_eq!(spec.volumes.capacity(), 1);
        assert_eq!(spec.containers[0].args.capacity(), 1);
        assert_eq!(spec.containers[0].env.capacity(), 1);
        let meta: ObjectMeta = serde_json::from_str(
            r#"{"name":"p","labels":{"b":"2","a":1,"b":"3"},
                "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}","n":"v"},
                "ownerReferences":[{"kind":"ReplicaSet","name":"r","uid":"u","controller":true}]}"#,
        )
        .unwrap();
        assert_eq!(meta.owner_references.capacity(), 1);
        // Sorted by key, a repeated key keeps its last value, numbers read as strings.
        let labels: Vec<(&String, &String)> = meta.labels.iter().collect();
        assert_eq!(
            labels,
            [
                (&"a".to_string(), &"1".to_string()),
                (&"b".to_string(), &"3".to_string())
            ]
        );
        assert_eq!(meta.annotations.keys().collect::<Vec<_>>(), ["n"]);
        assert_eq!(
            serde_json::to_string(&meta.labels).unwrap(),
            r#"{"a":"1","b":"3"}"#
        );
    }

    #[test]
    fn small_map_edits_keep_key_order() {
        let mut m = labels(&[("b", "2")]);
        assert_eq!(m.insert("a".into(), "1".into()), None);
        assert_eq!(m.insert("b".into(), "3".into()), Some("2".into()));
        m.extend([
            ("c".to_string(), "4".to_string()),
            ("a".to_string(), "5".to_string()),
        ]);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"a":"5","b":"3","c":"4"}"#
        );
        assert_eq!(m.remove("b"), Some("3".into()));
        assert_eq!(m["c"], "4");
        assert!(!m.contains_key("b"));
    }

    #[test]
    fn label_index_selects_what_a_scan_selects() {
        let map = |pairs: &[(&str, &str)]| -> SmallMap {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let items = [
            ("a", map(&[("app", "web"), ("tier", "front")])),
            ("a", map(&[("app", "web"), ("tier", "back")])),
            ("b", map(&[("app", "web"), ("tier", "front")])),
            ("a", map(&[("app", "db")])),
            ("a", map(&[])),
            ("a", map(&[("app", "web"), ("tier", "front"), ("x", "y")])),
        ];
        let index = LabelIndex::new(items.iter().map(|(ns, l)| (*ns, l)));
        let selectors = [
            map(&[("app", "web")]),
            map(&[("app", "web"), ("tier", "front")]),
            map(&[("tier", "front"), ("x", "y")]),
            map(&[("app", "none")]),
            map(&[]),
        ];
        for ns in ["a", "b", "c"] {
            for sel in &selectors {
                let scan: Vec<usize> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, (n, l))| {
                        *n == ns && !sel.is_empty() && sel.iter().all(|(k, v)| l.get(k) == Some(v))
                    })
                    .map(|(i, _)| i)
                    .collect();
                let found: Vec<usize> = index.selected(ns, sel).collect();
                assert_eq!(found, scan, "{ns} {sel:?}");
            }
        }
        let web_front = map(&[("app", "web"), ("tier", "front")]);
        assert_eq!(index.selected("a", &web_front).collect::<Vec<_>>(), [0, 5]);
    }

    #[test]
    fn selector_semantics() {
        let sel: LabelSelector = serde_json::from_str(
            r#"{"matchLabels":{"app":"web"},"matchExpressions":[
                {"key":"tier","operator":"In","values":["fe","be"]},
                {"key":"canary","operator":"DoesNotExist"}]}"#,
        )
        .unwrap();
        assert!(sel.matches(&labels(&[("app", "web"), ("tier", "fe")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "db")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "fe"), ("canary", "1")])));
        assert!(LabelSelector::default().matches(&labels(&[])));
        assert_eq!(sel.display(), "app=web,tier in (fe,be),!canary");
    }

    #[test]
    fn lenient_labels_and_dropped_last_applied() {
        let meta: ObjectMeta = serde_json::from_str(
            r#"{"name":"x","labels":{"version":1.5,"on":true},"annotations":{
                "kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"pw\":\"c2VjcmV0\"}}",
                "team":"a"},"ownerReferences":null}"#,
        )
        .unwrap();
        assert_eq!(meta.labels["version"], "1.5");
        assert_eq!(meta.labels["on"], "true");
        assert_eq!(meta.annotations.len(), 1);
        assert!(meta.owner_references.is_empty());
    }
}

/// A field whose presence matters but whose content is not read (probes, `emptyDir`).
/// Deserialises from anything without materialising it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Present;

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::IgnoredAny::deserialize(d).map(|_| Present)
    }
}

impl Serialize for Present {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(true)
    }
}
