-- What a stashed upload is for (a roster, a payroll), so that a draft made
-- by one import can never be confirmed by another.
ALTER TABLE import_drafts ADD COLUMN kind TEXT NOT NULL DEFAULT 'roster';
