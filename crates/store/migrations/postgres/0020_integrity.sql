-- What the store checks before it writes, held by the database too, so the
-- checks stay true when two requests race (on PostgreSQL both can read
-- before either writes): one transfer under way per member, one open stay
-- away per member, one attempt of each number per member and exam.
CREATE UNIQUE INDEX transfers_one_open ON transfers (member_id)
    WHERE member_id IS NOT NULL AND state IN ('requested', 'approved', 'letter_issued', 'received');
CREATE UNIQUE INDEX members_away_one_open ON members_away (member_id) WHERE returned_on IS NULL;

ALTER TABLE exam_attempts ADD COLUMN attempt_no BIGINT;
UPDATE exam_attempts SET attempt_no = (
    SELECT COUNT(*) FROM exam_attempts b
    WHERE b.exam_id = exam_attempts.exam_id AND b.member_id = exam_attempts.member_id AND b.id <= exam_attempts.id);
CREATE UNIQUE INDEX exam_attempts_number ON exam_attempts (exam_id, member_id, attempt_no);

-- Indexes for the queries the study, exam and transfer pages run: officers
-- by member (the 56-hour requirement, per member of a report), attempts by
-- exam (results), exams by organisation, letters issued (their numbering).
CREATE INDEX org_officers_member ON org_officers (member_id);
CREATE INDEX exam_attempts_exam ON exam_attempts (exam_id);
CREATE INDEX exams_org ON exams (org_id);
CREATE INDEX transfer_events_issued ON transfer_events (tenant_id, action, on_date);
