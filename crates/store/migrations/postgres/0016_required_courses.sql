-- A course may be required of every member of the offering organisation's
-- subtree by a day; a member completes a lesson by studying it for its
-- length, a course by completing every lesson.
ALTER TABLE courses ADD COLUMN required_by DATE;
