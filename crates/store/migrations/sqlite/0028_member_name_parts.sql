-- Every suffix of every member's name, for the roster's search by part of a
-- name (`Store::list_members`). A name holds a string exactly when one of its
-- suffixes begins with it, so the search is one range of this index instead
-- of a scan of the subtree's members (4.5 s warm and 11.5 s cold at the root
-- of a ten-million-member tenant, for a search that found nothing). Chinese
-- names are two to four characters, so the table holds about three rows a
-- member; FTS5's trigram tokenizer cannot answer the one- and two-character
-- searches that are the common case for them.
--
-- Triggers keep it, so no code path can forget. tenant_id is watched too,
-- though no code path moves a member between tenants.
CREATE TABLE member_name_parts (
    tenant_id INTEGER NOT NULL,
    part      TEXT NOT NULL,
    member_id INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, part, member_id)
) WITHOUT ROWID;

-- A trigger may not use a recursive CTE, so the positions of a name's
-- characters come from this table. Names are at most 50 characters (the
-- member check); it holds 64.
CREATE TABLE name_positions (n INTEGER PRIMARY KEY);
WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 64)
INSERT INTO name_positions (n) SELECT n FROM p;

INSERT INTO member_name_parts (tenant_id, part, member_id)
SELECT m.tenant_id, substr(m.name, p.n), m.id FROM members m JOIN name_positions p ON p.n <= length(m.name)
ORDER BY 1, 2, 3;

CREATE TRIGGER members_insert_name_parts AFTER INSERT ON members BEGIN
    INSERT INTO member_name_parts (tenant_id, part, member_id)
    SELECT NEW.tenant_id, substr(NEW.name, n), NEW.id FROM name_positions WHERE n <= length(NEW.name);
END;
CREATE TRIGGER members_update_name_parts AFTER UPDATE ON members
WHEN OLD.name IS NOT NEW.name OR OLD.tenant_id IS NOT NEW.tenant_id BEGIN
    DELETE FROM member_name_parts
     WHERE tenant_id = OLD.tenant_id AND member_id = OLD.id
       AND part IN (SELECT substr(OLD.name, n) FROM name_positions WHERE n <= length(OLD.name));
    INSERT INTO member_name_parts (tenant_id, part, member_id)
    SELECT NEW.tenant_id, substr(NEW.name, n), NEW.id FROM name_positions WHERE n <= length(NEW.name);
END;
CREATE TRIGGER members_delete_name_parts AFTER DELETE ON members BEGIN
    DELETE FROM member_name_parts
     WHERE tenant_id = OLD.tenant_id AND member_id = OLD.id
       AND part IN (SELECT substr(OLD.name, n) FROM name_positions WHERE n <= length(OLD.name));
END;
