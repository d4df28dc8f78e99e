//! Raw manifests: the objects of a file as JSON values with the line each starts at.
//!
//! Admission policies read the object as the API server would hand it to them
//! (`input.review.object`, CEL's `object`), every field included, so the typed model
//! (which keeps only what Portolan's own rules read) cannot serve them. This reader keeps
//! each object whole, with two exceptions decided here and nowhere else:
//!
//! - a `Secret`'s `data` and `stringData` keep their keys with empty values: Secret values
//!   never enter memory the engine keeps, so a policy that inspects a Secret's values
//!   sees empty strings (policies in practice test the keys, the type and the metadata);
//! - a `ConfigMap` value that is a credential by its shape
//!   ([`crate::model::credentials::classify_value`]) is emptied in the same way.
//!
//! Lists (`kind: List`, `...List`) are flattened into their items. Reading never
//! panics: what cannot be read is a located [`Diagnostic`].

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::source::{Diagnostic, LineIndex, Source};

/// One object read whole, with where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct RawObject {
    pub value: Value,
    pub source: Source,
}

impl RawObject {
    /// `apiVersion` of the object (empty when missing).
    pub fn api_version(&self) -> &str {
        str_at(&self.value, &["apiVersion"])
    }

    /// `kind` of the object (empty when missing).
    pub fn kind(&self) -> &str {
        str_at(&self.value, &["kind"])
    }

    /// `metadata.name` (empty when missing).
    pub fn name(&self) -> &str {
        str_at(&self.value, &["metadata", "name"])
    }

    /// `metadata.namespace` (empty when missing).
    pub fn namespace(&self) -> &str {
        str_at(&self.value, &["metadata", "namespace"])
    }
}

/// The string at `path` in `value`, or `""`.
pub(crate) fn str_at<'v>(value: &'v Value, path: &[&str]) -> &'v str {
    let mut v = value;
    for key in path {
        match v.get(key) {
            Some(next) => v = next,
            None => return "",
        }
    }
    v.as_str().unwrap_or("")
}

/// The strings of the array `v` (other elements skipped; empty when `v` is not an array).
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads every object of `text` (JSON or YAML, detected by content). Values that are not
/// objects with a `kind` are skipped silently: the regular ingestion reports them.
pub fn read(path: &str, text: &str) -> (Vec<RawObject>, Vec<Diagnostic>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut objects = Vec::new();
    let mut diagnostics = Vec::new();
    let index = LineIndex::new(text);
    let first = text.trim_start().as_bytes().first().copied();
    if matches!(first, Some(b'{') | Some(b'[')) {
        read_json(path, text, &index, &mut objects, &mut diagnostics);
    } else {
        read_yaml(path, text, &index, &mut objects, &mut diagnostics);
    }
    for o in &mut objects {
        redact(&mut o.value);
    }
    (objects, diagnostics)
}

fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

fn read_json(
    path: &str,
    text: &str,
    index: &LineIndex,
    out: &mut Vec<RawObject>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    for item in stream {
        let raw = match item {
            Ok(raw) => raw,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    path,
                    to_u32(e.line()),
                    to_u32(e.column()),
                    format!("not JSON: {e}"),
                ));
                return;
            }
        };
        push_json(path, text, index, raw, out);
    }
}

fn push_json(path: &str, text: &str, index: &LineIndex, raw: &RawValue, out: &mut Vec<RawObject>) {
    /// What tells a list from an object, read without building the object's values.
    #[derive(serde::Deserialize)]
    struct Head<'a> {
        #[serde(borrow, default)]
        kind: Option<&'a RawValue>,
        #[serde(borrow, default)]
        items: Option<&'a RawValue>,
    }
    let line = index.locate(offset_in(text, raw.get())).0;
    if raw.get().starts_with('[') {
        if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
            for item in items {
                push_json(path, text, index, item, out);
            }
        }
        return;
    }
    // A list's items are read one by one, never the whole list as one value. (A head
    // that does not read, e.g. with a key given twice, is decided on the whole value.)
    if let Ok(Head {
        kind: Some(kind),
        items: Some(items),
    }) = serde_json::from_str::<Head>(raw.get())
    {
        let kind = serde_json::from_str::<String>(kind.get()).unwrap_or_default();
        if is_list_kind(&kind) {
            if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(items.get()) {
                for item in items {
                    push_json(path, text, index, item, out);
                }
                return;
            }
        }
    }
    let Ok(value) = serde_json::from_str::<Value>(raw.get()) else {
        return;
    };
    if is_list(&value) {
        #[derive(serde::Deserialize)]
        struct Items<'a> {
            #[serde(borrow, default)]
            items: Option<Vec<&'a RawValue>>,
        }
        if let Ok(Items { items: Some(items) }) = serde_json::from_str::<Items>(raw.get()) {
            for item in items {
                push_json(path, text, index, item, out);
            }
        }
        return;
    }
    if value.get("kind").and_then(Value::as_str).is_some() {
        out.push(RawObject {
            value,
            source: Source {
                file: path.into(),
                line,
            },
        });
    }
}

fn is_list_kind(kind: &str) -> bool {
    kind == "List" || kind.ends_with("List")
}

fn is_list(value: &Value) -> bool {
    is_list_kind(str_at(value, &["kind"])) && value.get("items").is_some_and(Value::is_array)
}

fn read_yaml(
    path: &str,
    text: &str,
    index: &LineIndex,
    out: &mut Vec<RawObject>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (start, doc) in documents(text) {
        let first_line = index.locate(start).0;
        let content = content_line(doc, first_line);
        let mut options = serde_saphyr::Options::default();
        let mut budget = serde_saphyr::Budget::default();
        budget.max_events = budget.max_events.max(doc.len());
        budget.max_nodes = budget.max_nodes.max(doc.len());
        budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(doc.len());
        budget.max_reader_input_bytes = Some(doc.len().max(1 << 20));
        options.budget = Some(budget);
        options.alias_limits.max_total_replayed_events = 100_000;
        options.with_snippet = false;
        let value: Value = match serde_saphyr::from_str_with_options(doc, options) {
            Ok(v) => v,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    path,
                    content,
                    1,
                    format!("YAML document not read: {e}"),
                ));
                continue;
            }
        };
        if is_list(&value) {
            let lines = item_lines(doc, first_line);
            if let Some(Value::Array(items)) = value.get("items") {
                for (i, item) in items.iter().enumerate() {
                    if item.get("kind").and_then(Value::as_str).is_some() {
                        out.push(RawObject {
                            value: item.clone(),
                            source: Source {
                                file: path.into(),
                                line: lines.get(i).copied().unwrap_or(content),
                            },
                        });
                    }
                }
            }
        } else if value.get("kind").and_then(Value::as_str).is_some() {
            out.push(RawObject {
                value,
                source: Source {
                    file: path.into(),
                    line: content,
                },
            });
        }
    }
}

/// Lines at which the entries of the top-level `items:` sequence start (`- ` at the
/// indentation of the first entry), in order.
fn item_lines(doc: &str, first_line: u32) -> Vec<u32> {
    let mut lines = Vec::new();
    let mut in_items = false;
    let mut indent: Option<usize> = None;
    for (i, line) in doc.lines().enumerate() {
        if !in_items {
            in_items = line.starts_with("items:");
            continue;
        }
        let trimmed = line.trim_start();
        let this = line.len() - trimmed.len();
        if !line.is_empty() && this == 0 && !trimmed.starts_with('-') && !trimmed.starts_with('#') {
            break;
        }
        if trimmed.starts_with("- ") || trimmed == "-" {
            match indent {
                None => {
                    indent = Some(this);
                    lines.push(first_line + to_u32(i));
                }
                Some(n) if n == this => lines.push(first_line + to_u32(i)),
                _ => {}
            }
        }
    }
    lines
}

/// Splits a YAML stream at `---` marker lines, with each piece's byte offset.
fn documents(text: &str) -> Vec<(usize, &str)> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let is_marker = line.starts_with("---")
            && matches!(
                line.as_bytes().get(3),
                None | Some(b' ' | b'\t' | b'\r' | b'\n')
            );
        if is_marker && pos > start {
            docs.push((start, &text[start..pos]));
            start = pos;
        }
        pos += line.len();
    }
    docs.push((start, &text[start..]));
    docs
}

/// The line of the first content of `doc` (past markers, comments and blank lines).
fn content_line(doc: &str, first_line: u32) -> u32 {
    let skipped = doc
        .lines()
        .take_while(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t.starts_with('%') || t.starts_with("---")
        })
        .count();
    first_line + to_u32(skipped)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Empties Secret values and credential-shaped ConfigMap values (see the module doc).
pub(crate) fn redact(value: &mut Value) {
    let kind = str_at(value, &["kind"]).to_string();
    let core = !str_at(value, &["apiVersion"]).contains('/');
    if !core {
        return;
    }
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    match kind.as_str() {
        "Secret" => {
            for key in ["data", "stringData"] {
                if let Some(Value::Object(map)) = obj.get_mut(key) {
                    empty_values(map, |_| true);
                }
            }
        }
        "ConfigMap" => {
            for key in ["data", "binaryData"] {
                if let Some(Value::Object(map)) = obj.get_mut(key) {
                    empty_values(map, |v| {
                        v.as_str()
                            .is_none_or(|s| crate::model::credentials::classify_value(s).is_some())
                    });
                }
            }
        }
        _ => {}
    }
}

fn empty_values(map: &mut Map<String, Value>, redact: impl Fn(&Value) -> bool) {
    for v in map.values_mut() {
        if redact(v) {
            *v = Value::String(String::new());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_lists_and_documents_keep_their_lines() {
        let text = "# c\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: c}\n";
        let (objs, diags) = read("f.yaml", text);
        assert!(diags.is_empty(), "{diags:?}");
        let got: Vec<(&str, u32)> = objs.iter().map(|o| (o.name(), o.source.line)).collect();
        assert_eq!(got, [("a", 2), ("b", 9), ("c", 12)]);
    }

    #[test]
    fn json_lists_and_streams_keep_their_lines() {
        let text = "{\"kind\":\"List\",\"items\":[\n{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"}},\n{\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\"}}]}\n{\"kind\":\"Pod\",\"metadata\":{\"name\":\"c\"}}\n";
        let (objs, _) = read("f.json", text);
        let got: Vec<(&str, u32)> = objs.iter().map(|o| (o.name(), o.source.line)).collect();
        assert_eq!(got, [("a", 2), ("b", 3), ("c", 4)]);
    }

    #[test]
    fn secret_values_are_never_kept() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: aHVudGVyMg==}\nstringData: {token: hunter2}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {mode: fast, key: AKIAIOSFODNN7EXAMPLE}\n";
        let (objs, _) = read("f.yaml", text);
        assert_eq!(objs[0].value["data"]["password"], "");
        assert_eq!(objs[0].value["stringData"]["token"], "");
        assert_eq!(objs[1].value["data"]["mode"], "fast");
        assert_eq!(objs[1].value["data"]["key"], "");
    }

    #[test]
    fn broken_documents_are_located() {
        let (objs, diags) = read("f.yaml", "kind: Pod\nmetadata: {name: a}\n---\nkind: [\n");
        assert_eq!(objs.len(), 1);
        assert_eq!(diags[0].line, 4);
    }
}
