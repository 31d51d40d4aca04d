-- The 'decisions' figure version (see 0023_figure_changes for the log and
-- why it is a log). A subtree's decision metrics (DOMAIN.md §5: pre-study
-- rate, archive completeness, compliance, cycle time, and the pre-study's
-- rejections) are read from the topics decided or closed in the period,
-- their steps, the organisations' paths and the decisions rule packs the
-- topics were submitted under; a change to any of them is seen on the next
-- view. Steps carry no tenant of their own and take their topic's
-- (figures_changed_via, 0024).

CREATE TRIGGER topics_insert_decisions AFTER INSERT ON topics REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('decisions');
CREATE TRIGGER topics_update_decisions AFTER UPDATE ON topics
    FOR EACH ROW
    WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.item_code IS DISTINCT FROM NEW.item_code
          OR OLD.pack_version IS DISTINCT FROM NEW.pack_version OR OLD.submitted_on IS DISTINCT FROM NEW.submitted_on
          OR OLD.status IS DISTINCT FROM NEW.status OR OLD.decided_on IS DISTINCT FROM NEW.decided_on
          OR OLD.closed_on IS DISTINCT FROM NEW.closed_on) EXECUTE FUNCTION figure_changed('decisions');
CREATE TRIGGER topics_delete_decisions AFTER DELETE ON topics REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('decisions');
CREATE TRIGGER topic_steps_insert_decisions AFTER INSERT ON topic_steps REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_via('decisions', 'topics', 'topic_id');
CREATE TRIGGER topic_steps_update_decisions AFTER UPDATE ON topic_steps REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_via('decisions', 'topics', 'topic_id');
CREATE TRIGGER topic_steps_delete_decisions AFTER DELETE ON topic_steps REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed_via('decisions', 'topics', 'topic_id');
CREATE TRIGGER orgs_update_decisions AFTER UPDATE ON orgs
    FOR EACH ROW
    WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION figure_changed('decisions');
CREATE TRIGGER orgs_delete_decisions AFTER DELETE ON orgs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('decisions');
CREATE TRIGGER rule_packs_insert_decisions AFTER INSERT ON rule_packs
    FOR EACH ROW WHEN (NEW.kind = 'decisions') EXECUTE FUNCTION figure_changed('decisions');
CREATE TRIGGER rule_packs_update_decisions AFTER UPDATE ON rule_packs
    FOR EACH ROW EXECUTE FUNCTION figure_changed('decisions');
CREATE TRIGGER rule_packs_delete_decisions AFTER DELETE ON rule_packs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('decisions');
