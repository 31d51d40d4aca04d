-- The version of what a subtree's computed figures are read from, per tenant
-- and subject ('life': meeting compliance, read from the meetings held, the
-- branches and groups with their full members, and the rule packs). App
-- nodes cache computed figures keyed by it and read it on every request, so
-- a change made through any node is seen by all of them on the next request.
-- Triggers keep it, so no code path can forget.
CREATE TABLE figure_versions (
    tenant_id BIGINT NOT NULL,
    subject   TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);

CREATE FUNCTION bump_life_figures() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tenant BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN tenant := OLD.tenant_id; ELSE tenant := NEW.tenant_id; END IF;
    INSERT INTO figure_versions (tenant_id, subject, n) VALUES (tenant, 'life', 1)
    ON CONFLICT (tenant_id, subject) DO UPDATE SET n = figure_versions.n + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER meetings_insert_life AFTER INSERT OR DELETE ON meetings
    FOR EACH ROW EXECUTE FUNCTION bump_life_figures();
CREATE TRIGGER meetings_update_life AFTER UPDATE OF org_id, kind, status, held_on ON meetings
    FOR EACH ROW EXECUTE FUNCTION bump_life_figures();

CREATE TRIGGER orgs_insert_life AFTER INSERT OR DELETE ON orgs
    FOR EACH ROW EXECUTE FUNCTION bump_life_figures();
CREATE TRIGGER orgs_update_life AFTER UPDATE OF tenant_id, path, kind, name, established_on ON orgs
    FOR EACH ROW EXECUTE FUNCTION bump_life_figures();

-- Full members decide which branches owe committee meetings.
CREATE TRIGGER org_rollups_insert_life AFTER INSERT ON org_rollups
    FOR EACH ROW WHEN (NEW.dim = 'category' AND NEW.key = 'full') EXECUTE FUNCTION bump_life_figures();
CREATE TRIGGER org_rollups_update_life AFTER UPDATE ON org_rollups
    FOR EACH ROW WHEN (NEW.dim = 'category' AND NEW.key = 'full' AND NEW.n <> OLD.n)
    EXECUTE FUNCTION bump_life_figures();
CREATE TRIGGER org_rollups_delete_life AFTER DELETE ON org_rollups
    FOR EACH ROW WHEN (OLD.dim = 'category' AND OLD.key = 'full') EXECUTE FUNCTION bump_life_figures();

CREATE TRIGGER rule_packs_life AFTER INSERT OR UPDATE OR DELETE ON rule_packs
    FOR EACH ROW EXECUTE FUNCTION bump_life_figures();
