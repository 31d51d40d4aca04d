-- Organisational life: meetings planned and held, who was expected and
-- who came (or why not), minutes, resolutions with named votes; and the
-- seals. A sealed meeting never changes (the triggers refuse it); a
-- correction is a new meeting pointing at the old one. Each organisation's
-- seals form an SM3 hash chain that `ronghe verify` recomputes from these
-- rows, so a change made behind the application's back is found.
CREATE TABLE meetings (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    org_id       INTEGER NOT NULL REFERENCES orgs(id),
    kind         TEXT NOT NULL,
    topic        TEXT NOT NULL,
    planned_on   TEXT NOT NULL,
    starts_at    TEXT NOT NULL DEFAULT '',
    place        TEXT NOT NULL DEFAULT '',
    agenda       TEXT NOT NULL DEFAULT '',
    host         TEXT NOT NULL DEFAULT '',
    recorder     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('planned', 'held', 'sealed', 'cancelled')),
    held_on      TEXT,
    minutes      TEXT NOT NULL DEFAULT '',
    -- A one-time code shown in the room; members sign in with it until then.
    signin_code  TEXT,
    signin_until INTEGER,
    corrects     INTEGER REFERENCES meetings(id),
    sealed_at    INTEGER,
    sealed_by    INTEGER,
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX meetings_org ON meetings (org_id, held_on);
CREATE INDEX meetings_org_planned ON meetings (org_id, planned_on);

CREATE TABLE meeting_attendees (
    meeting_id     INTEGER NOT NULL REFERENCES meetings(id),
    member_id      INTEGER NOT NULL REFERENCES members(id),
    name           TEXT NOT NULL,
    -- A full member in good standing when the meeting was planned.
    entitled       INTEGER NOT NULL,
    present        INTEGER NOT NULL DEFAULT 0,
    absence_reason TEXT NOT NULL DEFAULT '',
    -- 'self' (with the room's code), 'recorder', or '' (not yet).
    signed_by      TEXT NOT NULL DEFAULT '',
    signed_at      INTEGER,
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_attendees_member ON meeting_attendees (member_id);

CREATE TABLE meeting_resolutions (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    seq        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    -- JSON: [{member_id, name, choice}]
    votes      TEXT NOT NULL DEFAULT '[]',
    entitled   INTEGER NOT NULL,
    present    INTEGER NOT NULL,
    agree      INTEGER NOT NULL,
    disagree   INTEGER NOT NULL,
    abstain    INTEGER NOT NULL,
    passed     INTEGER NOT NULL,
    UNIQUE (meeting_id, seq)
);

CREATE TABLE life_seals (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    seq        INTEGER NOT NULL,
    meeting_id INTEGER NOT NULL UNIQUE REFERENCES meetings(id),
    prev_hash  TEXT NOT NULL,
    chain_hash TEXT NOT NULL,
    sealed_at  INTEGER NOT NULL,
    sealed_by  INTEGER,
    UNIQUE (org_id, seq)
);

CREATE TRIGGER meetings_sealed_no_update BEFORE UPDATE ON meetings WHEN OLD.status = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER meetings_sealed_no_delete BEFORE DELETE ON meetings WHEN OLD.status = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER meeting_attendees_sealed_no_update BEFORE UPDATE ON meeting_attendees
WHEN (SELECT status FROM meetings WHERE id = OLD.meeting_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER meeting_attendees_sealed_no_delete BEFORE DELETE ON meeting_attendees
WHEN (SELECT status FROM meetings WHERE id = OLD.meeting_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER meeting_attendees_sealed_no_insert BEFORE INSERT ON meeting_attendees
WHEN (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER meeting_resolutions_sealed_no_update BEFORE UPDATE ON meeting_resolutions
WHEN (SELECT status FROM meetings WHERE id = OLD.meeting_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER meeting_resolutions_sealed_no_delete BEFORE DELETE ON meeting_resolutions
WHEN (SELECT status FROM meetings WHERE id = OLD.meeting_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER meeting_resolutions_sealed_no_insert BEFORE INSERT ON meeting_resolutions
WHEN (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'sealed'
BEGIN SELECT RAISE(ABORT, 'a sealed meeting does not change'); END;
CREATE TRIGGER life_seals_no_update BEFORE UPDATE ON life_seals
BEGIN SELECT RAISE(ABORT, 'seals are append-only'); END;
CREATE TRIGGER life_seals_no_delete BEFORE DELETE ON life_seals
BEGIN SELECT RAISE(ABORT, 'seals are append-only'); END;
