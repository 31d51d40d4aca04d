-- The 'study' figure version (see 0023_figure_changes for the log and why it
-- is a log). A subtree's study report is read from its members with their
-- organisations and offices, the offline trainings they attended, the
-- required courses offered to it with their lessons, the exams offered to
-- it with their attempts, the learning rule packs and whether the
-- organisation shows a ranking; a change to any of them is seen on the next
-- view. Online study time is not watched: every learner's heartbeat writes
-- it (every 30 s), so the report keys it by the minute instead (app::learning::report).
--
-- Rows without a tenant of their own (attendance, lessons) take their
-- parent's; where the parent is gone in the same transaction, its own
-- trigger has counted the change.

CREATE TRIGGER members_insert_study AFTER INSERT ON members BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER members_update_study AFTER UPDATE ON members
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.name IS NOT NEW.name OR OLD.name_initials IS NOT NEW.name_initials OR OLD.status IS NOT NEW.status BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER members_delete_study AFTER DELETE ON members BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT OLD.tenant_id, 'study', 1;
END;
CREATE TRIGGER orgs_insert_study AFTER INSERT ON orgs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER orgs_update_study AFTER UPDATE ON orgs
WHEN OLD.path IS NOT NEW.path OR OLD.name IS NOT NEW.name BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER orgs_delete_study AFTER DELETE ON orgs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT OLD.tenant_id, 'study', 1;
END;
CREATE TRIGGER org_officers_insert_study AFTER INSERT ON org_officers BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER org_officers_update_study AFTER UPDATE ON org_officers BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER org_officers_delete_study AFTER DELETE ON org_officers BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT OLD.tenant_id, 'study', 1;
END;
CREATE TRIGGER trainings_insert_study AFTER INSERT ON trainings BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER trainings_update_study AFTER UPDATE ON trainings BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER trainings_delete_study AFTER DELETE ON trainings BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT OLD.tenant_id, 'study', 1;
END;
CREATE TRIGGER training_attendance_insert_study AFTER INSERT ON training_attendance BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT tenant_id, 'study', 1 FROM trainings WHERE id = NEW.training_id;
END;
CREATE TRIGGER training_attendance_update_study AFTER UPDATE ON training_attendance BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT tenant_id, 'study', 1 FROM trainings WHERE id = NEW.training_id;
END;
CREATE TRIGGER training_attendance_delete_study AFTER DELETE ON training_attendance BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT tenant_id, 'study', 1 FROM trainings WHERE id = OLD.training_id;
END;
CREATE TRIGGER courses_insert_study AFTER INSERT ON courses BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER courses_update_study AFTER UPDATE ON courses BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER courses_delete_study AFTER DELETE ON courses BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT OLD.tenant_id, 'study', 1;
END;
CREATE TRIGGER lessons_insert_study AFTER INSERT ON lessons BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT tenant_id, 'study', 1 FROM courses WHERE id = NEW.course_id;
END;
CREATE TRIGGER lessons_update_study AFTER UPDATE ON lessons BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT tenant_id, 'study', 1 FROM courses WHERE id = NEW.course_id;
END;
CREATE TRIGGER lessons_delete_study AFTER DELETE ON lessons BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT tenant_id, 'study', 1 FROM courses WHERE id = OLD.course_id;
END;
CREATE TRIGGER exams_insert_study AFTER INSERT ON exams BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER exams_update_study AFTER UPDATE ON exams BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER exams_delete_study AFTER DELETE ON exams BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT OLD.tenant_id, 'study', 1;
END;
CREATE TRIGGER exam_attempts_insert_study AFTER INSERT ON exam_attempts BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER exam_attempts_update_study AFTER UPDATE ON exam_attempts
WHEN OLD.exam_id IS NOT NEW.exam_id OR OLD.member_id IS NOT NEW.member_id OR OLD.score IS NOT NEW.score OR OLD.total IS NOT NEW.total OR OLD.submitted_at IS NOT NEW.submitted_at BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER exam_attempts_delete_study AFTER DELETE ON exam_attempts BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT OLD.tenant_id, 'study', 1;
END;
CREATE TRIGGER study_ranking_insert_study AFTER INSERT ON study_ranking BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER study_ranking_update_study AFTER UPDATE ON study_ranking BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER study_ranking_delete_study AFTER DELETE ON study_ranking BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT OLD.tenant_id, 'study', 1;
END;
CREATE TRIGGER rule_packs_insert_study AFTER INSERT ON rule_packs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER rule_packs_update_study AFTER UPDATE ON rule_packs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;
CREATE TRIGGER rule_packs_delete_study AFTER DELETE ON rule_packs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT OLD.tenant_id, 'study', 1;
END;
