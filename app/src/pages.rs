//! The page for each route, and the split points that keep every page but the overview
//! out of the page's first load. Each `#[wasm_split(MODULE, fallible)]` function below
//! (`wasm_split_helpers`, the runtime of Leptos' `#[lazy]`) is a split point:
//! `scripts/page.sh` moves the page it renders, with whatever code only such pages
//! reach (their views, the decoders of the worker's answers they ask for), into the
//! chunk `split_MODULE.wasm`, fetched the first time one of its pages is opened. What
//! the drop zone and the overview need stays in the first load. After the first
//! analysis every chunk is fetched in the background ([`prefetch`]), so moving between
//! pages stays instant.
//!
//! Three chunks: `tables` (inventory, recommendations, exemptions, vulnerabilities,
//! alerts and the resource panel, which they all link to), `graph` (attack paths, the
//! map, the explorer, cloud permissions) and `tools` (compare, enforcement, policies).
//! A chunk per page made the splitter put the code each subset of pages shares in a
//! chunk of its own: 194 more files for 13 pages, each fetched on its own.
//!
//! A split function cannot be generic and crosses an `extern "C"` boundary, so each
//! takes its route's fields as plain values and returns the erased view. `fallible`:
//! a chunk that cannot be fetched shows an error where the page would be, instead of
//! the default's panic, which would abort the whole page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_split_helpers::{wasm_split, SplitLoaderError};

use crate::components::alert_detail::AlertDetail;
use crate::components::alerts::AlertsPage;
use crate::components::attack_paths::{AttackPathDetail, AttackPathsPage};
use crate::components::compare::ComparePage;
use crate::components::enforcement::EnforcementPage;
use crate::components::exemptions::ExemptionsPage;
use crate::components::explorer::ExplorerPage;
use crate::components::iam::IamPage;
use crate::components::inventory::InventoryPage;
use crate::components::overview::OverviewPage;
use crate::components::policies::PoliciesPage;
use crate::components::recommendation_detail::RecommendationDetail;
use crate::components::recommendations::RecommendationsPage;
use crate::components::resource_panel::ResourcePage;
use crate::components::security_map::MapPage;
use crate::components::vulnerabilities::VulnerabilitiesPage;
use crate::route::Page;

#[wasm_split(tables, fallible)]
fn inventory(kind: Option<String>) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <InventoryPage kind=kind /> }.into_any())
}

#[wasm_split(tables, fallible)]
fn recommendations() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <RecommendationsPage /> }.into_any())
}

#[wasm_split(tables, fallible)]
fn recommendation(rule: String) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <RecommendationDetail rule=rule /> }.into_any())
}

#[wasm_split(tables, fallible)]
fn exemptions() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ExemptionsPage /> }.into_any())
}

#[wasm_split(graph, fallible)]
fn attack_paths() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <AttackPathsPage /> }.into_any())
}

#[wasm_split(graph, fallible)]
fn attack_path(rank: usize) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <AttackPathDetail rank=rank /> }.into_any())
}

#[wasm_split(tools, fallible)]
fn enforcement() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <EnforcementPage /> }.into_any())
}

#[wasm_split(tools, fallible)]
fn compare() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ComparePage /> }.into_any())
}

#[wasm_split(tables, fallible)]
fn vulnerabilities() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <VulnerabilitiesPage /> }.into_any())
}

#[wasm_split(tables, fallible)]
fn alerts() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <AlertsPage /> }.into_any())
}

#[wasm_split(tables, fallible)]
fn alert(index: usize) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <AlertDetail index=index /> }.into_any())
}

#[wasm_split(tables, fallible)]
fn resource(id: String) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ResourcePage id=id /> }.into_any())
}

#[wasm_split(graph, fallible)]
fn map() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <MapPage /> }.into_any())
}

#[wasm_split(graph, fallible)]
fn explorer() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ExplorerPage /> }.into_any())
}

#[wasm_split(tools, fallible)]
fn policies() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <PoliciesPage /> }.into_any())
}

#[wasm_split(graph, fallible)]
fn iam() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <IamPage /> }.into_any())
}

/// The view of the page at `page`: the overview at once, any other page once its chunk
/// is loaded.
pub fn view(page: Page) -> AnyView {
    match page {
        Page::Overview => view! { <OverviewPage /> }.into_any(),
        Page::Inventory { kind } => loading(inventory(kind)),
        Page::Recommendations { rule: None } => loading(recommendations()),
        Page::Recommendations { rule: Some(rule) } => loading(recommendation(rule)),
        Page::Exemptions => loading(exemptions()),
        Page::AttackPaths { rank: None } => loading(attack_paths()),
        Page::AttackPaths { rank: Some(rank) } => loading(attack_path(rank)),
        Page::Enforcement => loading(enforcement()),
        Page::Compare => loading(compare()),
        Page::Vulnerabilities => loading(vulnerabilities()),
        Page::Alerts { index: None } => loading(alerts()),
        Page::Alerts { index: Some(index) } => loading(alert(index)),
        Page::Resource { id } => loading(resource(id)),
        Page::Map => loading(map()),
        Page::Explorer => loading(explorer()),
        Page::Policies => loading(policies()),
        Page::Iam => loading(iam()),
    }
}

/// Shows the page `view` resolves to, a loading state while its chunk is fetched, and
/// an error in its place when the fetch failed (opening the page again retries). A
/// chunk is fetched once: later, the future is ready when first polled and the page
/// shows without the loading state.
fn loading(
    view: impl std::future::Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
) -> AnyView {
    // The split functions' futures are not `Send`; the page has one thread.
    let view = send_wrapper::SendWrapper::new(async move {
        view.await.unwrap_or_else(|e| {
            view! {
                <p class="banner banner-error" data-testid="page-load-error" role="alert">
                    {format!("This page could not be loaded ({e}). Open it again to retry.")}
                </p>
            }
            .into_any()
        })
    });
    view! {
        <Suspense fallback=|| {
            view! {
                <p class="page-loading" data-testid="page-loading" role="status">
                    "Loading the page…"
                </p>
            }
        }>{Suspend::new(view)}</Suspense>
    }
    .into_any()
}

/// Fetches every page's chunk in the background, each once. A failed fetch is only
/// logged by the loader: the page's own fetch tries again when it is opened.
pub fn prefetch() {
    fn background(
        preload: impl std::future::Future<Output = Result<(), SplitLoaderError>> + 'static,
    ) {
        spawn_local(async move {
            let _ = preload.await;
        });
    }
    // One function of each chunk loads the whole chunk.
    background(__wasm_split_preload_inventory());
    background(__wasm_split_preload_attack_paths());
    background(__wasm_split_preload_compare());
}
