-- Learning: courses of lessons, the study time each member earned on each
-- lesson each day (from heartbeats, never typed), the heartbeat state that
-- keeps two tabs from counting twice, and offline training (party school,
-- study sessions) recorded by the organiser with attendance and hours.
CREATE TABLE courses (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL,
    -- The organisation that offers it (its subtree sees it).
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    title       TEXT NOT NULL,
    category    TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX courses_org ON courses (org_id);

CREATE TABLE lessons (
    id        INTEGER PRIMARY KEY,
    course_id INTEGER NOT NULL REFERENCES courses(id),
    seq       INTEGER NOT NULL,
    title     TEXT NOT NULL,
    -- text, link (files and media come with the course library's uploads)
    kind      TEXT NOT NULL,
    body      TEXT NOT NULL DEFAULT '',
    url       TEXT NOT NULL DEFAULT '',
    minutes   INTEGER NOT NULL CHECK (minutes > 0),
    UNIQUE (course_id, seq)
);

CREATE TABLE study_time (
    tenant_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id),
    lesson_id INTEGER NOT NULL REFERENCES lessons(id),
    day       TEXT NOT NULL,
    seconds   INTEGER NOT NULL,
    PRIMARY KEY (member_id, lesson_id, day)
);

CREATE TABLE study_presence (
    member_id    INTEGER PRIMARY KEY REFERENCES members(id),
    last_beat_ms INTEGER NOT NULL
);

CREATE TABLE study_tabs (
    member_id INTEGER NOT NULL REFERENCES members(id),
    tab       TEXT NOT NULL,
    last_seq  INTEGER NOT NULL,
    seen_ms   INTEGER NOT NULL,
    PRIMARY KEY (member_id, tab)
);

CREATE TABLE trainings (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    title      TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    -- Class hours in tenths (24 hours = 240): no floats in the store.
    hours_x10  INTEGER NOT NULL CHECK (hours_x10 > 0),
    created_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX trainings_org ON trainings (org_id, held_on);

CREATE TABLE training_attendance (
    training_id INTEGER NOT NULL REFERENCES trainings(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    PRIMARY KEY (training_id, member_id)
);
CREATE INDEX training_attendance_member ON training_attendance (member_id);
