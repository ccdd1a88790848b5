//! Running one check over many recorded cases on every core.
//!
//! The conformance sweeps (SARIF validity, report length and order, secrets)
//! each prepare and audit every recorded case; one at a time they take
//! minutes. `par_map` hands the items out one by one from a shared counter,
//! so a slow case does not hold a whole stripe back, and gives the results
//! back in the items' order, so failures read the same on every run.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` applied to every item, on as many threads as the machine has cores;
/// the results in the order of `items`. A panic in `f` is raised again here
/// with its own message.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(items.len().max(1));
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::par_map;

    #[test]
    fn results_come_back_in_item_order() {
        let items: Vec<u64> = (0..100).collect();
        // Later items finish first: order must not follow completion.
        let out = par_map(&items, |n| {
            std::thread::sleep(std::time::Duration::from_micros(100 - n));
            n * 2
        });
        assert_eq!(out, (0..100).map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn no_items_no_results() {
        assert_eq!(par_map(&[] as &[u8], |_| 1), Vec::<i32>::new());
    }
}
