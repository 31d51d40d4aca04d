-- One row of figure versions per tenant, a column per subject, in place of
-- 0023's row per tenant and subject. With a row per subject, a transaction
-- that bumped 'life' and then 'dues' (moving an organisation: its roll-ups,
-- then its path) and one that bumped them the other way round (adding a
-- member: the member, then the roll-ups) could each hold the row the other
-- wanted: a deadlock on PostgreSQL. One row cannot be taken in two orders.
--
-- Updates bump only when a column a figure reads really changes (a member's
-- phone edited changes no dues figure), and tenant_id is not watched: no
-- code path moves a row between tenants.
DROP TRIGGER meetings_insert_life;
DROP TRIGGER meetings_update_life;
DROP TRIGGER meetings_delete_life;
DROP TRIGGER orgs_insert_life;
DROP TRIGGER orgs_update_life;
DROP TRIGGER orgs_delete_life;
DROP TRIGGER org_rollups_insert_life;
DROP TRIGGER org_rollups_update_life;
DROP TRIGGER org_rollups_delete_life;
DROP TRIGGER rule_packs_insert_life;
DROP TRIGGER rule_packs_update_life;
DROP TRIGGER rule_packs_delete_life;
DROP TRIGGER members_insert_dues;
DROP TRIGGER members_update_dues;
DROP TRIGGER members_delete_dues;
DROP TRIGGER orgs_insert_dues;
DROP TRIGGER orgs_update_dues;
DROP TRIGGER orgs_delete_dues;
DROP TRIGGER dues_standards_insert_dues;
DROP TRIGGER dues_standards_update_dues;
DROP TRIGGER dues_standards_delete_dues;
DROP TRIGGER dues_payments_insert_dues;
DROP TRIGGER dues_payments_update_dues;
DROP TRIGGER dues_payments_delete_dues;
DROP TABLE figure_versions;

CREATE TABLE figure_versions (
    tenant_id INTEGER PRIMARY KEY,
    -- Meeting compliance: the meetings held, the branches and groups with
    -- their full members, the rule packs.
    life      INTEGER NOT NULL DEFAULT 0,
    -- A subtree's dues year: the members with their organisations, their
    -- standards and their payments.
    dues      INTEGER NOT NULL DEFAULT 0
);

-- life
CREATE TRIGGER meetings_insert_life AFTER INSERT ON meetings BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER meetings_update_life AFTER UPDATE ON meetings
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.held_on IS NOT NEW.held_on BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER meetings_delete_life AFTER DELETE ON meetings BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER orgs_insert_life AFTER INSERT ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER orgs_update_life AFTER UPDATE ON orgs
WHEN OLD.path IS NOT NEW.path OR OLD.kind IS NOT NEW.kind OR OLD.name IS NOT NEW.name OR OLD.established_on IS NOT NEW.established_on BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER orgs_delete_life AFTER DELETE ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER org_rollups_insert_life AFTER INSERT ON org_rollups
WHEN NEW.dim = 'category' AND NEW.key = 'full' BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER org_rollups_update_life AFTER UPDATE ON org_rollups
WHEN NEW.dim = 'category' AND NEW.key = 'full' AND NEW.n <> OLD.n BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER org_rollups_delete_life AFTER DELETE ON org_rollups
WHEN OLD.dim = 'category' AND OLD.key = 'full' BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER rule_packs_insert_life AFTER INSERT ON rule_packs BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER rule_packs_update_life AFTER UPDATE ON rule_packs BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;
CREATE TRIGGER rule_packs_delete_life AFTER DELETE ON rule_packs BEGIN
    INSERT INTO figure_versions (tenant_id, life) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET life = life + 1;
END;

-- dues
CREATE TRIGGER members_insert_dues AFTER INSERT ON members BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER members_update_dues AFTER UPDATE ON members
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.name IS NOT NEW.name OR OLD.name_initials IS NOT NEW.name_initials OR OLD.join_date IS NOT NEW.join_date OR OLD.status IS NOT NEW.status BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER members_delete_dues AFTER DELETE ON members BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER orgs_insert_dues AFTER INSERT ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER orgs_update_dues AFTER UPDATE ON orgs
WHEN OLD.path IS NOT NEW.path OR OLD.name IS NOT NEW.name BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER orgs_delete_dues AFTER DELETE ON orgs BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER dues_standards_insert_dues AFTER INSERT ON dues_standards BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER dues_standards_update_dues AFTER UPDATE ON dues_standards BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER dues_standards_delete_dues AFTER DELETE ON dues_standards BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER dues_payments_insert_dues AFTER INSERT ON dues_payments BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER dues_payments_update_dues AFTER UPDATE ON dues_payments BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
CREATE TRIGGER dues_payments_delete_dues AFTER DELETE ON dues_payments BEGIN
    INSERT INTO figure_versions (tenant_id, dues) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET dues = dues + 1;
END;
