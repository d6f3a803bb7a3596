"""A mentee's rating of a meeting is their verdict on the mentor: ``pair show`` never shows it.

Since revision 0004 the store knows who rated a meeting (``rated_by``). ``pair show`` keeps a
rating only when the mentor gave it, and a reason saying the mentee's meeting ratings fell is
withheld like the other mentee-side reasons when the mentee side is withheld.
"""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from lmsync.cli import main
from lmsync.domain.health import PairHealth, Reason
from lmsync.domain.meetings import Meeting
from lmsync.service import health
from lmsync.service.pair_history import pair_history
from lmsync.store.db import Store
from lmsync.store.meetings import MeetingRepository
from lmsync.store.snapshots import HealthSnapshots
from tests.flows.test_health_flow import AS_OF, PROGRAMME, day
from tests.flows.test_health_flow import config as config  # noqa: F401  (fixture)
from tests.flows.test_health_flow import term as term  # noqa: F401  (fixture)


def _judged_with_meetings(config, term, meetings):
    """Health judged over the term, then ``meetings`` (day, minutes, source, rating, rated_by, stored
    as) of its unhappy pair stored: (mentor, mentee, the open store)."""
    site, cases, _healthy = term
    health.health_job(config, as_of=AS_OF, site=site)
    mentor, mentee = cases["unhappy"]
    store = Store(config.store_path())
    MeetingRepository(store, PROGRAMME).save([
        (Meeting(day(d), mentor, mentee, minutes, True, source, rating, rated_by=side), stored_as)
        for d, minutes, source, rating, side, stored_as in meetings])
    return mentor, mentee, store


def test_pair_show_never_carries_the_mentees_rating_and_withholds_their_side(config, term, tmp_path):  # noqa: F811
    mentor, mentee, store = _judged_with_meetings(config, term, [
        (71, 20, "feedback", 1, "mentee", "feedback"), (72, 25, "feedback", 2, "mentor", "feedback")])
    try:
        reason = Reason("meetings_declining_mentee", "at_risk",
                        "recent meetings much shorter or lower-rated than this pair's earlier 8 (the mentee's ratings fell)")
        HealthSnapshots(store, PROGRAMME).replace_day(
            AS_OF, [PairHealth(mentor, mentee, "at_risk", (reason,), day(0), day(72), 0)]
        )
    finally:
        store.close()

    history = pair_history(config, (mentor, mentee))
    ratings = {m.date: (m.rated_by, m.rating) for m in history.meetings}
    assert ratings[day(71)] == ("mentee", None)  # the mentee's 1 is not carried at all
    assert ratings[day(72)] == ("mentor", 2)
    result = CliRunner().invoke(
        main, ["--config", str(tmp_path / "lmsync.toml"), "--log-level", "warning", "pair", "show",
               str(mentor), str(mentee), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert "the mentee's ratings fell" not in result.output and "meetings_declining_mentee" not in result.output
    assert "a signal from the mentee's ratings of meetings (withheld" in result.output  # its words (round 92a, 5)
    assert all("rating" not in row for row in shown["meetings"])


def test_round_50_11_meetings_list_says_who_rated_and_withholds_a_mentees_rating_as_pair_show(
        config, term, tmp_path):  # noqa: F811
    """``meetings list`` showed a mentee's rating 4 with no ``rated_by``: one could not tell it was the mentee's
    verdict on the mentor, which ``pair show`` (the same coordinator's audience) never shows. It now says whose
    each rating is and, as ``pair show``, shows only the mentor's: a mentee's or one of no known side is withheld."""
    mentor, mentee, store = _judged_with_meetings(config, term, [
        (71, 45, "csv", 4, "mentee", None), (72, 25, "feedback", 2, "mentor", "feedback"),
        (73, 30, "manual", 5, None, None)])  # the last: side not known
    store.close()

    def listed(fmt: str) -> str:
        result = CliRunner().invoke(
            main, ["--config", str(tmp_path / "lmsync.toml"), "--log-level", "warning", "meetings", "list",
                   "--person", str(mentee), "--since", day(71).isoformat(), "--format", fmt],
        )
        assert result.exit_code == 0, result.output
        return result.output

    rows = {r["date"]: r for r in json.loads(listed("json"))}
    assert (rows[day(71).isoformat()]["rated_by"], rows[day(71).isoformat()]["rating"]) == ("mentee", None)
    assert rows[day(71).isoformat()]["rating_withheld"] is True
    assert (rows[day(72).isoformat()]["rated_by"], rows[day(72).isoformat()]["rating"]) == ("mentor", 2)
    assert rows[day(72).isoformat()]["rating_withheld"] is False
    assert (rows[day(73).isoformat()]["rated_by"], rows[day(73).isoformat()]["rating"]) == (None, None)
    assert rows[day(73).isoformat()]["rating_withheld"] is True
    table = list(csv.DictReader(io.StringIO(listed("csv"))))
    assert [(r["rating"], r["rated_by"], r["rating_withheld"]) for r in table] == [
        ("", "mentee", "yes"), ("2", "mentor", "no"), ("", "", "yes")]
    text = listed("text")
    lines = {line.split()[0]: line for line in text.splitlines() if line[:4].isdigit()}
    assert "withheld" in lines[day(71).isoformat()] and "mentee" in lines[day(71).isoformat()]
    assert " 4 " not in lines[day(71).isoformat()] and " 5 " not in lines[day(73).isoformat()]
    assert "rated by" in " ".join(text.split())
    assert "2 of them show the rating as withheld: every meeting the mentor did not rate, whether the mentee rated it (their verdict on the mentor" in " ".join(text.split())
    # pair show keeps the same rule: the mentor's rating alone, the others never
    kept = {m.date: m.rating for m in pair_history(config, (mentor, mentee)).meetings}
    assert (kept[day(71)], kept[day(72)], kept[day(73)]) == (None, 2, None)
