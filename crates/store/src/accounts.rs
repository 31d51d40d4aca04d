//! Accounts, roles and sessions. Passwords are argon2id hashes; sessions
//! are rows (only the token's hash is stored) so that any app node can
//! serve any request; repeated failures lock an account for a while.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use ronghe_domain::auth::{Binding, Principal, Role};
use serde::Serialize;
use sm3::{Digest, Sm3};

use crate::audit::{append_audit, audited_change};
use crate::reader::read;
use crate::BeginWrite;
use crate::{now_ms, on, Actor, AuditEntry, Store, StoreError, StoreResult};

/// Failed sign-ins in a row that lock an account…
pub const LOCKOUT_AFTER: i64 = 5;
/// …for this long.
pub const LOCKOUT_MINUTES: i64 = 15;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub tenant_id: i64,
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub member_id: Option<i64>,
    pub roles: Vec<(Role, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    Ok {
        user_id: i64,
        tenant_id: i64,
    },
    BadCredentials,
    /// Locked until this time (Unix ms).
    Locked {
        until: i64,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionInfo {
    pub user_id: i64,
    pub tenant_id: i64,
    pub csrf_token: String,
    pub last_seen_at: i64,
    /// Changes whenever the user's principal does (see migration 0003).
    pub auth_version: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub member_id: Option<i64>,
    pub locked_until: Option<i64>,
    pub disabled: bool,
}

/// One role binding, as the security administrator's page lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RoleRow {
    pub id: i64,
    pub user_id: i64,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub org_id: i64,
    pub org_name: String,
}

/// Runs a password hash or check on a small pool of threads, one per
/// core. Each argon2id run takes 19 MiB and tens of milliseconds by design.
/// Unbounded, a burst of sign-ins (or an attack) started hundreds at once
/// and the process grew to gigabytes under the benchmark's 64 clients; on
/// tokio's blocking pool, each new thread kept its own malloc arena of
/// freed 19 MiB buffers. A few long-lived threads keep both bounded.
async fn with_hasher<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    type Job = Box<dyn FnOnce() + Send>;
    static POOL: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("ronghe-hasher-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })
                .expect("a hasher thread starts");
        }
        std::sync::Mutex::new(tx)
    });
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(f());
    });
    pool.lock()
        .map_err(|_| anyhow::anyhow!("hasher pool poisoned"))?
        .send(job)
        .map_err(|_| anyhow::anyhow!("hasher pool stopped"))?;
    Ok(result.await?)
}

thread_local! {
    /// This thread's argon2 working memory (19 MiB at the default cost),
    /// allocated on its first hash and reused for every later one: the
    /// hashing threads are few and long-lived, so the process holds a
    /// fixed few of these instead of allocating and returning one per
    /// sign-in.
    static ARGON2_MEMORY: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// argon2 of `password` and `salt` into `out`, in this thread's memory.
fn argon2_into(argon: &Argon2, params: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> anyhow::Result<()> {
    ARGON2_MEMORY
        .with_borrow_mut(|memory| {
            memory.resize(params.block_count(), argon2::Block::default());
            argon.hash_password_into_with_memory(password, salt, out, &mut memory[..])
        })
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// A new argon2id hash of `password` (default cost, random salt) as a PHC
/// string, the same as `Argon2::default().hash_password` writes.
fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(&argon, &params, password.as_bytes(), salt_bytes, &mut out)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("params: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("output: {e}"))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash`, with the algorithm,
/// version and cost the hash names. The comparison is constant-time.
fn verify_password(password: &str, hash: &str) -> bool {
    let check = || -> anyhow::Result<bool> {
        let h = PasswordHash::new(hash).map_err(|e| anyhow::anyhow!("{e}"))?;
        let (Some(salt), Some(expected)) = (h.salt, h.hash) else { return Ok(false) };
        let algorithm = Algorithm::try_from(h.algorithm).map_err(|e| anyhow::anyhow!("{e}"))?;
        let version = match h.version {
            Some(v) => Version::try_from(v).map_err(|e| anyhow::anyhow!("{e}"))?,
            None => Version::default(),
        };
        let params = Params::try_from(&h).map_err(|e| anyhow::anyhow!("{e}"))?;
        let argon = Argon2::new(algorithm, version, params.clone());
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut out = vec![0u8; expected.len()];
        argon2_into(&argon, &params, password.as_bytes(), salt_bytes, &mut out)?;
        Ok(Output::new(&out).map_err(|e| anyhow::anyhow!("{e}"))? == expected)
    };
    check().unwrap_or(false)
}

/// A hash nobody's password matches, verified when the username is unknown
/// so that both cases take the same time.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("no such user: timing equaliser").expect("hashing works"))
}

fn token_hash(token: &str) -> String {
    hex::encode(Sm3::digest(token.as_bytes()))
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

impl Store {
    /// Creates an account with its roles. The caller enforces the password
    /// policy (the demo's shared password is the one exception).
    pub async fn create_user(&self, actor: &Actor, u: &NewUser) -> StoreResult<i64> {
        let hash = {
            let pw = u.password.clone();
            with_hasher(move || hash_password(&pw)).await??
        };
        let now = now_ms();
        Ok(on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (tenant_id, username, display_name, password_hash, member_id, created_at, password_changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(u.tenant_id)
            .bind(&u.username)
            .bind(&u.display_name)
            .bind(&hash)
            .bind(u.member_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for (role, org_id) in &u.roles {
                sqlx::query(
                    "INSERT INTO user_roles (tenant_id, user_id, role, org_id, granted_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(u.tenant_id)
                .bind(id)
                .bind(role.code())
                .bind(org_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let roles: Vec<_> =
                u.roles.iter().map(|(r, o)| serde_json::json!({"role": r.code(), "org_id": o})).collect();
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("user.create", "user", id)
                    .detail(serde_json::json!({"username": u.username, "roles": roles}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })?)
    }

    /// Checks a password, counting failures and locking the account after
    /// [`LOCKOUT_AFTER`] in a row. Every attempt is audited.
    pub async fn login(&self, actor: &Actor, username: &str, password: &str) -> StoreResult<LoginOutcome> {
        let now = now_ms();
        let user: Option<(i64, i64, String, i64, Option<i64>, bool)> = on!(self, |p| {
            sqlx::query_as(
            "SELECT id, tenant_id, password_hash, failed_logins, locked_until, disabled FROM users WHERE username = $1"
        )
        .bind(username)
        .fetch_optional(p)
        .await
        })?;
        let pw = password.to_string();
        let Some((id, tenant_id, hash, failed, locked_until, disabled)) = user else {
            with_hasher(move || verify_password(&pw, dummy_hash())).await?;
            return Ok(LoginOutcome::BadCredentials);
        };
        let actor = Actor { tenant_id, user_id: Some(id), username: username.to_string(), ..actor.clone() };
        if let Some(until) = locked_until.filter(|u| *u > now) {
            self.audit(&actor, AuditEntry::new("session.refused_locked", "user", id)).await?;
            return Ok(LoginOutcome::Locked { until });
        }
        let ok = with_hasher(move || verify_password(&pw, &hash)).await?;
        if ok && !disabled {
            on!(self, |p| sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(id)
                .execute(p)
                .await
                .map(|r| r.rows_affected()))?;
            self.audit(&actor, AuditEntry::new("session.create", "user", id)).await?;
            return Ok(LoginOutcome::Ok { user_id: id, tenant_id });
        }
        let failed = failed + 1;
        let lock = (failed >= LOCKOUT_AFTER).then(|| now + LOCKOUT_MINUTES * 60_000);
        on!(self, |p| sqlx::query("UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3")
            .bind(if lock.is_some() { 0 } else { failed })
            .bind(lock)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        self.audit(
            &actor,
            AuditEntry::new(if lock.is_some() { "session.locked" } else { "session.failed" }, "user", id)
                .detail(serde_json::json!({"failures": failed})),
        )
        .await?;
        Ok(match lock {
            Some(until) => LoginOutcome::Locked { until },
            None => LoginOutcome::BadCredentials,
        })
    }

    /// Starts a session; returns the token for the cookie (only its hash is
    /// stored) and the session's CSRF token.
    pub async fn create_session(&self, user_id: i64, tenant_id: i64, max_age_ms: i64) -> StoreResult<(String, String)> {
        let token = random_token();
        let csrf = random_token();
        let now = now_ms();
        on!(self, |p| sqlx::query(
            "INSERT INTO sessions (token_hash, tenant_id, user_id, csrf_token, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $5, $6)"
        )
        .bind(token_hash(&token))
        .bind(tenant_id)
        .bind(user_id)
        .bind(&csrf)
        .bind(now)
        .bind(now + max_age_ms)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok((token, csrf))
    }

    /// The live session for a token, if it has neither expired nor been idle
    /// longer than `idle_ms`. Touches it at most once a minute, so that busy
    /// pages do not turn every read into a write.
    pub async fn session(&self, token: &str, idle_ms: i64) -> StoreResult<Option<SessionInfo>> {
        let now = now_ms();
        let h = token_hash(token);
        let row = read!(
            self,
            (i64, i64, String, i64, i64, i64),
            "SELECT s.user_id, s.tenant_id, s.csrf_token, s.last_seen_at, s.expires_at, u.auth_version
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND NOT u.disabled",
            |q| q.bind(&h),
            fetch_optional
        )?;
        let Some((user_id, tenant_id, csrf_token, last_seen_at, expires_at, auth_version)) = row else {
            return Ok(None);
        };
        if now > expires_at || now - last_seen_at > idle_ms {
            self.delete_session(token).await?;
            return Ok(None);
        }
        if now - last_seen_at > 60_000 {
            on!(self, |p| sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&h)
                .execute(p)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(Some(SessionInfo { user_id, tenant_id, csrf_token, last_seen_at, auth_version }))
    }

    pub async fn delete_session(&self, token: &str) -> StoreResult<()> {
        on!(self, |p| sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Moves a session's last activity into the past (tests of the idle
    /// timeout use it; nothing else should).
    pub async fn age_session(&self, token: &str, by_ms: i64) -> StoreResult<()> {
        on!(self, |p| sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - $1 WHERE token_hash = $2")
            .bind(by_ms)
            .bind(token_hash(token))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The user with their role bindings, as permission checks see them.
    pub async fn principal(&self, user_id: i64) -> StoreResult<Principal> {
        Ok(self.versioned_principal(user_id).await?.1)
    }

    /// The principal with the `auth_version` it was read at. The version is
    /// read first, so a change made while the bindings are read can only
    /// make the pair look older than it is, never newer: a cache keyed by it
    /// reloads rather than serving stale bindings.
    pub async fn versioned_principal(&self, user_id: i64) -> StoreResult<(i64, Principal)> {
        let (auth_version, tenant_id, username, display_name, member_id): (i64, i64, String, String, Option<i64>) =
            on!(self, |p| {
                sqlx::query_as(
                    "SELECT auth_version, tenant_id, username, display_name, member_id FROM users WHERE id = $1",
                )
                .bind(user_id)
                .fetch_one(p)
                .await
            })?;
        let rows: Vec<(String, i64, String)> = on!(self, |p| {
            sqlx::query_as(
            "SELECT r.role, r.org_id, o.path FROM user_roles r JOIN orgs o ON o.id = r.org_id WHERE r.user_id = $1 ORDER BY r.id"
        )
        .bind(user_id)
        .fetch_all(p)
        .await
        })?;
        let bindings = rows
            .into_iter()
            .filter_map(|(role, org_id, org_path)| Some(Binding { role: Role::from_code(&role)?, org_id, org_path }))
            .collect();
        Ok((auth_version, Principal { user_id, tenant_id, username, display_name, member_id, bindings }))
    }

    pub async fn user_by_name(&self, username: &str) -> StoreResult<UserSummary> {
        Ok(on!(self, |p| sqlx::query_as::<_, UserSummary>(
            "SELECT id, username, display_name, member_id, locked_until, disabled FROM users WHERE username = $1"
        )
        .bind(username)
        .fetch_one(p)
        .await)?)
    }

    pub async fn users(&self, tenant_id: i64) -> StoreResult<Vec<UserSummary>> {
        Ok(on!(self, |p| {
            sqlx::query_as::<_, UserSummary>(
            "SELECT id, username, display_name, member_id, locked_until, disabled FROM users WHERE tenant_id = $1 ORDER BY username"
        )
        .bind(tenant_id)
        .fetch_all(p)
        .await
        })?)
    }

    /// Every role binding of a tenant's accounts, with organisation names.
    pub async fn role_bindings(&self, tenant_id: i64) -> StoreResult<Vec<RoleRow>> {
        Ok(on!(self, |p| {
            sqlx::query_as::<_, RoleRow>(
                "SELECT r.id, r.user_id, r.role, r.org_id, o.name AS org_name FROM user_roles r JOIN orgs o ON o.id = r.org_id
                 WHERE r.tenant_id = $1 ORDER BY r.user_id, r.id",
            )
            .bind(tenant_id)
            .fetch_all(p)
            .await
        })?)
    }

    /// Binds a role on an organisation subtree to an account.
    pub async fn grant_role(&self, actor: &Actor, user_id: i64, role: Role, org_id: i64) -> StoreResult<i64> {
        Ok(on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO user_roles (tenant_id, user_id, role, org_id, granted_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(user_id)
            .bind(role.code())
            .bind(org_id)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("user.role.grant", "user", user_id)
                    .org(org_id)
                    .detail(serde_json::json!({"role": role.code(), "org_id": org_id}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })?)
    }

    pub async fn revoke_role(&self, actor: &Actor, user_id: i64, binding_id: i64) -> StoreResult<()> {
        audited_change!(
            self,
            actor,
            AuditEntry::new("user.role.revoke", "user", user_id).detail(serde_json::json!({"binding": binding_id})),
            sqlx::query("DELETE FROM user_roles WHERE id = $1 AND user_id = $2 AND tenant_id = $3")
                .bind(binding_id)
                .bind(user_id)
                .bind(actor.tenant_id)
        )
    }

    /// Lifts a lockout before it runs out.
    pub async fn unlock_user(&self, actor: &Actor, user_id: i64) -> StoreResult<()> {
        audited_change!(
            self,
            actor,
            AuditEntry::new("user.unlock", "user", user_id),
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND tenant_id = $2")
                .bind(user_id)
                .bind(actor.tenant_id)
        )
    }

    /// Changes a user's own password after checking the current one, and
    /// ends their other sessions (a changed password must lock out whoever
    /// else held the old one). The caller checks the policy.
    pub async fn change_password(
        &self,
        actor: &Actor,
        user_id: i64,
        current: &str,
        new: &str,
        keep_token: &str,
    ) -> StoreResult<bool> {
        let hash: String = on!(self, |p| sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(p)
            .await)?;
        let cur = current.to_string();
        if !with_hasher(move || verify_password(&cur, &hash)).await? {
            self.audit(actor, AuditEntry::new("user.password.refused", "user", user_id)).await?;
            return Ok(false);
        }
        let pw = new.to_string();
        let new_hash = with_hasher(move || hash_password(&pw)).await??;
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
                .bind(&new_hash)
                .bind(now_ms())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(token_hash(keep_token))
                .execute(&mut *tx)
                .await?;
            append_audit!(&mut *tx, actor, &AuditEntry::new("user.password.change", "user", user_id))?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn hashes_agree_with_the_reference_implementation() {
        let ours = hash_password("correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ours}");
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());

        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"correct horse battery", &salt).unwrap().to_string();
        assert!(verify_password("correct horse battery", &theirs));
        assert!(!verify_password("correct horse batterz", &theirs));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn the_reused_memory_follows_each_hash_cost() {
        // A cheaper hash (an older cost, say) after a default one and back.
        let params = Params::new(1024, 1, 1, None).unwrap();
        let cheap = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"pw", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        let default = hash_password("pw").unwrap();
        for _ in 0..2 {
            assert!(verify_password("pw", &cheap));
            assert!(verify_password("pw", &default));
        }
    }
}
