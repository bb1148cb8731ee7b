"""SVG charts: well-formed, accessible, every number stated, hidden values never drawn."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from cxculture.charts import (
    BenchmarkRow,
    Distribution,
    Series,
    benchmark_bars,
    distribution_bars,
    radar_chart,
    share_over_time,
    statement_bar,
    value_histogram,
)

SVG = "{http://www.w3.org/2000/svg}"
AXES = ["Vision", "Listening", "Communication", "Rewards", "Hiring", "Improvement"]


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def parse(markup) -> ET.Element:
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def texts(root) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_radar_one_series(ctx):
    root = parse(radar_chart(AXES, [Series("Organisation", [3.5, 2.25, 4, 4.1, 3, 1])], "Pillar scores",
                             chart_id="r1"))
    assert root.find(f"{SVG}title").text == "Pillar scores"
    assert set(AXES) <= set(texts(root)) and {"3.5", "2.2", "4.0", "1.0"} <= set(texts(root))
    desc = root.find(f"{SVG}desc").text
    assert "Organisation: Vision 3.5, Listening 2.2" in desc and "Scale from 1 to 5" in desc
    assert len(root.findall(f"{SVG}polygon")) == 5 + 1  # five rings and the series


def test_radar_second_series_is_dashed_with_square_markers(ctx):
    root = parse(radar_chart(AXES, [Series("Leadership", [5] * 6), Series("Everyone else", [3] * 6)],
                             "Gap", chart_id="r2"))
    series = [p for p in root.findall(f"{SVG}polygon") if p.get("fill") != "none"]
    assert len(series) == 2 and series[1].get("stroke-dasharray")
    assert root.findall(f"{SVG}rect") and "Everyone else" in texts(root)


def test_radar_does_not_draw_a_series_with_a_hidden_value(ctx):
    root = parse(radar_chart(AXES, [Series("Team", [3, None, 3, 3, 3, 3])], "Team", chart_id="r3"))
    assert not [p for p in root.findall(f"{SVG}polygon") if p.get("fill") != "none"]
    assert any("not enough answers" in t for t in texts(root))
    assert "Listening not enough answers" in root.find(f"{SVG}desc").text


def test_bars_print_percentages_and_use_patterns(ctx):
    root = parse(distribution_bars([Distribution("Vision", 62.5, 25, 12.5), Distribution("Hiring", hidden=True)],
                                   "Distribution", locale="it", chart_id="b1"))
    labels = texts(root)
    assert {"63%", "25%", "13%", "Vision", "Hiring", "not enough answers"} <= set(labels)
    patterns = root.findall(f"{SVG}defs/{SVG}pattern")
    assert {p.get("id") for p in patterns} == {"b1-neu", "b1-unf"}  # favourable is solid
    desc = root.find(f"{SVG}desc").text
    assert "Vision: 63% favourable, 25% neutral, 13% unfavourable" in desc and "Hiring: not enough answers" in desc


def test_labels_are_escaped(ctx):
    root = parse(distribution_bars([Distribution("<R&D>", 50, 25, 25)], "<x>", chart_id="b2"))
    assert "<R&D>" in texts(root) and root.find(f"{SVG}title").text == "<x>"


def test_two_charts_on_one_page_get_distinct_ids(ctx):
    first, second = radar_chart(AXES, [], "a"), radar_chart(AXES, [], "b")
    assert parse(first).get("id") != parse(second).get("id")


def test_benchmark_bars_draw_the_middle_half_the_median_and_our_score(ctx):
    rows = [BenchmarkRow("Vision", 3.0, 3.5, 4.0, own=3.12), BenchmarkRow("Rewards", 2.5, 2.5, 3.0, own=None)]
    root = parse(benchmark_bars(rows, "Benchmark", "Us", "Network, middle half", "Network median", chart_id="b1"))
    desc = root.find(f"{SVG}desc").text
    assert "Vision: Network, middle half 3.0–4.0, Network median 3.5, Us 3.1" in desc
    assert "Rewards: Network, middle half 2.5–3.0, Network median 2.5." in desc  # our score hidden: not drawn
    assert {"Vision", "Rewards", "3.1", "1", "5"} <= set(texts(root))
    assert len(root.findall(f"{SVG}circle")) == 1 + 1  # the legend's dot and ours on Vision


def test_radar_words_stay_readable_at_three_quarters_of_its_size(ctx):
    """A phone shows the radar about 300 px wide: at that scale no word may fall much under 11 px."""
    root = parse(radar_chart(AXES, [Series("Team", [3] * 6), Series("The whole organisation", [4] * 6)], "Radar",
                             chart_id="r4"))
    scale = 300 / float(root.get("width"))
    assert min(float(t.get("font-size")) for t in root.iter(f"{SVG}text")) * scale >= 9.75
    assert min(float(t.get("font-size")) for t in root.iter(f"{SVG}text") if t.text in AXES) * scale >= 11


def test_radar_cuts_a_legend_too_long_for_one_line_but_describes_it_whole(ctx):
    long = "Check-up della cultura del secondo trimestre 2026, sede centrale"
    root = parse(radar_chart(AXES, [Series("Team", [3] * 6), Series(long, [4] * 6)], "Radar", chart_id="r5"))
    assert any(t.endswith("…") and long.startswith(t[:-1]) for t in texts(root))
    assert f"{long}: Vision 4.0" in root.find(f"{SVG}desc").text


def test_statement_bar_draws_the_shares_without_words_and_describes_them(ctx):
    root = parse(statement_bar(Distribution("We listen <well>", 50, 25, 25), locale="it", chart_id="s1", width=200))
    assert texts(root) == []
    widths = [float(r.get("width")) for r in root.findall(f"{SVG}rect") if r.get("fill") != "none"]
    assert widths == [100, 50, 50]
    assert root.find(f"{SVG}desc").text == "We listen <well>: 50% favourable, 25% neutral, 25% unfavourable."


def percent_text(value: float) -> str:
    return f"{value:g}%"


def test_value_histogram_counts_every_value_and_marks_the_target(ctx):
    root = parse(value_histogram([60, 70, 88, 90], [85], "higher", percent_text, "CSAT <spread>", "2 of 3 on target.",
                                 chart_id="h1"))
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("4 values from 60% to 90%.") and desc.endswith("target 85%. 2 of 3 on target.")
    counts = [int(n) for n in re.findall(r": (\d+)(?=;|\.)", desc)]
    assert sum(counts) == 4
    assert "target 85%" in texts(root) and "better →" in texts(root)
    assert root.find(f"{SVG}title").text == "CSAT <spread>"
    shaded = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#e6f0f7"]
    assert len(shaded) == 1 and float(shaded[0].get("x")) > 150  # the side at or above 85 on a 60-90 scale


def test_value_histogram_with_several_targets_and_one_value(ctx):
    root = parse(value_histogram([300], [300, 330], "lower", lambda v: f"{v:g} s", "AHT", chart_id="h2"))
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("1 value from 300 s to 300 s.") and "targets 300 s–330 s." in desc
    assert "← better" in texts(root)
    assert not [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#e6f0f7"]  # no single side meets both


def test_share_over_time_states_every_period_and_names_every_other(ctx):
    labels = [f"M{n}" for n in range(1, 13)]
    shares = [0] * 8 + [10, 20, 40, 44.4]
    root = parse(share_over_time(labels, shares, "Completed", [f"Month {n}" for n in range(1, 13)], chart_id="s1"))
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("Month 1 0%, Month 2 0%") and desc.endswith("Month 11 40%, Month 12 44%.")
    words = texts(root)
    assert "M12" in words and "M10" in words and "M11" not in words  # the latest always named
    assert "44%" in words and "0%" in words


@pytest.mark.parametrize("chart", ["histogram", "share"])
def test_new_charts_stay_readable_on_a_phone(ctx, chart):
    """Shown about 300 px wide on a phone, their words stay at 11 px or more."""
    if chart == "histogram":
        root = parse(value_histogram([1, 2, 3], [2], "higher", str, "H", chart_id="h3"))
    else:
        root = parse(share_over_time(["a", "b"], [10, 20], "S", chart_id="s2"))
    scale = min(1.0, 300 / float(root.get("width")))
    assert min(float(t.get("font-size")) for t in root.iter(f"{SVG}text")) * scale >= 11
