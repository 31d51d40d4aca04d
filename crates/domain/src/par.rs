//! Pure CPU work over large batches (an import's million rows: validation,
//! encryption, blind indexes) spread over the machine's cores.

/// Below this many items a batch runs on the calling thread: starting
/// threads costs more than it saves.
const MIN_PARALLEL: usize = 4096;

/// `items.iter().map(f).collect()`, in order, on every core. The calling
/// thread waits; use it for work measured in hundreds of milliseconds, where
/// blocking an async worker that long is the lesser cost.
pub fn map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads == 1 || items.len() < MIN_PARALLEL {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let parts: Vec<_> = items.chunks(chunk).map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<U>>())).collect();
        let mut out = Vec::with_capacity(items.len());
        for part in parts {
            out.extend(part.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_at_every_size() {
        for n in [0, 1, 4095, 4096, 10_001] {
            let items: Vec<u64> = (0..n).collect();
            assert_eq!(super::map(&items, |x| x * 2), items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
    }
}
