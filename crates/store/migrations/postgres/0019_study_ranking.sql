-- Rankings of study are off unless an organisation switches them on for
-- its subtree (no formalism: DOMAIN.md §6). Who switched, and when, is kept.
CREATE TABLE study_ranking (
    org_id     BIGINT PRIMARY KEY REFERENCES orgs(id),
    tenant_id  BIGINT NOT NULL,
    changed_by BIGINT,
    changed_at BIGINT NOT NULL
);
