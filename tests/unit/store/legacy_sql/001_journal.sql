-- Every write lmsync sends to Moodle: intent before, result after.
CREATE TABLE journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    programme TEXT NOT NULL,
    function TEXT NOT NULL,
    op_kind TEXT NOT NULL,
    op_keys TEXT NOT NULL,          -- JSON list of operation keys in this batch
    item_count INTEGER NOT NULL,
    state TEXT NOT NULL,            -- intent | ok | failed | unknown
    result TEXT,                    -- JSON: created ids, error code
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX journal_run ON journal (run_id);
CREATE TABLE created_objects (
    programme TEXT NOT NULL,
    kind TEXT NOT NULL,             -- discussion | event | message
    key TEXT NOT NULL,              -- lmsync's own key (e.g. the group idnumber)
    moodle_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (programme, kind, key)
);
