-- Every character of every member's name, each beside the member's place in
-- the roster's order, for the roster's search by part of a name
-- (`Store::list_members`). A name holds a string only if it holds each of
-- its characters, so a search walks one character's rows in the roster's
-- order, keeps the names that hold the whole string and stops after a page.
--
-- It replaces `member_name_parts` (every suffix, keyed by the suffix), which
-- found a rare string at once but not the first page of a common one in the
-- roster's order: 王 at the root of a ten-million-member tenant walked the
-- whole roster up to w (19 s, and once past the 30 s a request may take), as
-- every name holding it begins with it. The name is kept in the key's index
-- so a walk can test each row without reading its member; a member is read
-- only for the rows that hold the string.
--
-- Triggers keep it, so no code path can forget: an import's rows at once per
-- statement, a rename (its name and initials) or a delete per row. tenant_id
-- is watched too, though no code path moves a member between tenants.
DROP TRIGGER members_insert_name_parts ON members;
DROP TRIGGER members_update_name_parts ON members;
DROP TRIGGER members_delete_name_parts ON members;
DROP FUNCTION member_name_parts_inserted();
DROP FUNCTION member_name_parts_changed();
DROP TABLE member_name_parts;

CREATE TABLE member_name_chars (
    tenant_id     BIGINT NOT NULL,
    ch            TEXT COLLATE "C" NOT NULL,
    name_initials TEXT COLLATE "C" NOT NULL,
    member_id     BIGINT NOT NULL,
    name          TEXT COLLATE "C" NOT NULL
);

INSERT INTO member_name_chars (tenant_id, ch, name_initials, member_id, name)
SELECT DISTINCT m.tenant_id, substr(m.name, i, 1), m.name_initials, m.id, m.name
  FROM members m, generate_series(1, char_length(m.name)) i;

-- Built after the rows are in: one sort instead of an insert per entry.
ALTER TABLE member_name_chars ADD PRIMARY KEY (tenant_id, ch, name_initials, member_id) INCLUDE (name);

CREATE FUNCTION member_name_chars_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_name_chars (tenant_id, ch, name_initials, member_id, name)
    SELECT c.tenant_id, substr(c.name, i, 1), c.name_initials, c.id, c.name
      FROM changed c, generate_series(1, char_length(c.name)) i
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

-- Removes the old name's rows (by the primary key) and, on an update, adds
-- the new name's.
CREATE FUNCTION member_name_chars_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM member_name_chars
     WHERE tenant_id = OLD.tenant_id AND name_initials = OLD.name_initials AND member_id = OLD.id
       AND ch IN (SELECT substr(OLD.name, i, 1) FROM generate_series(1, char_length(OLD.name)) i);
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO member_name_chars (tenant_id, ch, name_initials, member_id, name)
        SELECT NEW.tenant_id, substr(NEW.name, i, 1), NEW.name_initials, NEW.id, NEW.name
          FROM generate_series(1, char_length(NEW.name)) i
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER members_insert_name_chars AFTER INSERT ON members REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION member_name_chars_inserted();
CREATE TRIGGER members_update_name_chars AFTER UPDATE ON members
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.name_initials IS DISTINCT FROM NEW.name_initials
                       OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
    EXECUTE FUNCTION member_name_chars_changed();
CREATE TRIGGER members_delete_name_chars AFTER DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION member_name_chars_changed();
