-- Transfers of membership (组织关系转接). A member belongs to the sending
-- organisation until the receiving one accepts: only then does the member
-- move (within the group), leave the roster as transferred out (outbound,
-- when the receipt comes back), or join it (inbound). Each action is a
-- dated event; the transfer row holds where it stands.
CREATE TABLE transfers (
    id                INTEGER PRIMARY KEY,
    tenant_id         INTEGER NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('internal', 'outbound', 'inbound')),
    -- The member (none for an inbound transfer until it is received).
    member_id         INTEGER REFERENCES members(id),
    person_name       TEXT NOT NULL,
    -- Within the group, the organisations; outside it, their names.
    from_org_id       INTEGER REFERENCES orgs(id),
    from_name         TEXT NOT NULL DEFAULT '',
    to_org_id         INTEGER REFERENCES orgs(id),
    to_name           TEXT NOT NULL DEFAULT '',
    reason            TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL,
    requested_on      TEXT NOT NULL,
    approved_on       TEXT,
    letter_number     TEXT,
    letter_issued_on  TEXT,
    letter_valid_days INTEGER,
    received_on       TEXT,
    reported_on       TEXT,
    pack_version      TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (tenant_id, letter_number)
);
CREATE INDEX transfers_from ON transfers (from_org_id, state);
CREATE INDEX transfers_to ON transfers (to_org_id, state);
CREATE INDEX transfers_member ON transfers (member_id);

CREATE TABLE transfer_events (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL,
    transfer_id INTEGER NOT NULL REFERENCES transfers(id),
    action      TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX transfer_events_transfer ON transfer_events (transfer_id, id);
