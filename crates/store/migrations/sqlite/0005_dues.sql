-- Party dues (党费). A member's monthly standard is set at the start of
-- each year from their category and declared income, and set again from the
-- month their income changes; each row keeps the rule pack it was computed
-- under. Payments are records of money received, in fen: regular ones for a
-- month, voluntary extra ones apart. Arrears are computed from these two,
-- never stored.
CREATE TABLE dues_standards (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL,
    member_id          INTEGER NOT NULL REFERENCES members(id),
    year               INTEGER NOT NULL,
    from_month         INTEGER NOT NULL CHECK (from_month BETWEEN 1 AND 12),
    category           TEXT NOT NULL,
    monthly_income_fen INTEGER,
    rate_permille      INTEGER,
    monthly_dues_fen   INTEGER NOT NULL CHECK (monthly_dues_fen >= 0),
    pack_version       TEXT NOT NULL,
    reason             TEXT NOT NULL DEFAULT '',
    recorded_by        INTEGER,
    recorded_at        INTEGER NOT NULL,
    UNIQUE (member_id, year, from_month)
);

CREATE TABLE dues_payments (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    -- The organisation that collected it: the member's at the time.
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    -- YYYY-MM: the month a regular payment is for; for a voluntary one,
    -- the month it was paid in.
    period      TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('regular', 'voluntary')),
    amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
    paid_on     TEXT NOT NULL,
    -- Who paid on the member's behalf (代交); empty when they paid themselves.
    payer       TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX dues_payments_member ON dues_payments (member_id, period);
CREATE INDEX dues_payments_org ON dues_payments (org_id, period);
