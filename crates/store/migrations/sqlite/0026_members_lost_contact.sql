-- Members who lost contact, for the transfers page of any subtree
-- (`Store::subtree_lost_contact`). Without it the page visited every member
-- of the subtree to find the few with this status: 47 ms at the root of a
-- 100,000-member group, seconds at a national root. The index holds only
-- them, in the order the page lists them.
CREATE INDEX members_lost_contact ON members (status_since, id) WHERE status = 'lost_contact';
-- The planner prefers an index it has statistics for: give it this one's
-- (a sample, so that a large roster is not read whole during the upgrade).
PRAGMA analysis_limit = 1000;
ANALYZE members;
