-- Every suffix of every member's name, for the roster's search by part of a
-- name (`Store::list_members`). A name holds a string exactly when one of its
-- suffixes begins with it, so the search is one range of this index instead
-- of a scan of the subtree's members: at the root of a ten-million-member
-- tenant a search that found nothing read every member (17 s with parallel
-- workers, 33 s without), past the 30 s a request may take. Chinese names are
-- two to four characters, so the table holds about three rows a member;
-- trigram indexes (pg_trgm, SQLite's FTS5) cannot answer the one- and
-- two-character searches that are the common case for them.
--
-- Triggers keep it, so no code path can forget: an import's rows at once per
-- statement, a rename or a delete per row. tenant_id is watched too, though
-- no code path moves a member between tenants.
CREATE TABLE member_name_parts (
    tenant_id BIGINT NOT NULL,
    part      TEXT COLLATE "C" NOT NULL,
    member_id BIGINT NOT NULL
);

INSERT INTO member_name_parts (tenant_id, part, member_id)
SELECT m.tenant_id, substr(m.name, i), m.id FROM members m, generate_series(1, char_length(m.name)) i;

-- Built after the rows are in: one sort instead of an insert per entry.
ALTER TABLE member_name_parts ADD PRIMARY KEY (tenant_id, part, member_id);

CREATE FUNCTION member_name_parts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_name_parts (tenant_id, part, member_id)
    SELECT c.tenant_id, substr(c.name, i), c.id FROM changed c, generate_series(1, char_length(c.name)) i;
    RETURN NULL;
END $$;

-- Removes the old name's rows (by the primary key) and, on an update, adds
-- the new name's.
CREATE FUNCTION member_name_parts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM member_name_parts
     WHERE tenant_id = OLD.tenant_id AND member_id = OLD.id
       AND part IN (SELECT substr(OLD.name, i) FROM generate_series(1, char_length(OLD.name)) i);
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO member_name_parts (tenant_id, part, member_id)
        SELECT NEW.tenant_id, substr(NEW.name, i), NEW.id FROM generate_series(1, char_length(NEW.name)) i;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER members_insert_name_parts AFTER INSERT ON members REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION member_name_parts_inserted();
CREATE TRIGGER members_update_name_parts AFTER UPDATE ON members
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
    EXECUTE FUNCTION member_name_parts_changed();
CREATE TRIGGER members_delete_name_parts AFTER DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION member_name_parts_changed();
