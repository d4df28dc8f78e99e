//! The user's policy files, kept in the browser.
//!
//! ConstraintTemplates, constraints, ValidatingAdmissionPolicies with their bindings and
//! parameter objects, ExpansionTemplates: the files picked or dropped on the Policies
//! page, each kept whole (path and text) in `localStorage` under one key, as a JSON list,
//! so a reload keeps them as it keeps the exemptions. Every analysis is given them as
//! `portolan analyze --policies` is; the worker reads them (the page links no YAML
//! parser), the page only stores and edits the text.

use crate::protocol::PolicyFile;

/// The `localStorage` key.
const KEY: &str = "portolan.policies";

fn storage() -> Result<web_sys::Storage, String> {
    leptos::prelude::window()
        .local_storage()
        .ok()
        .flatten()
        .ok_or_else(|| "this browser does not let the page store data".to_string())
}

/// The stored policy files; none when nothing is stored, and a problem when what is
/// stored cannot be read (it is left in place, not overwritten, until a change).
pub fn load() -> (Vec<PolicyFile>, Option<String>) {
    let Some(text) = storage().ok().and_then(|s| s.get_item(KEY).ok().flatten()) else {
        return (Vec::new(), None);
    };
    match serde_json::from_str(&text) {
        Ok(files) => (files, None),
        Err(e) => (
            Vec::new(),
            Some(format!("the stored policy files could not be read: {e}")),
        ),
    }
}

/// Stores `files`.
pub fn save(files: &[PolicyFile]) -> Result<(), String> {
    let text = serde_json::to_string(files).map_err(|e| e.to_string())?;
    storage()?
        .set_item(KEY, &text)
        .map_err(|_| "the browser refused to store the policy files (storage full?)".to_string())
}

/// `files` as the JSON text every request to the worker carries.
pub fn to_json(files: &[PolicyFile]) -> String {
    serde_json::to_string(files).unwrap_or_else(|_| "[]".into())
}
