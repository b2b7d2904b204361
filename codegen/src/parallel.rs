//! A parallel `map` over a slice that keeps the input's order, so that what runs in parallel
//! gives the same output as a loop. Ground floor: imports nothing of ours.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// How the generator spreads its work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Threads {
    /// How many threads; `None`: as many as the machine runs at once.
    pub count: Option<NonZeroUsize>,
    /// Stack size of each thread in bytes; `None`: the platform's default for new threads.
    pub stack_size: Option<usize>,
}

/// `work` applied to every item, on up to `threads.count` threads, results in the order of
/// `items`. With one thread (or one item) everything runs on the calling thread. A panic in
/// `work` is raised again here.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], threads: Threads, work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let available = || std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let count = threads.count.map_or_else(available, NonZeroUsize::get).min(items.len());
    if count <= 1 {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    let run = || loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(index) else { break };
        let result = work(item);
        results.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[index] = Some(result);
    };
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(count);
        for _ in 0..count {
            let mut builder = std::thread::Builder::new().name("codegen".to_owned());
            if let Some(size) = threads.stack_size {
                builder = builder.stack_size(size);
            }
            // A thread that cannot start leaves its share to the others (and to this one).
            if let Ok(handle) = builder.spawn_scoped(scope, run) {
                handles.push(handle);
            }
        }
        if handles.is_empty() {
            run();
        }
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    let results = results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    results.into_iter().map(|result| result.expect("every item was taken by a thread that finished")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_whatever_the_thread_count() {
        let items: Vec<u64> = (0..1000).collect();
        let slow_square = |n: &u64| {
            if n.is_multiple_of(7) {
                std::thread::yield_now();
            }
            n * n
        };
        let expected: Vec<u64> = items.iter().map(slow_square).collect();
        for count in [1, 2, 3, 8] {
            let threads = Threads { count: NonZeroUsize::new(count), stack_size: Some(256 * 1024) };
            assert_eq!(map(&items, threads, slow_square), expected, "{count} threads");
        }
        assert_eq!(map(&items, Threads::default(), slow_square), expected);
        assert!(map(&[] as &[u64], Threads::default(), slow_square).is_empty());
    }

    #[test]
    fn a_panic_in_the_work_reaches_the_caller() {
        let threads = Threads { count: NonZeroUsize::new(2), stack_size: None };
        let outcome = std::panic::catch_unwind(|| map(&[1, 2, 3, 4], threads, |n| assert_ne!(*n, 3)));
        assert!(outcome.is_err());
    }
}
