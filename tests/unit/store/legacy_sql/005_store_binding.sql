-- Which Moodle site and course this store belongs to (issue 11: one programme, one store,
-- one site). One row, written the first time the store is used for writing. A configuration
-- naming another site or course is refused rather than mixing two sites' people in one file.
CREATE TABLE store_binding (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    site TEXT NOT NULL,               -- the [moodle] url, or 'emulator' for the built-in emulator
    course TEXT NOT NULL,             -- the [programme] course shortname
    bound_at TEXT NOT NULL,
    adopted INTEGER NOT NULL DEFAULT 0 -- 1: an older store that held data before it was bound
);
