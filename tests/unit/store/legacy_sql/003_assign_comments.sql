-- The feedback comment lmsync last sent with each assignment grade (issue #6).
-- mod_assign_get_grades returns grades but not comments (trap 30), so this is what a new
-- comment is compared with. Losing it costs one re-send, never a wrong grade.
CREATE TABLE assign_comments (
    programme TEXT NOT NULL,
    assignment_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    comment TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (programme, assignment_id, user_id)
);
