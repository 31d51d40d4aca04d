//! The storage error type. Use [`StoreError::NotFound`] and
//! [`StoreError::Conflict`] for outcomes a caller handles (a 404, a form
//! error); everything else is `Other` and is logged, never shown.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or state conflict; the key names it in the catalogues.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The request breaks a rule the store enforces (e.g. moving an
    /// organisation under its own descendant); the key names it.
    #[error("invalid: {0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                let c = db.constraint().unwrap_or_default().to_string() + db.message();
                if c.contains("transfers_one_open") || c.contains("transfers.member_id") {
                    StoreError::Conflict("transfer.already_open")
                } else if c.contains("members_away_one_open") || c.contains("members_away.member_id") {
                    StoreError::Conflict("away.already_away")
                } else if c.contains("exam_attempts") {
                    StoreError::Conflict("exam.already_started")
                } else if c.contains("id_number_index") {
                    StoreError::Conflict("conflict.id_number")
                } else if c.contains("code") {
                    StoreError::Conflict("conflict.org_code")
                } else if c.contains("username") {
                    StoreError::Conflict("conflict.username")
                } else {
                    StoreError::Conflict("conflict.duplicate")
                }
            }
            _ => StoreError::Other(e.into()),
        }
    }
}
