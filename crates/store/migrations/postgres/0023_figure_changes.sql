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
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    subject   TEXT NOT NULL,
    n         BIGINT NOT NULL
);
CREATE INDEX figure_changes_subject ON figure_changes (tenant_id, subject) INCLUDE (n);

-- A row's change: the subject is the trigger's argument.
CREATE FUNCTION figure_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO figure_changes (tenant_id, subject, n) VALUES (OLD.tenant_id, TG_ARGV[0], 1);
    ELSE
        INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, TG_ARGV[0], 1);
    END IF;
    RETURN NULL;
END $$;

-- A statement's inserted or deleted rows at once (an import adds a million
-- members in a few thousand statements, not a million trigger calls).
CREATE FUNCTION figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT DISTINCT tenant_id, TG_ARGV[0], 1 FROM changed;
    RETURN NULL;
END $$;

-- life
CREATE TRIGGER meetings_insert_life AFTER INSERT ON meetings REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('life');
CREATE TRIGGER meetings_update_life AFTER UPDATE ON meetings
    FOR EACH ROW
    WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.status IS DISTINCT FROM NEW.status OR OLD.held_on IS DISTINCT FROM NEW.held_on) EXECUTE FUNCTION figure_changed('life');
CREATE TRIGGER meetings_delete_life AFTER DELETE ON meetings REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('life');
CREATE TRIGGER orgs_insert_life AFTER INSERT ON orgs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('life');
CREATE TRIGGER orgs_update_life AFTER UPDATE ON orgs
    FOR EACH ROW
    WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.name IS DISTINCT FROM NEW.name OR OLD.established_on IS DISTINCT FROM NEW.established_on) EXECUTE FUNCTION figure_changed('life');
CREATE TRIGGER orgs_delete_life AFTER DELETE ON orgs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('life');
-- Full members decide which branches owe committee meetings.
CREATE TRIGGER org_rollups_insert_life AFTER INSERT ON org_rollups
    FOR EACH ROW WHEN (NEW.dim = 'category' AND NEW.key = 'full') EXECUTE FUNCTION figure_changed('life');
CREATE TRIGGER org_rollups_update_life AFTER UPDATE ON org_rollups
    FOR EACH ROW WHEN (NEW.dim = 'category' AND NEW.key = 'full' AND NEW.n <> OLD.n)
    EXECUTE FUNCTION figure_changed('life');
CREATE TRIGGER org_rollups_delete_life AFTER DELETE ON org_rollups
    FOR EACH ROW WHEN (OLD.dim = 'category' AND OLD.key = 'full') EXECUTE FUNCTION figure_changed('life');
CREATE TRIGGER rule_packs_insert_life AFTER INSERT ON rule_packs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('life');
CREATE TRIGGER rule_packs_update_life AFTER UPDATE ON rule_packs
    FOR EACH ROW EXECUTE FUNCTION figure_changed('life');
CREATE TRIGGER rule_packs_delete_life AFTER DELETE ON rule_packs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('life');

-- dues
CREATE TRIGGER members_insert_dues AFTER INSERT ON members REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('dues');
CREATE TRIGGER members_update_dues AFTER UPDATE ON members
    FOR EACH ROW
    WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.name IS DISTINCT FROM NEW.name OR OLD.name_initials IS DISTINCT FROM NEW.name_initials OR OLD.join_date IS DISTINCT FROM NEW.join_date OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION figure_changed('dues');
CREATE TRIGGER members_delete_dues AFTER DELETE ON members REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('dues');
CREATE TRIGGER orgs_insert_dues AFTER INSERT ON orgs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('dues');
CREATE TRIGGER orgs_update_dues AFTER UPDATE ON orgs
    FOR EACH ROW
    WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION figure_changed('dues');
CREATE TRIGGER orgs_delete_dues AFTER DELETE ON orgs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('dues');
CREATE TRIGGER dues_standards_insert_dues AFTER INSERT ON dues_standards REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('dues');
CREATE TRIGGER dues_standards_update_dues AFTER UPDATE ON dues_standards
    FOR EACH ROW EXECUTE FUNCTION figure_changed('dues');
CREATE TRIGGER dues_standards_delete_dues AFTER DELETE ON dues_standards REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('dues');
CREATE TRIGGER dues_payments_insert_dues AFTER INSERT ON dues_payments REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('dues');
CREATE TRIGGER dues_payments_update_dues AFTER UPDATE ON dues_payments
    FOR EACH ROW EXECUTE FUNCTION figure_changed('dues');
CREATE TRIGGER dues_payments_delete_dues AFTER DELETE ON dues_payments REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION figures_changed('dues');
