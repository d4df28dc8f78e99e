//! Two independent stages at once, where the target has threads.
//!
//! Natively (the CLI) [`join`] runs its second stage on a thread of its own beside the
//! first; in the browser's worker (`wasm32-unknown-unknown` has no threads) and on a
//! single core it runs them one after the other. Either way the results are the same:
//! the stages share nothing they change.

/// Runs `a` and `b`, `b` on another thread when there is a core for it, and returns
/// both results. A panic in either is raised again here, as if run in sequence.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    if std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
        return std::thread::scope(|scope| {
            // The stack the main thread has, as deep recursion (nested values) may need.
            let other = std::thread::Builder::new()
                .name("portolan-stage".into())
                .stack_size(8 << 20)
                .spawn_scoped(scope, b);
            match other {
                Ok(other) => {
                    let a = a();
                    match other.join() {
                        Ok(b) => (a, b),
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
                Err(e) => panic!("cannot start a thread for a stage of the analysis: {e}"),
            }
        });
    }
    (a(), b())
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn both_results_come_back_in_order() {
        let v: Vec<u64> = (0..1000).collect();
        let (a, b) = join(
            || v.iter().sum::<u64>(),
            || v.iter().map(|x| x * 2).sum::<u64>(),
        );
        assert_eq!((a, b), (499_500, 999_000));
    }

    #[test]
    #[should_panic(expected = "stage failed")]
    fn a_panic_on_the_other_thread_is_raised_again() {
        join(|| 1, || -> u32 { panic!("stage failed") });
    }
}
