-- An organisation's children in the order its page lists them (code, then
-- id), so that the page's first hundred are read in order and the read stops
-- there: the national root has 625 children, which were all read and sorted
-- for each view. It serves every other lookup by parent the index it
-- replaces did.
CREATE INDEX orgs_parent_code ON orgs (parent_id, code, id);
DROP INDEX orgs_parent;
