-- A payment recorded in error is voided, not deleted: it stays on the
-- member's record, struck through, with who voided it, when and why, and
-- counts for nothing.
ALTER TABLE dues_payments ADD COLUMN voided_at INTEGER;
ALTER TABLE dues_payments ADD COLUMN voided_by INTEGER;
ALTER TABLE dues_payments ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';
