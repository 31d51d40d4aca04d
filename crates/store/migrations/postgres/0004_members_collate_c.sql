-- The roster's sort and search keys compare byte by byte, as SQLite's
-- BINARY collation does: the same order (and keyset cursors) on both
-- backends, and index comparisons that are a memcmp rather than strcoll.
-- The profile of a million-row import had a fifth of PostgreSQL's time in
-- text comparisons inside these indexes.
ALTER TABLE members
    ALTER COLUMN name TYPE TEXT COLLATE "C",
    ALTER COLUMN name_initials TYPE TEXT COLLATE "C",
    ALTER COLUMN id_number_index TYPE TEXT COLLATE "C";
