"""``lmsync.log.warn_once``: a warning about how the site is reached, said once per command and run (tester round
106b, 7: a sync opened Moodle twice and logged ``moodle.unencrypted`` twice)."""

from __future__ import annotations

import io

from lmsync.log import configure, warn_once
from lmsync.service.run_ids import running


def test_said_once_per_command_and_again_in_each_run_and_each_command() -> None:
    stream = io.StringIO()
    configure("json", "info", stream=stream)
    said = [warn_once("t", "moodle.unencrypted", "http://a.example", host="a.example") for _ in range(3)]
    said.append(warn_once("t", "moodle.unencrypted", "http://b.example", host="b.example"))  # another site
    with running("cycle1"):  # each daemon cycle is a run of its own
        said += [warn_once("t", "moodle.unencrypted", "http://a.example") for _ in range(2)]
    with running("cycle2"):
        said.append(warn_once("t", "moodle.unencrypted", "http://a.example"))
    configure("json", "info", stream=stream)  # the next command
    said.append(warn_once("t", "moodle.unencrypted", "http://a.example"))
    assert said == [True, False, False, True, True, False, True, True]
    assert stream.getvalue().count('"moodle.unencrypted"') == 5
    configure()
