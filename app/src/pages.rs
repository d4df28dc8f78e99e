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

/// A chunk of pages, named by its `#[wasm_split]` module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    Tables,
    Graph,
    Tools,
}

impl Chunk {
    const ALL: [Chunk; 3] = [Chunk::Tables, Chunk::Graph, Chunk::Tools];

    /// The chunk that holds `page`; `None` for the overview, which is in the first load.
    fn of(page: &Page) -> Option<Chunk> {
        Some(match page {
            Page::Overview => return None,
            Page::Inventory { .. }
            | Page::Recommendations { .. }
            | Page::Exemptions
            | Page::Vulnerabilities
            | Page::Alerts { .. }
            | Page::Resource { .. } => Chunk::Tables,
            Page::AttackPaths { .. } | Page::Map | Page::Explorer | Page::Iam => Chunk::Graph,
            Page::Enforcement | Page::Compare | Page::Policies => Chunk::Tools,
        })
    }

    /// Loads the chunk and readies each of its split functions. The chunk is fetched
    /// once, by the first; each function keeps its own ready flag, so every one of them
    /// is preloaded here (a function left out would not render on its first call).
    async fn load(self) -> Result<(), SplitLoaderError> {
        match self {
            Chunk::Tables => {
                __wasm_split_preload_inventory().await?;
                __wasm_split_preload_recommendations().await?;
                __wasm_split_preload_recommendation().await?;
                __wasm_split_preload_exemptions().await?;
                __wasm_split_preload_vulnerabilities().await?;
                __wasm_split_preload_alerts().await?;
                __wasm_split_preload_alert().await?;
                __wasm_split_preload_resource().await
            }
            Chunk::Graph => {
                __wasm_split_preload_attack_paths().await?;
                __wasm_split_preload_attack_path().await?;
                __wasm_split_preload_map().await?;
                __wasm_split_preload_explorer().await?;
                __wasm_split_preload_iam().await
            }
            Chunk::Tools => {
                __wasm_split_preload_compare().await?;
                __wasm_split_preload_enforcement().await?;
                __wasm_split_preload_policies().await
            }
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where a chunk's loading stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Load {
    #[default]
    Not,
    Loading,
    Loaded,
    Failed(String),
}

/// The loading state of the page's chunks, read by the route's view: a page shows once
/// its chunk is loaded, built where the route's view builds every page (so it is owned
/// and disposed like the overview), never inside a future. Built inside `Suspense`'s
/// `Suspend` instead, a page outlived its route: moving from the vulnerabilities to the
/// inventory read signals the old page had disposed, a panic that stopped the page.
#[derive(Clone, Copy)]
pub struct Chunks {
    loads: RwSignal<[Load; 3]>,
    /// One per chunk, so that a chunk arriving re-renders only the pages it holds.
    shown: [Memo<Load>; 3],
}

impl Chunks {
    pub fn new() -> Self {
        let loads = RwSignal::new(<[Load; 3]>::default());
        let shown =
            Chunk::ALL.map(|chunk| Memo::new(move |_| loads.with(|l| l[chunk.index()].clone())));
        Self { loads, shown }
    }

    /// Starts loading `chunk` unless it is loaded or loading.
    fn start(self, chunk: Chunk) {
        let i = chunk.index();
        if matches!(
            self.loads.with_untracked(|l| l[i].clone()),
            Load::Loading | Load::Loaded
        ) {
            return;
        }
        self.loads.update(|l| l[i] = Load::Loading);
        spawn_local(async move {
            let done = match chunk.load().await {
                Ok(()) => Load::Loaded,
                Err(e) => Load::Failed(e.to_string()),
            };
            self.loads.update(|l| l[i] = done);
        });
    }

    /// Fetches every chunk in the background, each once. A failed fetch shows only when
    /// a page of that chunk is opened, and opening it again retries.
    pub fn prefetch(self) {
        for chunk in Chunk::ALL {
            self.start(chunk);
        }
    }
}

/// The view of the page at `page`: the overview at once, any other page once its chunk
/// is loaded (a loading state until then, and an error if the fetch failed).
pub fn view(page: Page, chunks: Chunks) -> AnyView {
    let Some(chunk) = Chunk::of(&page) else {
        return view! { <OverviewPage /> }.into_any();
    };
    match chunks.shown[chunk.index()].get() {
        Load::Loaded => {
            // Loaded: the split function's future is ready when first polled.
            if let Some(Ok(view)) = now(render(page)) {
                return view;
            }
            failed("its split function was not readied with its chunk")
        }
        Load::Failed(e) => {
            // Shown once; the next time the page is opened loads the chunk again.
            chunks
                .loads
                .update_untracked(|l| l[chunk.index()] = Load::Not);
            failed(&e)
        }
        Load::Not | Load::Loading => {
            chunks.start(chunk);
            view! {
                <p class="page-loading" data-testid="page-loading" role="status">
                    "Loading the page…"
                </p>
            }
            .into_any()
        }
    }
}

/// The split function that renders `page` (not the overview).
async fn render(page: Page) -> Result<AnyView, SplitLoaderError> {
    match page {
        Page::Overview => Ok(view! { <OverviewPage /> }.into_any()),
        Page::Inventory { kind } => inventory(kind).await,
        Page::Recommendations { rule: None } => recommendations().await,
        Page::Recommendations { rule: Some(rule) } => recommendation(rule).await,
        Page::Exemptions => exemptions().await,
        Page::AttackPaths { rank: None } => attack_paths().await,
        Page::AttackPaths { rank: Some(rank) } => attack_path(rank).await,
        Page::Enforcement => enforcement().await,
        Page::Compare => compare().await,
        Page::Vulnerabilities => vulnerabilities().await,
        Page::Alerts { index: None } => alerts().await,
        Page::Alerts { index: Some(index) } => alert(index).await,
        Page::Resource { id } => resource(id).await,
        Page::Map => map().await,
        Page::Explorer => explorer().await,
        Page::Policies => policies().await,
        Page::Iam => iam().await,
    }
}

/// The output of `future` if it is ready when first polled.
fn now<T>(future: impl std::future::Future<Output = T>) -> Option<T> {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(value) => Some(value),
        std::task::Poll::Pending => None,
    }
}

fn failed(why: &str) -> AnyView {
    let message = format!("This page could not be loaded ({why}). Open it again to retry.");
    view! {
        <p class="banner banner-error" data-testid="page-load-error" role="alert">
            {message}
        </p>
    }
    .into_any()
}
