-- Decision governance (三重一大): topics and their steps through the
-- procedure list (调研-论证-决策-执行-监督), returns with their reasons, and
-- execution tasks under supervision. A step's record is its text and a JSON
-- of its parts (expert opinions, the risk register, the 三查三看 findings,
-- named votes, tasks, the outcome); the artefacts it proved are kept beside
-- it as checked when it was recorded. A topic that ends (closed after
-- supervision, or rejected) is sealed into its organisation's chain in
-- life_seals, the same chain as meeting records, and never changes again.
CREATE TABLE topics (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    -- The organisation whose party committee studies the topic.
    org_id       INTEGER NOT NULL REFERENCES orgs(id),
    item_code    TEXT NOT NULL,
    -- The decisions pack the topic is checked under.
    pack_version TEXT NOT NULL,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '',
    -- The department or unit that submitted it.
    proposer     TEXT NOT NULL DEFAULT '',
    submitted_on TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'returned', 'executing', 'closed', 'rejected')),
    decided_on   TEXT,
    closed_on    TEXT,
    sealed_at    INTEGER,
    sealed_by    INTEGER,
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX topics_org_submitted ON topics (org_id, submitted_on);
CREATE INDEX topics_org_decided ON topics (org_id, decided_on);

CREATE TABLE topic_steps (
    topic_id        INTEGER NOT NULL REFERENCES topics(id),
    step            TEXT NOT NULL,
    done_on         TEXT NOT NULL,
    -- JSON: the step's record (StepContent).
    content         TEXT NOT NULL DEFAULT '{}',
    -- JSON list: the artefacts the record proved when it was checked.
    artefacts       TEXT NOT NULL DEFAULT '[]',
    -- Set when the step was recorded after the fact, outside the procedure.
    backfill_reason TEXT,
    recorded_by     INTEGER,
    recorded_at     INTEGER NOT NULL,
    PRIMARY KEY (topic_id, step)
);

CREATE TABLE topic_returns (
    id             INTEGER PRIMARY KEY,
    topic_id       INTEGER NOT NULL REFERENCES topics(id),
    returned_on    TEXT NOT NULL,
    reason         TEXT NOT NULL,
    returned_by    INTEGER,
    resubmitted_on TEXT,
    response       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX topic_returns_topic ON topic_returns (topic_id);

CREATE TABLE topic_tasks (
    id        INTEGER PRIMARY KEY,
    topic_id  INTEGER NOT NULL REFERENCES topics(id),
    seq       INTEGER NOT NULL,
    title     TEXT NOT NULL,
    owner     TEXT NOT NULL,
    due_on    TEXT NOT NULL,
    done_on   TEXT,
    result    TEXT NOT NULL DEFAULT '',
    UNIQUE (topic_id, seq)
);
CREATE INDEX topic_tasks_open ON topic_tasks (due_on) WHERE done_on IS NULL;

CREATE TRIGGER topics_sealed_no_update BEFORE UPDATE ON topics WHEN OLD.sealed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topics_sealed_no_delete BEFORE DELETE ON topics WHEN OLD.sealed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topic_steps_sealed_no_insert BEFORE INSERT ON topic_steps
WHEN (SELECT sealed_at FROM topics WHERE id = NEW.topic_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topic_steps_sealed_no_update BEFORE UPDATE ON topic_steps
WHEN (SELECT sealed_at FROM topics WHERE id = OLD.topic_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topic_steps_sealed_no_delete BEFORE DELETE ON topic_steps
WHEN (SELECT sealed_at FROM topics WHERE id = OLD.topic_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topic_returns_sealed_no_insert BEFORE INSERT ON topic_returns
WHEN (SELECT sealed_at FROM topics WHERE id = NEW.topic_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topic_returns_sealed_no_update BEFORE UPDATE ON topic_returns
WHEN (SELECT sealed_at FROM topics WHERE id = OLD.topic_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topic_returns_sealed_no_delete BEFORE DELETE ON topic_returns
WHEN (SELECT sealed_at FROM topics WHERE id = OLD.topic_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topic_tasks_sealed_no_insert BEFORE INSERT ON topic_tasks
WHEN (SELECT sealed_at FROM topics WHERE id = NEW.topic_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topic_tasks_sealed_no_update BEFORE UPDATE ON topic_tasks
WHEN (SELECT sealed_at FROM topics WHERE id = OLD.topic_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;
CREATE TRIGGER topic_tasks_sealed_no_delete BEFORE DELETE ON topic_tasks
WHEN (SELECT sealed_at FROM topics WHERE id = OLD.topic_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a sealed topic does not change'); END;

-- The chain takes topics as well as meetings: each seal covers exactly one
-- record. SQLite cannot relax a NOT NULL in place, so the table is rebuilt
-- (DROP TABLE drops its triggers before it empties it, so none fires).
CREATE TABLE life_seals_new (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    seq        INTEGER NOT NULL,
    meeting_id INTEGER UNIQUE REFERENCES meetings(id),
    topic_id   INTEGER UNIQUE REFERENCES topics(id),
    prev_hash  TEXT NOT NULL,
    chain_hash TEXT NOT NULL,
    sealed_at  INTEGER NOT NULL,
    sealed_by  INTEGER,
    UNIQUE (org_id, seq),
    CHECK ((meeting_id IS NULL) <> (topic_id IS NULL))
);
INSERT INTO life_seals_new (id, tenant_id, org_id, seq, meeting_id, prev_hash, chain_hash, sealed_at, sealed_by)
SELECT id, tenant_id, org_id, seq, meeting_id, prev_hash, chain_hash, sealed_at, sealed_by FROM life_seals;
DROP TABLE life_seals;
ALTER TABLE life_seals_new RENAME TO life_seals;
CREATE TRIGGER life_seals_no_update BEFORE UPDATE ON life_seals
BEGIN SELECT RAISE(ABORT, 'seals are append-only'); END;
CREATE TRIGGER life_seals_no_delete BEFORE DELETE ON life_seals
BEGIN SELECT RAISE(ABORT, 'seals are append-only'); END;
