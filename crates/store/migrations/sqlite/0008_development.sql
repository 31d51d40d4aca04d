-- Member development (发展党员). A candidate is a person on the way in:
-- from the application to archiving, each of the 25 steps a dated record.
-- Candidates share the members' id space: when the higher committee
-- approves a candidate, the probationary member is inserted with the
-- candidate's id, so one id follows a person from application to
-- membership (the store allocates ids in both tables from one sequence).
CREATE TABLE candidates (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL,
    -- The branch developing the person; responsible until they join.
    org_id           INTEGER NOT NULL REFERENCES orgs(id),
    name             TEXT NOT NULL,
    name_initials    TEXT NOT NULL,
    gender           TEXT NOT NULL,
    ethnicity        TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    id_number_enc    BLOB NOT NULL,
    id_number_index  TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    education        TEXT,
    post             TEXT NOT NULL DEFAULT '',
    unit             TEXT NOT NULL DEFAULT '',
    phone_enc        BLOB,
    phone_masked     TEXT,
    -- Derived from the steps, kept for the pipeline's counts: the last
    -- step taken, its stage and date.
    stage            TEXT NOT NULL,
    last_step        TEXT NOT NULL,
    last_step_on     TEXT NOT NULL,
    -- The development rule pack the person's current stage runs under.
    pack_version     TEXT NOT NULL,
    -- open → admitted (a probationary member) → full → archived; or stopped.
    outcome          TEXT NOT NULL DEFAULT 'open'
                     CHECK (outcome IN ('open', 'admitted', 'full', 'archived', 'stopped')),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (tenant_id, id_number_index)
);
CREATE INDEX candidates_org ON candidates (org_id, outcome);

CREATE TABLE development_steps (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    step         TEXT NOT NULL,
    step_no      INTEGER NOT NULL,
    on_date      TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    -- Who acted (the body or person, e.g. the higher committee's officer).
    acted_by     TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    -- JSON: the people named (contacts, introducers), training, named votes.
    facts        TEXT NOT NULL DEFAULT '{}',
    recorded_by  INTEGER,
    recorded_at  INTEGER NOT NULL
);
CREATE INDEX development_steps_candidate ON development_steps (candidate_id, step_no);

CREATE TABLE development_documents (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    step_id      INTEGER REFERENCES development_steps(id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content      BLOB NOT NULL,
    uploaded_by  INTEGER,
    uploaded_at  INTEGER NOT NULL
);
CREATE INDEX development_documents_candidate ON development_documents (candidate_id);
