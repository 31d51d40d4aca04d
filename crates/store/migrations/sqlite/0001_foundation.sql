-- Foundation: organisations, members, accounts, sessions, audit, rule packs.
-- Every table carries tenant_id (the id of the root organisation) so that a
-- large deployment can partition by it. Times are Unix milliseconds (INTEGER)
-- in both backends; calendar dates are DATE (TEXT 'YYYY-MM-DD' here).

CREATE TABLE orgs (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL,
    parent_id      INTEGER REFERENCES orgs(id),
    -- Materialised path of ids, '/1/5/23/'. A subtree is the range
    -- [path, path || '~'), which a plain b-tree index answers.
    path           TEXT NOT NULL,
    depth          INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('committee', 'general_branch', 'branch', 'group')),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    unit_name      TEXT NOT NULL DEFAULT '',
    established_on TEXT,
    term_start     TEXT,
    term_end       TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (tenant_id, code)
);
CREATE INDEX orgs_path ON orgs (path);
CREATE INDEX orgs_parent ON orgs (parent_id);

CREATE TABLE members (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL,
    org_id           INTEGER NOT NULL REFERENCES orgs(id),
    name             TEXT NOT NULL,
    name_initials    TEXT NOT NULL,
    gender           TEXT NOT NULL,
    ethnicity        TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    -- SM4-GCM ciphertext; the blind index (HMAC-SM3) finds duplicates
    -- without decrypting; the masked form is what lists show.
    id_number_enc    BLOB NOT NULL,
    id_number_index  TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    education        TEXT,
    post             TEXT NOT NULL DEFAULT '',
    unit             TEXT NOT NULL DEFAULT '',
    phone_enc        BLOB,
    phone_masked     TEXT,
    category         TEXT NOT NULL CHECK (category IN ('full', 'probationary')),
    join_date        TEXT NOT NULL,
    conversion_date  TEXT,
    status           TEXT NOT NULL DEFAULT 'normal',
    status_since     TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (tenant_id, id_number_index)
);
CREATE INDEX members_org ON members (org_id, name_initials, id);
CREATE INDEX members_tenant_initials ON members (tenant_id, name_initials, id);
CREATE INDEX members_tenant_name ON members (tenant_id, name);

CREATE TABLE member_status_history (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    status      TEXT NOT NULL,
    since       TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX member_status_history_member ON member_status_history (member_id, since);

CREATE TABLE org_officers (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    member_id  INTEGER NOT NULL REFERENCES members(id),
    role       TEXT NOT NULL,
    term_start TEXT,
    term_end   TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX org_officers_org ON org_officers (org_id);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    tenant_id           INTEGER NOT NULL,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    member_id           INTEGER REFERENCES members(id),
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);

CREATE TABLE user_roles (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    granted_at INTEGER NOT NULL,
    UNIQUE (user_id, role, org_id)
);

-- Sessions live here, not in a node's memory, so any app node can serve
-- any request. Only a hash of the token is kept.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Append-only: the triggers below refuse any change or deletion.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    user_id     INTEGER,
    username    TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    org_id      INTEGER,
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Rules are data: each pack is a versioned TOML document with its sources.
CREATE TABLE rule_packs (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    version        TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    body           TEXT NOT NULL,
    loaded_at      INTEGER NOT NULL,
    UNIQUE (tenant_id, kind, version)
);

-- A spreadsheet waiting between its preview and its confirmation.
CREATE TABLE import_drafts (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    file_name  TEXT NOT NULL,
    content    BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
