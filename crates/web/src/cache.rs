//! Per-node caches of what is read or computed from the database, each
//! entry keyed by a version the database keeps.
//!
//! The version is kept by triggers (so no code path can forget to change it)
//! and read from the database on every request: a cached value is used only
//! when it was read at the version the database holds now, so a change made
//! through any app node is seen by every node on the next request, and
//! nothing expires on a timer (the study report's online hours, keyed by
//! the minute as well, are the one exception: `app::learning::report`).
//! A figure too slow to count within a request (a national root's) is read
//! with [`VersionedCache::get_or_count`], which may answer the value kept
//! at an earlier version instead, as a [`Figure::Earlier`] that says when
//! it was counted, while the current one is counted beside the request.
//! Two uses:
//!
//! - principals (a user with their role bindings), keyed by the user's
//!   `auth_version` (migration 0003), which the session read returns: the
//!   cache saves the two queries that load the principal;
//! - a subtree's computed figures (meeting compliance, the dues year, the
//!   study report, the exams' takers and passes, the decision metrics),
//!   keyed by the tenant's figure version for their subject
//!   (`Store::figure_version`, over `figure_changes`: migration 0023): the
//!   cache saves reading every branch or member of the subtree.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ronghe_domain::auth::Principal;

/// A user's principal by user id, at their `auth_version`.
pub type PrincipalCache = VersionedCache<i64, Principal>;

/// A kept value: the version it was read at, the value, its weight, and
/// when and how long its computation ran (none for a value put from
/// outside, such as a principal).
struct Entry<V> {
    version: i64,
    value: Arc<V>,
    weight: usize,
    counted: Option<Counted>,
}

/// When a value was computed and how long that took.
#[derive(Debug, Clone, Copy)]
struct Counted {
    at: chrono::DateTime<chrono::Utc>,
    took: Duration,
}

type Generation<K, V> = HashMap<K, Entry<V>>;

/// What a figure read through [`VersionedCache::get_or_count`] stands at.
#[derive(Debug)]
pub enum Figure<V> {
    /// Read at the version the database holds now.
    Current(Arc<V>),
    /// Counted at an earlier version, at `counted_at`: its computation is
    /// slow, so the value is shown (and says when it was counted) while a
    /// recount runs beside the request; what changed since shows once that
    /// is done.
    Earlier { value: Arc<V>, counted_at: chrono::DateTime<chrono::Utc> },
    /// Being counted for the first time, for longer than a request waits;
    /// the computation goes on and the value is kept when it is done.
    Counting,
}

impl<V> Figure<V> {
    /// The value, current or earlier.
    pub fn value(&self) -> Option<&Arc<V>> {
        match self {
            Figure::Current(v) | Figure::Earlier { value: v, .. } => Some(v),
            Figure::Counting => None,
        }
    }

    /// When an earlier value was counted (None for a current one).
    pub fn counted_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self {
            Figure::Earlier { counted_at, .. } => Some(*counted_at),
            _ => None,
        }
    }
}

/// How long a request waits for a figure: a value whose computation took
/// `slow` or longer is shown as it was while it is recounted, a first
/// computation is waited for `wait` at most (zero: not at all, however
/// quick it would be), and a computation still
/// running after `limit` is given up (a query that hangs must not keep the
/// key counting for ever).
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    pub slow: Duration,
    pub wait: Duration,
    pub limit: Duration,
}

/// A computation in progress and, once done, its value at its version.
type Flight<V> = Arc<tokio::sync::Mutex<Option<(i64, Arc<V>)>>>;

/// Two generations: lookups promote from the old one; when the new one is
/// full it becomes the old one. A bounded, almost-LRU map without per-entry
/// bookkeeping. Entries have a weight (one for a principal; for a subtree's
/// figures, the rows they list), and a generation holds up to `capacity` of
/// it; a value heavier than that is not kept at all.
pub struct VersionedCache<K, V> {
    generations: Mutex<Generations<K, V>>,
    /// Keys being computed, so that concurrent misses of one key wait for
    /// one computation instead of each running it. The flight holds what it
    /// computed while anyone waits on it, so the waiters share even a value
    /// too heavy for the cache.
    flights: Mutex<HashMap<K, Flight<V>>>,
    /// Recounts of values shown as they were run one at a time per cache:
    /// a node keeps at most one core on them however many slow figures are
    /// viewed.
    recounts: Arc<tokio::sync::Semaphore>,
    capacity: usize,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

struct Generations<K, V> {
    new: Generation<K, V>,
    new_weight: usize,
    old: Generation<K, V>,
}

impl<K: Hash + Eq + Clone, V> VersionedCache<K, V> {
    pub fn new(capacity: usize) -> VersionedCache<K, V> {
        VersionedCache {
            generations: Mutex::new(Generations { new: HashMap::new(), new_weight: 0, old: HashMap::new() }),
            flights: Mutex::new(HashMap::new()),
            recounts: Arc::new(tokio::sync::Semaphore::new(1)),
            capacity: capacity.max(1),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The value cached for `key` if it was read at `version`.
    pub fn get(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        let found = match g.new.get(key) {
            Some(e) if e.version == version => Some(e.value.clone()),
            Some(_) => None,
            None if g.old.get(key).is_some_and(|e| e.version == version) => {
                let e = g.old.remove(key).expect("just seen");
                let x = e.value.clone();
                Self::insert(&mut g, self.capacity, key.clone(), e);
                Some(x)
            }
            // An older version stays where it is: it may be shown while
            // it is recounted (`get_or_count`).
            None => None,
        };
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// The value cached for `key` at `version`, else what `compute` gives
    /// (the value and its weight), kept. Concurrent misses of one key on this
    /// node wait for the first one's computation: after a change, the
    /// requests already in flight for a group's root compute it once, not
    /// once each.
    pub async fn get_or_compute<F, Fut, E>(&self, key: K, version: i64, compute: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(V, usize), E>>,
    {
        if let Some(v) = self.get(&key, version) {
            return Ok(v);
        }
        self.compute_once(key, version, compute, || ()).await
    }

    /// The flight part of [`get_or_compute`](Self::get_or_compute):
    /// `in_line` is called once the flight is in the map, before its lock
    /// is waited for.
    async fn compute_once<F, Fut, E>(
        &self,
        key: K,
        version: i64,
        compute: F,
        in_line: impl FnOnce(),
    ) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(V, usize), E>>,
    {
        let flight = self.flights.lock().unwrap_or_else(|e| e.into_inner()).entry(key.clone()).or_default().clone();
        // Leaves the map when its last holder goes, even one dropped while
        // waiting (a request timed out or its client gone).
        let flight = Boarded { cache: self, key: key.clone(), flight: Some(flight) };
        in_line();
        let mut done = flight.flight.as_ref().expect("boarded").lock().await;
        // What the flight computed before, or a later computation kept, at
        // this version or a newer one (read after ours was, so no older).
        if let Some(v) = done.as_ref().filter(|(v, _)| *v >= version).map(|(_, x)| x.clone()) {
            return Ok(v);
        }
        if let Some(v) = self.peek(&key, version) {
            return Ok(v);
        }
        // Said to stand when the computation began: what changed while it
        // read may not be in it.
        let at = chrono::Utc::now();
        let started = Instant::now();
        let (v, weight) = compute().await?;
        let v = Arc::new(v);
        let counted = Counted { at, took: started.elapsed() };
        self.keep(key, Entry { version, value: v.clone(), weight, counted: Some(counted) });
        *done = Some((version, v.clone()));
        Ok(v)
    }

    /// A lookup that neither promotes nor counts, of a value at `version`
    /// or a newer one.
    fn peek(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        g.new.get(key).or_else(|| g.old.get(key)).filter(|e| e.version >= version).map(|e| e.value.clone())
    }

    pub fn put(&self, key: K, version: i64, value: Arc<V>) {
        self.put_weighing(key, version, value, 1);
    }

    /// Keeps `value` as weighing `weight`; not at all if that is more than
    /// a generation holds.
    pub fn put_weighing(&self, key: K, version: i64, value: Arc<V>, weight: usize) {
        self.keep(key, Entry { version, value, weight, counted: None });
    }

    fn keep(&self, key: K, entry: Entry<V>) {
        if entry.weight > self.capacity {
            return;
        }
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        Self::insert(&mut g, self.capacity, key, entry);
    }

    fn insert(g: &mut Generations<K, V>, capacity: usize, key: K, entry: Entry<V>) {
        // A slow request that read an older version does not replace what a
        // later one read, in either generation; a key is kept once.
        if g.new.get(&key).into_iter().chain(g.old.get(&key)).any(|e| e.version > entry.version) {
            return;
        }
        g.old.remove(&key);
        if let Some(e) = g.new.remove(&key) {
            g.new_weight -= e.weight;
        }
        if g.new_weight + entry.weight > capacity {
            g.old = std::mem::take(&mut g.new);
            g.new_weight = 0;
        }
        g.new_weight += entry.weight;
        g.new.insert(key, entry);
    }

    /// A value kept for `key` at a version older than `version` whose
    /// computation took `slow` or longer, with when it was computed. (A key
    /// is in one generation at most: `insert`.)
    fn earlier(&self, key: &K, version: i64, slow: Duration) -> Option<(Arc<V>, chrono::DateTime<chrono::Utc>)> {
        let g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        let e = g.new.get(key).or_else(|| g.old.get(key)).filter(|e| e.version < version)?;
        let counted = e.counted.filter(|c| c.took >= slow)?;
        Some((e.value.clone(), counted.at))
    }
}

impl<K, V> VersionedCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    /// Like [`get_or_compute`](Self::get_or_compute), for a figure whose
    /// computation may outlast a request: it runs in a task of its own, so
    /// a request that stops waiting does not stop it, and is given up after
    /// `patience.limit`. A value kept at an older version is answered at
    /// once when its computation took `patience.slow` or longer, while one
    /// recount runs beside (unless one already does, or another key's
    /// recount holds this cache's one place: then a later request starts
    /// it). Otherwise the request waits up to `patience.wait` for a value at
    /// this version, starting the computation unless one is under way, and
    /// then answers an earlier value if there is one, else
    /// [`Figure::Counting`]. An earlier value is one of `key`'s, else one of
    /// `previous`'s (the same figure as it stood the day before, which a
    /// day's first view of a slow figure shows while today's is counted).
    /// What a computation nobody waits for fails with is logged.
    pub async fn get_or_count<F, Fut, E>(
        self: &Arc<Self>,
        key: K,
        previous: Option<K>,
        version: i64,
        patience: Patience,
        compute: F,
    ) -> Result<Figure<V>, E>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<(V, usize), E>> + Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        if let Some(v) = self.get(&key, version) {
            return Ok(Figure::Current(v));
        }
        let deadline = tokio::time::Instant::now() + patience.wait;
        let in_flight = |c: &Self| c.flights.lock().unwrap_or_else(|e| e.into_inner()).contains_key(&key);
        // Starts the computation in a task of its own; the receiver hears
        // when its flight is in the map, so that a caller who waits for it
        // knows the next request sees it and starts none.
        let start = |permit: Option<tokio::sync::OwnedSemaphorePermit>| {
            let (cache, key) = (self.clone(), key.clone());
            let (in_line, boarded) = tokio::sync::oneshot::channel::<()>();
            let task = tokio::spawn(async move {
                let count = cache.compute_once(key, version, compute, move || {
                    let _ = in_line.send(());
                });
                let r = tokio::time::timeout(patience.limit, count).await;
                drop(permit);
                match &r {
                    Ok(Err(e)) => tracing::warn!(error = %e, "a figure's computation failed"),
                    Err(_) => tracing::warn!(limit = ?patience.limit, "a figure's computation was given up"),
                    Ok(Ok(_)) => {}
                }
                r
            });
            (task, boarded)
        };
        let earlier = |slow| {
            self.earlier(&key, version, slow)
                .or_else(|| previous.as_ref().and_then(|p| self.earlier(p, i64::MAX, slow)))
        };
        if let Some((value, counted_at)) = earlier(patience.slow) {
            if !in_flight(self) {
                // One recount at a time on this cache; with none free, the
                // next request tries again.
                if let Ok(permit) = self.recounts.clone().try_acquire_owned() {
                    let _ = start(Some(permit)).1.await;
                }
            }
            return Ok(Figure::Earlier { value, counted_at });
        }
        let mut start = Some(start);
        loop {
            if let Some(v) = self.peek(&key, version) {
                return Ok(Figure::Current(v));
            }
            if !in_flight(self) {
                let Some(start) = start.take() else { break };
                // Not waiting to hear it boarded: the wait starts now. A
                // second request that comes before it boards starts a task
                // that boards the same flight and finds the value there.
                let (task, _) = start(None);
                if patience.wait.is_zero() {
                    break;
                }
                match tokio::time::timeout_at(deadline, task).await {
                    Ok(Ok(Ok(r))) => return r.map(Figure::Current),
                    Ok(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                    _ => break,
                }
            }
            // Another request's computation is under way: wait for what it
            // keeps rather than start a second.
            if tokio::time::Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Not done in time: any earlier value, however quick it was then,
        // is better than none.
        Ok(match earlier(Duration::ZERO) {
            Some((value, counted_at)) => Figure::Earlier { value, counted_at },
            None => Figure::Counting,
        })
    }
}

/// A holder of a flight: when dropped, takes the flight out of the map if
/// nobody else holds it. The count is read and the holder's reference given
/// up under the map's lock, so two holders leaving at once cannot both see
/// the other and leave the flight behind.
struct Boarded<'a, K: Hash + Eq + Clone, V> {
    cache: &'a VersionedCache<K, V>,
    key: K,
    flight: Option<Flight<V>>,
}

impl<K: Hash + Eq + Clone, V> Drop for Boarded<'_, K, V> {
    fn drop(&mut self) {
        let mut flights = self.cache.flights.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(flight) = self.flight.take() {
            // Ours and the map's.
            if Arc::strong_count(&flight) == 2 {
                flights.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(user_id: i64) -> Arc<Principal> {
        Arc::new(Principal {
            user_id,
            tenant_id: 1,
            username: format!("u{user_id}"),
            display_name: String::new(),
            member_id: None,
            bindings: vec![],
        })
    }

    #[test]
    fn serves_only_the_version_it_was_read_at() {
        let c = PrincipalCache::new(10);
        c.put(7, 3, principal(7));
        assert!(c.get(&7, 3).is_some());
        assert!(c.get(&7, 4).is_none(), "a newer version is a miss");
        assert!(c.get(&8, 3).is_none());
        c.put(7, 4, principal(7));
        assert!(c.get(&7, 3).is_none(), "the old version is gone");
        assert_eq!(c.hits.load(Ordering::Relaxed), 1);
        assert_eq!(c.misses.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn stays_bounded_and_keeps_what_is_used() {
        let c = PrincipalCache::new(2);
        for id in 0..100 {
            c.put(id, 1, principal(id));
            assert!(c.get(&0, 1).is_some() || id > 0, "a user read on every step stays");
            c.get(&0, 1);
        }
        let g = c.generations.lock().unwrap();
        assert!(g.new.len() + g.old.len() <= 4);
        drop(g);
        assert!(c.get(&0, 1).is_some());
        assert!(c.get(&50, 1).is_none());
    }
}

#[cfg(test)]
mod weight_tests {
    use super::*;

    #[test]
    fn a_generation_holds_up_to_its_weight_and_too_heavy_values_are_not_kept() {
        let c: VersionedCache<&str, u32> = VersionedCache::new(10);
        c.put_weighing("root", 1, Arc::new(1), 11);
        assert!(c.get(&"root", 1).is_none(), "heavier than a generation");
        c.put_weighing("a", 1, Arc::new(1), 6);
        c.put_weighing("b", 1, Arc::new(2), 4);
        c.put_weighing("b", 1, Arc::new(3), 4);
        assert_eq!(c.get(&"b", 1).as_deref(), Some(&3), "a key put again is replaced, not counted twice");
        let g = c.generations.lock().unwrap();
        assert_eq!((g.new.len(), g.new_weight, g.old.len()), (2, 10, 0));
        drop(g);
        c.put_weighing("c", 1, Arc::new(4), 1);
        let g = c.generations.lock().unwrap();
        assert_eq!((g.new.len(), g.new_weight, g.old.len()), (1, 1, 2), "full: the new generation became the old");
        drop(g);
        assert_eq!(c.get(&"a", 1).as_deref(), Some(&1), "promoted from the old generation");
    }
}

#[cfg(test)]
mod flight_tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_of_one_key_compute_once() {
        let c: Arc<VersionedCache<&str, usize>> = Arc::new(VersionedCache::new(10));
        let runs = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (c, runs) = (c.clone(), runs.clone());
                tokio::spawn(async move {
                    c.get_or_compute("root", 1, || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok::<_, ()>((7, 1))
                    })
                    .await
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(*t.await.unwrap().unwrap(), 7);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(c.flights.lock().unwrap().is_empty(), "no flight is left behind");
        // A value too heavy to keep is still shared by those who waited for
        // it: the computation goes on only once all sixteen wait.
        runs.store(0, Ordering::SeqCst);
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (c, runs, gate) = (c.clone(), runs.clone(), gate.clone());
                tokio::spawn(async move {
                    c.get_or_compute("national", 1, || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        gate.acquire().await.unwrap().forget();
                        Ok::<_, ()>((9, 1000))
                    })
                    .await
                })
            })
            .collect();
        while c.flights.lock().unwrap().get(&"national").map_or(0, Arc::strong_count) < 17 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        gate.add_permits(1);
        for t in tasks {
            assert_eq!(*t.await.unwrap().unwrap(), 9);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(c.get(&"national", 1).is_none(), "and not kept after");
        assert!(c.flights.lock().unwrap().is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiter_dropped_while_waiting_leaves_no_flight_behind() {
        let c: Arc<VersionedCache<&str, usize>> = Arc::new(VersionedCache::new(10));
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let leader = {
            let (c, gate) = (c.clone(), gate.clone());
            tokio::spawn(async move {
                c.get_or_compute("root", 1, || async {
                    gate.acquire().await.unwrap().forget();
                    Ok::<_, ()>((7, 1000))
                })
                .await
            })
        };
        // Whichever of the two takes the flight first, neither can finish
        // before the gate opens (the waiter's computation never can), so the
        // waiter is dropped while still holding its place.
        let waiter = {
            let c = c.clone();
            tokio::spawn(async move {
                c.get_or_compute("root", 1, || async {
                    std::future::pending::<()>().await;
                    Ok::<_, ()>((8, 1000))
                })
                .await
            })
        };
        while c.flights.lock().unwrap().get(&"root").map_or(0, Arc::strong_count) < 3 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        waiter.abort();
        assert!(waiter.await.unwrap_err().is_cancelled());
        gate.add_permits(1);
        assert_eq!(*leader.await.unwrap().unwrap(), 7);
        assert!(c.flights.lock().unwrap().is_empty(), "the flight left with its last holder");
        // A newer version computes again.
        let v = c.get_or_compute("root", 2, || async { Ok::<_, ()>((8, 1)) }).await.unwrap();
        assert_eq!(*v, 8);
    }

    /// What a computation answers: a value weighing one.
    type Count = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(usize, usize), String>> + Send>>;

    /// A computation of `value` done at once.
    fn ready(value: usize) -> impl FnOnce() -> Count + Send + 'static {
        move || Box::pin(async move { Ok((value, 1)) })
    }

    /// A computation of `value` done only once `gate` gives it a permit.
    fn held(gate: &Arc<tokio::sync::Semaphore>, value: usize) -> impl FnOnce() -> Count + Send + 'static {
        let gate = gate.clone();
        move || {
            Box::pin(async move {
                gate.acquire().await.unwrap().forget();
                Ok((value, 1))
            })
        }
    }

    /// A computation of `value` that counts in `runs` that it ran.
    fn tally(runs: &Arc<AtomicUsize>, value: usize) -> impl FnOnce() -> Count + Send + 'static {
        let runs = runs.clone();
        move || {
            Box::pin(async move {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok((value, 1))
            })
        }
    }

    fn patience(slow_ms: u64, wait_ms: u64) -> Patience {
        Patience {
            slow: Duration::from_millis(slow_ms),
            wait: Duration::from_millis(wait_ms),
            limit: Duration::from_secs(60),
        }
    }

    /// Waits (ten seconds at most) until `until` holds.
    async fn eventually(what: &str, mut until: impl FnMut() -> bool) {
        for _ in 0..2000 {
            if until() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("never: {what}");
    }

    async fn until_kept(c: &VersionedCache<&'static str, usize>, key: &'static str, version: i64) -> usize {
        eventually("kept", || c.peek(&key, version).is_some()).await;
        *c.peek(&key, version).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_figure_is_shown_as_counted_while_one_recount_runs_beside() {
        let c: Arc<VersionedCache<&str, usize>> = Arc::new(VersionedCache::new(10));
        let slow = patience(0, 10_000);
        let first = c.get_or_count("root", None, 1, slow, ready(7)).await.unwrap();
        assert!(matches!(&first, Figure::Current(v) if **v == 7));
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let before = chrono::Utc::now();
        let shown = c.get_or_count("root", None, 2, slow, held(&gate, 8)).await.unwrap();
        let Figure::Earlier { value, counted_at } = shown else { panic!("the earlier value, at once: {shown:?}") };
        assert_eq!(*value, 7);
        assert!(counted_at <= before, "it says when it was counted");
        // While that recount runs, others are shown the same and start none.
        let runs = Arc::new(AtomicUsize::new(0));
        for _ in 0..3 {
            let again = c.get_or_count("root", None, 2, slow, tally(&runs, 9)).await.unwrap();
            assert_eq!(again.value().map(|v| **v), Some(7));
            assert!(again.counted_at().is_some());
        }
        let holders = c.flights.lock().unwrap().get(&"root").map(Arc::strong_count);
        assert_eq!(holders, Some(2), "the map and the one recount, none other");
        gate.add_permits(1);
        assert_eq!(until_kept(&c, "root", 2).await, 8, "the recount is kept when done");
        let now = c.get_or_count("root", None, 2, slow, ready(9)).await.unwrap();
        assert!(matches!(&now, Figure::Current(v) if **v == 8));
        assert_eq!(runs.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_quick_figure_is_never_shown_as_it_was() {
        let c: Arc<VersionedCache<&str, usize>> = Arc::new(VersionedCache::new(10));
        let quick = patience(60_000, 10_000);
        c.get_or_count("root", None, 1, quick, ready(7)).await.unwrap();
        let next = c.get_or_count("root", None, 2, quick, ready(8)).await.unwrap();
        assert!(matches!(&next, Figure::Current(v) if **v == 8), "computed in the request: {next:?}");
        let failed =
            c.get_or_count("root", None, 3, quick, || async { Err::<(usize, usize), _>("no".to_string()) }).await;
        assert_eq!(failed.unwrap_err(), "no", "a failure waited for is the request's");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_first_count_longer_than_a_request_waits_goes_on_and_is_kept() {
        let c: Arc<VersionedCache<&str, usize>> = Arc::new(VersionedCache::new(10));
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let first = c.get_or_count("national", None, 1, patience(0, 20), held(&gate, 9)).await.unwrap();
        assert!(matches!(first, Figure::Counting));
        eventually("still counting after the request", || c.flights.lock().unwrap().contains_key(&"national")).await;
        gate.add_permits(1);
        assert_eq!(until_kept(&c, "national", 1).await, 9);
        let next = c.get_or_count("national", None, 1, patience(0, 20), ready(0)).await.unwrap();
        assert!(matches!(&next, Figure::Current(v) if **v == 9));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_days_first_view_shows_the_day_before_while_the_day_is_counted() {
        let c: Arc<VersionedCache<&str, usize>> = Arc::new(VersionedCache::new(10));
        let slow = patience(0, 10_000);
        c.get_or_count("monday", None, 1, slow, ready(1)).await.unwrap();
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let tuesday = c.get_or_count("tuesday", Some("monday"), 1, slow, held(&gate, 2)).await.unwrap();
        assert_eq!((tuesday.value().map(|v| **v), tuesday.counted_at().is_some()), (Some(1), true));
        gate.add_permits(1);
        assert_eq!(until_kept(&c, "tuesday", 1).await, 2);
        // With nothing from the day before, the first count is waited for.
        let w = c.get_or_count("wednesday", Some("nothing"), 1, slow, ready(3)).await;
        assert!(matches!(&w, Ok(Figure::Current(v)) if **v == 3));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn recounts_run_one_at_a_time_on_a_cache() {
        let c: Arc<VersionedCache<&str, usize>> = Arc::new(VersionedCache::new(10));
        let slow = patience(0, 10_000);
        for key in ["a", "b"] {
            c.get_or_count(key, None, 1, slow, ready(1)).await.unwrap();
        }
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let a = c.get_or_count("a", None, 2, slow, held(&gate, 2)).await.unwrap();
        assert!(a.counted_at().is_some());
        let b = c.get_or_count("b", None, 2, slow, ready(2)).await.unwrap();
        assert_eq!(b.value().map(|v| **v), Some(1), "shown as it was");
        assert!(!c.flights.lock().unwrap().contains_key(&"b"), "and not recounted while a's recount runs");
        gate.add_permits(1);
        assert_eq!(until_kept(&c, "a", 2).await, 2);
        // The place is free again: the next view of b starts its recount.
        for _ in 0..2000 {
            let b = c.get_or_count("b", None, 2, slow, ready(2)).await.unwrap();
            if matches!(&b, Figure::Current(v) if **v == 2) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("b was never recounted");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_joins_a_count_under_way_and_then_takes_any_earlier_value() {
        let c: Arc<VersionedCache<&str, usize>> = Arc::new(VersionedCache::new(10));
        // Quick once: never shown as it was while it is quick.
        let quick = patience(3_600_000, 30);
        c.get_or_count("root", None, 1, quick, ready(1)).await.unwrap();
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let first = c.get_or_count("root", None, 2, quick, held(&gate, 2)).await.unwrap();
        // Slow this time: after the wait, the value there is beats none.
        assert_eq!((first.value().map(|v| **v), first.counted_at().is_some()), (Some(1), true), "{first:?}");
        eventually("the count boarded", || c.flights.lock().unwrap().contains_key(&"root")).await;
        let runs = Arc::new(AtomicUsize::new(0));
        let second = c.get_or_count("root", None, 2, quick, tally(&runs, 3)).await.unwrap();
        assert_eq!(second.value().map(|v| **v), Some(1));
        assert_eq!(c.flights.lock().unwrap().get(&"root").map(Arc::strong_count), Some(2), "joined, not started");
        gate.add_permits(1);
        assert_eq!(until_kept(&c, "root", 2).await, 2);
        assert_eq!(runs.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_count_past_its_limit_is_given_up_and_frees_the_key() {
        let c: Arc<VersionedCache<&str, usize>> = Arc::new(VersionedCache::new(10));
        let p = Patience { limit: Duration::from_millis(50), ..patience(0, 10) };
        let hung = c
            .get_or_count("root", None, 1, p, || async {
                std::future::pending::<()>().await;
                Ok::<_, String>((1, 1))
            })
            .await
            .unwrap();
        assert!(matches!(hung, Figure::Counting));
        eventually("given up", || !c.flights.lock().unwrap().contains_key(&"root")).await;
        let next = c.get_or_count("root", None, 1, patience(0, 10_000), ready(2)).await.unwrap();
        assert!(matches!(&next, Figure::Current(v) if **v == 2), "counted afresh: {next:?}");
    }

    #[test]
    fn an_older_version_does_not_replace_a_newer_one() {
        let c: VersionedCache<&str, u32> = VersionedCache::new(10);
        c.put("root", 5, Arc::new(5));
        c.put("root", 4, Arc::new(4));
        assert_eq!(c.get(&"root", 5).as_deref(), Some(&5));
    }
}
