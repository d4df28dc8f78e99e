//! "Load demo": fetches the bundled demo snapshot and loads it like a dropped folder.
//!
//! `demo-files.json` (beside the `demo` folder, so the folder holds only the snapshot)
//! lists the demo's files (`{"files": ["demo/pods.json", ...]}`); each is fetched by a
//! relative URL, so the app works from any sub-path and no request leaves the page's
//! origin. Files keep their `demo/<file>` names, as if the `demo` folder had been
//! dropped.

use gloo_net::http::Request;
use js_sys::{Array, Uint8Array};
use serde::Deserialize;
use web_sys::Blob;

use leptos::prelude::{Set, Update};

use crate::files::{describe, LoadedFile};
use crate::state::{AppState, Busy};

const INDEX_URL: &str = "demo-files.json";

#[derive(Deserialize)]
struct DemoIndex {
    files: Vec<String>,
}

/// Downloads the demo and adds it to the loaded files.
pub async fn load_demo(state: AppState) {
    state.error.set(None);
    state.busy.set(Some(Busy::new("demo", 0, 0, INDEX_URL)));
    match fetch_demo(state).await {
        Ok(files) => state.add_files(files),
        Err(message) => state.fail(format!("The demo could not be loaded: {message}")),
    }
}

async fn fetch_demo(state: AppState) -> Result<Vec<LoadedFile>, String> {
    let index: DemoIndex = fetch(INDEX_URL).await.and_then(|bytes| {
        serde_json::from_slice(&bytes).map_err(|e| format!("{INDEX_URL}: {e}"))
    })?;
    let (names, rejected): (Vec<String>, Vec<String>) =
        index.files.into_iter().partition(|n| is_safe(n));
    if !rejected.is_empty() {
        state.notices.update(|n| {
            n.extend(
                rejected
                    .into_iter()
                    .map(|r| format!("{INDEX_URL}: ignored {r:?}: not a plain relative path")),
            )
        });
    }
    let mut files = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        state
            .busy
            .set(Some(Busy::new("demo", i, names.len(), name)));
        let bytes = fetch(name).await?;
        files.push(LoadedFile {
            path: name.clone(),
            blob: blob_of(&bytes).map_err(|e| format!("{name}: {e}"))?,
        });
    }
    Ok(files)
}

async fn fetch(url: &str) -> Result<Vec<u8>, String> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    response.binary().await.map_err(|e| format!("{url}: {e}"))
}

fn blob_of(bytes: &[u8]) -> Result<Blob, String> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).map_err(|e| describe(&e))
}

/// Only plain relative paths below the page: the list must not make the app fetch from
/// elsewhere (`//host/x`, `https:x`) or outside the app (`../x`).
fn is_safe(name: &str) -> bool {
    !name.is_empty()
        && !name.contains(':')
        && !name.contains('\\')
        && !name.contains('?')
        && !name.contains('#')
        && !name
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
}
