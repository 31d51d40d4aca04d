//! Learning: courses and lessons, study time per member, lesson and day,
//! the heartbeat state, and offline training. A beat is read and credited
//! in one transaction, so concurrent beats from two tabs are serialised.

use std::sync::LazyLock;

use chrono::NaiveDate;
use ronghe_domain::learning::{accrue, Accrual, Beat, LearningRulePack, Presence, RequiredOf};
use serde::{Deserialize, Serialize};

use crate::audit::append_audit;
use crate::reader::read;
use crate::rows::fetch_list;
use crate::BeginWrite;
use crate::{now_ms, on, path_hi, Actor, AuditEntry, Store, StoreError, StoreResult};

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct CourseRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub category: String,
    pub description: String,
    pub lessons: i64,
    /// Required of the offering organisation's members by this day.
    #[serde(default, deserialize_with = "crate::rows::opt_date")]
    pub required_by: Option<NaiveDate>,
    /// `members` or `officers` (`RequiredOf`).
    pub required_of: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LessonRow {
    pub id: i64,
    pub course_id: i64,
    pub seq: i64,
    pub title: String,
    pub kind: String,
    pub body: String,
    pub url: String,
    pub minutes: i64,
    /// The file of a pdf, video or audio lesson.
    pub media_id: Option<i64>,
}

/// A lesson with its course's organisation, for scope checks.
#[derive(Debug, Clone, Serialize)]
pub struct LessonRecord {
    pub lesson: LessonRow,
    pub course_title: String,
    pub org_path: String,
    pub tenant_id: i64,
}

#[derive(Debug, Clone)]
pub struct NewLesson {
    pub title: String,
    pub kind: &'static str,
    pub body: String,
    pub url: String,
    pub minutes: i64,
    pub media_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct TrainingRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    #[serde(deserialize_with = "crate::rows::date")]
    pub held_on: NaiveDate,
    pub hours_x10: i64,
}

/// Whether member `m` held an office counted for the officers'
/// requirement (not a group leader) at any time between `$5` and `$6`, as
/// `was_officer` and `subtree_study` count it for the hours requirement.
const OFFICER_IN_PERIOD: &str =
    "EXISTS (SELECT 1 FROM org_officers f WHERE f.member_id = m.id AND f.role <> 'group_leader'
    AND (f.term_start IS NULL OR f.term_start <= $6) AND (f.term_end IS NULL OR f.term_end >= $5))";

impl Store {
    /// Adds a course with its lessons; audited.
    pub async fn create_course(
        &self,
        actor: &Actor,
        org_id: i64,
        title: &str,
        category: &str,
        description: &str,
        lessons: &[NewLesson],
    ) -> StoreResult<i64> {
        self.create_required_course(actor, org_id, title, category, description, None, RequiredOf::Members, lessons)
            .await
    }

    /// Adds a course that every member of the organisation's subtree must
    /// complete by `required_by` (none: optional); audited.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_required_course(
        &self,
        actor: &Actor,
        org_id: i64,
        title: &str,
        category: &str,
        description: &str,
        required_by: Option<NaiveDate>,
        required_of: RequiredOf,
        lessons: &[NewLesson],
    ) -> StoreResult<i64> {
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO courses (tenant_id, org_id, title, category, description, required_by, required_of, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(org_id)
            .bind(title)
            .bind(category)
            .bind(description)
            .bind(required_by)
            .bind(required_of.code())
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            for (i, l) in lessons.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO lessons (course_id, seq, title, kind, body, url, minutes, media_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id)
                .bind(i as i64 + 1)
                .bind(&l.title)
                .bind(l.kind)
                .bind(&l.body)
                .bind(&l.url)
                .bind(l.minutes)
                .bind(l.media_id)
                .execute(&mut *tx)
                .await?;
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("course.create", "course", id)
                    .org(org_id)
                    .detail(serde_json::json!({"title": title, "lessons": lessons.len()}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// The courses offered to an organisation: those of it and of every
    /// organisation above it.
    pub async fn courses_for(&self, org_path: &str) -> StoreResult<Vec<CourseRow>> {
        let ids: Vec<i64> = crate::orgs::path_ids(org_path);
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT c.id, c.org_id, o.name AS org_name, c.title, c.category, c.description,
                    (SELECT COUNT(*) FROM lessons l WHERE l.course_id = c.id) AS lessons, c.required_by, c.required_of
             FROM courses c JOIN orgs o ON o.id = c.org_id WHERE c.org_id IN ({}) ORDER BY c.id DESC",
            crate::list_placeholders(self.backend(), 1, ids.len())
        );
        // The courses of one line of organisations, by key.
        fetch_list!(self, CourseRow, sql, bounded = true, |q| {
            let mut q = q;
            for id in &ids {
                q = q.bind(id);
            }
            q
        })
    }

    pub async fn course_lessons(&self, course_id: i64) -> StoreResult<Vec<LessonRow>> {
        Ok(on!(self, |p| {
            sqlx::query_as(
            "SELECT id, course_id, seq, title, kind, body, url, minutes, media_id FROM lessons WHERE course_id = $1 ORDER BY seq"
        )
        .bind(course_id)
        .fetch_all(p)
        .await
        })?)
    }

    pub async fn lesson(&self, id: i64) -> StoreResult<LessonRecord> {
        on!(self, |p| {
            use sqlx::{FromRow, Row};
            let r = sqlx::query(
                "SELECT l.id, l.course_id, l.seq, l.title, l.kind, l.body, l.url, l.minutes, l.media_id, c.title AS course_title,
                        o.path, c.tenant_id
                 FROM lessons l JOIN courses c ON c.id = l.course_id JOIN orgs o ON o.id = c.org_id WHERE l.id = $1",
            )
            .bind(id)
            .fetch_one(p)
            .await?;
            Ok(LessonRecord {
                lesson: LessonRow::from_row(&r)?,
                course_title: r.try_get("course_title")?,
                org_path: r.try_get("path")?,
                tenant_id: r.try_get("tenant_id")?,
            })
        })
    }

    /// Takes a heartbeat: reads the learner's presence and the tab's last
    /// beat, credits what the rules allow to today's study time, and keeps
    /// the new state, in one transaction. Returns the accrual and the
    /// member's seconds on the lesson in all, this beat's included.
    #[allow(clippy::too_many_arguments)]
    pub async fn study_beat(
        &self,
        pack: &LearningRulePack,
        tenant_id: i64,
        member_id: i64,
        lesson: &LessonRow,
        beat: &Beat,
        now: i64,
        day: NaiveDate,
    ) -> StoreResult<(Accrual, i64)> {
        let backend = self.backend();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            if backend == crate::Backend::Postgres {
                // Beats of one learner one at a time (two tabs).
                sqlx::query("SELECT pg_advisory_xact_lock(8318, $1::int)")
                    .bind(member_id as i32)
                    .execute(&mut *tx)
                    .await?;
            }
            let last: Option<i64> = sqlx::query_scalar("SELECT last_beat_ms FROM study_presence WHERE member_id = $1")
                .bind(member_id)
                .fetch_optional(&mut *tx)
                .await?;
            let seq: Option<i64> =
                sqlx::query_scalar("SELECT last_seq FROM study_tabs WHERE member_id = $1 AND tab = $2")
                    .bind(member_id)
                    .bind(&beat.tab)
                    .fetch_optional(&mut *tx)
                    .await?;
            let credited: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(seconds), 0) AS BIGINT) FROM study_time WHERE member_id = $1 AND lesson_id = $2",
            )
            .bind(member_id)
            .bind(lesson.id)
            .fetch_one(&mut *tx)
            .await?;
            let (accrual, presence): (Accrual, Presence) = accrue(
                pack,
                Presence { last_beat_ms: last },
                seq,
                beat,
                now,
                credited,
                u32::try_from(lesson.minutes).unwrap_or(u32::MAX),
            );
            if accrual.ignored.is_none() {
                sqlx::query(
                    "INSERT INTO study_presence (member_id, last_beat_ms) VALUES ($1, $2)
                     ON CONFLICT (member_id) DO UPDATE SET last_beat_ms = excluded.last_beat_ms",
                )
                .bind(member_id)
                .bind(presence.last_beat_ms.unwrap_or(now))
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO study_tabs (member_id, tab, last_seq, seen_ms) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (member_id, tab) DO UPDATE SET last_seq = excluded.last_seq, seen_ms = excluded.seen_ms",
                )
                .bind(member_id)
                .bind(&beat.tab)
                .bind(beat.seq)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if accrual.credit_seconds > 0 {
                    sqlx::query(
                        "INSERT INTO study_time (tenant_id, member_id, lesson_id, day, seconds) VALUES ($1, $2, $3, $4, $5)
                         ON CONFLICT (member_id, lesson_id, day) DO UPDATE SET seconds = study_time.seconds + excluded.seconds",
                    )
                    .bind(tenant_id)
                    .bind(member_id)
                    .bind(lesson.id)
                    .bind(day)
                    .bind(accrual.credit_seconds)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            Ok::<(Accrual, i64), StoreError>((accrual, credited + accrual.credit_seconds))
        })
    }

    /// What a member studied online between two days, lesson by lesson.
    pub async fn member_lesson_study(
        &self,
        member_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<LessonStudy>> {
        const SQL: &str =
            "SELECT l.id AS lesson_id, l.title AS lesson_title, c.id AS course_id, c.title AS course_title,
                    CAST(SUM(s.seconds) AS BIGINT) AS seconds, COUNT(*) AS days, MAX(s.day) AS last_day
             FROM study_time s JOIN lessons l ON l.id = s.lesson_id JOIN courses c ON c.id = l.course_id
             WHERE s.member_id = $1 AND s.day >= $2 AND s.day <= $3
             GROUP BY l.id, l.title, c.id, c.title ORDER BY MAX(s.day) DESC, l.id";
        // One member's rows of a period, by key.
        fetch_list!(self, LessonStudy, SQL, bounded = true, |q| q.bind(member_id).bind(from).bind(to))
    }

    /// Seconds a member studied a lesson (all days).
    pub async fn lesson_seconds(&self, member_id: i64, lesson_id: i64) -> StoreResult<i64> {
        Ok(on!(self, |p| sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(seconds), 0) AS BIGINT) FROM study_time WHERE member_id = $1 AND lesson_id = $2"
        )
        .bind(member_id)
        .bind(lesson_id)
        .fetch_one(p)
        .await)?)
    }

    /// Records an offline training with the members who attended; audited.
    pub async fn record_training(
        &self,
        actor: &Actor,
        org_id: i64,
        title: &str,
        held_on: NaiveDate,
        hours_x10: i64,
        attendees: &[i64],
    ) -> StoreResult<i64> {
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO trainings (tenant_id, org_id, title, held_on, hours_x10, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(actor.tenant_id)
            .bind(org_id)
            .bind(title)
            .bind(held_on)
            .bind(hours_x10)
            .bind(actor.user_id)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            for m in attendees {
                sqlx::query("INSERT INTO training_attendance (training_id, member_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(m)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(
                &mut *tx,
                actor,
                &AuditEntry::new("training.record", "training", id)
                    .org(org_id)
                    .detail(serde_json::json!({"title": title, "hours_x10": hours_x10, "attendees": attendees.len()}))
            )?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// The offline trainings a member attended between two days.
    pub async fn member_trainings(
        &self,
        member_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<TrainingRow>> {
        const COLUMNS: &str = "t.id, t.org_id, o.name AS org_name, t.title, t.held_on, t.hours_x10";
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {COLUMNS}
                 FROM training_attendance a JOIN trainings t ON t.id = a.training_id JOIN orgs o ON o.id = t.org_id
                 WHERE a.member_id = $1 AND t.held_on >= $2 AND t.held_on <= $3 ORDER BY t.held_on, t.id"
            )
        });
        // One member's attendance, by key.
        fetch_list!(self, TrainingRow, SQL.as_str(), bounded = true, |q| q.bind(member_id).bind(from).bind(to))
    }

    /// Whether a member held a branch or committee office (not a group
    /// leader's) at any time in a period: they need the officers' hours.
    pub async fn was_officer(&self, member_id: i64, from: NaiveDate, to: NaiveDate) -> StoreResult<bool> {
        let (n,) = read!(
            self,
            (i64,),
            "SELECT COUNT(*) FROM org_officers WHERE member_id = $1 AND role <> 'group_leader'
               AND (term_start IS NULL OR term_start <= $3) AND (term_end IS NULL OR term_end >= $2)",
            |q| q.bind(member_id).bind(from).bind(to),
            fetch_one
        )?;
        Ok(n > 0)
    }

    /// Members of a subtree (for a training's attendance check).
    pub async fn members_in(&self, path: &str, ids: &[i64]) -> StoreResult<Vec<i64>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let backend = self.backend();
        let sql = format!(
            "SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.path >= {} AND o.path < {} AND m.id IN ({})",
            crate::param(backend, 1),
            crate::param(backend, 2),
            crate::list_placeholders(backend, 3, ids.len())
        );
        Ok(on!(self, |p| {
            let mut q = sqlx::query_scalar(&sql).bind(path).bind(path_hi(path));
            for id in ids {
                q = q.bind(id);
            }
            q.fetch_all(p).await
        })?)
    }
}

impl Store {
    /// Writes study time in bulk (the demo's year of study): (member, lesson,
    /// day, seconds), a few hundred rows a statement.
    pub async fn insert_study_time(&self, tenant_id: i64, rows: &[(i64, i64, NaiveDate, i64)]) -> StoreResult<()> {
        // One row per (member, lesson, day): PostgreSQL refuses a statement
        // whose ON CONFLICT would update the same row twice.
        let mut merged: std::collections::BTreeMap<(i64, i64, NaiveDate), i64> = Default::default();
        for (member, lesson, day, seconds) in rows {
            *merged.entry((*member, *lesson, *day)).or_default() += seconds;
        }
        let rows: Vec<(i64, i64, NaiveDate, i64)> = merged.into_iter().map(|((m, l, d), s)| (m, l, d, s)).collect();
        on!(self, |p| {
            let mut tx = p.begin_write().await?;
            for chunk in rows.chunks(300) {
                let sql = format!(
                    "INSERT INTO study_time (tenant_id, member_id, lesson_id, day, seconds) VALUES {}
                     ON CONFLICT (member_id, lesson_id, day) DO UPDATE SET seconds = study_time.seconds + excluded.seconds",
                    crate::values_placeholders(self.backend(), chunk.len(), 5)
                );
                let mut q = sqlx::query(&sql);
                for (member, lesson, day, seconds) in chunk {
                    q = q.bind(tenant_id).bind(member).bind(lesson).bind(day).bind(seconds);
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }
}

/// A member's online study of one lesson in a period: the rows behind
/// their online hours.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct LessonStudy {
    pub lesson_id: i64,
    pub lesson_title: String,
    pub course_id: i64,
    pub course_title: String,
    pub seconds: i64,
    /// Days on which the member studied it.
    pub days: i64,
    #[serde(deserialize_with = "crate::rows::date")]
    pub last_day: NaiveDate,
}

/// A member of a subtree with their study in a period.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MemberStudy {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub online_seconds: i64,
    pub offline_x10: i64,
    pub officer: i64,
}

impl Store {
    /// Every active member of a subtree with their online seconds and
    /// offline tenths of class hours between two days, and whether they
    /// held an office then: what the subtree's study report is made of.
    pub async fn subtree_study(&self, path: &str, from: NaiveDate, to: NaiveDate) -> StoreResult<Vec<MemberStudy>> {
        Ok(on!(self, |p| {
            sqlx::query_as(
            "SELECT m.id, m.name, m.org_id, o.name AS org_name,
                    CAST(COALESCE((SELECT SUM(s.seconds) FROM study_time s
                        WHERE s.member_id = m.id AND s.day >= $3 AND s.day <= $4), 0) AS BIGINT) AS online_seconds,
                    CAST(COALESCE((SELECT SUM(t.hours_x10) FROM training_attendance a JOIN trainings t ON t.id = a.training_id
                        WHERE a.member_id = m.id AND t.held_on >= $3 AND t.held_on <= $4), 0) AS BIGINT) AS offline_x10,
                    CAST((SELECT COUNT(*) FROM org_officers f WHERE f.member_id = m.id AND f.role <> 'group_leader'
                        AND (f.term_start IS NULL OR f.term_start <= $4) AND (f.term_end IS NULL OR f.term_end >= $3)) AS BIGINT) AS officer
             FROM members m JOIN orgs o ON o.id = m.org_id
             WHERE o.path >= $1 AND o.path < $2 AND m.status IN ('normal', 'lost_contact')
             ORDER BY o.path, m.name_initials, m.id LIMIT 20000"
        )
        .bind(path)
        .bind(path_hi(path))
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await
        })?)
    }

    /// For each required course offered to a subtree (by it or above it),
    /// the members of the subtree who completed every lesson (studied each
    /// for its length): (course, member ids).
    pub async fn required_completions(
        &self,
        path: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<(CourseRow, Vec<i64>)>> {
        let courses: Vec<CourseRow> =
            self.courses_for(path).await?.into_iter().filter(|c| c.required_by.is_some()).collect();
        // A large subtree that holds most of its tenant is read from the
        // course's study time rather than member by member: a national root
        // holds ten million members, of whom those who studied the course
        // are a few. The course's study time is the whole tenant's, so a
        // unit that is a small part of it is read member by member.
        let ids = crate::orgs::path_ids(path);
        let large = match (ids.first(), ids.last()) {
            (Some(&root), Some(&id)) if !courses.is_empty() => {
                let size = self.subtree_size_hint(id).await?;
                size > Store::LARGE_SUBTREE && 2 * size > self.subtree_size_hint(root).await?
            }
            _ => false,
        };
        let mut out = Vec::new();
        for c in courses {
            let done = self.course_completions(path, &c, from, to, large).await?;
            out.push((c, done));
        }
        Ok(out)
    }

    /// The members of a subtree who completed every lesson of a course, in
    /// no particular order. `by_study` reads the course's study time first
    /// and then who of them belongs (for large subtrees); otherwise each
    /// member of the subtree is checked. Both give the same members.
    pub async fn course_completions(
        &self,
        path: &str,
        c: &CourseRow,
        from: NaiveDate,
        to: NaiveDate,
        by_study: bool,
    ) -> StoreResult<Vec<i64>> {
        // A course required of officers counts only those who were
        // officers in the period, as the hours requirement does. A course
        // without lessons is completed by everyone: only the member-by-member
        // reading says so.
        let sql = if by_study && c.lessons > 0 {
            format!(
                "SELECT m.id FROM (
                     SELECT done.member_id FROM (
                         SELECT s.member_id, s.lesson_id FROM study_time s JOIN lessons l ON l.id = s.lesson_id
                         WHERE l.course_id = $3
                         GROUP BY s.member_id, s.lesson_id, l.minutes HAVING SUM(s.seconds) >= l.minutes * 60
                     ) done GROUP BY done.member_id
                     HAVING COUNT(*) = (SELECT COUNT(*) FROM lessons WHERE course_id = $3)
                 ) c JOIN members m ON m.id = c.member_id JOIN orgs o ON o.id = m.org_id
                 WHERE o.path >= $1 AND o.path < $2 AND m.status IN ('normal', 'lost_contact')
                   AND ($4 = 'members' OR {OFFICER_IN_PERIOD})"
            )
        } else {
            format!(
                "SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
                 WHERE o.path >= $1 AND o.path < $2 AND m.status IN ('normal', 'lost_contact')
                   AND ($4 = 'members' OR {OFFICER_IN_PERIOD})
                   AND NOT EXISTS (SELECT 1 FROM lessons l WHERE l.course_id = $3 AND
                       COALESCE((SELECT SUM(s.seconds) FROM study_time s WHERE s.member_id = m.id AND s.lesson_id = l.id), 0)
                       < l.minutes * 60)"
            )
        };
        Ok(on!(self, |p| {
            sqlx::query_scalar(&sql)
                .bind(path)
                .bind(path_hi(path))
                .bind(c.id)
                .bind(&c.required_of)
                .bind(from)
                .bind(to)
                .fetch_all(p)
                .await
        })?)
    }
}

impl Store {
    /// Whether a member has studied every lesson of a course for its length.
    pub async fn course_completed(&self, member_id: i64, course_id: i64) -> StoreResult<bool> {
        let missing: i64 = on!(self, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM lessons l WHERE l.course_id = $2 AND
               COALESCE((SELECT SUM(s.seconds) FROM study_time s WHERE s.member_id = $1 AND s.lesson_id = l.id), 0)
               < l.minutes * 60"
        )
        .bind(member_id)
        .bind(course_id)
        .fetch_one(p)
        .await)?;
        Ok(missing == 0)
    }

    /// The enabled accounts of members: (user id, tenant, username, email,
    /// member id, the member's organisation's path).
    pub async fn member_accounts(&self) -> StoreResult<Vec<(i64, i64, String, Option<String>, i64, String)>> {
        Ok(on!(self, |p| sqlx::query_as(
            "SELECT u.id, u.tenant_id, u.username, u.email, m.id, o.path FROM users u
             JOIN members m ON m.id = u.member_id JOIN orgs o ON o.id = m.org_id
             WHERE NOT u.disabled AND m.status = 'normal' ORDER BY u.id"
        )
        .fetch_all(p)
        .await)?)
    }
}
