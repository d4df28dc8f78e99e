//! The user's exemptions, kept in the browser.
//!
//! They live in `localStorage` under one key, as the text of an exemption file: the
//! format `portolan analyze --exemptions FILE` reads (see
//! [`portolan_engine::rules::exemptions`]). Exporting them is downloading that text, and
//! a file exported here gives the CLI the same findings, score and counts as the app.
//! The worker reads the stored text (the page links no YAML parser); the page writes it.

use portolan_engine::rules::exemptions::{self, Exemption};

/// The `localStorage` key.
const KEY: &str = "portolan.exemptions";

/// The name of the exported file, and of the stored text in located problems.
pub const FILE_NAME: &str = "portolan-exemptions.yaml";

fn storage() -> Result<web_sys::Storage, String> {
    leptos::prelude::window()
        .local_storage()
        .ok()
        .flatten()
        .ok_or_else(|| "this browser does not let the page store data".to_string())
}

/// The stored exemption file's text; `None` when nothing (or only blanks) is stored,
/// which is no exemption.
pub fn load() -> Option<String> {
    storage()
        .ok()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .filter(|text| !text.trim().is_empty())
}

/// Stores `list` and returns the stored text.
pub fn save(list: &[Exemption]) -> Result<String, String> {
    let text = exemptions::to_yaml(list);
    storage()?
        .set_item(KEY, &text)
        .map_err(|_| "the browser refused to store the exemptions (storage full?)".to_string())?;
    Ok(text)
}
