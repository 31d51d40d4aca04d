-- figure_changes is a log that readers fold (delete) every 64 rows: left to
-- the default thresholds (20% of the table), autovacuum would let dead rows
-- pile up that every version read (several a request) scans. Vacuum it after
-- a thousand dead rows whatever its size; folds vacuum it too
-- (Store::fold_figure_changes), for servers where autovacuum is off.
ALTER TABLE figure_changes SET (
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_analyze_threshold = 1000,
    autovacuum_analyze_scale_factor = 0
);
