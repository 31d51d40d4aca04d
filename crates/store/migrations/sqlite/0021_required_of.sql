-- Whom a required course is required of: every member of the offering
-- organisation's subtree, or its officers only (secretaries and committee
-- members, as the learning pack counts them for the 56-hour requirement).
ALTER TABLE courses ADD COLUMN required_of TEXT NOT NULL DEFAULT 'members';
