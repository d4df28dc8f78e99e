//! The CLI's allocator: mimalloc (version 2) instead of glibc's. The analysis allocates
//! and frees millions of small strings and vectors; glibc's frees slow down as the heap
//! grows (at 50,000 pods over a quarter of the run was its `unlink_chunk`,
//! `malloc_consolidate` and `_int_malloc`), mimalloc's size-segregated pages do not.
//! BENCHMARKS.md, "Session 13 (branch s13-alloc): the allocator", has the measurements.

use std::ffi::CStr;

use libmimalloc_sys::{mi_option_set, mi_option_t};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options set here: their index in the bundled mimalloc 2.x's `mi_option_e`
/// (its `include/mimalloc.h`; the sys crate names no constant for them), the
/// environment variable that overrides them, and the value the CLI gives them.
const OPTIONS: [(mi_option_t, &CStr, i64); 3] = [
    // `mi_option_eager_commit`: its default, 1, commits each segment (32 MiB) whole
    // when it is made; the pages touched are what count, but a run of 5,000 pods
    // touched 5% more with it. Off: pages are committed as they are used, at no cost
    // measured at 50,000 pods.
    (3, c"MIMALLOC_EAGER_COMMIT", 0),
    // `mi_option_arena_eager_commit`: its default, 2, commits whole arenas up front on
    // Linux, and the kernel then zeroes pages mimalloc hands back and takes again: a
    // third of a 200,000-pod run in the kernel. Off: committed as used.
    (4, c"MIMALLOC_ARENA_EAGER_COMMIT", 0),
    // `mi_option_purge_delay`: freed memory waits a second (not 10 ms) before it goes
    // back to the OS, so that the next stage reuses it.
    (15, c"MIMALLOC_PURGE_DELAY", 1_000),
];

/// Runs [`tune`] before `main` and before the first allocation, as an ELF constructor
/// (glibc calls the `.init_array` entries after loading, before Rust's runtime starts):
/// mimalloc sizes its first arena at the first allocation, so an option set from `main`
/// came too late for it (at 5,000 pods the resident peak was 4.4x the input set from
/// `main`, 4.0x set before).
#[cfg(all(target_os = "linux", not(test)))]
#[used]
#[link_section = ".init_array"]
static TUNE_BEFORE_MAIN: extern "C" fn() = {
    extern "C" fn tune_before_main() {
        tune();
    }
    tune_before_main
};

/// Sets mimalloc's options for a short batch run, unless the environment sets them. It
/// reads the environment with `getenv`, which does not allocate, so that it can run
/// before the first allocation.
pub fn tune() {
    for (option, variable, value) in OPTIONS {
        // SAFETY: `getenv` reads the environment with a NUL-terminated name; nothing
        // writes the environment at the same time (before `main`, or in `main`'s
        // first line). `mi_option_set` sets one of mimalloc's options, which it reads
        // when it next reserves, commits or purges memory; no memory is touched.
        unsafe {
            if libc::getenv(variable.as_ptr()).is_null() {
                mi_option_set(option, value as _);
            }
        }
    }
}

/// Hands the memory freed so far back to the OS now rather than after the purge delay:
/// for the end of a stage that freed much at once (the input's bytes once loaded), whose
/// pages the next stage would not all reuse. Costs a walk over the heap's pages.
pub fn give_back() {
    // SAFETY: asks mimalloc to collect and purge this thread's free pages.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libmimalloc_sys::mi_option_get;

    fn get(option: mi_option_t) -> i64 {
        // SAFETY: reads an option.
        unsafe { mi_option_get(option) as i64 }
    }

    #[test]
    fn the_options_set_are_the_ones_meant() {
        // The indices name these options only in the bundled header's numbering; their
        // defaults and their neighbours' tell a renumbering in a later mimalloc:
        // `eager_commit` 1, `arena_eager_commit` 2, `purge_decommits` 1;
        // `eager_commit_delay` 1, `purge_delay` 10 (ms), `use_numa_nodes` 0.
        if OPTIONS
            .iter()
            .all(|(_, v, _)| std::env::var_os(v.to_str().unwrap()).is_none())
        {
            assert_eq!([get(3), get(4), get(5)], [1, 2, 1]);
            assert_eq!([get(14), get(15), get(16)], [1, 10, 0]);
            tune();
            for (option, _, value) in OPTIONS {
                assert_eq!(get(option), value);
            }
        }
    }
}
