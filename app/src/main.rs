//! Portolan's web app: a thin Leptos shell over the engine.
//!
//! The page collects files (drop, pickers or the bundled demo), hands them to the
//! analysis worker (`bin/worker.rs`) and renders the [`portolan_engine::Analysis`] it
//! returns. Nothing is sent anywhere: the app makes no request outside its own origin.
//! Every value from a snapshot is rendered as text, never as markup.

mod app;
mod catalog;
mod components;
mod demo;
mod download;
mod exemption_store;
mod files;
mod format;
mod links;
mod pages;
mod policy_store;
mod protocol;
mod questions;
mod route;
mod shown;
mod state;
mod theme;
mod unload_guard;
mod worker_client;

fn main() {
    console_error_panic_hook::set_once();
    theme::init();
    leptos::mount::mount_to_body(app::App);
}
