//! A global allocator that counts live heap bytes and their peak, for the benchmarks
//! that report memory next to the input's size (`#[path]`-included; the including
//! example installs it with `#[global_allocator]`). It allocates through mimalloc, the
//! CLI's allocator, or through the system's (glibc) when the process starts with
//! `BENCH_SYSTEM_ALLOC` set: `bench_scale` measures the bare `serde_json` parse, its
//! yardstick, in a child process of its own under the system allocator.

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use mimalloc::MiMalloc;

pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The environment variable that selects the system allocator for the whole process.
pub const SYSTEM_ALLOC: &str = "BENCH_SYSTEM_ALLOC";

/// 0 until the first allocation decides, then 1 (mimalloc) or 2 (system), for good: a
/// block must be freed by the allocator that gave it.
static INNER: AtomicU8 = AtomicU8::new(0);

fn system() -> bool {
    match INNER.load(Ordering::Relaxed) {
        0 => {
            // `getenv` reads the environment without allocating (`std::env` would
            // allocate, from inside the allocator). The first allocation happens before
            // any thread starts, so the decision is made once.
            let set = unsafe { !libc::getenv(c"BENCH_SYSTEM_ALLOC".as_ptr()).is_null() };
            INNER.store(if set { 2 } else { 1 }, Ordering::Relaxed);
            set
        }
        inner => inner == 2,
    }
}

/// Tunes mimalloc as the CLI does (`cli/src/alloc.rs`, whose test checks the options'
/// indices: 3 is `eager_commit` and 4 `arena_eager_commit`, turned off; 15 `purge_delay`,
/// a second), unless
/// the environment sets them, and as it does before `main`: an ELF constructor, which
/// runs before the first allocation.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static TUNE_BEFORE_MAIN: extern "C" fn() = {
    extern "C" fn tune() {
        let options = [
            (3, c"MIMALLOC_EAGER_COMMIT", 0),
            (4, c"MIMALLOC_ARENA_EAGER_COMMIT", 0),
            (15, c"MIMALLOC_PURGE_DELAY", 1_000),
        ];
        for (option, variable, value) in options {
            // SAFETY: `getenv` reads the environment, which nothing writes before
            // `main`; `mi_option_set` sets an option mimalloc reads when it reserves,
            // commits or purges memory.
            unsafe {
                if libc::getenv(variable.as_ptr()).is_null() {
                    libmimalloc_sys::mi_option_set(option, value);
                }
            }
        }
    }
    tune
};

/// The allocator this process allocates through, for the benchmarks' tables.
pub fn inner_name() -> &'static str {
    if system() {
        "system (glibc)"
    } else {
        "mimalloc"
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe {
            if system() {
                System.alloc(layout)
            } else {
                MiMalloc.alloc(layout)
            }
        };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe {
            if system() {
                System.dealloc(ptr, layout)
            } else {
                MiMalloc.dealloc(ptr, layout)
            }
        };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe {
            if system() {
                System.realloc(ptr, layout, new_size)
            } else {
                MiMalloc.realloc(ptr, layout, new_size)
            }
        };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let now = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
}

/// Live heap bytes now.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Starts measuring a peak from the live bytes now, which it returns.
pub fn reset_peak() -> usize {
    let now = live();
    PEAK.store(now, Ordering::Relaxed);
    now
}

/// The highest live byte count since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}
