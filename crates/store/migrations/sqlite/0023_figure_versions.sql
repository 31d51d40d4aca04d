-- The version of what a subtree's computed figures are read from, per tenant
-- and subject. App nodes cache computed figures keyed by it and read it on
-- every request, so a change made through any node is seen by all of them
-- on the next request. Triggers keep it, so no code path can forget.
--
-- 'life' (meeting compliance) is read from the meetings held, the branches
-- and groups with their full members, and the rule packs; 'dues' (a
-- subtree's year of dues) from the members with their organisations, their
-- standards and their payments.
CREATE TABLE figure_versions (
    tenant_id INTEGER NOT NULL,
    subject   TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);

-- life
CREATE TRIGGER meetings_insert_life AFTER INSERT ON meetings BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER meetings_update_life AFTER UPDATE OF org_id, kind, status, held_on ON meetings BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER meetings_delete_life AFTER DELETE ON meetings BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (OLD.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER orgs_insert_life AFTER INSERT ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER orgs_update_life AFTER UPDATE OF tenant_id, path, kind, name, established_on ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER orgs_delete_life AFTER DELETE ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (OLD.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
-- Full members decide which branches owe committee meetings.
CREATE TRIGGER org_rollups_insert_life AFTER INSERT ON org_rollups
WHEN NEW.dim = 'category' AND NEW.key = 'full' BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER org_rollups_update_life AFTER UPDATE ON org_rollups
WHEN NEW.dim = 'category' AND NEW.key = 'full' AND NEW.n <> OLD.n BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER org_rollups_delete_life AFTER DELETE ON org_rollups
WHEN OLD.dim = 'category' AND OLD.key = 'full' BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (OLD.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER rule_packs_insert_life AFTER INSERT ON rule_packs BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER rule_packs_update_life AFTER UPDATE ON rule_packs BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER rule_packs_delete_life AFTER DELETE ON rule_packs BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (OLD.tenant_id, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;

-- dues
CREATE TRIGGER members_insert_dues AFTER INSERT ON members BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER members_update_dues AFTER UPDATE OF tenant_id, org_id, name, name_initials, join_date, status ON members BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER members_delete_dues AFTER DELETE ON members BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (OLD.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER orgs_insert_dues AFTER INSERT ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER orgs_update_dues AFTER UPDATE OF tenant_id, path, name ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER orgs_delete_dues AFTER DELETE ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (OLD.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dues_standards_insert_dues AFTER INSERT ON dues_standards BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dues_standards_update_dues AFTER UPDATE ON dues_standards BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dues_standards_delete_dues AFTER DELETE ON dues_standards BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (OLD.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dues_payments_insert_dues AFTER INSERT ON dues_payments BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dues_payments_update_dues AFTER UPDATE ON dues_payments BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dues_payments_delete_dues AFTER DELETE ON dues_payments BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (OLD.tenant_id, 'dues', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = n + 1;
END;
