-- Who completed a course in a large subtree is read from the course's study
-- time (Store::course_completions): its rows by lesson. Heartbeats add to a
-- row's seconds, which this index does not hold: a learner's first beat of a
-- lesson in a day writes it, and on PostgreSQL an update that does not fit
-- on the row's page.
CREATE INDEX study_time_lesson ON study_time (lesson_id, member_id);
