//! YAML inputs: multi-document manifests (Helm-rendered or hand-written),
//! `kubectl get -o yaml` Lists, single objects, and `kubectl version -o yaml`.
//!
//! The stream is split at `---` document markers first, so a broken document costs one
//! diagnostic and the others still load. Each document is decoded with budgets that
//! scale with its size, which stops alias bombs and runaway nesting with an error
//! instead of exhausting memory or the stack.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::{Budget, Options, Spanned};

use super::{classify_format, item_path, InputFormat, Object, Parsed, ServerVersion};
use crate::source::{to_u32, Diagnostic, LineIndex, Source};

pub(super) fn parse(path: &str, text: &str, parsed: &mut Parsed) {
    let index = LineIndex::new(text);
    for (start, doc) in documents(text) {
        if is_blank(doc) {
            continue;
        }
        let first_line = index.locate(start).0;
        parse_document(path, doc, first_line, parsed);
    }
    if parsed.format.is_none() && parsed.diagnostics.is_empty() {
        parsed.diagnostics.push(Diagnostic::warning(
            path,
            0,
            0,
            "no YAML document in this file holds content",
        ));
    }
}

/// Splits a YAML stream at lines that start with the `---` marker. Each piece keeps its
/// marker line, so line numbers inside it count from its first line.
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

/// Whether a document holds only markers, comments, directives and blank lines.
fn is_blank(doc: &str) -> bool {
    doc.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t.starts_with('%') || t == "---" || t == "..."
    })
}

/// The line of the first content of `doc` (past markers, comments, directives and
/// blank lines), which starts at `first_line`.
fn content_line(doc: &str, first_line: u32) -> u32 {
    let skipped = doc
        .lines()
        .take_while(|l| {
            let t = l.trim();
            let marker_only = t
                .strip_prefix("---")
                .is_some_and(|rest| rest.trim().is_empty() || rest.trim().starts_with('#'));
            t.is_empty() || t.starts_with('#') || t.starts_with('%') || marker_only
        })
        .count();
    first_line + to_u32(skipped)
}

/// Parser limits for one document. The defaults suit configuration files; a snapshot
/// document can be a List of 50,000 pods, so node and event budgets grow with its size
/// (a YAML node takes at least two bytes of input) while alias expansion stays tight.
fn options(len: usize) -> Options {
    let mut options = Options::default();
    let mut budget = Budget::default();
    budget.max_events = budget.max_events.max(len);
    budget.max_nodes = budget.max_nodes.max(len);
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len);
    budget.max_reader_input_bytes = Some(len.max(1 << 20));
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 100_000;
    options.with_snippet = false;
    options
}

fn parse_document(path: &str, doc: &str, first_line: u32, parsed: &mut Parsed) {
    let Document { mut fields, items } =
        match serde_saphyr::from_str_with_options::<Document>(doc, options(doc.len())) {
            Ok(document) => document,
            Err(e) => {
                parsed.diagnostics.push(yaml_error(path, first_line, &e));
                return;
            }
        };
    let file: std::sync::Arc<str> = path.into();
    let source = |line: u32| Source {
        file: file.clone(),
        line,
    };
    let Some(fields_map) = fields.as_object_mut() else {
        if !fields.is_null() {
            parsed.diagnostics.push(Diagnostic::error(
                path,
                first_line,
                1,
                "YAML document is not a Kubernetes object (not a mapping); skipped",
            ));
        }
        return;
    };
    let kind = fields_map
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    match items {
        Some(Items::List(items)) if kind.is_empty() || kind.ends_with("List") => {
            if parsed.format.is_none() {
                parsed.format = Some(InputFormat::KubernetesYaml);
            }
            for (i, item) in items.into_iter().enumerate() {
                let line = first_line + to_u32(item.referenced.line() as usize).max(1) - 1;
                match decode(&item.value) {
                    Ok(obj) => {
                        classify_format(parsed, &obj, true);
                        parsed.push_object(obj, source(line));
                    }
                    Err((field, message)) => parsed.diagnostics.push(
                        Diagnostic::error(path, line, 0, message).at_path(item_path(i) + &field),
                    ),
                }
            }
            return;
        }
        // An object of another kind with a field called `items`: put it back.
        Some(Items::List(items)) => {
            let items = items.into_iter().map(|i| i.value).collect();
            fields_map.insert("items".into(), serde_json::Value::Array(items));
        }
        Some(Items::Other(value)) => {
            fields_map.insert("items".into(), value);
        }
        None => {}
    }
    if let Some(version) = fields_map.get("serverVersion") {
        parsed.format = Some(InputFormat::KubectlVersion);
        let git_version = version
            .get("gitVersion")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        parsed.server_version = Some(ServerVersion {
            git_version: git_version.into(),
            source: source(first_line),
        });
        return;
    }
    match decode(&fields) {
        Ok(obj) => {
            classify_format(parsed, &obj, true);
            // The object starts at its first line of content, not at the `---` marker
            // or the comments above it: that is where SARIF viewers and editors jump.
            parsed.push_object(obj, source(content_line(doc, first_line)));
        }
        Err((field, message)) => parsed.diagnostics.push(
            Diagnostic::error(path, first_line, 0, message)
                .at_path(field.trim_start_matches('.').to_string()),
        ),
    }
}

/// A YAML document read in one pass: its top-level fields as a value, and the items of
/// a List, each with the line it starts at.
struct Document {
    fields: serde_json::Value,
    items: Option<Items>,
}

enum Items {
    List(Vec<Spanned<serde_json::Value>>),
    Other(serde_json::Value),
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut fields = serde_json::Map::new();
        let mut items = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                items = Some(map.next_value::<Items>()?);
            } else {
                fields.insert(key, map.next_value()?);
            }
        }
        Ok(Document {
            fields: serde_json::Value::Object(fields),
            items,
        })
    }

    // Anything else is not an object; keep it as a value so the caller can say so.
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Document, A::Error> {
        let fields = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(Document {
            fields,
            items: None,
        })
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Document, E> {
        Ok(Document::scalar())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Document, E> {
        Ok(Document::scalar())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Document, E> {
        Ok(Document::scalar())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Document, E> {
        Ok(Document::scalar())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Document, E> {
        Ok(Document::scalar())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Document, E> {
        Ok(Document {
            fields: serde_json::Value::Null,
            items: None,
        })
    }

    fn visit_none<E: de::Error>(self) -> Result<Document, E> {
        self.visit_unit()
    }
}

impl Document {
    fn scalar() -> Document {
        Document {
            fields: serde_json::Value::Bool(true),
            items: None,
        }
    }
}

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ItemsVisitor;
        impl<'de> Visitor<'de> for ItemsVisitor {
            type Value = Items;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Items::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Items, A::Error> {
                serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Items::Other)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Items, E> {
                Ok(Items::Other(v.into()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Items, E> {
                Ok(Items::List(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Items, E> {
                Ok(Items::List(Vec::new()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Items, E> {
                Ok(Items::Other(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Items, E> {
                Ok(Items::Other(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Items, E> {
                Ok(Items::Other(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Items, E> {
                Ok(Items::Other(v.into()))
            }
        }
        d.deserialize_any(ItemsVisitor)
    }
}

/// Decodes an object from a YAML-derived value; on failure, the field path and reason.
fn decode(value: &serde_json::Value) -> Result<Object, (String, String)> {
    match Object::deserialize(value) {
        Ok(obj) => Ok(obj),
        Err(_) => match serde_path_to_error::deserialize::<_, Object>(value) {
            Ok(obj) => Ok(obj),
            Err(e) => {
                let path = e.path().to_string();
                let path = if path == "." {
                    String::new()
                } else {
                    format!(".{path}")
                };
                Err((path, format!("object skipped: {}", e.into_inner())))
            }
        },
    }
}

fn yaml_error(path: &str, first_line: u32, e: &serde_saphyr::Error) -> Diagnostic {
    let (line, column) = match e.location() {
        Some(loc) if loc.line() > 0 => (
            first_line + to_u32(loc.line() as usize) - 1,
            to_u32(loc.column() as usize),
        ),
        _ => (first_line, 0),
    };
    // The parser's message repeats locations relative to the document; ours is absolute.
    let message = e.to_string();
    let message = message.lines().next().unwrap_or_default();
    let message = message.split(" at line ").next().unwrap_or(message);
    Diagnostic::error(path, line, column, format!("invalid YAML: {message}"))
}
