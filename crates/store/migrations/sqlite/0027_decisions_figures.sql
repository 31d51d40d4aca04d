-- The 'decisions' figure version (see 0023_figure_changes for the log and
-- why it is a log). A subtree's decision metrics (DOMAIN.md §5: pre-study
-- rate, archive completeness, compliance, cycle time, and the pre-study's
-- rejections) are read from the topics decided or closed in the period,
-- their steps, the organisations' paths and the decisions rule packs the
-- topics were submitted under; a change to any of them is seen on the next
-- view. Steps carry no tenant of their own and take their topic's.

CREATE TRIGGER topics_insert_decisions AFTER INSERT ON topics BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'decisions', 1);
END;
CREATE TRIGGER topics_update_decisions AFTER UPDATE ON topics
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.item_code IS NOT NEW.item_code OR OLD.pack_version IS NOT NEW.pack_version
  OR OLD.submitted_on IS NOT NEW.submitted_on OR OLD.status IS NOT NEW.status OR OLD.decided_on IS NOT NEW.decided_on
  OR OLD.closed_on IS NOT NEW.closed_on BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'decisions', 1);
END;
CREATE TRIGGER topics_delete_decisions AFTER DELETE ON topics BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'decisions', 1);
END;
CREATE TRIGGER topic_steps_insert_decisions AFTER INSERT ON topic_steps BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT tenant_id, 'decisions', 1 FROM topics WHERE id = NEW.topic_id;
END;
CREATE TRIGGER topic_steps_update_decisions AFTER UPDATE ON topic_steps BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT tenant_id, 'decisions', 1 FROM topics WHERE id = NEW.topic_id;
END;
CREATE TRIGGER topic_steps_delete_decisions AFTER DELETE ON topic_steps BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT tenant_id, 'decisions', 1 FROM topics WHERE id = OLD.topic_id;
END;
CREATE TRIGGER orgs_update_decisions AFTER UPDATE ON orgs
WHEN OLD.path IS NOT NEW.path BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'decisions', 1);
END;
CREATE TRIGGER orgs_delete_decisions AFTER DELETE ON orgs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'decisions', 1);
END;
CREATE TRIGGER rule_packs_insert_decisions AFTER INSERT ON rule_packs WHEN NEW.kind = 'decisions' BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'decisions', 1);
END;
CREATE TRIGGER rule_packs_update_decisions AFTER UPDATE ON rule_packs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'decisions', 1);
END;
CREATE TRIGGER rule_packs_delete_decisions AFTER DELETE ON rule_packs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'decisions', 1);
END;
