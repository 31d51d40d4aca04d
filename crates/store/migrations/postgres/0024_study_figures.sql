-- The 'study' figure version (see 0023_figure_changes for the log and why it
-- is a log). A subtree's study report is read from its members with their
-- organisations and offices, the offline trainings they attended, the
-- required courses offered to it with their lessons, the exams offered to
-- it with their attempts, the learning rule packs and whether the
-- organisation shows a ranking; a change to any of them is seen on the next
-- view. Online study time is not watched: every learner's heartbeat writes
-- it (every 30 s), so the report keys it by the minute instead (app::learning::report).

-- Rows that carry no tenant of their own take their parent's: the trigger's
-- second argument names the parent table, the third the column that points at it.
CREATE FUNCTION figures_changed_via() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO figure_changes (tenant_id, subject, n)
                    SELECT DISTINCT p.tenant_id, %L, 1 FROM changed c JOIN %I p ON p.id = c.%I',
                   TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]);
    RETURN NULL;
END $$;

CREATE TRIGGER members_insert_study AFTER INSERT ON members REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER members_update_study AFTER UPDATE ON members
    FOR EACH ROW
    WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.name IS DISTINCT FROM NEW.name OR OLD.name_initials IS DISTINCT FROM NEW.name_initials OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION figure_changed('study');
CREATE TRIGGER members_delete_study AFTER DELETE ON members REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER orgs_insert_study AFTER INSERT ON orgs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER orgs_update_study AFTER UPDATE ON orgs
    FOR EACH ROW
    WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION figure_changed('study');
CREATE TRIGGER orgs_delete_study AFTER DELETE ON orgs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER org_officers_insert_study AFTER INSERT ON org_officers REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER org_officers_update_study AFTER UPDATE ON org_officers REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER org_officers_delete_study AFTER DELETE ON org_officers REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER trainings_insert_study AFTER INSERT ON trainings REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER trainings_update_study AFTER UPDATE ON trainings REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER trainings_delete_study AFTER DELETE ON trainings REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER training_attendance_insert_study AFTER INSERT ON training_attendance REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_via('study', 'trainings', 'training_id');
CREATE TRIGGER training_attendance_update_study AFTER UPDATE ON training_attendance REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_via('study', 'trainings', 'training_id');
CREATE TRIGGER training_attendance_delete_study AFTER DELETE ON training_attendance REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_via('study', 'trainings', 'training_id');
CREATE TRIGGER courses_insert_study AFTER INSERT ON courses REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER courses_update_study AFTER UPDATE ON courses REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER courses_delete_study AFTER DELETE ON courses REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER lessons_insert_study AFTER INSERT ON lessons REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_via('study', 'courses', 'course_id');
CREATE TRIGGER lessons_update_study AFTER UPDATE ON lessons REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_via('study', 'courses', 'course_id');
CREATE TRIGGER lessons_delete_study AFTER DELETE ON lessons REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_via('study', 'courses', 'course_id');
CREATE TRIGGER exams_insert_study AFTER INSERT ON exams REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER exams_update_study AFTER UPDATE ON exams REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER exams_delete_study AFTER DELETE ON exams REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER exam_attempts_insert_study AFTER INSERT ON exam_attempts REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER exam_attempts_update_study AFTER UPDATE ON exam_attempts
    FOR EACH ROW
    WHEN (OLD.exam_id IS DISTINCT FROM NEW.exam_id OR OLD.member_id IS DISTINCT FROM NEW.member_id OR OLD.score IS DISTINCT FROM NEW.score OR OLD.total IS DISTINCT FROM NEW.total OR OLD.submitted_at IS DISTINCT FROM NEW.submitted_at) EXECUTE FUNCTION figure_changed('study');
CREATE TRIGGER exam_attempts_delete_study AFTER DELETE ON exam_attempts REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER study_ranking_insert_study AFTER INSERT ON study_ranking REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER study_ranking_update_study AFTER UPDATE ON study_ranking REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER study_ranking_delete_study AFTER DELETE ON study_ranking REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER rule_packs_insert_study AFTER INSERT ON rule_packs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER rule_packs_update_study AFTER UPDATE ON rule_packs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
CREATE TRIGGER rule_packs_delete_study AFTER DELETE ON rule_packs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('study');
