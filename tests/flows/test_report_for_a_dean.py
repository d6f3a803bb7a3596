"""the report reads right for a dean (mentee share, small cells, labels, chart layout),
and the README lists what exists."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lmsync.cli import main
from lmsync.render.report import html_page
from lmsync.service.report import gather
from lmsync.store.db import Store
from tests.unit.report.synthetic import AS_OF, config_for, programme

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """``lmsync demo`` once: its output and the report page it wrote."""
    home = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_STATE_HOME", str(home / "state"))
        for name in ("LMSYNC_CONFIG", "LMSYNC_LOG_FORMAT", "LMSYNC_LOG_LEVEL"):
            mp.delenv(name, raising=False)
        mp.chdir(home)
        result = CliRunner().invoke(main, ["--log-level", "warning", "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output[-2000:]
    found = re.search(r"Programme report \(open it in a browser\): (\S+)", result.output)
    assert found
    return result.output, Path(found.group(1)).read_text(encoding="utf-8")


def _card(page: str, label: str) -> str:
    # a report as of an earlier day says which figures are today's (tester round 50, 4)
    found = re.search(r'<div class="value">([^<]*)</div><div class="label">' + re.escape(label) + r"(?: \(today\))?</div>",
                      page)
    assert found, label
    return html_lib.unescape(found.group(1))


def _svg(page: str, chart: str) -> str:
    start = page.index(f'id="chart-{chart}"')
    return page[start : page.index("</svg>", start)]


def test_share_of_mentees_matched_leaves_out_peer_mentors(demo):
    # the demo site: 52 mentees, all placed, and 8 peer mentors who are students but not mentees
    _output, page = demo
    assert _card(page, "mentees in the course") == "52"
    assert _card(page, "share of mentees matched") == "100%"


def test_no_lmsync_cycle_command_is_named(demo):
    output, page = demo
    assert "lmsync cycle" not in output and "lmsync cycle" not in page
    for path in (ROOT / "lmsync").rglob("*.py"):
        assert "lmsync cycle" not in path.read_text(encoding="utf-8"), path


@pytest.fixture(scope="module")
def small_cells():
    store = Store.memory()
    config = config_for(":memory:", 120)
    p = programme(store, config, pairs=60, days=120)  # about 20 mentees per year of study
    strict = config.model_copy(update={"report": config.report.model_copy(update={"min_cell": 25})})
    return config, gather(strict, store, as_of=AS_OF, roster=p.roster, pairs=p.pairs)


def test_small_cells_suppressed_below_report_min_cell(small_cells):
    config, data = small_cells
    assert config.report.min_cell == 5  # the default
    rows = [dict(zip(data.evaluation.columns, r, strict=True)) for r in data.evaluation.rows]
    years = [r for r in rows if r["group"].startswith("year")]
    overall = [r for r in rows if r["group"] == "all"]
    assert years and overall
    for r in years:
        assert r["n"] == "fewer than 25"
        for column in ("mean_before", "mean_after", "mean_change", "ci_low", "ci_high", "d_z", "wilcoxon_w", "wilcoxon_p"):
            assert r[column] is None, column
    # every instrument's levels may be kept apart from the wave means (tester round 121a, 9): its change stays
    shown = [r for r in overall if isinstance(r["n"], int) or r["mean_change"] is not None]
    assert shown  # the whole programme is big enough
    for r in shown:
        assert int(str(r["n"]).split(",")[0]) >= 25 and r["mean_change"] is not None and r["d_z"] is not None
    for r in overall:
        # a rating of a person whose wave means and paired means differ by fewer than 25 people shows its change
        # only (tester round 120a, 1)
        levels = str(r["n"]).endswith("fewer than 25 people's answers away by difference")
        assert r in shown or (r["n"] == "fewer than 25" and r["mean_change"] is None) or (
            levels and r["mean_before"] is None and r["mean_change"] is not None)
    page = html_page(data)
    assert "fewer than 25" in page


def test_min_cell_is_documented_in_the_configuration_reference():
    reference = (ROOT / "lmsync" / "CONFIGURATION.md").read_text(encoding="utf-8")
    assert "min_cell" in reference


def test_evaluation_table_has_human_labels_and_two_decimals(demo):
    _output, page = demo
    section = page[page.index('id="evaluation"') :]
    table = section[section.index("<table") : section.index("</table>")]
    heads = [html_lib.unescape(h) for h in re.findall(r'<th scope="col">([^<]*)</th>', table)]
    for label in ("Self-efficacy (GSE)",):
        assert label in table
    for head in ("Effect size d_z", "Wilcoxon W", "95% CI"):
        assert head in heads
    for raw in ("general_self_efficacy", "d z", "wilcoxon w", "ci low", "ci_low"):
        assert raw not in table
    numbers = re.findall(r'<td class="num">(-?\d+\.\d+)', table)
    assert numbers and all(len(n.split(".")[1]) == 2 for n in numbers)
    assert "fewer than 5" in table  # the demo's small year groups


def test_evaluation_table_scrolls_within_its_card(demo):
    _output, page = demo
    section = page[page.index('id="evaluation"') :]
    assert '<div class="wide"><table class="evaluation">' in section
    assert re.search(r"\.wide \{[^}]*overflow-x: auto", page)


def test_match_score_histogram_has_integer_count_ticks(demo):
    _output, page = demo
    svg = _svg(page, "scores")
    axis = svg[svg.index('id="matplotlib.axis_2"') :]
    ticks = re.findall(r">([^<>]+)</text>", axis[: axis.index('<g id="patch_')])
    ticks = [t for t in ticks if re.fullmatch(r"-?[\d.]+", t)]
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks


def test_satisfaction_legend_sits_below_the_bars(demo):
    _output, page = demo
    svg = _svg(page, "satisfaction")
    axes = re.search(r'<g id="patch_2">\s*<path d="M [\d.]+ ([\d.]+) ', svg)
    assert axes
    bottom = float(axes.group(1))
    legend = svg[svg.index('id="legend_1"') :]
    ys = [float(y) for y in re.findall(r'<text [^>]*y="([\d.]+)"', legend)[:2]]
    assert ys and all(y > bottom for y in ys)  # SVG y grows downwards: below the axes


def test_readme_lists_the_commands_that_exist():
    commands = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    for command in ("`lmsync run", "`lmsync report", "`lmsync pair show", "`lmsync queue done", "`lmsync daemon --once"):
        assert command in commands, command
    assert "lmsync cycle" not in README
    first = README.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert first[0].startswith("pip install -e . && lmsync demo")
    assert first[1].startswith("pip install -e '.[dev]' && python -m pytest -q")


def test_readme_health_section_covers_caps_hours_exams_and_coordinators():
    section = README.split("## Health and nudges", 1)[1].split("\n## ", 1)[0]
    for fact in ("daily_cap", "quiet_hours", "exam", "coordinators", "digest", "queue_assign", "queue_due_days"):
        assert fact in section, fact


def test_readme_store_url_wins_and_site_change():
    section = README.split("## Running unattended", 1)[1].split("\n## ", 1)[0]
    assert "`[store] url` wins" in section
    assert "store_binding" in section and "address" in section


def test_round_77_7_scores_too_few_to_show_are_not_called_none():
    """The page said "No survey scores yet" while the store held scores and the table under it said "fewer than 5"."""
    store = Store.memory()
    config = config_for(":memory:", 120)
    p = programme(store, config, pairs=60, days=120)
    huge = config.model_copy(update={"report": config.report.model_copy(update={"min_cell": 10_000})})
    page = html_page(gather(huge, store, as_of=AS_OF, roster=p.roster, pairs=p.pairs))
    assert "Too few answers in every wave to show a mean yet" in page and "No survey scores yet" not in page
    assert "No survey scores yet" in html_page(gather(huge, Store.memory(), as_of=AS_OF, roster=p.roster, pairs=p.pairs))


def test_round_78_3_figures_withheld_after_an_erasure_are_not_called_too_few():
    """After an erasure withheld every wave's mean, the page said "Too few answers in every wave" of 44-51 people:
    a dean would lower min_cell or chase answers, the wrong fix."""
    import dataclasses

    from lmsync.service.report_withheld import WITHHELD

    store = Store.memory()
    config = config_for(":memory:", 120)
    p = programme(store, config, pairs=60, days=120)
    huge = config.model_copy(update={"report": config.report.model_copy(update={"min_cell": 10_000})})
    data = gather(huge, store, as_of=AS_OF, roster=p.roster, pairs=p.pairs)
    erased = dataclasses.replace(data.satisfaction, rows=tuple((*r[:3], WITHHELD, *r[4:]) for r in data.satisfaction.rows))
    page = html_page(dataclasses.replace(data, satisfaction=erased))
    assert "an erasure changed who answered" in page and "Too few answers in every wave" not in page
