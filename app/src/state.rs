//! The application state: a struct of signals provided once by context.
//!
//! It holds the files the user loaded, the current [`Analysis`] (behind one `Arc`, so
//! views borrow it instead of cloning it), the progress of a running analysis, the last
//! error, the current route, the user's exemptions and the baseline the compare page
//! diffs the shown analysis against. Every change to the loaded files
//! re-runs the analysis over all of them in the worker (see [`crate::worker_client`]); a
//! change to the exemptions stores them (see [`crate::exemption_store`]) and re-runs only
//! the rules; a change to the kept policy files stores them (see [`crate::policy_store`])
//! and re-runs only the policies.

use std::sync::Arc;

use leptos::prelude::*;
use portolan_engine::analysis::shown::FindingCounts;
use portolan_engine::rules::exemptions::{self, Exemption};
use portolan_engine::Analysis;

use crate::exemption_store;
use crate::files::{place, LoadedFile, Placement};
use crate::policy_store;
use crate::protocol::{Catalog, PolicyFile};
use crate::route::Route;
use crate::worker_client::WorkerClient;

/// What the app is busy with, shown by the progress indicator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Busy {
    /// `collect` (walking dropped folders), `demo` (downloading the demo), `read`,
    /// `audit` (streaming an audit log; `done`/`total` in MiB), `parse`, `model` or
    /// `rules` (the worker's stages), `receive` (the page reading the
    /// result).
    pub stage: String,
    pub done: usize,
    pub total: usize,
    pub file: String,
}

impl Busy {
    pub fn new(stage: &str, done: usize, total: usize, file: &str) -> Self {
        Busy {
            stage: stage.to_string(),
            done,
            total,
            file: file.to_string(),
        }
    }

    /// One line for the progress indicator, e.g. `Parsing 12/40 files — pods.json`.
    ///
    /// The engine reports a stage when it has finished it, so a finished stage announces
    /// the next one.
    pub fn describe(&self) -> String {
        let what = match self.stage.as_str() {
            "collect" => return format!("Collecting files — {} found", self.done),
            "demo" => "Downloading demo",
            "audit" => {
                let mut line = format!("Reading audit log {}/{} MiB", self.done, self.total);
                if !self.file.is_empty() {
                    line.push_str(" — ");
                    line.push_str(&self.file);
                }
                return line;
            }
            "read" => "Reading",
            "parse" if self.done >= self.total => return "Building the inventory…".into(),
            "parse" => "Parsing",
            "model" => return "Checking hardening rules…".into(),
            "policies" => return "Evaluating your policies…".into(),
            "rules" => return "Preparing the results…".into(),
            "receive" => return format!("Loading the results — {}%", self.percent()),
            _ => "Working on",
        };
        let mut line = format!("{what} {}/{} files", self.done, self.total);
        if !self.file.is_empty() {
            line.push_str(" — ");
            line.push_str(&self.file);
        }
        line
    }

    /// Completion of the current stage, 0 to 100.
    fn percent(&self) -> usize {
        (self.done * 100).checked_div(self.total).unwrap_or(100)
    }

    /// Completion between 0 and 1 over the whole run.
    pub fn fraction(&self) -> f64 {
        let part = self.percent() as f64 / 100.0;
        // Rough shares of the time each stage takes on a large estate.
        match self.stage.as_str() {
            "read" => 0.05 * part,
            "audit" => 0.05 + 0.4 * part,
            "parse" => 0.05 + 0.4 * part,
            "model" => 0.5,
            "rules" => 0.6,
            "receive" => 0.65 + 0.35 * part,
            _ => part,
        }
    }
}

/// A saved analysis the shown one is compared with (`#/compare`). Kept in memory only:
/// it is the user's file, and it goes away with the page or Clear baseline. The worker
/// reads it and diffs it with the shown analysis (`compare`, see `protocol.rs`).
pub struct Baseline {
    /// The name of the file it was read from.
    pub file: String,
    /// The file, which each question about it carries: a restarted worker reads it
    /// again.
    pub blob: web_sys::Blob,
    /// The page's number for this pick: the worker reads the file again when it changes.
    pub token: f64,
    /// What it was made from.
    pub info: crate::protocol::BaselineInfo,
}

/// What the last destructive action took away, for Undo.
enum UndoStash {
    /// Clear all files: the files.
    Files(Vec<LoadedFile>),
    /// Remove an exemption: where it was and what it was.
    Exemption(usize, Box<Exemption>),
}

/// A file the last addition replaced (with the objects it gave before) or kept under
/// a distinct name (with the note saying so).
type Placed = (String, Option<usize>, Option<String>);

/// Shared state of the app; `Copy`, so components take it by value from context.
#[derive(Clone, Copy)]
pub struct AppState {
    pub route: RwSignal<Route>,
    /// The latest finished analysis, `None` before the first one and after a clear.
    pub analysis: RwSignal<Option<Arc<Analysis>>>,
    /// The counts of the shown analysis's findings, which the worker keeps (the page's
    /// `Analysis` has none): set with `analysis`, before it.
    pub counts: RwSignal<Arc<FindingCounts>>,
    /// Number of loaded files (the files themselves are not reactive).
    pub loaded_count: RwSignal<usize>,
    pub busy: RwSignal<Option<Busy>>,
    pub error: RwSignal<Option<String>>,
    /// Problems collecting files (unreadable folder entries, demo download failures).
    pub notices: RwSignal<Vec<String>>,
    /// The user's exemptions, as stored in the browser and given to every analysis.
    pub exemptions: RwSignal<Vec<Exemption>>,
    /// Problems keeping the exemptions: stored entries that could not be read, or the
    /// browser refusing to store them.
    pub exemption_problems: RwSignal<Vec<String>>,
    /// The baseline of the compare page, `None` until the user picks one.
    pub baseline: RwSignal<Option<Arc<Baseline>>>,
    /// The namespace of namespaced objects written without one (empty: `default`),
    /// from the load panel; given to every analysis.
    pub default_namespace: RwSignal<String>,
    /// The stored exemption file's text until the worker has read it into `exemptions`:
    /// analyses are given this text meanwhile, and changes wait for the list.
    unread_exemptions: StoredValue<Option<String>, LocalStorage>,
    /// The user's policy files, as stored in the browser and given to every analysis.
    pub policy_files: RwSignal<Vec<PolicyFile>>,
    /// A problem keeping the policy files (storage refused, stored list unreadable).
    pub policy_file_problem: RwSignal<Option<String>>,
    /// The engine's documentation, sent by the worker once it is ready (empty before).
    pub catalog: RwSignal<Arc<Catalog>>,
    /// What Undo would say it undoes ("Cleared 37 files."), while it can.
    pub undo_message: RwSignal<Option<String>>,
    undo_stash: StoredValue<Option<UndoStash>, LocalStorage>,
    loaded: StoredValue<Vec<LoadedFile>, LocalStorage>,
    /// Files the last addition replaced or kept under a distinct name, told once the
    /// analysis of the new set is in: (path, objects before, note).
    placed: StoredValue<Vec<Placed>, LocalStorage>,
    worker: StoredValue<Option<WorkerClient>, LocalStorage>,
    /// Number of the newest query: answers to older ones are dropped.
    newest_query: StoredValue<u32>,
}

impl AppState {
    /// Creates the state and starts the analysis worker.
    pub fn new(route: Route) -> Self {
        let stored = exemption_store::load();
        let (policy_files, policy_file_problem) = policy_store::load();
        let state = AppState {
            route: RwSignal::new(route),
            analysis: RwSignal::new(None),
            counts: RwSignal::new(Arc::default()),
            loaded_count: RwSignal::new(0),
            busy: RwSignal::new(None),
            error: RwSignal::new(None),
            notices: RwSignal::new(Vec::new()),
            exemptions: RwSignal::new(Vec::new()),
            exemption_problems: RwSignal::new(Vec::new()),
            unread_exemptions: StoredValue::new_local(stored),
            baseline: RwSignal::new(None),
            default_namespace: RwSignal::new(String::new()),
            policy_files: RwSignal::new(policy_files),
            policy_file_problem: RwSignal::new(policy_file_problem),
            catalog: RwSignal::new(Arc::default()),
            undo_message: RwSignal::new(None),
            undo_stash: StoredValue::new_local(None),
            loaded: StoredValue::new_local(Vec::new()),
            placed: StoredValue::new_local(Vec::new()),
            worker: StoredValue::new_local(None),
            newest_query: StoredValue::new(0),
        };
        let client = WorkerClient::start(state);
        state.worker.set_value(Some(client));
        state.read_stored_exemptions();
        state
    }

    /// Asks the worker to read the stored exemption file, unless it has been read;
    /// called at the start and again by a restarted worker (which drops questions).
    pub(crate) fn read_stored_exemptions(&self) {
        let Some(text) = self.unread_exemptions.get_value() else {
            return;
        };
        let state = *self;
        let asked = text.clone();
        crate::questions::parse_exemptions(
            *self,
            exemption_store::FILE_NAME,
            &asked,
            move |read| {
                // Only the answer for the text still unread counts.
                if state
                    .unread_exemptions
                    .with_value(|t| t.as_deref() != Some(text.as_str()))
                {
                    return;
                }
                match read {
                    Ok(read) => {
                        state.unread_exemptions.set_value(None);
                        state.exemptions.set(read.exemptions);
                        state.exemption_problems.set(read.problems);
                    }
                    Err(e) => state.exemption_problems.set(vec![format!(
                        "the stored exemptions could not be read: {e}"
                    )]),
                }
            },
        );
    }

    /// Adds files to the loaded set and re-runs the analysis over all of them. A file
    /// with the same path replaces the old one, a picked file with a taken name but other
    /// contents is kept beside it (see [`place`]); either is told once the analysis is in.
    pub fn add_files(&self, files: Vec<LoadedFile>) {
        if files.is_empty() {
            self.busy.set(None);
            self.notices.update(|n| {
                n.push(
                    "Nothing to load: no JSON, YAML or log files were found in what was dropped."
                        .into(),
                )
            });
            return;
        }
        // Objects each loaded file gave, to tell what a replacement changed.
        let objects_before = |path: &str| {
            self.analysis.with_untracked(|a| {
                a.as_ref()
                    .and_then(|a| a.inputs.iter().find(|i| i.path == path))
                    .map(|i| i.objects)
            })
        };
        let mut placed = Vec::new();
        self.loaded.update_value(|loaded| {
            for mut file in files {
                match place(loaded, &file) {
                    Placement::Added => loaded.push(file),
                    Placement::Replaces(i) => {
                        // The path it had (`pods.json (2)`) stays its name.
                        file.path = loaded[i].path.clone();
                        placed.push((file.path.clone(), objects_before(&file.path), None));
                        loaded[i] = file;
                    }
                    Placement::Renamed(path) => {
                        let note = format!(
                            "{} has the same name as a file already loaded but other contents \
                             (another folder's?): both are kept, this one as {path}.",
                            file.path
                        );
                        file.path = path.clone();
                        placed.push((path, None, Some(note)));
                        loaded.push(file);
                    }
                }
            }
            // The same set of files gives the same analysis whatever the drop order.
            loaded.sort_by(|a, b| a.path.cmp(&b.path));
        });
        self.placed.set_value(placed);
        self.loaded_count
            .set(self.loaded.with_value(|loaded| loaded.len()));
        self.reanalyze();
    }

    /// Forgets every file and the analysis; [`AppState::undo`] brings the files back.
    pub fn clear(&self) {
        let files = self.loaded.with_value(Clone::clone);
        if !files.is_empty() {
            let n = files.len();
            self.offer_undo(
                format!("Cleared {n} file{}.", if n == 1 { "" } else { "s" }),
                UndoStash::Files(files),
            );
        }
        self.loaded.update_value(Vec::clear);
        self.placed.set_value(Vec::new());
        self.loaded_count.set(0);
        self.analysis.set(None);
        self.busy.set(None);
        self.error.set(None);
        self.notices.set(Vec::new());
        self.worker.update_value(|w| {
            if let Some(w) = w {
                w.cancel();
            }
        });
    }

    /// The exemption file the analysis is given: what is stored and exported.
    pub fn exemptions_text(&self) -> String {
        if let Some(text) = self.unread_exemptions.get_value() {
            return text;
        }
        self.exemptions
            .with_untracked(|list| exemptions::to_yaml(list))
    }

    /// Adds an exemption (unless the same one is there) and applies it.
    pub fn add_exemption(&self, exemption: Exemption) {
        self.import_exemptions(vec![exemption]);
    }

    /// Adds exemptions read from a file, skipping those already present, and applies
    /// them; returns how many were new.
    pub fn import_exemptions(&self, new: Vec<Exemption>) -> usize {
        let mut list = self.exemptions.get_untracked();
        let before = list.len();
        for e in new {
            if !list.contains(&e) {
                list.push(e);
            }
        }
        let added = list.len() - before;
        if added > 0 {
            self.set_exemptions(list);
        }
        added
    }

    /// Removes the exemption at `index` and applies the change; [`AppState::undo`] puts
    /// it back.
    pub fn remove_exemption(&self, index: usize) {
        let mut list = self.exemptions.get_untracked();
        if index < list.len() {
            let removed = list.remove(index);
            self.offer_undo(
                format!("Removed the exemption of rule {}.", removed.rule),
                UndoStash::Exemption(index, Box::new(removed)),
            );
            self.set_exemptions(list);
        }
    }

    fn offer_undo(&self, message: String, stash: UndoStash) {
        self.undo_stash.set_value(Some(stash));
        self.undo_message.set(Some(message));
    }

    /// Undoes the last Clear all files or Remove exemption.
    pub fn undo(&self) {
        self.undo_message.set(None);
        let Some(stash) = self.undo_stash.try_update_value(Option::take).flatten() else {
            return;
        };
        match stash {
            UndoStash::Files(files) => {
                self.notices.set(Vec::new());
                self.add_files(files);
            }
            UndoStash::Exemption(index, exemption) => {
                let mut list = self.exemptions.get_untracked();
                list.insert(index.min(list.len()), *exemption);
                self.set_exemptions(list);
            }
        }
    }

    /// Forgets what Undo would restore.
    pub fn forget_undo(&self) {
        self.undo_message.set(None);
        self.undo_stash.set_value(None);
    }

    /// Stores `list` and re-evaluates the rules of the loaded snapshot with it.
    fn set_exemptions(&self, list: Vec<Exemption>) {
        if self.unread_exemptions.with_value(Option::is_some) {
            // Storing now would overwrite the stored exemptions not read yet.
            self.exemption_problems.set(vec![
                "The stored exemptions are still being read: try again in a moment.".into(),
            ]);
            return;
        }
        match exemption_store::save(&list) {
            Ok(_) => self.exemption_problems.set(Vec::new()),
            Err(e) => self.exemption_problems.set(vec![e]),
        }
        self.exemptions.set(list);
        self.rerun_loaded(Busy::new("model", 1, 1, ""), false);
    }

    /// Asks the worker to re-run the loaded snapshot's exemptions (or, with
    /// `policies_only`, its policies) with the stored exemptions and policy files;
    /// nothing when no file is loaded.
    fn rerun_loaded(&self, busy: Busy, policies_only: bool) {
        if self.loaded_count.get_untracked() == 0 {
            return;
        }
        self.error.set(None);
        let files = self.loaded.with_value(Clone::clone);
        let text = self.exemptions_text();
        let namespace = self.default_namespace.get_untracked();
        let policies = self.policies_json();
        self.busy.set(Some(busy));
        self.worker.update_value(|w| match w {
            Some(w) if policies_only => w.update_policies(&files, &text, &namespace, &policies),
            Some(w) => w.update_exemptions(&files, &text, &namespace, &policies),
            None => self
                .error
                .set(Some("The analysis worker is not running.".into())),
        });
    }

    /// The kept policy files as every request to the worker carries them.
    fn policies_json(&self) -> String {
        self.policy_files
            .with_untracked(|files| policy_store::to_json(files))
    }

    /// Keeps `files` among the policy files (one of the same path is replaced: a new
    /// version of it) and re-runs the policies.
    pub fn add_policy_files(&self, files: Vec<PolicyFile>) {
        let mut list = self.policy_files.get_untracked();
        for file in files {
            match list.iter_mut().find(|f| f.path == file.path) {
                Some(kept) => *kept = file,
                None => list.push(file),
            }
        }
        list.sort_by(|a, b| a.path.cmp(&b.path));
        self.set_policy_files(list);
    }

    /// Removes the policy file at `index` and re-runs the policies.
    pub fn remove_policy_file(&self, index: usize) {
        let mut list = self.policy_files.get_untracked();
        if index < list.len() {
            list.remove(index);
            self.set_policy_files(list);
        }
    }

    /// Replaces the text of the policy file at `index` (the editor's) and re-runs the
    /// policies.
    pub fn edit_policy_file(&self, index: usize, text: String) {
        let mut list = self.policy_files.get_untracked();
        if let Some(file) = list.get_mut(index) {
            file.text = text;
            self.set_policy_files(list);
        }
    }

    /// Stores the policy files and evaluates them on the kept snapshot (only the
    /// policies run again; see [`WorkerClient::update_policies`]).
    fn set_policy_files(&self, list: Vec<PolicyFile>) {
        self.policy_file_problem
            .set(policy_store::save(&list).err());
        self.policy_files.set(list);
        self.rerun_loaded(Busy::new("policies", 0, 1, ""), true);
    }

    /// Sets the namespace of objects written without one and, when files are loaded,
    /// analyses them again with it.
    pub fn set_default_namespace(&self, namespace: String) {
        if self.default_namespace.get_untracked() == namespace {
            return;
        }
        self.default_namespace.set(namespace);
        if self.loaded_count.get_untracked() > 0 {
            self.reanalyze();
        }
    }

    fn reanalyze(&self) {
        self.error.set(None);
        let files = self.loaded.with_value(Clone::clone);
        let text = self.exemptions_text();
        let namespace = self.default_namespace.get_untracked();
        let policies = self.policies_json();
        self.busy.set(Some(Busy::new("read", 0, files.len(), "")));
        self.worker.update_value(|w| match w {
            Some(w) => w.analyze(&files, &text, &namespace, &policies),
            None => self
                .error
                .set(Some("The analysis worker is not running.".into())),
        });
    }

    /// Asks the worker a question about the shown analysis (see
    /// [`crate::questions`]); `answer` gets the answer's JSON or why there is none.
    pub fn ask(
        &self,
        kind: &str,
        fields: &[(&str, wasm_bindgen::JsValue)],
        answer: impl FnOnce(Result<Vec<u8>, String>) + 'static,
    ) {
        let mut answer = Some(answer);
        self.worker.with_value(|w| {
            if let (Some(w), Some(answer)) = (w, answer.take()) {
                w.ask(kind, fields, answer);
            }
        });
        if let Some(answer) = answer {
            answer(Err("the analysis worker is not running".into()));
        }
    }

    /// The title of rule `id` from the catalogue (its id until the catalogue arrives);
    /// tracked, so a view showing it is drawn again when it does.
    pub fn rule_title(&self, id: &str) -> String {
        self.catalog.with(|c| c.rule_title(id))
    }

    /// Records a finished analysis (called by the worker client).
    pub(crate) fn finish(&self, analysis: Analysis, counts: FindingCounts) {
        let placed = self.placed.with_value(Clone::clone);
        self.placed.set_value(Vec::new());
        let objects_now = |path: &str| {
            analysis
                .inputs
                .iter()
                .find(|i| i.path == path)
                .map_or(0, |i| i.objects)
        };
        let mut notes = Vec::new();
        let (mut replaced, mut before, mut after) = (Vec::new(), 0, 0);
        for (path, was, note) in placed {
            match note {
                Some(note) => notes.push(note),
                None => {
                    before += was.unwrap_or(0);
                    after += objects_now(&path);
                    replaced.push(path);
                }
            }
        }
        if !replaced.is_empty() {
            const NAMED: usize = 5;
            let mut names = replaced[..replaced.len().min(NAMED)].join(", ");
            if replaced.len() > NAMED {
                names.push_str(&format!(" and {} more", replaced.len() - NAMED));
            }
            let files = if replaced.len() == 1 { "file" } else { "files" };
            notes.push(format!(
                "Replaced {} {files} loaded before with the same path ({names}): {before} objects \
                 before, {after} now.",
                replaced.len()
            ));
        }
        if !notes.is_empty() {
            self.notices.update(|n| n.extend(notes));
        }
        self.counts.set(Arc::new(counts));
        self.analysis.set(Some(Arc::new(analysis)));
        self.busy.set(None);
    }

    /// Records a failed run (called by the worker client).
    pub(crate) fn fail(&self, message: String) {
        self.busy.set(None);
        self.error.set(Some(message));
    }

    /// Runs a query in the worker on the shown analysis' snapshot; `reply` gets the
    /// outcome unless a newer query came first.
    pub fn query(
        &self,
        text: &str,
        limit: usize,
        reply: impl Fn(portolan_engine::query::QueryOutcome) + 'static,
    ) {
        use portolan_engine::query::{QueryError, QueryOutcome};
        let number = self.newest_query.get_value().wrapping_add(1);
        self.newest_query.set_value(number);
        let newest = self.newest_query;
        let fields = [
            ("text", wasm_bindgen::JsValue::from_str(text)),
            ("limit", (limit as f64).into()),
        ];
        self.ask(crate::protocol::QUERY, &fields, move |answer| {
            if newest.get_value() != number {
                return;
            }
            let failed = |message: String| QueryOutcome {
                error: Some(QueryError {
                    line: 0,
                    column: 0,
                    message,
                }),
                ..QueryOutcome::default()
            };
            reply(match answer {
                Ok(json) => serde_json::from_slice(&json)
                    .unwrap_or_else(|e| failed(format!("the answer could not be read: {e}"))),
                Err(message) => failed(message),
            });
        });
    }

    /// Navigates to `route`; `replace` keeps the history entry (used while typing).
    pub fn navigate(&self, route: Route, replace: bool) {
        let hash = route.to_hash();
        if let Ok(history) = window().history() {
            let result = if replace {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash))
            };
            if result.is_err() {
                let _ = window().location().set_hash(&hash);
            }
        }
        self.route.set(route);
    }
}

/// The state provided by the root component.
pub fn use_state() -> AppState {
    expect_context::<AppState>()
}
