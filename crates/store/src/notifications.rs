//! In-app reminders: one per user and subject (the key), so the reminder
//! job may run as often as it likes; and the people a reminder goes to.

use serde::Serialize;

use crate::{now_ms, on, Store, StoreResult};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Someone who keeps an organisation's meetings: a secretary (or group
/// administrator) bound to it or above it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Keeper {
    pub user_id: i64,
    pub tenant_id: i64,
    pub username: String,
    pub email: Option<String>,
    pub org_id: i64,
    pub org_path: String,
}

impl Store {
    /// Records a reminder unless the user already has one with this key;
    /// true when it is new.
    pub async fn notify(
        &self,
        tenant_id: i64,
        user_id: i64,
        key: &str,
        title: &str,
        body: &str,
        link: &str,
    ) -> StoreResult<bool> {
        let n = on!(self, |p| sqlx::query(
            "INSERT INTO notifications (tenant_id, user_id, key, title, body, link, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, key) DO NOTHING"
        )
        .bind(tenant_id)
        .bind(user_id)
        .bind(key)
        .bind(title)
        .bind(body)
        .bind(link)
        .bind(now_ms())
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// A user's reminders, unread first, newest first.
    pub async fn notifications(&self, user_id: i64) -> StoreResult<Vec<NotificationRow>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT id, key, title, body, link, created_at, read_at FROM notifications WHERE user_id = $1
             ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT 200"
        )
        .bind(user_id)
        .fetch_all(p)
        .await)?)
    }

    /// Marks a user's reminders read.
    pub async fn mark_notifications_read(&self, user_id: i64) -> StoreResult<()> {
        on!(self, |p| sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now_ms())
            .bind(user_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The tenant of a user.
    pub async fn org_tenant_of_user(&self, user_id: i64) -> StoreResult<i64> {
        Ok(on!(self, |p| sqlx::query_scalar("SELECT tenant_id FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(p)
            .await)?)
    }

    /// Sets the address a user's reminders are emailed to (none: in-app only).
    pub async fn set_user_email(&self, user_id: i64, email: Option<&str>) -> StoreResult<()> {
        on!(self, |p| sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(user_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The enabled users holding a role that keeps organisational life
    /// (secretary, group administrator), with the organisation each is bound to.
    pub async fn life_keepers(&self) -> StoreResult<Vec<Keeper>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT u.id AS user_id, u.tenant_id, u.username, u.email, r.org_id, o.path AS org_path
             FROM user_roles r JOIN users u ON u.id = r.user_id JOIN orgs o ON o.id = r.org_id
             WHERE r.role = 'secretary' AND NOT u.disabled ORDER BY u.id, o.path"
        )
        .fetch_all(p)
        .await)?)
    }
}
