"""A mentee's rating of a meeting is their verdict on the mentor: ``pair show`` never shows it.

Since revision 0004 the store knows who rated a meeting (``rated_by``). ``pair show`` keeps a
rating only when the mentor gave it, and a reason saying the mentee's meeting ratings fell is
withheld like the other mentee-side reasons when the mentee side is withheld.
"""

from __future__ import annotations

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


def test_pair_show_never_carries_the_mentees_rating_and_withholds_their_side(config, term, tmp_path):  # noqa: F811
    site, cases, _healthy = term
    health.health_job(config, as_of=AS_OF, site=site)
    mentor, mentee = cases["unhappy"]
    store = Store(config.store_path())
    try:
        MeetingRepository(store, PROGRAMME).save([
            (Meeting(day(71), mentor, mentee, 20, True, "feedback", 1, rated_by="mentee"), "feedback"),
            (Meeting(day(72), mentor, mentee, 25, True, "feedback", 2, rated_by="mentor"), "feedback"),
        ])
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
    assert "a mentee-side signal (withheld" in result.output
    assert all("rating" not in row for row in shown["meetings"])
