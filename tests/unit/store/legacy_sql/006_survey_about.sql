-- Survey answers and scores about one relationship (issue 11): a mentor with four mentees
-- rates each of them on a mentor-side form. about_id is the Moodle user id of the other
-- person of the relationship, 0 for an answer about the respondent's relationships in
-- general (every answer stored before this migration). SQLite cannot change a UNIQUE or
-- PRIMARY KEY constraint in place, so both tables are rebuilt with about_id in the key.
CREATE TABLE survey_answers_new (
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
    about_id INTEGER NOT NULL DEFAULT 0,
    UNIQUE (programme, respondent_id, instrument, answer_date, item, source, about_id)
);
INSERT INTO survey_answers_new (id, programme, respondent_id, instrument, answer_date, item, value, source,
    origin, created_at, updated_at, about_id)
    SELECT id, programme, respondent_id, instrument, answer_date, item, value, source, origin, created_at,
    updated_at, 0 FROM survey_answers;
DROP TABLE survey_answers;
ALTER TABLE survey_answers_new RENAME TO survey_answers;
CREATE INDEX survey_answers_respondent ON survey_answers (programme, respondent_id);
CREATE INDEX survey_answers_about ON survey_answers (programme, about_id);

CREATE TABLE survey_scores_new (
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
    about_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (programme, respondent_id, instrument, wave, about_id)
);
INSERT INTO survey_scores_new (programme, respondent_id, instrument, wave, sitting_date, source, total, answered,
    required, subscales, scored_at, about_id)
    SELECT programme, respondent_id, instrument, wave, sitting_date, source, total, answered, required, subscales,
    scored_at, 0 FROM survey_scores;
DROP TABLE survey_scores;
ALTER TABLE survey_scores_new RENAME TO survey_scores;
