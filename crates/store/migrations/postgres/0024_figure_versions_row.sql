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
DROP FUNCTION bump_figures() CASCADE;
DROP FUNCTION bump_figures_of_statement() CASCADE;
DROP TABLE figure_versions;

CREATE TABLE figure_versions (
    tenant_id BIGINT PRIMARY KEY,
    -- Meeting compliance: the meetings held, the branches and groups with
    -- their full members, the rule packs.
    life      BIGINT NOT NULL DEFAULT 0,
    -- A subtree's dues year: the members with their organisations, their
    -- standards and their payments.
    dues      BIGINT NOT NULL DEFAULT 0
);

-- A row's change: the subject ('life' or 'dues') is the trigger's argument.
CREATE FUNCTION bump_figures() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tenant BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN tenant := OLD.tenant_id; ELSE tenant := NEW.tenant_id; END IF;
    INSERT INTO figure_versions (tenant_id, life, dues)
    VALUES (tenant, (TG_ARGV[0] = 'life')::int, (TG_ARGV[0] = 'dues')::int)
    ON CONFLICT (tenant_id) DO UPDATE
    SET life = figure_versions.life + EXCLUDED.life, dues = figure_versions.dues + EXCLUDED.dues;
    RETURN NULL;
END $$;

-- A statement's inserted or deleted rows at once (an import adds a million
-- members in a few thousand statements, not a million trigger calls).
CREATE FUNCTION bump_figures_of_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_versions (tenant_id, life, dues)
    SELECT DISTINCT tenant_id, (TG_ARGV[0] = 'life')::int, (TG_ARGV[0] = 'dues')::int FROM changed
    ON CONFLICT (tenant_id) DO UPDATE
    SET life = figure_versions.life + EXCLUDED.life, dues = figure_versions.dues + EXCLUDED.dues;
    RETURN NULL;
END $$;

-- life
CREATE TRIGGER meetings_insert_life AFTER INSERT ON meetings REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');
CREATE TRIGGER meetings_update_life AFTER UPDATE ON meetings
    FOR EACH ROW
    WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.status IS DISTINCT FROM NEW.status OR OLD.held_on IS DISTINCT FROM NEW.held_on) EXECUTE FUNCTION bump_figures('life');
CREATE TRIGGER meetings_delete_life AFTER DELETE ON meetings REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');
CREATE TRIGGER orgs_insert_life AFTER INSERT ON orgs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');
CREATE TRIGGER orgs_update_life AFTER UPDATE ON orgs
    FOR EACH ROW
    WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.name IS DISTINCT FROM NEW.name OR OLD.established_on IS DISTINCT FROM NEW.established_on) EXECUTE FUNCTION bump_figures('life');
CREATE TRIGGER orgs_delete_life AFTER DELETE ON orgs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('life');
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
CREATE TRIGGER members_update_dues AFTER UPDATE ON members
    FOR EACH ROW
    WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.name IS DISTINCT FROM NEW.name OR OLD.name_initials IS DISTINCT FROM NEW.name_initials OR OLD.join_date IS DISTINCT FROM NEW.join_date OR OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION bump_figures('dues');
CREATE TRIGGER members_delete_dues AFTER DELETE ON members REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
CREATE TRIGGER orgs_insert_dues AFTER INSERT ON orgs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_figures_of_statement('dues');
CREATE TRIGGER orgs_update_dues AFTER UPDATE ON orgs
    FOR EACH ROW
    WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION bump_figures('dues');
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
