//! Organisational life: meetings, who was expected and who came, minutes,
//! resolutions with named votes, and the seals. Sealing computes the
//! record's canonical text from these rows and links it into the
//! organisation's SM3 hash chain; [`Store::verify_life_seals`] recomputes
//! every chain from the rows, so a change made behind the application's
//! back (the triggers refuse one made through it) is found and named.

use chrono::NaiveDate;
use ronghe_domain::meetings::{canonical, chain_hash};
use serde::Serialize;

use crate::audit::append_audit;
use crate::BeginWrite;
use crate::{now_ms, on, path_hi, Actor, AuditEntry, Store, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub tenant_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub kind: String,
    pub topic: String,
    pub planned_on: NaiveDate,
    pub starts_at: String,
    pub place: String,
    pub agenda: String,
    pub host: String,
    pub recorder: String,
    pub status: String,
    pub held_on: Option<NaiveDate>,
    pub minutes: String,
    pub signin_code: Option<String>,
    pub signin_until: Option<i64>,
    pub corrects: Option<i64>,
    pub sealed_at: Option<i64>,
    pub version: i64,
}

/// A meeting with what scope checks need.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingRecord {
    pub row: MeetingRow,
    pub org_path: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttendeeRow {
    pub member_id: i64,
    pub name: String,
    pub entitled: i64,
    pub present: i64,
    pub absence_reason: String,
    pub signed_by: String,
    pub signed_at: Option<i64>,
    /// At a democratic appraisal: the branch's rating of the member.
    pub rating: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ResolutionRow {
    pub id: i64,
    pub seq: i64,
    pub text: String,
    pub votes: String,
    pub entitled: i64,
    pub present: i64,
    pub agree: i64,
    pub disagree: i64,
    pub abstain: i64,
    pub passed: i64,
}

#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub org_id: i64,
    pub kind: &'static str,
    pub topic: String,
    pub planned_on: NaiveDate,
    pub starts_at: String,
    pub place: String,
    pub agenda: String,
    pub host: String,
    pub recorder: String,
    pub corrects: Option<i64>,
}

/// Someone expected at a meeting: (member id, name, entitled to vote).
pub type Expected = (i64, String, bool);

#[derive(Debug, Clone)]
pub struct NewResolution {
    pub text: String,
    pub votes: serde_json::Value,
    pub entitled: i64,
    pub present: i64,
    pub agree: i64,
    pub disagree: i64,
    pub abstain: i64,
    pub passed: bool,
}

/// An organisation that owes meetings, with what its obligations depend on.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LifeOrg {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub path: String,
    pub established_on: Option<NaiveDate>,
    pub full_members: i64,
}

/// A file of a meeting.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MeetingFile {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub digest: String,
    pub uploaded_at: i64,
}

/// A seal whose chain does not hold, named.
#[derive(Debug, Clone, Serialize)]
pub struct SealProblem {
    pub org_id: i64,
    /// `meeting` or `topic` (a decision topic's archive).
    pub record: &'static str,
    pub record_id: i64,
    pub seq: i64,
    /// The meeting's topic or the decision topic's title.
    pub title: String,
    pub problem: &'static str,
}

const MEETING_COLUMNS: &str =
    "m.id, m.tenant_id, m.org_id, o.name AS org_name, m.kind, m.topic, m.planned_on, m.starts_at,
    m.place, m.agenda, m.host, m.recorder, m.status, m.held_on, m.minutes, m.signin_code, m.signin_until, m.corrects,
    m.sealed_at, m.version";

/// The canonical record of a meeting, built from its rows in an open
/// transaction or pool: what a seal covers.
macro_rules! life_record {
    ($exec:expr, $id:expr) => {{
        let id: i64 = $id;
        let result: Result<serde_json::Value, StoreError> = async {
            let m: (i64, i64, String, String, NaiveDate, String, String, String, String, String, Option<NaiveDate>, String, Option<i64>) =
                sqlx::query_as(
                    "SELECT id, org_id, kind, topic, planned_on, starts_at, place, agenda, host, recorder, held_on, minutes, corrects
                     FROM meetings WHERE id = $1",
                )
                .bind(id)
                .fetch_one(&mut *$exec)
                .await?;
            let attendees: Vec<(i64, String, i64, i64, String, String, String)> = sqlx::query_as(
                "SELECT member_id, name, entitled, present, absence_reason, signed_by, rating FROM meeting_attendees
                 WHERE meeting_id = $1 ORDER BY member_id",
            )
            .bind(id)
            .fetch_all(&mut *$exec)
            .await?;
            let resolutions: Vec<(i64, String, String, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
                "SELECT seq, text, votes, entitled, present, agree, disagree, abstain, passed FROM meeting_resolutions
                 WHERE meeting_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(&mut *$exec)
            .await?;
            let files: Vec<(String, i64, String)> = sqlx::query_as(
                "SELECT file_name, size, digest FROM meeting_files WHERE meeting_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&mut *$exec)
            .await?;
            let mut record = serde_json::json!({
                "id": m.0, "org_id": m.1, "kind": m.2, "topic": m.3, "planned_on": m.4, "starts_at": m.5, "place": m.6,
                "agenda": m.7, "host": m.8, "recorder": m.9, "held_on": m.10, "minutes": m.11, "corrects": m.12,
                "attendees": attendees.iter().map(|a| {
                    let mut v = serde_json::json!({
                        "member_id": a.0, "name": a.1, "entitled": a.2, "present": a.3, "absence_reason": a.4, "signed_by": a.5,
                    });
                    // Only appraisals carry a rating; older seals never had the key.
                    if !a.6.is_empty() {
                        v["rating"] = a.6.clone().into();
                    }
                    v
                }).collect::<Vec<_>>(),
                "resolutions": resolutions.iter().map(|r| serde_json::json!({
                    "seq": r.0, "text": r.1, "votes": serde_json::from_str::<serde_json::Value>(&r.2).unwrap_or_default(),
                    "entitled": r.3, "present": r.4, "agree": r.5, "disagree": r.6, "abstain": r.7, "passed": r.8,
                })).collect::<Vec<_>>(),
            });
            // Files joined the record later: older seals have no such key.
            if !files.is_empty() {
                record["files"] = files
                    .iter()
                    .map(|f| serde_json::json!({"name": f.0, "size": f.1, "sm3": f.2}))
                    .collect::<Vec<_>>()
                    .into();
            }
            Ok(record)
        }
        .await;
        result
    }};
}

/// Takes a meeting's row for the transaction while the meeting is open
/// (planned or held), refusing once it is sealed or cancelled. Every writer
/// of a meeting's parts (attendance, ratings, files, resolutions) claims it
/// first, and sealing claims it too, so on PostgreSQL a part can never be
/// written beside a seal that does not cover it: whichever comes second
/// waits for the first and sees its result. (On SQLite the write lock taken
/// at BEGIN already orders them.)
macro_rules! claim_open {
    ($tx:ident, $id:expr) => {{
        let n = sqlx::query("UPDATE meetings SET version = version WHERE id = $1 AND status IN ('planned', 'held')")
            .bind($id)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict("meeting.sealed"));
        }
    }};
}

impl Store {
    /// Plans a meeting with its expected attendees; audited.
    pub async fn create_meeting(&self, actor: &Actor, n: &NewMeeting, expected: &[Expected]) -> StoreResult<i64> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO meetings (tenant_id, org_id, kind, topic, planned_on, starts_at, place, agenda, host, recorder,
                    status, corrects, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'planned', $11, $12, $13, $14) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(n.org_id)
            .bind(n.kind)
            .bind(&n.topic)
            .bind(n.planned_on)
            .bind(&n.starts_at)
            .bind(&n.place)
            .bind(&n.agenda)
            .bind(&n.host)
            .bind(&n.recorder)
            .bind(n.corrects)
            .bind(actor.user_id)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in expected.chunks(300) {
                let sql = format!(
                    "INSERT INTO meeting_attendees (meeting_id, member_id, name, entitled) VALUES {}",
                    crate::values_placeholders(self.backend(), chunk.len(), 4)
                );
                let mut q = sqlx::query(&sql);
                for (member, name, entitled) in chunk {
                    q = q.bind(id).bind(member).bind(name).bind(i64::from(*entitled));
                }
                q.execute(&mut *tx).await?;
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("meeting.plan", "meeting", id)
                    .org(n.org_id)
                    .detail(serde_json::json!({"kind": n.kind, "planned_on": n.planned_on, "corrects": n.corrects}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn meeting(&self, id: i64) -> StoreResult<MeetingRecord> {
        let sql =
            format!("SELECT {MEETING_COLUMNS}, o.path FROM meetings m JOIN orgs o ON o.id = m.org_id WHERE m.id = $1");
        on!(self, |p| {
            use sqlx::{FromRow, Row};
            let r = sqlx::query(&sql).bind(id).fetch_one(p).await?;
            Ok(MeetingRecord { row: MeetingRow::from_row(&r)?, org_path: r.try_get("path")? })
        })
    }

    pub async fn meeting_attendees(&self, id: i64) -> StoreResult<Vec<AttendeeRow>> {
        Ok(on!(self, |p| {
            sqlx::query_as(
            "SELECT member_id, name, entitled, present, absence_reason, signed_by, signed_at, rating FROM meeting_attendees
             WHERE meeting_id = $1 ORDER BY entitled DESC, member_id"
        )
        .bind(id)
        .fetch_all(p)
        .await
        })?)
    }

    pub async fn meeting_resolutions(&self, id: i64) -> StoreResult<Vec<ResolutionRow>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT id, seq, text, votes, entitled, present, agree, disagree, abstain, passed FROM meeting_resolutions
             WHERE meeting_id = $1 ORDER BY seq"
        )
        .bind(id)
        .fetch_all(p)
        .await)?)
    }

    /// An organisation's meetings planned or held between two days, newest first.
    pub async fn org_meetings(&self, org_id: i64, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<MeetingRow>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings m JOIN orgs o ON o.id = m.org_id
             WHERE m.org_id = $1 AND COALESCE(m.held_on, m.planned_on) >= $2 AND COALESCE(m.held_on, m.planned_on) <= $3
             ORDER BY COALESCE(m.held_on, m.planned_on) DESC, m.id DESC"
        );
        Ok(on!(self, |p| sqlx::query_as(&sql).bind(org_id).bind(from).bind(to).fetch_all(p).await)?)
    }

    /// The meetings a member was expected at in a period, with whether they came.
    pub async fn member_meetings(
        &self,
        member_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<(MeetingRow, i64, String)>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS}, a.present AS attended, a.absence_reason AS reason
             FROM meeting_attendees a JOIN meetings m ON m.id = a.meeting_id JOIN orgs o ON o.id = m.org_id
             WHERE a.member_id = $1 AND m.status <> 'cancelled'
               AND COALESCE(m.held_on, m.planned_on) >= $2 AND COALESCE(m.held_on, m.planned_on) <= $3
             ORDER BY COALESCE(m.held_on, m.planned_on) DESC, m.id DESC"
        );
        on!(self, |p| {
            use sqlx::{FromRow, Row};
            let rows = sqlx::query(&sql).bind(member_id).bind(from).bind(to).fetch_all(p).await?;
            rows.iter()
                .map(|r| Ok((MeetingRow::from_row(r)?, r.try_get("attended")?, r.try_get("reason")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }

    /// Who is expected at a meeting of an organisation: its members in good
    /// standing (a branch's include its groups'), full members entitled to vote.
    pub async fn expected_attendees(&self, org_path: &str) -> StoreResult<Vec<Expected>> {
        let rows: Vec<(i64, String, String)> = on!(self, |p| sqlx::query_as(
            "SELECT m.id, m.name, m.category FROM members m JOIN orgs o ON o.id = m.org_id
             WHERE o.path >= $1 AND o.path < $2 AND m.status = 'normal' ORDER BY m.name_initials, m.id"
        )
        .bind(org_path)
        .bind(path_hi(org_path))
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().map(|(id, name, c)| (id, name, c == "full")).collect())
    }

    /// The committee of a branch (its current officers), for committee meetings:
    /// every officer is entitled to vote there.
    pub async fn committee_attendees(&self, org_id: i64, on_day: NaiveDate) -> StoreResult<Vec<Expected>> {
        let rows: Vec<(i64, String)> = on!(self, |p| {
            sqlx::query_as(
            "SELECT DISTINCT m.id, m.name FROM org_officers f JOIN members m ON m.id = f.member_id
             WHERE f.org_id = $1 AND (f.term_start IS NULL OR f.term_start <= $2) AND (f.term_end IS NULL OR f.term_end >= $2)
               AND m.status = 'normal'
               AND f.role NOT IN ('group_leader')
             ORDER BY m.id"
        )
        .bind(org_id)
        .bind(on_day)
        .fetch_all(p)
        .await
        })?;
        Ok(rows.into_iter().map(|(id, name)| (id, name, true)).collect())
    }

    /// Records who came and who did not (with the reason), as the recorder
    /// marks it; refused once sealed.
    pub async fn mark_attendance(
        &self,
        actor: &Actor,
        meeting: &MeetingRecord,
        marks: &[(i64, bool, String)],
    ) -> StoreResult<()> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            claim_open!(tx, meeting.row.id);
            for (member, present, reason) in marks {
                sqlx::query(
                    "UPDATE meeting_attendees SET present = $1, absence_reason = $2,
                        signed_by = CASE WHEN $1 = 1 AND signed_by = 'self' THEN 'self' WHEN $1 = 1 THEN 'recorder' ELSE '' END,
                        signed_at = CASE WHEN $1 = 1 THEN COALESCE(signed_at, $3) ELSE NULL END
                     WHERE meeting_id = $4 AND member_id = $5",
                )
                .bind(i64::from(*present))
                .bind(if *present { "" } else { reason.as_str() })
                .bind(now)
                .bind(meeting.row.id)
                .bind(member)
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("meeting.attendance", "meeting", meeting.row.id).org(meeting.row.org_id).detail(
                    serde_json::json!({"present": marks.iter().filter(|m| m.1).count(), "marked": marks.len()})
                )
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Records the branch's ratings of its members at an appraisal; refused once sealed.
    pub async fn rate_members(
        &self,
        actor: &Actor,
        meeting: &MeetingRecord,
        ratings: &[(i64, &str)],
    ) -> StoreResult<()> {
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            claim_open!(tx, meeting.row.id);
            for (member, rating) in ratings {
                sqlx::query("UPDATE meeting_attendees SET rating = $1 WHERE meeting_id = $2 AND member_id = $3")
                    .bind(rating)
                    .bind(meeting.row.id)
                    .bind(member)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("meeting.ratings", "meeting", meeting.row.id)
                    .org(meeting.row.org_id)
                    .detail(serde_json::json!({"rated": ratings.len()}))
            )?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Files a photo or document with a meeting; refused once sealed; audited.
    pub async fn add_meeting_file(
        &self,
        actor: &Actor,
        meeting: &MeetingRecord,
        file_name: &str,
        content_type: &str,
        content: &[u8],
    ) -> StoreResult<i64> {
        use sm3::Digest;
        let digest: String = sm3::Sm3::digest(content).iter().map(|b| format!("{b:02x}")).collect();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            claim_open!(tx, meeting.row.id);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO meeting_files (tenant_id, meeting_id, file_name, content_type, size, digest, content, uploaded_by, uploaded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(meeting.row.id)
            .bind(file_name)
            .bind(content_type)
            .bind(content.len() as i64)
            .bind(&digest)
            .bind(content)
            .bind(actor.user_id)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("meeting.file", "meeting", meeting.row.id)
                    .org(meeting.row.org_id)
                    .detail(serde_json::json!({"file": id, "name": file_name, "size": content.len()}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    pub async fn meeting_files(&self, meeting_id: i64) -> StoreResult<Vec<MeetingFile>> {
        Ok(on!(self, |p| {
            sqlx::query_as(
            "SELECT id, file_name, content_type, size, digest, uploaded_at FROM meeting_files WHERE meeting_id = $1 ORDER BY id"
        )
        .bind(meeting_id)
        .fetch_all(p)
        .await
        })?)
    }

    /// A file's row and bytes.
    pub async fn meeting_file(&self, meeting_id: i64, id: i64) -> StoreResult<(MeetingFile, Vec<u8>)> {
        let row: MeetingFile = on!(self, |p| {
            sqlx::query_as(
            "SELECT id, file_name, content_type, size, digest, uploaded_at FROM meeting_files WHERE id = $1 AND meeting_id = $2"
        )
        .bind(id)
        .bind(meeting_id)
        .fetch_one(p)
        .await
        })?;
        let bytes: Vec<u8> = on!(self, |p| sqlx::query_scalar("SELECT content FROM meeting_files WHERE id = $1")
            .bind(id)
            .fetch_one(p)
            .await)?;
        Ok((row, bytes))
    }

    /// The accounts of members, for notices: (user id, tenant id).
    pub async fn users_of_members(&self, member_ids: &[i64]) -> StoreResult<Vec<(i64, i64)>> {
        let mut out = Vec::new();
        for chunk in member_ids.chunks(500) {
            let sql = format!(
                "SELECT id, tenant_id FROM users WHERE NOT disabled AND member_id IN ({})",
                crate::list_placeholders(self.backend(), 1, chunk.len())
            );
            let rows: Vec<(i64, i64)> = on!(self, |p| {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(p).await
            })?;
            out.extend(rows);
        }
        Ok(out)
    }

    /// Shows a one-time code in the room until `until` (Unix ms).
    pub async fn open_signin(&self, actor: &Actor, meeting: &MeetingRecord, code: &str, until: i64) -> StoreResult<()> {
        let entry = AuditEntry::new("meeting.signin_open", "meeting", meeting.row.id).org(meeting.row.org_id);
        crate::audit::audited_change!(
            self,
            actor,
            entry,
            sqlx::query(
                "UPDATE meetings SET signin_code = $1, signin_until = $2, updated_at = $3
                 WHERE id = $4 AND status IN ('planned', 'held')"
            )
            .bind(code)
            .bind(until)
            .bind(now_ms())
            .bind(meeting.row.id)
        )
    }

    /// A member signs themselves in with the room's code. False when the
    /// code is wrong or expired, or they were not expected.
    pub async fn sign_in(&self, actor: &Actor, meeting_id: i64, member_id: i64, code: &str) -> StoreResult<bool> {
        let now = now_ms();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let n = sqlx::query(
                "UPDATE meeting_attendees SET present = 1, signed_by = 'self', signed_at = $1, absence_reason = ''
                 WHERE meeting_id = $2 AND member_id = $3 AND EXISTS (
                    SELECT 1 FROM meetings WHERE id = $2 AND signin_code = $4 AND signin_until >= $1
                      AND status IN ('planned', 'held'))",
            )
            .bind(now)
            .bind(meeting_id)
            .bind(member_id)
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                append_audit!(
                    &mut *tx,
                    actor,
                    &AuditEntry::new("meeting.sign_in", "meeting", meeting_id)
                        .detail(serde_json::json!({"member": member_id}))
                )?;
            }
            tx.commit().await?;
            Ok::<bool, StoreError>(n == 1)
        })
    }

    /// Records the meeting as held on a day with its minutes (and saves
    /// later edits of the minutes until it is sealed).
    pub async fn record_held(
        &self,
        actor: &Actor,
        meeting: &MeetingRecord,
        version: i64,
        held_on: NaiveDate,
        minutes: &str,
    ) -> StoreResult<()> {
        let entry = AuditEntry::new("meeting.minutes", "meeting", meeting.row.id)
            .org(meeting.row.org_id)
            .detail(serde_json::json!({"held_on": held_on}));
        let n = on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let n = sqlx::query(
                "UPDATE meetings SET status = 'held', held_on = $1, minutes = $2, version = version + 1, updated_at = $3
                 WHERE id = $4 AND version = $5 AND status IN ('planned', 'held')",
            )
            .bind(held_on)
            .bind(minutes)
            .bind(now_ms())
            .bind(meeting.row.id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                append_audit!(&mut *tx, actor, &entry)?;
                tx.commit().await?;
            }
            Ok::<u64, StoreError>(n)
        })?;
        if n == 0 {
            return Err(StoreError::Conflict("conflict.stale"));
        }
        Ok(())
    }

    /// Cancels a meeting not yet held; audited.
    pub async fn cancel_meeting(&self, actor: &Actor, meeting: &MeetingRecord, reason: &str) -> StoreResult<()> {
        let entry = AuditEntry::new("meeting.cancel", "meeting", meeting.row.id)
            .org(meeting.row.org_id)
            .detail(serde_json::json!({"reason": reason}));
        crate::audit::audited_change!(
            self,
            actor,
            entry,
            sqlx::query(
                "UPDATE meetings SET status = 'cancelled', version = version + 1, updated_at = $1
                 WHERE id = $2 AND status = 'planned'"
            )
            .bind(now_ms())
            .bind(meeting.row.id)
        )
    }

    /// Adds a resolution with its named votes; refused once sealed.
    pub async fn add_resolution(&self, actor: &Actor, meeting: &MeetingRecord, r: &NewResolution) -> StoreResult<i64> {
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            claim_open!(tx, meeting.row.id);
            let seq: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM meeting_resolutions WHERE meeting_id = $1")
                    .bind(meeting.row.id)
                    .fetch_one(&mut *tx)
                    .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO meeting_resolutions (meeting_id, seq, text, votes, entitled, present, agree, disagree, abstain, passed)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(meeting.row.id)
            .bind(seq)
            .bind(&r.text)
            .bind(r.votes.to_string())
            .bind(r.entitled)
            .bind(r.present)
            .bind(r.agree)
            .bind(r.disagree)
            .bind(r.abstain)
            .bind(i64::from(r.passed))
            .fetch_one(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("meeting.resolution", "meeting", meeting.row.id)
                    .org(meeting.row.org_id)
                    .detail(serde_json::json!({"seq": seq, "agree": r.agree, "passed": r.passed}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// Seals a held meeting: its canonical record joins the organisation's
    /// SM3 hash chain, and it never changes again. Returns the chain hash.
    pub async fn seal_meeting(&self, actor: &Actor, meeting: &MeetingRecord) -> StoreResult<String> {
        let now = now_ms();
        let backend = self.backend();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            if backend == crate::Backend::Postgres {
                // One sealer per organisation at a time: the chain is a sequence.
                sqlx::query("SELECT pg_advisory_xact_lock(8317, $1::int)")
                    .bind(meeting.row.org_id as i32)
                    .execute(&mut *tx)
                    .await?;
            }
            // Take the meeting's row first: a writer of its parts that claimed
            // it earlier has committed, and none can claim it after (claim_open).
            let claimed = sqlx::query("UPDATE meetings SET version = version WHERE id = $1 AND status = 'held'")
                .bind(meeting.row.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let status: String = sqlx::query_scalar("SELECT status FROM meetings WHERE id = $1")
                .bind(meeting.row.id)
                .fetch_one(&mut *tx)
                .await?;
            if claimed == 0 {
                return Err(StoreError::Conflict(if status == "sealed" {
                    "meeting.sealed"
                } else {
                    "meeting.not_held"
                }));
            }
            let last: Option<(i64, String)> =
                sqlx::query_as("SELECT seq, chain_hash FROM life_seals WHERE org_id = $1 ORDER BY seq DESC LIMIT 1")
                    .bind(meeting.row.org_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (seq, prev) = last.map_or((1, String::new()), |(s, h)| (s + 1, h));
            let record = life_record!(tx, meeting.row.id)?;
            let hash = chain_hash(&prev, &canonical(&record));
            sqlx::query(
                "INSERT INTO life_seals (tenant_id, org_id, seq, meeting_id, prev_hash, chain_hash, sealed_at, sealed_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(actor.tenant_id)
            .bind(meeting.row.org_id)
            .bind(seq)
            .bind(meeting.row.id)
            .bind(&prev)
            .bind(&hash)
            .bind(now)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE meetings SET status = 'sealed', sealed_at = $1, sealed_by = $2, signin_code = NULL,
                    version = version + 1, updated_at = $1 WHERE id = $3",
            )
            .bind(now)
            .bind(actor.user_id)
            .bind(meeting.row.id)
            .execute(&mut *tx)
            .await?;
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("meeting.seal", "meeting", meeting.row.id)
                    .org(meeting.row.org_id)
                    .detail(serde_json::json!({"seq": seq, "hash": hash}))
            )?;
            tx.commit().await?;
            Ok::<String, StoreError>(hash)
        })
    }

    /// The seal of a meeting: (sequence in its organisation's chain, hash).
    pub async fn meeting_seal(&self, meeting_id: i64) -> StoreResult<Option<(i64, String)>> {
        Ok(on!(self, |p| sqlx::query_as("SELECT seq, chain_hash FROM life_seals WHERE meeting_id = $1")
            .bind(meeting_id)
            .fetch_optional(p)
            .await)?)
    }

    /// Recomputes every organisation's chain from the rows and names each
    /// seal that does not hold: a record changed since it was sealed, a
    /// link broken, a sealed meeting without a seal.
    pub async fn verify_life_seals(&self) -> StoreResult<(usize, Vec<SealProblem>)> {
        on!(self, |p| {
            let mut conn = p.acquire().await?;
            #[allow(clippy::type_complexity)]
            let seals: Vec<(i64, i64, Option<i64>, Option<i64>, String, String, String)> = sqlx::query_as(
                "SELECT s.org_id, s.seq, s.meeting_id, s.topic_id, s.prev_hash, s.chain_hash, COALESCE(m.topic, t.title, '')
                 FROM life_seals s LEFT JOIN meetings m ON m.id = s.meeting_id LEFT JOIN topics t ON t.id = s.topic_id
                 ORDER BY s.org_id, s.seq",
            )
            .fetch_all(&mut *conn)
            .await?;
            let mut problems = Vec::new();
            let mut previous: Option<(i64, String)> = None;
            for (org_id, seq, meeting_id, topic_id, prev_hash, stored, title) in &seals {
                let expected_prev = match &previous {
                    Some((o, h)) if o == org_id => h.clone(),
                    _ => String::new(),
                };
                let (record, record_id) = match (meeting_id, topic_id) {
                    (Some(m), _) => ("meeting", *m),
                    (None, t) => ("topic", t.unwrap_or_default()),
                };
                let problem = |problem| SealProblem {
                    org_id: *org_id,
                    record,
                    record_id,
                    seq: *seq,
                    title: title.clone(),
                    problem,
                };
                if *prev_hash != expected_prev {
                    problems.push(problem("seal.broken_link"));
                }
                let content = if record == "meeting" {
                    life_record!(conn, record_id)?
                } else {
                    crate::decisions::topic_record!(conn, record_id)?
                };
                if chain_hash(prev_hash, &canonical(&content)) != *stored {
                    problems.push(problem("seal.record_changed"));
                }
                previous = Some((*org_id, stored.clone()));
            }
            let unsealed: Vec<(i64, String, i64, String)> = sqlx::query_as(
                "SELECT m.org_id, 'meeting', m.id, m.topic FROM meetings m LEFT JOIN life_seals s ON s.meeting_id = m.id
                 WHERE m.status = 'sealed' AND s.id IS NULL
                 UNION ALL
                 SELECT t.org_id, 'topic', t.id, t.title FROM topics t LEFT JOIN life_seals s ON s.topic_id = t.id
                 WHERE (t.sealed_at IS NOT NULL OR t.status IN ('closed', 'rejected')) AND s.id IS NULL
                 ORDER BY 3",
            )
            .fetch_all(&mut *conn)
            .await?;
            for (org_id, record, record_id, title) in unsealed {
                let record = if record == "meeting" { "meeting" } else { "topic" };
                problems.push(SealProblem { org_id, record, record_id, seq: 0, title, problem: "seal.missing" });
            }
            Ok::<(usize, Vec<SealProblem>), StoreError>((seals.len(), problems))
        })
    }

    /// The branches and groups of a subtree, with their full members and
    /// founding day: the organisations that owe meetings.
    pub async fn life_orgs(&self, path: &str) -> StoreResult<Vec<LifeOrg>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT o.id, o.name, o.kind, o.path, o.established_on, COALESCE(r.n, 0) AS full_members
             FROM orgs o LEFT JOIN org_rollups r ON r.org_id = o.id AND r.dim = 'category' AND r.key = 'full'
             WHERE o.path >= $1 AND o.path < $2 AND o.kind IN ('branch', 'group')
             ORDER BY o.path"
        )
        .bind(path)
        .bind(path_hi(path))
        .fetch_all(p)
        .await)?)
    }

    /// The meetings held in a subtree between two days: (org, kind, day).
    pub async fn held_meetings(
        &self,
        path: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<(i64, String, NaiveDate)>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT m.org_id, m.kind, m.held_on FROM meetings m JOIN orgs o ON o.id = m.org_id
             WHERE o.path >= $1 AND o.path < $2 AND m.status IN ('held', 'sealed')
               AND m.held_on >= $3 AND m.held_on <= $4"
        )
        .bind(path)
        .bind(path_hi(path))
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)?)
    }
}
