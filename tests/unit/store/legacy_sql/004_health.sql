-- Pair health, the coordinator queue and the nudges sent (lmsync health / nudge / queue).
-- People are Moodle user ids only. Reasons are codes and sentences that never hold a
-- survey answer or score.

-- One row per pair per day: re-running health on the same day replaces that day.
CREATE TABLE health_snapshots (
    programme TEXT NOT NULL,
    day TEXT NOT NULL,                -- the as-of date, YYYY-MM-DD
    mentor_id INTEGER NOT NULL,
    mentee_id INTEGER NOT NULL,
    status TEXT NOT NULL,             -- new | ok | at_risk | fading
    reasons TEXT NOT NULL,            -- JSON [[code, text], ...]
    paired_since TEXT NOT NULL,
    last_meeting TEXT,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (programme, day, mentor_id, mentee_id)
);
CREATE INDEX health_snapshots_pair ON health_snapshots (programme, mentor_id, mentee_id, day);

-- Fading pairs waiting for a coordinator: at most one open item per pair.
CREATE TABLE coordinator_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme TEXT NOT NULL,
    mentor_id INTEGER NOT NULL,
    mentee_id INTEGER NOT NULL,
    status TEXT NOT NULL,             -- the status when last seen
    reasons TEXT NOT NULL,            -- JSON [[code, text], ...] when last seen
    opened_on TEXT NOT NULL,          -- YYYY-MM-DD
    last_seen_on TEXT NOT NULL,
    acked_on TEXT,                    -- NULL while open
    acked_at TEXT,
    note TEXT
);
CREATE UNIQUE INDEX coordinator_queue_open ON coordinator_queue (programme, mentor_id, mentee_id)
    WHERE acked_on IS NULL;

-- Every nudge, recorded (state intent) BEFORE it is sent: a crash can never lead to a
-- second message inside the interval, because an intent counts as sent.
CREATE TABLE nudges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme TEXT NOT NULL,
    mentor_id INTEGER NOT NULL,
    mentee_id INTEGER NOT NULL,
    recipient_id INTEGER NOT NULL,
    day TEXT NOT NULL,                -- the as-of date of the run, YYYY-MM-DD
    kind TEXT NOT NULL,               -- the template used
    state TEXT NOT NULL,              -- intent | sent | failed | unknown
    msgid INTEGER,
    error TEXT,                       -- Moodle's errormessage or errorcode when failed
    journal_id INTEGER,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX nudges_pair ON nudges (programme, mentor_id, mentee_id, recipient_id, day);
