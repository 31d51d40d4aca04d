-- Reminders (in-app), one per user and subject: the key names what it is
-- about (e.g. a branch's theme day of a month), so a reminder is made once
-- however often the reminder job runs. Other senders (email, webhook) send
-- only what is new here. Users may give an email address for reminders.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    key        TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    read_at    INTEGER,
    UNIQUE (user_id, key)
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);
ALTER TABLE users ADD COLUMN email TEXT;
