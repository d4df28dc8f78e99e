//! The CLI's allocator: mimalloc (version 2) instead of glibc's. The analysis allocates
//! and frees millions of small strings and vectors; glibc's frees slow down as the heap
//! grows (at 50,000 pods a quarter of the run was its `unlink_chunk`,
//! `malloc_consolidate` and `_int_malloc`), mimalloc's size-segregated pages do not.
//! BENCHMARKS.md, "Session 13: the allocator", has the measurements.

use libmimalloc_sys::{mi_option_set, mi_option_t};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the bundled mimalloc 2.x's `mi_option_e` (its
/// `include/mimalloc.h`; the sys crate names no constant for it).
const PURGE_DELAY: mi_option_t = 15;

/// How long freed memory stays with mimalloc before it goes back to the OS.
const PURGE_DELAY_MS: i64 = 1_000;

/// Lets freed memory wait a second before it is given back. mimalloc's default, 10 ms,
/// hands pages back between one stage and the next, and the kernel zeroes them again
/// when they are touched: a third of a 200,000-pod run in the kernel. The resident peak
/// grows a little (freed pages are kept a while), the run is a fifth shorter.
pub fn tune() {
    // SAFETY: sets one of mimalloc's options, which it reads at each purge; no memory
    // is touched.
    unsafe { mi_option_set(PURGE_DELAY, PURGE_DELAY_MS as _) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libmimalloc_sys::mi_option_get;

    fn purge_delay() -> i64 {
        // SAFETY: reads an option.
        unsafe { mi_option_get(PURGE_DELAY) as i64 }
    }

    #[test]
    fn the_option_set_is_the_purge_delay() {
        // The index names `purge_delay` only in the bundled header's numbering: its
        // default (10 ms) and its neighbours' (`eager_commit_delay` 1 segment,
        // `use_numa_nodes` 0) tell a renumbering in a later mimalloc.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(purge_delay(), 10);
        }
        // SAFETY: reads options.
        unsafe {
            assert_eq!(mi_option_get(PURGE_DELAY - 1), 1);
            assert_eq!(mi_option_get(PURGE_DELAY + 1), 0);
        }
        tune();
        assert_eq!(purge_delay(), PURGE_DELAY_MS);
    }
}
