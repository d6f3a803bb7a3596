"""Tester round 97b, 3: a demo stopped part-way (Ctrl-C, a closed pipe) puts the previous demo's store and site back
in place, but it had already said "The previous demo's store is kept as ....previous", and nothing said otherwise: the
``.previous`` it named was gone. It now says, on the way out, that the previous store is back."""

from __future__ import annotations

import pytest

from lmsync.service import demo
from tests.flows import test_demo_leaves_a_urlless_rehearsal_alone as rehearsal

_run, _digest, home = rehearsal._run, rehearsal._digest, rehearsal.home  # home: a fixture


def test_a_stopped_demo_says_the_previous_store_is_back(home, monkeypatch: pytest.MonkeyPatch):
    assert (first := _run("demo")).exit_code == 0, first.output
    store, previous = home / "mentoring-2026.db", home / "mentoring-2026.db.previous"
    before, term_before = _digest(store), _digest(home / "mentoring-2026.demo.db")

    def stopped(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    term_as_it_is = demo.run_demo_term
    monkeypatch.setattr(demo, "run_demo_term", stopped)  # stopped in the middle, after the sync
    interrupted = _run("demo")
    assert interrupted.exit_code != 0
    said = interrupted.output
    assert f"The previous demo's store is kept as {previous}" in said  # said first, as before
    assert ("The demo stopped before it finished; back where they were, no longer kept as .previous: "
            f"the previous demo's store at {store}, its site at {home / 'mentoring-2026.emulator.json'} ") in said, said
    assert not previous.exists() and _digest(store) == before  # as it says
    # the played term's store too: it was set aside when the term began and left half-made (tester round 98b, 2)
    term = home / "mentoring-2026.demo.db"
    assert f"and the played term's store at {term}." in said, said
    assert _digest(term) == term_before and not (home / "mentoring-2026.demo.db.previous").exists()
    monkeypatch.setattr(demo, "run_demo_term", term_as_it_is)  # the term runs again (not undo(): home's env stays)
    assert (again := _run("demo")).exit_code == 0, again.output  # and the next demo runs, calling nothing changed
    assert "It holds data added" not in again.output, again.output
