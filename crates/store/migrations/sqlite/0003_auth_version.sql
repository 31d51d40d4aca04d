-- A user's auth_version changes whenever what permission checks see of them
-- changes: a role granted or revoked, a bound organisation moved (its path
-- changes), their name or linked member edited. App nodes cache a user's
-- role bindings keyed by this version and read it with the session on every
-- request, so a change on any node is seen by all of them on the next
-- request. Triggers keep it, so no code path can forget.
ALTER TABLE users ADD COLUMN auth_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX user_roles_org ON user_roles (org_id);

CREATE TRIGGER user_roles_insert_auth AFTER INSERT ON user_roles BEGIN
    UPDATE users SET auth_version = auth_version + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER user_roles_delete_auth AFTER DELETE ON user_roles BEGIN
    UPDATE users SET auth_version = auth_version + 1 WHERE id = OLD.user_id;
END;
CREATE TRIGGER user_roles_update_auth AFTER UPDATE ON user_roles BEGIN
    UPDATE users SET auth_version = auth_version + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER orgs_path_auth AFTER UPDATE OF path ON orgs WHEN NEW.path <> OLD.path BEGIN
    UPDATE users SET auth_version = auth_version + 1
    WHERE id IN (SELECT user_id FROM user_roles WHERE org_id = NEW.id);
END;
CREATE TRIGGER users_principal_auth AFTER UPDATE OF tenant_id, username, display_name, member_id ON users BEGIN
    UPDATE users SET auth_version = auth_version + 1 WHERE id = NEW.id;
END;
