-- Lesson files (PDF, video, audio) uploaded to the platform. The bytes are
-- kept in chunks, so that a range request (a video seeking) reads only the
-- chunks it needs, and every app node serves the same files from the
-- database. A lesson of kind pdf, video or audio points at its file.
CREATE TABLE media (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    -- The organisation that uploaded it; its subtree may see it.
    org_id       INTEGER NOT NULL REFERENCES orgs(id),
    file_name    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    chunk_size   INTEGER NOT NULL,
    -- SM3 of the whole file, hex: the ETag.
    digest       TEXT NOT NULL,
    uploaded_by  INTEGER,
    uploaded_at  INTEGER NOT NULL
);
CREATE INDEX media_org ON media (org_id);

CREATE TABLE media_chunks (
    media_id INTEGER NOT NULL REFERENCES media(id),
    n        INTEGER NOT NULL,
    data     BLOB NOT NULL,
    PRIMARY KEY (media_id, n)
);

ALTER TABLE lessons ADD COLUMN media_id INTEGER REFERENCES media(id);
