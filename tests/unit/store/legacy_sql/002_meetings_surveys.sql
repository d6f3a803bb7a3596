-- Meeting logs and survey answers lmsync keeps because Moodle cannot (issue #6).
-- People are Moodle user ids only: names and emails stay in Moodle.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme TEXT NOT NULL,
    meeting_date TEXT NOT NULL,       -- YYYY-MM-DD
    mentor_id INTEGER NOT NULL,
    mentee_id INTEGER NOT NULL,
    source TEXT NOT NULL,             -- feedback | csv | cli
    minutes INTEGER NOT NULL,
    attended INTEGER NOT NULL,        -- 0 | 1
    rating INTEGER,
    notes TEXT,
    content_hash TEXT NOT NULL,       -- what may change under the natural key
    origin TEXT,                      -- file name + line, feedback attempt id, or 'cli'
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (programme, meeting_date, mentor_id, mentee_id, source)
);
CREATE INDEX meetings_mentor ON meetings (programme, mentor_id);
CREATE INDEX meetings_mentee ON meetings (programme, mentee_id);

-- One row per imported file: an audit trail, and how "already imported" is told.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme TEXT NOT NULL,
    kind TEXT NOT NULL,               -- meetings | surveys
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    added INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX imports_hash ON imports (programme, kind, file_sha256);

CREATE TABLE survey_answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme TEXT NOT NULL,
    respondent_id INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    answer_date TEXT NOT NULL,        -- YYYY-MM-DD
    item TEXT NOT NULL,
    value TEXT NOT NULL,              -- as given, so N/A markers survive
    source TEXT NOT NULL,             -- feedback | csv
    origin TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (programme, respondent_id, instrument, answer_date, item, source)
);
CREATE INDEX survey_answers_respondent ON survey_answers (programme, respondent_id);

-- Scores per wave, recomputed from the answers, kept so their history can be reported.
CREATE TABLE survey_scores (
    programme TEXT NOT NULL,
    respondent_id INTEGER NOT NULL,
    instrument TEXT NOT NULL,
    wave TEXT NOT NULL,
    sitting_date TEXT NOT NULL,
    source TEXT NOT NULL,
    total REAL,                       -- NULL: too few items answered
    answered INTEGER NOT NULL,
    required INTEGER NOT NULL,
    subscales TEXT NOT NULL,          -- JSON {name: score or null}
    scored_at TEXT NOT NULL,
    PRIMARY KEY (programme, respondent_id, instrument, wave)
);
