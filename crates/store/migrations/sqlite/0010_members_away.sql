-- Members working or living away (流动党员): where, since when, until when
-- they are expected back, and the certificate they carry. Away more than
-- the membership pack's months at a fixed place, the membership should be
-- transferred; the list warns.
CREATE TABLE members_away (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL,
    member_id     INTEGER NOT NULL REFERENCES members(id),
    -- The member's organisation when they left: it stays responsible.
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    left_on       TEXT NOT NULL,
    expected_back TEXT,
    place         TEXT NOT NULL,
    work          TEXT NOT NULL DEFAULT '',
    contact       TEXT NOT NULL DEFAULT '',
    -- The number of the certificate (流动党员活动证 / 党员证明信), if any.
    certificate   TEXT NOT NULL DEFAULT '',
    returned_on   TEXT,
    recorded_by   INTEGER,
    recorded_at   INTEGER NOT NULL
);
CREATE INDEX members_away_member ON members_away (member_id);
CREATE INDEX members_away_org ON members_away (org_id, returned_on);
