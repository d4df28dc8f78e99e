//! The input problems banner, at the top of every page: how many files had errors and
//! how many objects were read, so that a page of empty results is never mistaken for a
//! clean cluster. With no object read at all it says that nothing is scored.

use leptos::prelude::*;
use portolan_engine::source::Level;
use portolan_engine::Analysis;

use crate::format::thousands;
use crate::state::use_state;

/// What the loaded inputs amount to: files, files with errors, objects read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputHealth {
    pub files: usize,
    pub failed_files: usize,
    pub errors: usize,
    pub objects: usize,
}

impl InputHealth {
    /// The health of `a`'s inputs.
    pub fn of(a: &Analysis) -> Self {
        let failed = |i: &&portolan_engine::analysis::InputReport| {
            i.diagnostics.iter().any(|d| d.level == Level::Error)
        };
        InputHealth {
            files: a.inputs.len(),
            failed_files: a.inputs.iter().filter(failed).count(),
            errors: a.diagnostics().filter(|d| d.level == Level::Error).count(),
            objects: a.inputs.iter().map(|i| i.objects).sum(),
        }
    }

    /// Nothing was read: no number of the analysis means anything.
    pub fn nothing_read(&self) -> bool {
        self.objects == 0
    }

    /// Some input could not be read (wholly or in part).
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }
}

/// The health of the shown analysis's inputs, `None` without one.
pub fn input_health() -> Option<InputHealth> {
    use_state()
        .analysis
        .with(|a| a.as_deref().map(InputHealth::of))
}

#[component]
pub fn InputBanner() -> impl IntoView {
    let state = use_state();
    let health = move || state.analysis.with(|a| a.as_deref().map(InputHealth::of));
    move || {
        let h = health()?;
        if !h.has_errors() && !h.nothing_read() {
            return None;
        }
        let files = |n: usize| {
            if n == 1 {
                "1 file".to_string()
            } else {
                format!("{} files", thousands(n))
            }
        };
        let (class, headline, detail) = if h.nothing_read() {
            (
                "banner banner-error",
                "Nothing was read from the input.".to_string(),
                format!(
                    "{} loaded, no object could be read ({} errors). There is no secure score, and \
                     empty lists below mean nothing was read, not that the cluster is clean.",
                    files(h.files),
                    thousands(h.errors)
                ),
            )
        } else {
            (
                "banner banner-warning",
                format!(
                    "{} of {} had errors.",
                    files(h.failed_files),
                    thousands(h.files)
                ),
                format!(
                    "{} objects were read; what could not be read is missing from every number \
                     shown.",
                    thousands(h.objects)
                ),
            )
        };
        Some(view! {
            <div class=class role="alert" data-testid="input-banner">
                <div>
                    <strong data-testid="input-banner-headline">{headline}</strong>
                    " " {detail} " "
                    <a href="#/" on:click=move |_| scroll_to_inputs() data-testid="input-banner-link">
                        "See the located errors"
                    </a>
                </div>
            </div>
        })
    }
}

/// Brings the inputs table (on the overview) into view once the overview is drawn.
fn scroll_to_inputs() {
    leptos::prelude::set_timeout(
        || {
            if let Some(el) = document().get_element_by_id("inputs") {
                el.scroll_into_view();
            }
        },
        std::time::Duration::from_millis(50),
    );
}
