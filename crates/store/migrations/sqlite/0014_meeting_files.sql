-- Photos and files of a meeting (the sign-in sheet, photos of the room,
-- materials studied). A seal covers each file's name, size and SM3 digest;
-- once sealed, files are neither added nor removed.
CREATE TABLE meeting_files (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    digest       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_by  INTEGER,
    uploaded_at  INTEGER NOT NULL
);
CREATE INDEX meeting_files_meeting ON meeting_files (meeting_id);
CREATE TRIGGER meeting_files_sealed_no_insert BEFORE INSERT ON meeting_files
WHEN (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER meeting_files_sealed_no_update BEFORE UPDATE ON meeting_files
WHEN (SELECT status FROM meetings WHERE id = OLD.meeting_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER meeting_files_sealed_no_delete BEFORE DELETE ON meeting_files
WHEN (SELECT status FROM meetings WHERE id = OLD.meeting_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
