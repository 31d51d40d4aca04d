-- 民主评议党员: the branch's rating of each member at the appraisal meeting
-- (excellent, qualified, basically qualified, unqualified). Empty for every
-- other meeting; a seal covers it only when it is set, so records sealed
-- before this column existed keep their hashes.
ALTER TABLE meeting_attendees ADD COLUMN rating TEXT NOT NULL DEFAULT '';
