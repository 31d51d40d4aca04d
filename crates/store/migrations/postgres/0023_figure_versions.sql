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
    tenant_id BIGINT NOT NULL,
    subject   TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);

-- A row's change: the subject is the trigger's argument.
CREATE FUNCTION bump_figures() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tenant BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN tenant := OLD.tenant_id; ELSE tenant := NEW.tenant_id; END IF;
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (tenant, TG_ARGV[0], 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = figure_versions.n + 1;
    RETURN NULL;
END $$;

-- A statement's inserted or deleted rows at once (an import adds a million
-- members in a few thousand statements, not a million trigger calls).
CREATE FUNCTION bump_figures_of_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_versions (tenant_id, subject, n)
    SELECT DISTINCT tenant_id, TG_ARGV[0], 1 FROM changed
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = figure_versions.n + 1;
    RETURN NULL;
END $$;

-- life
CREATE TRIGGER meetings_insert_life AFTER INSERT ON meetings REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');
CREATE TRIGGER meetings_update_life AFTER UPDATE OF org_id, kind, status, held_on ON meetings
    FOR EACH ROW EXECUTE FUNCTION bump_figures('life');
CREATE TRIGGER meetings_delete_life AFTER DELETE ON meetings REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');
CREATE TRIGGER orgs_insert_life AFTER INSERT ON orgs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');
CREATE TRIGGER orgs_update_life AFTER UPDATE OF tenant_id, path, kind, name, established_on ON orgs
    FOR EACH ROW EXECUTE FUNCTION bump_figures('life');
CREATE TRIGGER orgs_delete_life AFTER DELETE ON orgs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');
-- Full members decide which branches owe committee meetings.
CREATE TRIGGER org_rollups_insert_life AFTER INSERT ON org_rollups
    FOR EACH ROW WHEN (NEW.dim = 'category' AND NEW.key = 'full') EXECUTE FUNCTION bump_figures('life');
CREATE TRIGGER org_rollups_update_life AFTER UPDATE ON org_rollups
    FOR EACH ROW WHEN (NEW.dim = 'category' AND NEW.key = 'full' AND NEW.n <> OLD.n)
    EXECUTE FUNCTION bump_figures('life');
CREATE TRIGGER org_rollups_delete_life AFTER DELETE ON org_rollups
    FOR EACH ROW WHEN (OLD.dim = 'category' AND OLD.key = 'full') EXECUTE FUNCTION bump_figures('life');
CREATE TRIGGER rule_packs_insert_life AFTER INSERT ON rule_packs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');
CREATE TRIGGER rule_packs_update_life AFTER UPDATE ON rule_packs
    FOR EACH ROW EXECUTE FUNCTION bump_figures('life');
CREATE TRIGGER rule_packs_delete_life AFTER DELETE ON rule_packs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');

-- dues
CREATE TRIGGER members_insert_dues AFTER INSERT ON members REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
CREATE TRIGGER members_update_dues AFTER UPDATE OF tenant_id, org_id, name, name_initials, join_date, status ON members
    FOR EACH ROW EXECUTE FUNCTION bump_figures('dues');
CREATE TRIGGER members_delete_dues AFTER DELETE ON members REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
CREATE TRIGGER orgs_insert_dues AFTER INSERT ON orgs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
CREATE TRIGGER orgs_update_dues AFTER UPDATE OF tenant_id, path, name ON orgs
    FOR EACH ROW EXECUTE FUNCTION bump_figures('dues');
CREATE TRIGGER orgs_delete_dues AFTER DELETE ON orgs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
CREATE TRIGGER dues_standards_insert_dues AFTER INSERT ON dues_standards REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
CREATE TRIGGER dues_standards_update_dues AFTER UPDATE ON dues_standards
    FOR EACH ROW EXECUTE FUNCTION bump_figures('dues');
CREATE TRIGGER dues_standards_delete_dues AFTER DELETE ON dues_standards REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
CREATE TRIGGER dues_payments_insert_dues AFTER INSERT ON dues_payments REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
CREATE TRIGGER dues_payments_update_dues AFTER UPDATE ON dues_payments
    FOR EACH ROW EXECUTE FUNCTION bump_figures('dues');
CREATE TRIGGER dues_payments_delete_dues AFTER DELETE ON dues_payments REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
