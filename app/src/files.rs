//! Turning what the user drops or picks into named files.
//!
//! A drop can hold files and whole folders. Folders are walked with the File and
//! Directory Entries API (`webkitGetAsEntry`), and each file keeps its path relative to
//! what was dropped (`demo/kube-system/daemonsets.json`), which is the path the engine
//! reports errors against. Drops without entries (synthetic events, older browsers) and
//! the file pickers fall back to the plain file list, using `webkitRelativePath` when
//! the browser sets it.
//!
//! A file is identified by that path, never by its bare name alone: a file picked on
//! its own has no folder the browser tells, so one with the same name as a loaded file
//! but other contents (another folder's `pods.json`) is kept beside it under a
//! distinct path (`pods.json (2)`, see [`place`]); the same file picked again (same name,
//! size and modification time) replaces it. Inside a folder, only what the CLI would read is kept (see
//! [`is_snapshot_file`]): a README or a script beside a snapshot is not an input.

use js_sys::{Array, Function, Promise, Reflect};
use portolan_engine::ingest::is_snapshot_file;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DataTransfer, File, FileList, FileSystemDirectoryEntry, FileSystemEntry,
    FileSystemFileEntry, HtmlInputElement,
};

/// One input file held by the page until the user clears it.
#[derive(Clone, Debug)]
pub struct LoadedFile {
    /// Path relative to what the user dropped or picked.
    pub path: String,
    /// The contents; a `File` for user input, a `Blob` for the demo.
    pub blob: Blob,
}

impl LoadedFile {
    /// Whether `other` is this very file picked or dropped again: same path, size and,
    /// for user files, modification time.
    fn same_file_as(&self, other: &LoadedFile) -> bool {
        let modified = |b: &Blob| b.dyn_ref::<File>().map(|f| f.last_modified());
        self.blob.size() == other.blob.size() && modified(&self.blob) == modified(&other.blob)
    }
}

/// Where a file goes in the loaded set.
#[derive(Debug, PartialEq, Eq)]
pub enum Placement {
    /// A new path: added.
    Added,
    /// Replaces the loaded file at this index (a re-drop of the same path).
    Replaces(usize),
    /// A file picked on its own whose name is taken by another file: added under this
    /// distinct path.
    Renamed(String),
}

/// Where `file` goes among `loaded`. A path with a folder in it names the file; a bare
/// name from a pick only does with the same contents, else it is another file.
pub fn place(loaded: &[LoadedFile], file: &LoadedFile) -> Placement {
    let at = |path: &str| loaded.iter().position(|f| f.path == path);
    let Some(i) = at(&file.path) else {
        return Placement::Added;
    };
    if file.path.contains('/') {
        return Placement::Replaces(i);
    }
    // The same name: this file again, or one kept earlier under a distinct path?
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            file.path.clone()
        } else {
            distinct_path(&file.path, n)
        };
        match at(&candidate) {
            Some(j) if loaded[j].same_file_as(file) => return Placement::Replaces(j),
            Some(_) => n += 1,
            None => return Placement::Renamed(candidate),
        }
    }
}

/// The `n`th file named `name`: `pods.json (2)`.
fn distinct_path(name: &str, n: usize) -> String {
    format!("{name} ({n})")
}

/// What a drop event holds, captured while the event is being dispatched: the
/// `DataTransfer` is emptied as soon as the handler returns.
pub enum Dropped {
    Entries(Vec<FileSystemEntry>),
    Files(Vec<LoadedFile>),
}

/// The file picked in the file input that fired `change`, if any. The input is reset,
/// so that picking the same file again fires `change` again.
pub fn picked_file(e: &web_sys::Event) -> Option<File> {
    let input = e.target()?.dyn_into::<HtmlInputElement>().ok()?;
    let file = input.files()?.get(0)?;
    input.set_value("");
    Some(file)
}

/// Captures the contents of a drop; call this synchronously in the `drop` handler.
pub fn capture_drop(transfer: &DataTransfer) -> Dropped {
    let items = transfer.items();
    let entries: Vec<FileSystemEntry> = (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|item| item.kind() == "file")
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect();
    if entries.is_empty() {
        Dropped::Files(
            transfer
                .files()
                .map(|l| from_file_list(&l))
                .unwrap_or_default(),
        )
    } else {
        Dropped::Entries(entries)
    }
}

/// Files of an `<input type=file>` or a drop without entries.
pub fn from_file_list(list: &FileList) -> Vec<LoadedFile> {
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|file| LoadedFile {
            path: path_of(&file),
            blob: file.into(),
        })
        // A path with a folder in it came from a picked or dropped folder.
        .filter(|file| !file.path.contains('/') || wanted_in_folder(&file.path))
        .collect()
}

/// Whether a file found inside a dropped folder is read: the CLI's rule, and nothing
/// under a hidden folder (`.git/`).
fn wanted_in_folder(path: &str) -> bool {
    !path.split('/').skip(1).any(|part| part.starts_with('.')) && is_snapshot_file(path)
}

/// The relative path the browser recorded for a picked folder's file, else its name.
fn path_of(file: &File) -> String {
    let relative = Reflect::get(file, &JsValue::from_str("webkitRelativePath"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let path = if relative.is_empty() {
        file.name()
    } else {
        relative
    };
    path.trim_start_matches('/').to_string()
}

/// Walks dropped entries, descending into folders, and calls `found` with the number
/// of files found so far. Inside a folder, hidden entries (`.git`, `.DS_Store`) and files
/// that are not snapshots are skipped; what cannot be read is reported and skipped.
pub async fn walk_entries(
    roots: Vec<FileSystemEntry>,
    mut found: impl FnMut(usize),
) -> (Vec<LoadedFile>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut stack: Vec<(FileSystemEntry, bool)> =
        roots.into_iter().rev().map(|e| (e, true)).collect();
    while let Some((entry, is_root)) = stack.pop() {
        if !is_root && entry.name().starts_with('.') {
            continue;
        }
        let path = entry.full_path().trim_start_matches('/').to_string();
        if entry.is_directory() {
            let dir: FileSystemDirectoryEntry = entry.unchecked_into();
            match read_directory(&dir).await {
                Ok(mut children) => {
                    children.sort_by_key(|c| std::cmp::Reverse(c.name()));
                    stack.extend(children.into_iter().map(|c| (c, false)));
                }
                Err(e) => problems.push(format!("{path}: folder could not be read ({e})")),
            }
        } else if entry.is_file() && (is_root || wanted_in_folder(&path)) {
            let file_entry: FileSystemFileEntry = entry.unchecked_into();
            match file_of(&file_entry).await {
                Ok(file) => {
                    files.push(LoadedFile {
                        path,
                        blob: file.into(),
                    });
                    found(files.len());
                }
                Err(e) => problems.push(format!("{path}: file could not be read ({e})")),
            }
        }
    }
    (files, problems)
}

/// All entries of a folder; `readEntries` returns them in batches until an empty one.
async fn read_directory(dir: &FileSystemDirectoryEntry) -> Result<Vec<FileSystemEntry>, String> {
    let reader = dir.create_reader();
    let mut all = Vec::new();
    loop {
        let batch = callback_promise(|resolve, reject| {
            reader
                .read_entries_with_callback_and_callback(resolve, reject)
                .map_err(|e| describe(&e))
        })
        .await?;
        let batch: Array = batch.unchecked_into();
        if batch.length() == 0 {
            return Ok(all);
        }
        all.extend(batch.iter().map(JsCast::unchecked_into));
    }
}

async fn file_of(entry: &FileSystemFileEntry) -> Result<File, String> {
    let file = callback_promise(|resolve, reject| {
        entry.file_with_callback_and_callback(resolve, reject);
        Ok(())
    })
    .await?;
    file.dyn_into().map_err(|_| "not a file".to_string())
}

/// Adapts a callback-style API to a future.
async fn callback_promise(
    start: impl FnOnce(&Function, &Function) -> Result<(), String>,
) -> Result<JsValue, String> {
    let mut started = Ok(());
    let mut start = Some(start);
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(start) = start.take() {
            started = start(&resolve, &reject);
        }
    });
    started?;
    JsFuture::from(promise).await.map_err(|e| describe(&e))
}

/// A readable message for a JavaScript error value.
pub fn describe(error: &JsValue) -> String {
    if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    if let Some(name) = Reflect::get(error, &JsValue::from_str("name"))
        .ok()
        .and_then(|v| v.as_string())
    {
        return name;
    }
    error.as_string().unwrap_or_else(|| "unknown error".into())
}
