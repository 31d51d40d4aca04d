-- Rankings of study are off unless an organisation switches them on for
-- its subtree (no formalism: DOMAIN.md §6). Who switched, and when, is kept.
CREATE TABLE study_ranking (
    org_id     INTEGER PRIMARY KEY REFERENCES orgs(id),
    tenant_id  INTEGER NOT NULL,
    changed_by INTEGER,
    changed_at INTEGER NOT NULL
);
