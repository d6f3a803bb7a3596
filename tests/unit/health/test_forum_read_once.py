"""Issue 13 (2,500 pairs judged in under 2 s): health reads the forum from Moodle once.

``observe`` already reads every discussion; the circles' forum activity comes from those rows,
the same activity a second read would give.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from lmsync.config import load_config
from lmsync.domain.plan import mentor_of_idnumber
from lmsync.moodle.emulator.demo import build_demo_site
from lmsync.moodle.emulator.records import Post
from lmsync.service import health
from lmsync.service.jobs import session, sync_job

PROGRAMME = "mentor-2026"
TODAY = datetime.now(UTC).date()


def test_observe_and_assess_reads_the_forum_discussions_once(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "lmsync.toml"
    path.write_text(f'[programme]\nname = "{PROGRAMME}"\npeer_mentor_cohort = "peer-mentors-2026"\n')
    config = load_config(path, environ={})
    site = build_demo_site()
    assert sync_job(config, site=site).converged
    group = next(g for g in site.groups.values() if mentor_of_idnumber(PROGRAMME, g.idnumber) is not None)
    mentor = mentor_of_idnumber(PROGRAMME, group.idnumber)
    mentee = min(m for m in group.members if m != mentor)
    discussion = next(d for d in site.discussions.values() if d.groupid == group.id)
    stamp = int(datetime.combine(TODAY - timedelta(days=9), datetime.min.time(), UTC).timestamp())
    site.posts[9001] = Post(9001, discussion.id, discussion.postid, mentee, "Re: welcome", "hi", stamp, stamp)
    with session(config, site=site, read_only=True) as (conn, store):
        api = conn.api
        reads: list[int] = []
        read = api.get_forum_discussions

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            reads.append(1)
            return read(*args, **kwargs)

        monkeypatch.setattr(api, "get_forum_discussions", counted)
        assessment = health.observe_and_assess(api, config, store, as_of=TODAY)
        assert len(reads) == 1 and assessment.pairs
        snapshot = health.observe(api, config)
        from_observe = health.circle_forums(PROGRAMME, api, snapshot)
        read_again = health.circle_forums(PROGRAMME, api, replace(snapshot, forum_discussions=None))
    assert from_observe == read_again
    assert (from_observe[mentor].replies, from_observe[mentor].last_post) == (1, TODAY - timedelta(days=9))
