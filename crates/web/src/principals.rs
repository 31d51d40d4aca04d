//! A per-node cache of principals (a user with their role bindings), keyed
//! by the user's `auth_version`.
//!
//! Every request still reads its session from the database, and that read
//! returns the user's current `auth_version` (kept by triggers, migration
//! 0003). A cached principal is used only when its version equals it, so a
//! grant, a revocation or a move made through any app node is seen by every
//! node on the next request; nothing expires on a timer. What the cache
//! saves is the two queries that load the principal.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ronghe_domain::auth::Principal;

type Entry = (i64, Arc<Principal>);

/// Two generations: lookups promote from the old one; when the new one is
/// full it becomes the old one. A bounded, almost-LRU map without per-entry
/// bookkeeping.
pub struct PrincipalCache {
    generations: Mutex<(HashMap<i64, Entry>, HashMap<i64, Entry>)>,
    capacity: usize,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

impl PrincipalCache {
    pub fn new(capacity: usize) -> PrincipalCache {
        PrincipalCache {
            generations: Mutex::new((HashMap::new(), HashMap::new())),
            capacity: capacity.max(1),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The cached principal of `user_id` if it was read at `version`.
    pub fn get(&self, user_id: i64, version: i64) -> Option<Arc<Principal>> {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        let found = match g.0.get(&user_id) {
            Some((v, p)) if *v == version => Some(p.clone()),
            Some(_) => None,
            None => match g.1.remove(&user_id) {
                Some((v, p)) if v == version => {
                    Self::insert(&mut g, self.capacity, user_id, (v, p.clone()));
                    Some(p)
                }
                _ => None,
            },
        };
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub fn put(&self, user_id: i64, version: i64, principal: Arc<Principal>) {
        let mut g = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        Self::insert(&mut g, self.capacity, user_id, (version, principal));
    }

    fn insert(g: &mut (HashMap<i64, Entry>, HashMap<i64, Entry>), capacity: usize, user_id: i64, entry: Entry) {
        if g.0.len() >= capacity && !g.0.contains_key(&user_id) {
            g.1 = std::mem::take(&mut g.0);
        }
        g.0.insert(user_id, entry);
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
        assert!(c.get(7, 3).is_some());
        assert!(c.get(7, 4).is_none(), "a newer version is a miss");
        assert!(c.get(8, 3).is_none());
        c.put(7, 4, principal(7));
        assert!(c.get(7, 3).is_none(), "the old version is gone");
        assert_eq!(c.hits.load(Ordering::Relaxed), 1);
        assert_eq!(c.misses.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn stays_bounded_and_keeps_what_is_used() {
        let c = PrincipalCache::new(2);
        for id in 0..100 {
            c.put(id, 1, principal(id));
            assert!(c.get(0, 1).is_some() || id > 0, "a user read on every step stays");
            c.get(0, 1);
        }
        let g = c.generations.lock().unwrap();
        assert!(g.0.len() + g.1.len() <= 4);
        drop(g);
        assert!(c.get(0, 1).is_some());
        assert!(c.get(50, 1).is_none());
    }
}
