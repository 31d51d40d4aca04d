//! Per-node caches of what is read or computed from the database, each
//! entry keyed by a version the database keeps.
//!
//! The version is kept by triggers (so no code path can forget to change it)
//! and read from the database on every request: a cached value is used only
//! when it was read at the version the database holds now, so a change made
//! through any app node is seen by every node on the next request, and
//! nothing expires on a timer. Two uses:
//!
//! - principals (a user with their role bindings), keyed by the user's
//!   `auth_version` (migration 0003), which the session read returns: the
//!   cache saves the two queries that load the principal;
//! - a subtree's computed figures (meeting compliance), keyed by the
//!   tenant's figure version for their subject (`figure_versions`,
//!   migration 0023): the cache saves reading every branch of the subtree.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ronghe_domain::auth::Principal;

/// A user's principal by user id, at their `auth_version`.
pub type PrincipalCache = VersionedCache<i64, Principal>;

type Generation<K, V> = HashMap<K, (i64, Arc<V>)>;

/// Two generations: lookups promote from the old one; when the new one is
/// full it becomes the old one. A bounded, almost-LRU map without per-entry
/// bookkeeping.
pub struct VersionedCache<K, V> {
    generations: Mutex<(Generation<K, V>, Generation<K, V>)>,
    capacity: usize,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

impl<K: Hash + Eq + Clone, V> VersionedCache<K, V> {
    pub fn new(capacity: usize) -> VersionedCache<K, V> {
        VersionedCache {
            generations: Mutex::new((HashMap::new(), HashMap::new())),
            capacity: capacity.max(1),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The value cached for `key` if it was read at `version`.
    pub fn get(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        let found = match g.0.get(key) {
            Some((v, x)) if *v == version => Some(x.clone()),
            Some(_) => None,
            None => match g.1.remove(key) {
                Some((v, x)) if v == version => {
                    Self::insert(&mut g, self.capacity, key.clone(), (v, x.clone()));
                    Some(x)
                }
                _ => None,
            },
        };
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub fn put(&self, key: K, version: i64, value: Arc<V>) {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        Self::insert(&mut g, self.capacity, key, (version, value));
    }

    fn insert(g: &mut (Generation<K, V>, Generation<K, V>), capacity: usize, key: K, entry: (i64, Arc<V>)) {
        if g.0.len() >= capacity && !g.0.contains_key(&key) {
            g.1 = std::mem::take(&mut g.0);
        }
        g.0.insert(key, entry);
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
        assert!(g.0.len() + g.1.len() <= 4);
        drop(g);
        assert!(c.get(&0, 1).is_some());
        assert!(c.get(&50, 1).is_none());
    }
}
