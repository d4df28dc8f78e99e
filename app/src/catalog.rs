//! The page's copy of the engine's documentation (rule titles and text, detection
//! text): the worker sends it once it is ready (see `protocol.rs`), so the page's wasm
//! holds no catalogue, whose checks would bring the whole engine with them.

use crate::protocol::{Catalog, DetectionDoc, RuleDoc};

impl Catalog {
    /// The documentation of rule `id`.
    pub fn rule(&self, id: &str) -> Option<&RuleDoc> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The title of rule `id`, or the id itself when the catalogue has no such rule (or
    /// has not arrived yet).
    pub fn rule_title(&self, id: &str) -> String {
        self.rule(id)
            .map_or_else(|| id.to_string(), |r| r.title.clone())
    }

    /// The documentation of the detection raising alerts of type `id` (any case, as the
    /// engine looks it up).
    pub fn detection(&self, id: &str) -> Option<&DetectionDoc> {
        self.detections
            .iter()
            .find(|d| d.id.eq_ignore_ascii_case(id))
    }
}
