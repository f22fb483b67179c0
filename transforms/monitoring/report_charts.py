"""The monitoring report as one self-contained HTML page: pure functions from frames to HTML.

`render_report(ReportData)` returns the page: plotly.js embedded once (offline, nothing from a
CDN), one plotly chart per section that has data (a section without data says so instead of
drawing an empty chart), tables for clusters, data quality and stories. All text from the
warehouse is HTML-escaped and only http(s) URLs become links. A small script marks every chart
after rendering (`data-traces`, `data-points`, `data-rendered`) so a headless browser can check
the page drew what it promised.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs

from transforms.monitoring.alert_rules import ALERT_SCHEMA, AlertRules, Period, evaluate_alerts

ENTITY_GROUPS = (("People", ("PERSON",)), ("Organisations", ("ORG",)), ("Places", ("GPE", "LOC", "FAC")))
TOP_PUBLISHERS = 8
TOP_ENTITIES = 10
FILL_DROP = 0.2  # a fill rate this much lower than in the previous period is highlighted
FILL_MIN_PREVIOUS = 3  # ... when the previous period had at least this many articles of the publisher
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]


@dataclass
class ReportData:
    """Everything the page shows, read from the warehouse by `mediamon.report`."""

    generated_at: datetime
    warehouse: str
    period: Period
    data_days: list[date] = field(default_factory=list)
    articles: int = 0  # non-duplicate articles in the period
    previous_articles: int = 0
    # day, publisher, articles: every (non-duplicate) article of the period
    volume: pl.DataFrame = field(default_factory=pl.DataFrame)
    # entity_id, canonical_name, entity_type, mentions, previous_mentions
    entity_counts: pl.DataFrame = field(default_factory=pl.DataFrame)
    watched: dict[str, str] = field(default_factory=dict)  # entity_id -> name
    watch_daily: pl.DataFrame = field(default_factory=pl.DataFrame)  # transforms.monitoring.alert_rules.DAILY_SCHEMA rows
    # [[topics]]: topic, articles, previous_articles, outlets (one row per configured or stored topic)
    topic_counts: pl.DataFrame = field(default_factory=pl.DataFrame)
    rules: AlertRules = field(default_factory=AlertRules)
    # cluster_id, rank, publisher, title, url, published_at, is_original, cluster_size
    clusters: pl.DataFrame = field(default_factory=pl.DataFrame)
    # run_id, started_at, documents_in, articles, quarantined, dq_warnings
    runs: pl.DataFrame = field(default_factory=pl.DataFrame)
    quarantine_reasons: pl.DataFrame = field(default_factory=pl.DataFrame)  # reason, documents
    dq_checks: pl.DataFrame = field(default_factory=pl.DataFrame)  # expectation, severity, warnings
    # documents in / articles / quarantined / DQ warnings of the period, each document once
    dq_totals: dict[str, int] = field(default_factory=dict)
    # publisher, articles, date_rate, author_rate, body_rate, previous_articles, previous_*_rate
    fill_rates: pl.DataFrame = field(default_factory=pl.DataFrame)
    # title, url, publisher, day, outlets, mentions, entities
    stories: pl.DataFrame = field(default_factory=pl.DataFrame)
    alerts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ALERT_SCHEMA))
    # language, articles, without_model: articles of the period with the ner_model_missing warning
    ner_coverage: pl.DataFrame = field(default_factory=pl.DataFrame)
    empty_reason: str | None = None  # set: the "no articles yet" page, with this explanation


# -- pure figures ---------------------------------------------------------------------------------

def _layout(fig: go.Figure, height: int = 340, **extra: Any) -> go.Figure:
    fig.update_layout(template="plotly_white", height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
                      legend={"orientation": "h", "y": -0.18}, hovermode="closest", **extra)
    return fig


def _day_labels(days: Sequence[date]) -> list[str]:
    return [d.isoformat() for d in days]


def volume_figure(volume: pl.DataFrame, days: Sequence[date], top: int = TOP_PUBLISHERS) -> go.Figure | None:
    """Articles per day (all publishers), with one line for each of the `top` busiest publishers."""
    if volume.is_empty():
        return None
    labels = _day_labels(days)
    totals = volume.group_by("day").agg(pl.col("articles").sum())
    per_day = dict(zip(totals["day"].to_list(), totals["articles"].to_list(), strict=True))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=labels, y=[per_day.get(d, 0) for d in days], name="all publishers",
                             mode="lines+markers", line={"width": 3, "color": "#222"}))
    busiest = (volume.group_by("publisher").agg(pl.col("articles").sum())
               .sort(["articles", "publisher"], descending=[True, False]).head(top))
    for i, publisher in enumerate(busiest["publisher"].to_list()):
        rows = volume.filter(pl.col("publisher") == publisher)
        counts = dict(zip(rows["day"].to_list(), rows["articles"].to_list(), strict=True))
        fig.add_trace(go.Scatter(x=labels, y=[counts.get(d, 0) for d in days], name=str(publisher),
                                 mode="lines+markers",
                                 line={"width": 1.5, "color": PALETTE[i % len(PALETTE)]}))
    return _layout(fig, xaxis={"type": "category", "title": None},
                   yaxis={"title": "articles", "rangemode": "tozero"})


def top_entities(entity_counts: pl.DataFrame, types: Sequence[str], n: int = TOP_ENTITIES) -> pl.DataFrame:
    """The `n` most-mentioned entities of these types, with the change against the previous period."""
    if entity_counts.is_empty():
        return entity_counts
    return (entity_counts.filter(pl.col("entity_type").is_in(list(types)) & (pl.col("mentions") > 0))
            .sort(["mentions", "canonical_name"], descending=[True, False]).head(n)
            .with_columns((pl.col("mentions") - pl.col("previous_mentions")).alias("change")))


def change_text(mentions: int, previous: int) -> str:
    """'+5 (+40%)', '−2 (−10%)', 'new' or '±0' for a bar label."""
    if previous == 0:
        return "new" if mentions else "±0"
    delta = mentions - previous
    if delta == 0:
        return "±0"
    sign = "+" if delta > 0 else "−"
    return f"{sign}{abs(delta)} ({sign}{abs(delta) / previous:.0%})"


def entity_figure(top: pl.DataFrame) -> go.Figure | None:
    """Horizontal bars: mentions in the period, labelled with the change against the previous one."""
    if top.is_empty():
        return None
    rows = top.reverse()  # plotly draws the first bar at the bottom
    names = rows["canonical_name"].to_list()
    mentions = rows["mentions"].to_list()
    previous = rows["previous_mentions"].to_list()
    colors = ["#2ca02c" if m > p else "#d62728" if m < p else "#7f7f7f"
              for m, p in zip(mentions, previous, strict=True)]
    fig = go.Figure(go.Bar(
        x=mentions, y=names, orientation="h", marker={"color": colors},
        text=[change_text(m, p) for m, p in zip(mentions, previous, strict=True)], textposition="outside",
        customdata=previous,
        hovertemplate="%{y}: %{x} mentions (previous period %{customdata})<extra></extra>"))
    fig.update_traces(cliponaxis=False)
    # Room on the right for the change labels.
    return _layout(fig, height=max(200, 34 * len(names) + 60), showlegend=False,
                   xaxis={"title": "mentions", "range": [0, max(mentions) * 1.6]}, yaxis={"automargin": True})


def watch_spikes(data: ReportData) -> pl.DataFrame:
    """Spike alerts the rule raises for the watched entities on the period's days (ALERT_SCHEMA)."""
    if data.watch_daily.is_empty() or not data.watched:
        return pl.DataFrame(schema=ALERT_SCHEMA)
    judged = evaluate_alerts(data.watch_daily, data.data_days, data.period.days, set(data.watched),
                             data.rules)
    return judged.filter(pl.col("kind") == "spike")


def watchlist_figure(data: ReportData, spikes: pl.DataFrame) -> go.Figure | None:
    """One daily mention line per watched entity over the period, spikes marked."""
    days = list(data.period.days)
    if not data.watched or not days:
        return None
    labels = _day_labels(days)
    if data.watch_daily.is_empty():
        return None
    in_period = data.watch_daily.filter(pl.col("day").is_in(days))
    if in_period.is_empty():
        return None
    fig = go.Figure()
    totals = in_period.group_by("entity_id").agg(pl.col("mentions").sum()).sort("mentions", descending=True)
    for i, entity_id in enumerate(totals["entity_id"].to_list()):
        rows = in_period.filter(pl.col("entity_id") == entity_id)
        counts = dict(zip(rows["day"].to_list(), rows["mentions"].to_list(), strict=True))
        name = data.watched.get(entity_id) or rows["canonical_name"][0]
        fig.add_trace(go.Scatter(x=labels, y=[counts.get(d, 0) for d in days], name=str(name),
                                 mode="lines+markers", line={"color": PALETTE[i % len(PALETTE)]}))
    if not spikes.is_empty():
        fig.add_trace(go.Scatter(
            x=[d.isoformat() for d in spikes["day"].to_list()], y=spikes["mentions"].to_list(), name="spike",
            mode="markers", marker={"symbol": "star", "size": 16, "color": "#d62728",
                                    "line": {"width": 1, "color": "#fff"}},
            text=[f"{n}: {d}" for n, d in zip(spikes["canonical_name"].to_list(), spikes["detail"].to_list(),
                                              strict=True)],
            hovertemplate="%{text}<extra>spike</extra>"))
    return _layout(fig, xaxis={"type": "category"}, yaxis={"title": "mentions", "rangemode": "tozero"})


def bar_figure(labels: Sequence[str], values: Sequence[int], color: str, title: str) -> go.Figure | None:
    """A plain horizontal bar chart, largest first; None without data."""
    if not labels:
        return None
    pairs = sorted(zip(labels, values, strict=True), key=lambda p: (p[1], p[0]))
    fig = go.Figure(go.Bar(x=[v for _, v in pairs], y=[str(lbl) for lbl, _ in pairs], orientation="h",
                           marker={"color": color}, text=[v for _, v in pairs], textposition="outside"))
    fig.update_traces(cliponaxis=False)
    return _layout(fig, height=max(180, 30 * len(pairs) + 60), showlegend=False,
                   xaxis={"title": title, "range": [0, max(v for _, v in pairs) * 1.2]},
                   yaxis={"automargin": True})


# -- HTML -------------------------------------------------------------------------------------------

def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def link(url: Any, text: Any) -> str:
    """An <a> for http(s) URLs only (a stored `javascript:` URL must not become a link)."""
    target = str(url or "")
    if target.lower().startswith(("http://", "https://")):
        return f'<a href="{esc(target)}" rel="noopener noreferrer" target="_blank">{esc(text)}</a>'
    return esc(text)


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return "—" if value is None else esc(value)


class _Charts:
    """Numbers the chart divs and turns figures into HTML fragments (plotly.js is embedded once)."""

    def __init__(self) -> None:
        self.count = 0

    def html(self, fig: go.Figure | None, name: str, empty: str) -> str:
        if fig is None:
            return f'<p class="empty">{esc(empty)}</p>'
        self.count += 1
        div = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{name}",
                          config={"displaylogo": False, "displayModeBar": False, "responsive": True})
        return f'<div class="chart" data-chart="{esc(name)}">{div}</div>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _card(label: str, value: Any, note: str = "") -> str:
    return (f'<div class="card"><div class="value">{esc(value)}</div><div class="label">{esc(label)}</div>'
            + (f'<div class="note">{esc(note)}</div>' if note else "") + "</div>")


def _change(now: int, before: int) -> str:
    if not before:
        return "new" if now else "—"
    return f"{(now - before) / before:+.0%}"


def _rate(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0%}"


def ner_model_share(coverage: pl.DataFrame) -> tuple[int, int]:
    """(articles without a person/organisation model, all articles) of the period."""
    if coverage.is_empty():
        return 0, 0
    return int(coverage["without_model"].sum()), int(coverage["articles"].sum())


def ner_coverage_note(coverage: pl.DataFrame) -> str:
    """One line under the top entities: how many articles no model could read for people and
    organisations, by language, so an empty or short list is not read as "nobody mentioned"."""
    missing, total = ner_model_share(coverage)
    if not missing:
        return ""
    languages = ", ".join(f"{row['language']} {row['without_model']}"
                          for row in coverage.filter(pl.col("without_model") > 0).iter_rows(named=True))
    return (f'<p class="sub warn" id="ner-model-missing"><strong>{missing} of {total} articles '
            f"({missing / total:.0%})</strong> are in a language without a person/organisation model "
            f"({esc(languages)}): their places, knowledge-base organisations and watchlist entries are "
            "counted, other people and organisations are not (DQ warning <code>ner_model_missing</code>)."
            "</p>")


def _fill_rows(fill: pl.DataFrame) -> list[list[str]]:
    rows = []
    for r in fill.iter_rows(named=True):
        cells = [esc(r["publisher"]), str(r["articles"])]
        for name in ("date", "author", "body"):
            now, before = r[f"{name}_rate"], r[f"previous_{name}_rate"]
            dropped = (before is not None and now is not None
                       and (r["previous_articles"] or 0) >= FILL_MIN_PREVIOUS and before - now >= FILL_DROP)
            text = _rate(now) + (f" <small>(was {_rate(before)})</small>" if before is not None else "")
            cells.append(f'<span class="drop" title="dropped from {_rate(before)}">▼ {text}</span>' if dropped
                         else text)
        rows.append(cells)
    return rows


def _cluster_blocks(clusters: pl.DataFrame, limit: int = 8) -> str:
    if clusters.is_empty():
        return '<p class="empty">No story was carried by more than one outlet in this period.</p>'
    blocks = []
    order = (clusters.group_by("cluster_id").agg(pl.col("cluster_size").max(), pl.col("published_at").min())
             .sort(["cluster_size", "published_at", "cluster_id"], descending=[True, False, False],
                   nulls_last=True).head(limit))
    for cluster_id, size in zip(order["cluster_id"].to_list(), order["cluster_size"].to_list(), strict=True):
        members = clusters.filter(pl.col("cluster_id") == cluster_id).sort("rank")
        first = members.row(0, named=True)
        items = []
        for m in members.iter_rows(named=True):
            badge = ' <span class="badge">original</span>' if m["is_original"] else ""
            items.append(f"<li>{link(m['url'], m['publisher'] or '(unknown publisher)')}{badge} "
                         f"<small>{_when(m['published_at'])}</small></li>")
        blocks.append(f'<div class="cluster"><h3>{link(first["url"], first["title"] or "(untitled)")} '
                      f'<small>{size} articles</small></h3><ol>{"".join(items)}</ol></div>')
    return "".join(blocks)


_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f4f5f7;
       color: #1d2330; }
header { background: #1d2330; color: #fff; padding: 22px 32px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header .meta { color: #c5cad6; font-size: 13px; }
main { max-width: 1180px; margin: 0 auto; padding: 18px 24px 40px; }
section { background: #fff; border-radius: 8px; padding: 16px 20px; margin: 16px 0;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); }
h2 { margin: 0 0 4px; font-size: 19px; }
h3 { font-size: 15px; margin: 12px 0 4px; }
p.sub { margin: 0 0 10px; color: #5b6475; font-size: 13px; }
p.sub.warn { color: #8a4b00; }
p.empty { color: #5b6475; font-style: italic; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.card { background: #f4f5f7; border-radius: 6px; padding: 10px 14px; }
.card .value { font-size: 24px; font-weight: 600; }
.card .label { font-size: 12px; color: #5b6475; text-transform: uppercase; letter-spacing: .04em; }
.card .note { font-size: 12px; color: #5b6475; }
.grid3 { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 12px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fill, minmax(450px, 1fr)); gap: 12px; }
.grid3 > div, .grid2 > div, .chart { min-width: 0; }  /* let charts shrink to their column */
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e6ec; vertical-align: top; }
th { background: #f4f5f7; font-weight: 600; }
.drop { color: #b00020; font-weight: 600; }
.badge { background: #1f77b4; color: #fff; border-radius: 3px; padding: 0 5px; font-size: 11px; }
.cluster ol { margin: 2px 0 8px; padding-left: 22px; font-size: 13px; }
a { color: #1558b0; text-decoration: none; }
a:hover { text-decoration: underline; }
small { color: #5b6475; }
.kind-spike { color: #b00020; font-weight: 600; }
.kind-new_entity { color: #9467bd; font-weight: 600; }
"""

# After plotly drew the charts: mark each with what it holds, for people debugging and for tests.
_CHECK_SCRIPT = """
<script>
window.addEventListener('load', function () {
  var charts = document.querySelectorAll('.plotly-graph-div');
  charts.forEach(function (el) {
    // A chart drawn before the rest of the page was laid out may be wider than its column.
    if (window.Plotly && Plotly.Plots) { Plotly.Plots.resize(el); }
    var full = el._fullData || [];
    var points = 0;
    full.forEach(function (t) { points += (t._length || 0); });
    el.setAttribute('data-traces', String((el.data || []).length));
    el.setAttribute('data-points', String(points));
    el.setAttribute('data-rendered', el.classList.contains('js-plotly-plot') ? 'yes' : 'no');
  });
  document.body.setAttribute('data-charts', String(charts.length));
});
</script>
"""


def _page(title: str, meta: str, body: str, with_plotly: bool) -> str:
    plotly = f'<script type="text/javascript">{get_plotlyjs()}</script>' if with_plotly else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{_CSS}</style>{plotly}</head>"
            f'<body><header><h1>{esc(title)}</h1><div class="meta">{meta}</div></header>'
            f"<main>{body}</main>{_CHECK_SCRIPT if with_plotly else ''}</body></html>\n")


def empty_page(data: ReportData, reason: str, heading: str = "No articles yet") -> str:
    """The friendly page for a warehouse (or a period) without articles; `reason` says which."""
    sentence = reason[:1].upper() + reason[1:]
    body = (f'<section class="empty-warehouse"><h2>{esc(heading)}</h2><p>{esc(sentence)}.</p>'
            "<p>Load some news with <code>mediamon run --source PATH_OR_URL</code> (or configure "
            "<code>[[sources]]</code> in <code>mediamon.toml</code>), then run <code>mediamon report</code> "
            "again.</p></section>")
    meta = f"generated {_when(data.generated_at)} · warehouse {esc(data.warehouse)}"
    return _page("mediamon report", meta, body, with_plotly=False)


def render_report(data: ReportData) -> str:
    """The whole page (see the module docstring)."""
    if data.empty_reason is not None:
        return empty_page(data, data.empty_reason)
    if not data.period.days:
        return empty_page(data, "the warehouse has no articles in the period asked for "
                                f"({data.period.label})", heading="No articles in this period")
    charts = _Charts()
    period = data.period
    sections = []

    # Overview
    change = (f"{change_text(data.articles, data.previous_articles)} vs the {len(period.previous)} days "
              "before" if period.previous else "no earlier days to compare")
    publishers = data.volume["publisher"].n_unique() if not data.volume.is_empty() else 0
    mentioned = int((data.entity_counts["mentions"] > 0).sum()) if not data.entity_counts.is_empty() else 0
    sections.append(
        '<section id="overview"><div class="cards">'
        + _card("articles", data.articles, change) + _card("publishers", publishers)
        + _card("entities mentioned", mentioned)
        + (_card("no person/org model", f"{ner_model_share(data.ner_coverage)[0] / data.articles:.0%}",
                 "of articles: see Top entities")
           if data.articles and ner_model_share(data.ner_coverage)[0] else "")
        + _card("alerts", data.alerts.height, "stored by mediamon alerts")
        + "</div></section>")

    # Volume
    sections.append(
        '<section id="volume"><h2>Volume</h2><p class="sub">Articles per day (publication day; the day '
        f"mediamon first saw a story when the page gave no date), all publishers and the {TOP_PUBLISHERS} "
        "busiest. Exact copies are left out.</p>"
        + charts.html(volume_figure(data.volume, period.days), "volume", "No articles in this period.")
        + "</section>")

    # Top entities
    parts = []
    for label, types in ENTITY_GROUPS:
        top = top_entities(data.entity_counts, types)
        parts.append(f"<div><h3>{esc(label)}</h3>"
                     + charts.html(entity_figure(top), f"entities-{label.lower()}",
                                   f"No {label.lower()} mentioned.")
                     + "</div>")
    sections.append(
        '<section id="entities"><h2>Top entities</h2><p class="sub">Mentions in the period; labels give the '
        f"change against the previous {len(period.previous)} days with articles.</p>"
        + ner_coverage_note(data.ner_coverage)
        + f'<div class="grid3">{"".join(parts)}</div></section>')

    # Watchlist
    spikes = watch_spikes(data)
    if not data.watched:
        watch_html = ('<p class="empty">No watchlist entities: name your own in a watchlist file '
                      "(<code>[entities] watchlist</code> in mediamon.toml, see docs/data-model.md).</p>")
    else:
        watch_html = charts.html(watchlist_figure(data, spikes), "watchlist",
                                 f"None of the {len(data.watched)} watchlist entities was mentioned in "
                                 "this period.")
    r = data.rules
    sections.append(
        '<section id="watchlist"><h2>Watchlist</h2><p class="sub">Daily mentions of each watched entity; '
        f"★ marks a spike: at least {r.min_mentions} mentions and above the median + "
        f"{r.mad_multiplier:g} × MAD "
        f"of the {r.window_days} days before ([alerts] in mediamon.toml).</p>{watch_html}</section>")

    # Topics: a line per [[topics]] entry
    if data.topic_counts.is_empty():
        topics_html = ('<p class="empty">No topics: define saved searches as <code>[[topics]]</code> with a '
                       "<code>name</code> and a Boolean <code>query</code> in mediamon.toml (README).</p>")
    else:
        topics_html = _table(["topic", "articles", "change", "outlets"], [
            [esc(t["topic"]), str(t["articles"]), esc(_change(t["articles"], t["previous_articles"])),
             str(t["outlets"])] for t in data.topic_counts.iter_rows(named=True)], cls="topics")
    sections.append('<section id="topics"><h2>Topics</h2><p class="sub">'
                    "Articles matching each topic's query "
                    f"in the period; change against the previous {len(period.previous)} days with articles. "
                    "Spikes per topic are judged by <code>mediamon alerts</code> like watchlist entities.</p>"
                    f"{topics_html}</section>")

    # Alerts
    if data.alerts.is_empty():
        alerts_html = ('<p class="empty">No alerts stored for this period '
                       '(run <code>mediamon alerts</code>).</p>')
    else:
        alerts_html = _table(["day", "kind", "entity", "mentions", "outlets", "why"], [
            [_when(a["day"]),
             f'<span class="kind-{esc(a["kind"])}">{esc(a["kind"]).replace("_", " ")}</span>',
             f"{esc(a['canonical_name'])} <small>{esc(a['entity_type'])}</small>", str(a["mentions"]),
             str(a["outlets"]), esc(a["detail"])] for a in data.alerts.iter_rows(named=True)])
    sections.append('<section id="alerts"><h2>Alerts</h2><p class="sub">Stored by '
                    "<code>mediamon alerts</code> for the period's days, newest first (at most 50).</p>"
                    f"{alerts_html}</section>")

    # Syndication
    sections.append(
        '<section id="syndication"><h2>Syndication</h2><p class="sub">The largest clusters of near-identical '
        "stories with a member in this period: the original (or earliest) publisher first, then the "
        f"copies in order of publication.</p>{_cluster_blocks(data.clusters)}</section>")

    # Data quality
    runs = data.runs
    dq_cards = ""
    if not runs.is_empty():
        totals = data.dq_totals or {
            "documents in": int(runs["documents_in"].fill_null(0).sum()),
            "articles": int(runs["articles"].fill_null(0).sum()),
            "quarantined": int(runs["quarantined"].fill_null(0).sum()),
            "DQ warnings": int(runs["dq_warnings"].fill_null(0).sum())}
        dq_cards = ('<div class="cards">' + _card("runs", runs.height)
                    + "".join(_card(name, value) for name, value in totals.items()) + "</div>")
        first, last = runs["started_at"].min(), runs["started_at"].max()
        runs_note = (f"{runs.height} run{'s' if runs.height != 1 else ''} started "
                     f"{_when(first)}{' – ' + _when(last) if runs.height > 1 else ''}")
    else:
        runs_note = "no completed runs recorded"
    q = data.quarantine_reasons
    dq_checks = data.dq_checks
    qfig = (bar_figure(q["reason"].to_list(), q["documents"].to_list(), "#d62728", "documents")
            if not q.is_empty() else None)
    cfig = (bar_figure(dq_checks["expectation"].to_list(), dq_checks["warnings"].to_list(), "#ff7f0e",
                       "warnings") if not dq_checks.is_empty() else None)
    fill_html = ('<p class="empty">No articles in this period.</p>' if data.fill_rates.is_empty() else
                 _table(["publisher", "articles", "date", "authors", "body ≥ 50 words"],
                        _fill_rows(data.fill_rates), "fill"))
    sections.append(
        f'<section id="quality"><h2>Data quality</h2><p class="sub">{esc(runs_note)}.</p>{dq_cards}'
        '<div class="grid2"><div><h3>Quarantined by reason</h3>'
        + charts.html(qfig, "quarantine", "Nothing quarantined.")
        + "</div><div><h3>DQ warnings by check</h3>"
        + charts.html(cfig, "dq-checks", "No DQ warnings.")
        + "</div></div><h3>Field fill rates by publisher</h3>"
        f'<p class="sub">The busiest publishers of the period; ▼ marks a rate at least {FILL_DROP:.0%} '
        f"lower than in the previous period.</p>{fill_html}</section>")

    # Stories
    if data.stories.is_empty():
        stories_html = '<p class="empty">No stories in this period.</p>'
    else:
        stories_html = _table(["story", "publisher", "day", "outlets", "mentions", "entities"], [
            [link(s["url"], s["title"] or "(untitled)"), esc(s["publisher"]), _when(s["day"]),
             str(s["outlets"]), str(s["mentions"]), esc(s["entities"])]
            for s in data.stories.iter_rows(named=True)], "stories")
    sections.append(
        '<section id="stories"><h2>Most-mentioned stories</h2><p class="sub">Ranked by how many outlets '
        "carried the story, then by entity mentions; links go to the source.</p>"
        f"{stories_html}</section>")

    meta = (f"{esc(period.label)} · generated {_when(data.generated_at)} · warehouse {esc(data.warehouse)}")
    return _page("mediamon report", meta, "".join(sections), with_plotly=charts.count > 0)
