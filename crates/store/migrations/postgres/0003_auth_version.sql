-- A user's auth_version changes whenever what permission checks see of them
-- changes: a role granted or revoked, a bound organisation moved (its path
-- changes), their name or linked member edited. App nodes cache a user's
-- role bindings keyed by this version and read it with the session on every
-- request, so a change on any node is seen by all of them on the next
-- request. Triggers keep it, so no code path can forget.
ALTER TABLE users ADD COLUMN auth_version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX user_roles_org ON user_roles (org_id);

CREATE FUNCTION user_roles_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE users SET auth_version = auth_version + 1 WHERE id = OLD.user_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE users SET auth_version = auth_version + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER user_roles_auth AFTER INSERT OR UPDATE OR DELETE ON user_roles
    FOR EACH ROW EXECUTE FUNCTION user_roles_auth();

CREATE FUNCTION orgs_path_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET auth_version = auth_version + 1
    WHERE id IN (SELECT user_id FROM user_roles WHERE org_id = NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER orgs_path_auth AFTER UPDATE OF path ON orgs
    FOR EACH ROW WHEN (NEW.path IS DISTINCT FROM OLD.path) EXECUTE FUNCTION orgs_path_auth();

CREATE FUNCTION users_principal_auth() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.tenant_id, NEW.username, NEW.display_name, NEW.member_id)
       IS DISTINCT FROM (OLD.tenant_id, OLD.username, OLD.display_name, OLD.member_id) THEN
        NEW.auth_version := OLD.auth_version + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER users_principal_auth BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION users_principal_auth();
