-- The version of what a subtree's computed figures are read from, per tenant
-- and subject, kept as an append-only log of changes. App nodes cache
-- computed figures keyed by it and read it on every request, so a change
-- made through any node is seen by all of them on the next request.
-- Triggers write it, so no code path can forget.
--
-- Not a counter: a counter row bumped by triggers is locked by every writer
-- of the tenant until it commits (on PostgreSQL an import would hold it for
-- its whole length, and a move, which writes the roll-ups before the
-- organisation, and a member write, which writes the member before the
-- roll-ups, could deadlock on it). Writers only insert rows, which never
-- wait on each other.
--
-- A subject's version is the sum of `n` over its rows. Every commit that
-- changes what a figure reads adds at least one row, so the sum a reader
-- sees grows with every such commit, whatever order the commits land in;
-- reading it before the figure's rows still means the rows are at least as
-- new as the version. Readers fold a subject's rows into its oldest one now
-- and then (`Store::figure_version`), which keeps the sum.
--
-- 'life' (meeting compliance) is read from the meetings held, the branches
-- and groups with their full members, and the rule packs; 'dues' (a
-- subtree's year of dues) from the members with their organisations, their
-- standards and their payments. Updates count only when a column a figure
-- reads really changes (a member's phone edited changes no dues figure);
-- tenant_id is not watched: no code path moves a row between tenants.
CREATE TABLE figure_changes (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL,
    subject   TEXT NOT NULL,
    n         INTEGER NOT NULL
);
CREATE INDEX figure_changes_subject ON figure_changes (tenant_id, subject, n);

-- life
CREATE TRIGGER meetings_insert_life AFTER INSERT ON meetings BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1);
END;
CREATE TRIGGER meetings_update_life AFTER UPDATE ON meetings
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status OR OLD.held_on IS NOT NEW.held_on BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1);
END;
CREATE TRIGGER meetings_delete_life AFTER DELETE ON meetings BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'life', 1);
END;
CREATE TRIGGER orgs_insert_life AFTER INSERT ON orgs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1);
END;
CREATE TRIGGER orgs_update_life AFTER UPDATE ON orgs
WHEN OLD.path IS NOT NEW.path OR OLD.kind IS NOT NEW.kind OR OLD.name IS NOT NEW.name OR OLD.established_on IS NOT NEW.established_on BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1);
END;
CREATE TRIGGER orgs_delete_life AFTER DELETE ON orgs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'life', 1);
END;
-- Full members decide which branches owe committee meetings.
CREATE TRIGGER org_rollups_insert_life AFTER INSERT ON org_rollups
WHEN NEW.dim = 'category' AND NEW.key = 'full' BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1);
END;
CREATE TRIGGER org_rollups_update_life AFTER UPDATE ON org_rollups
WHEN NEW.dim = 'category' AND NEW.key = 'full' AND NEW.n <> OLD.n BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1);
END;
CREATE TRIGGER org_rollups_delete_life AFTER DELETE ON org_rollups
WHEN OLD.dim = 'category' AND OLD.key = 'full' BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'life', 1);
END;
CREATE TRIGGER rule_packs_insert_life AFTER INSERT ON rule_packs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1);
END;
CREATE TRIGGER rule_packs_update_life AFTER UPDATE ON rule_packs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'life', 1);
END;
CREATE TRIGGER rule_packs_delete_life AFTER DELETE ON rule_packs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'life', 1);
END;

-- dues
CREATE TRIGGER members_insert_dues AFTER INSERT ON members BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1);
END;
CREATE TRIGGER members_update_dues AFTER UPDATE ON members
WHEN OLD.org_id IS NOT NEW.org_id OR OLD.name IS NOT NEW.name OR OLD.name_initials IS NOT NEW.name_initials OR OLD.join_date IS NOT NEW.join_date OR OLD.status IS NOT NEW.status BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1);
END;
CREATE TRIGGER members_delete_dues AFTER DELETE ON members BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'dues', 1);
END;
CREATE TRIGGER orgs_insert_dues AFTER INSERT ON orgs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1);
END;
CREATE TRIGGER orgs_update_dues AFTER UPDATE ON orgs
WHEN OLD.path IS NOT NEW.path OR OLD.name IS NOT NEW.name BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1);
END;
CREATE TRIGGER orgs_delete_dues AFTER DELETE ON orgs BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'dues', 1);
END;
CREATE TRIGGER dues_standards_insert_dues AFTER INSERT ON dues_standards BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1);
END;
CREATE TRIGGER dues_standards_update_dues AFTER UPDATE ON dues_standards BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1);
END;
CREATE TRIGGER dues_standards_delete_dues AFTER DELETE ON dues_standards BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'dues', 1);
END;
CREATE TRIGGER dues_payments_insert_dues AFTER INSERT ON dues_payments BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1);
END;
CREATE TRIGGER dues_payments_update_dues AFTER UPDATE ON dues_payments BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1);
END;
CREATE TRIGGER dues_payments_delete_dues AFTER DELETE ON dues_payments BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, 'dues', 1);
END;
