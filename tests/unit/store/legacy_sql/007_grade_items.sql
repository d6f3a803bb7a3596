-- The grade items lmsync created or adopted (issue 10, point 6): with the derived idnumber on
-- the item, this record is lmsync's proof of ownership. An item in lmsync's itemnumber range
-- without both is another programme's and is never written. state 'sending' = the creating
-- request went out and its item has not been read back yet (it may still commit: not re-sent
-- before sent_at + the settle time).
CREATE TABLE grade_items (
    programme TEXT NOT NULL,
    course_id INTEGER NOT NULL,
    cmid INTEGER NOT NULL,
    itemnumber INTEGER NOT NULL,
    metric TEXT NOT NULL,
    idnumber TEXT NOT NULL,
    item_id INTEGER,
    state TEXT NOT NULL,            -- sending | created | adopted
    sent_at TEXT NOT NULL,
    confirmed_at TEXT,
    PRIMARY KEY (programme, course_id, cmid, itemnumber)
);
