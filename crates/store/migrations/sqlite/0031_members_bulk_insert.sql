-- A bulk insert of members on SQLite (10,000 or more at once: an import,
-- `Store::insert_members`) writes set-wise what the members' insert triggers
-- write one member at a time: each name's characters (`member_name_chars`)
-- by one INSERT … SELECT over the new members, and one row per figure
-- subject in `figure_changes`, as PostgreSQL's statement-level triggers write
-- (a figure's version only has to move). Per member the triggers cost 11 µs (the characters) and 5 µs
-- (the two figure rows) of the 25 µs an insert of 100,000 members took
-- (`sqlite3`, group dataset); the characters written set-wise after the
-- insert took 5.5 µs a member.
--
-- The writer holds the one row of `members_bulk_insert` for the length of
-- its insert, inside its own transaction, and deletes it before the commit:
-- no other connection ever sees it (SQLite has one writer at a time, and
-- readers see only what is committed). While it is there the three triggers
-- stand aside. Another trigger on the members' insert that writes a row per
-- member must either keep firing or be gated here and written by
-- `bulk_insert_end` in `members.rs`.
CREATE TABLE members_bulk_insert (one INTEGER PRIMARY KEY CHECK (one = 1));

DROP TRIGGER members_insert_dues;
CREATE TRIGGER members_insert_dues AFTER INSERT ON members
WHEN NOT EXISTS (SELECT 1 FROM members_bulk_insert) BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) VALUES (NEW.tenant_id, 'dues', 1);
END;

DROP TRIGGER members_insert_study;
CREATE TRIGGER members_insert_study AFTER INSERT ON members
WHEN NOT EXISTS (SELECT 1 FROM members_bulk_insert) BEGIN
    INSERT INTO figure_changes (tenant_id, subject, n) SELECT NEW.tenant_id, 'study', 1;
END;

DROP TRIGGER members_insert_name_chars;
CREATE TRIGGER members_insert_name_chars AFTER INSERT ON members
WHEN NOT EXISTS (SELECT 1 FROM members_bulk_insert) BEGIN
    INSERT OR IGNORE INTO member_name_chars (tenant_id, ch, name_initials, member_id, name)
    SELECT NEW.tenant_id, substr(NEW.name, n, 1), NEW.name_initials, NEW.id, NEW.name
      FROM name_positions WHERE n <= length(NEW.name);
END;
