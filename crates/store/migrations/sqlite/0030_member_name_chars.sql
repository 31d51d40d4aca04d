-- Every character of every member's name, each beside the member's place in
-- the roster's order, for the roster's search by part of a name
-- (`Store::list_members`). A name holds a string only if it holds each of
-- its characters, so a search walks one character's rows in the roster's
-- order, keeps the names that hold the whole string and stops after a page.
--
-- It replaces `member_name_parts` (every suffix, keyed by the suffix), which
-- found a rare string at once but not the first page of a common one in the
-- roster's order: 王 at the root of a ten-million-member tenant walked the
-- whole roster up to w (19-21 s), as every name holding it begins with it.
-- The name is kept beside the key so a walk tests each row without reading
-- its member; a member is read only for the rows that hold the string.
--
-- Triggers keep it, so no code path can forget: a rename changes the name
-- and its initials, and both are watched. tenant_id is watched too, though no
-- code path moves a member between tenants.
DROP TRIGGER members_insert_name_parts;
DROP TRIGGER members_update_name_parts;
DROP TRIGGER members_delete_name_parts;
DROP TABLE member_name_parts;

CREATE TABLE member_name_chars (
    tenant_id     INTEGER NOT NULL,
    ch            TEXT NOT NULL,
    name_initials TEXT NOT NULL,
    member_id     INTEGER NOT NULL,
    name          TEXT NOT NULL,
    PRIMARY KEY (tenant_id, ch, name_initials, member_id)
) WITHOUT ROWID;

-- A name's characters come from `name_positions` (a trigger may not use a
-- recursive CTE); a character a name repeats is one row.
INSERT OR IGNORE INTO member_name_chars (tenant_id, ch, name_initials, member_id, name)
SELECT m.tenant_id, substr(m.name, p.n, 1), m.name_initials, m.id, m.name
  FROM members m JOIN name_positions p ON p.n <= length(m.name)
 ORDER BY 1, 2, 3, 4;

CREATE TRIGGER members_insert_name_chars AFTER INSERT ON members BEGIN
    INSERT OR IGNORE INTO member_name_chars (tenant_id, ch, name_initials, member_id, name)
    SELECT NEW.tenant_id, substr(NEW.name, n, 1), NEW.name_initials, NEW.id, NEW.name
      FROM name_positions WHERE n <= length(NEW.name);
END;
CREATE TRIGGER members_update_name_chars AFTER UPDATE ON members
WHEN OLD.name IS NOT NEW.name OR OLD.name_initials IS NOT NEW.name_initials OR OLD.tenant_id IS NOT NEW.tenant_id
BEGIN
    DELETE FROM member_name_chars
     WHERE tenant_id = OLD.tenant_id AND name_initials = OLD.name_initials AND member_id = OLD.id
       AND ch IN (SELECT substr(OLD.name, n, 1) FROM name_positions WHERE n <= length(OLD.name));
    INSERT OR IGNORE INTO member_name_chars (tenant_id, ch, name_initials, member_id, name)
    SELECT NEW.tenant_id, substr(NEW.name, n, 1), NEW.name_initials, NEW.id, NEW.name
      FROM name_positions WHERE n <= length(NEW.name);
END;
CREATE TRIGGER members_delete_name_chars AFTER DELETE ON members BEGIN
    DELETE FROM member_name_chars
     WHERE tenant_id = OLD.tenant_id AND name_initials = OLD.name_initials AND member_id = OLD.id
       AND ch IN (SELECT substr(OLD.name, n, 1) FROM name_positions WHERE n <= length(OLD.name));
END;
