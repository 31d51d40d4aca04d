-- Maintained subtree roll-ups: for each organisation, how many active
-- members (normal, lost contact) its whole subtree holds, by dimension:
-- category, gender, education ('unknown' when not recorded) and birth year.
-- Age bands are read from birth years (age as at the year's end, as party
-- statistics count it). The store keeps these in step with every member
-- write and every move, in the same transaction; tests compare them with
-- the recursive query on random trees.
CREATE TABLE org_rollups (
    tenant_id BIGINT NOT NULL,
    org_id    BIGINT NOT NULL REFERENCES orgs(id),
    dim       TEXT NOT NULL,
    key       TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (org_id, dim, key)
);

INSERT INTO org_rollups (tenant_id, org_id, dim, key, n)
SELECT a.tenant_id, a.id, d.dim, d.key, COUNT(*)
FROM (
    SELECT m.org_id, 'category' AS dim, m.category AS key FROM members m WHERE m.status IN ('normal', 'lost_contact')
    UNION ALL SELECT m.org_id, 'gender', m.gender FROM members m WHERE m.status IN ('normal', 'lost_contact')
    UNION ALL SELECT m.org_id, 'education', COALESCE(m.education, 'unknown') FROM members m WHERE m.status IN ('normal', 'lost_contact')
    UNION ALL SELECT m.org_id, 'birth_year', to_char(m.birth_date, 'YYYY') FROM members m WHERE m.status IN ('normal', 'lost_contact')
) d
JOIN orgs o ON o.id = d.org_id
JOIN orgs a ON o.path >= a.path AND o.path < a.path || '~'
GROUP BY a.tenant_id, a.id, d.dim, d.key;
