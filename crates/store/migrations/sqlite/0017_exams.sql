-- Exams: an organisation's question bank, exams that draw papers from it
-- by rules, and members' attempts (the paper drawn, the responses, the
-- score). An attempt's paper is fixed when it starts.
CREATE TABLE questions (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    category   TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    stem       TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '[]',
    answer     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX questions_org ON questions (org_id, kind);

CREATE TABLE exams (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL,
    org_id             INTEGER NOT NULL REFERENCES orgs(id),
    title              TEXT NOT NULL,
    rules              TEXT NOT NULL,
    time_limit_minutes INTEGER NOT NULL CHECK (time_limit_minutes > 0),
    max_attempts       INTEGER NOT NULL CHECK (max_attempts > 0),
    pass_score         INTEGER NOT NULL,
    created_at         INTEGER NOT NULL
);

CREATE TABLE exam_attempts (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    exam_id      INTEGER NOT NULL REFERENCES exams(id),
    member_id    INTEGER NOT NULL REFERENCES members(id),
    paper        TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    submitted_at INTEGER,
    responses    TEXT NOT NULL DEFAULT '{}',
    score        INTEGER,
    total        INTEGER NOT NULL
);
CREATE INDEX exam_attempts_member ON exam_attempts (member_id, exam_id);
