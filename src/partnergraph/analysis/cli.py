"""``partnergraph analyze ...``: network analysis on the command line.

Each command parses its options into :class:`~partnergraph.analysis.scope.Filters`,
calls one library function and prints its ``table()`` (as a table or CSV) or
its ``as_dict()`` (JSON), the same shapes the HTTP API returns. Errors are
turned into a message and exit status 2 by :func:`partnergraph.cli.main`.

The library is imported inside each command: networkx takes half a second to
import, which the other ``partnergraph`` commands should not pay.

.. code-block:: sh

    partnergraph analyze centrality --region 関東 --limit 10
    partnergraph analyze path 世田谷区 川場村 --as-of 1990-01-01
    partnergraph analyze resilience --flagged-only --format csv
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol

import typer

from partnergraph.errors import InvalidInputError
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.tables import render_csv, render_json, render_table

if TYPE_CHECKING:
    from partnergraph.analysis.scope import Filters

app = typer.Typer(
    help="Network analysis: centrality, communities, paths, suggestions, resilience, export.",
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class GraphFormat(StrEnum):
    graphml = "graphml"
    gexf = "gexf"


class Result(Protocol):
    @property
    def header(self) -> tuple[str, ...]: ...

    def table(self) -> list[list[object]]: ...

    def as_dict(self) -> dict[str, object]: ...


Types = Annotated[
    list[str] | None,
    typer.Option(
        "--type",
        "-t",
        help="Relation type (agreement notation, energy-supply, forum, "
        "membership); repeatable. Default: all.",
    ),
]
AsOf = Annotated[str | None, typer.Option(help="Only relations begun by this date (YYYY-MM-DD).")]
Prefecture = Annotated[
    str | None, typer.Option(help="Only bodies in this prefecture (number, code or name).")
]
Region = Annotated[
    str | None,
    typer.Option(
        help="Only bodies in this region: 北海道 東北 関東 中部 近畿 中国 四国 九州・沖縄."
    ),
]
Isolated = Annotated[
    bool, typer.Option(help="Add every local government, also those with no relation.")
]
Format = Annotated[OutputFormat, typer.Option("--format", "-f")]
Limit = Annotated[int | None, typer.Option(help="Show at most this many rows.")]


def _filters(
    types: list[str] | None,
    as_of: str | None,
    prefecture: str | None,
    region: str | None,
    include_isolated: bool,
) -> Filters:
    from partnergraph.analysis.scope import Filters

    day = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InvalidInputError(
                f"--as-of must be a date YYYY-MM-DD, got {as_of!r}", field="as_of"
            ) from None
    return Filters(
        types=tuple(types) if types else None,
        as_of=day,
        prefecture=prefecture,
        region=region,
        include_isolated=include_isolated,
    )


def _store() -> GraphStore:
    return GraphStore.open(Settings.from_env())


def _emit(result: Result, fmt: OutputFormat, title: str | None = None) -> None:
    if fmt is OutputFormat.json:
        typer.echo(render_json(result.as_dict()), nl=False)
    elif fmt is OutputFormat.csv:
        typer.echo(render_csv(result.header, result.table()), nl=False)
    else:
        if title:
            typer.echo(title)
        rows = result.table()
        if rows:
            typer.echo(render_table(result.header, rows), nl=False)


@app.command()
def centrality(
    type: Types = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    include_isolated: Isolated = False,
    sort: Annotated[
        str, typer.Option(help="pagerank, betweenness, closeness, degree, weighted_degree, core.")
    ] = "pagerank",
    limit: Limit = None,
    format: Format = OutputFormat.table,
) -> None:
    """Degree, weighted degree, betweenness, closeness, PageRank and k-core of each body."""
    from partnergraph.analysis.measures import centrality as run

    f = _filters(type, as_of, prefecture, region, include_isolated)
    result = run(_store(), f, sort=sort, limit=limit)
    _emit(
        result,
        format,
        f"{result.nodes} bodies, {result.relations} relations; "
        f"betweenness {result.betweenness_method}",
    )


@app.command()
def communities(
    type: Types = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    include_isolated: Isolated = False,
    format: Format = OutputFormat.table,
) -> None:
    """Louvain communities (fixed seed: the same graph always splits the same way)."""
    from partnergraph.analysis.structure import communities as run

    result = run(_store(), _filters(type, as_of, prefecture, region, include_isolated))
    _emit(
        result,
        format,
        f"{len(result.communities)} communities, modularity {result.modularity}; "
        f"{result.singletons} bodies on their own",
    )


@app.command()
def structure(
    type: Types = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    include_isolated: Isolated = False,
    format: Format = OutputFormat.table,
) -> None:
    """Bridges, articulation points, the main k-core and the overlap of relation layers."""
    from partnergraph.analysis.structure import structure as run

    _emit(run(_store(), _filters(type, as_of, prefecture, region, include_isolated)), format)


@app.command()
def path(
    source: Annotated[str, typer.Argument(help="From: code, slug or name.")],
    target: Annotated[str, typer.Argument(help="To: code, slug or name.")],
    type: Types = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    format: Format = OutputFormat.table,
) -> None:
    """A shortest chain of relations between two bodies, each hop with its relations."""
    from partnergraph.analysis.paths import shortest_path
    from partnergraph.citations import document_titles

    f = _filters(type, as_of, prefecture, region, False)
    store = _store()
    result = shortest_path(store, source, target, f)
    names = " → ".join(str(n["name_ja"] or n["name_en"]) for n in result.nodes)
    if format is not OutputFormat.table:
        _emit(result, format, f"{names} ({len(result.hops)} hop(s))")
        return
    # People read titles: the tie's own title (its IRI only when it has none), source titles.

    def sources(row: list[object]) -> list[str]:
        cited = row[6]
        return [str(s) for s in cited] if isinstance(cited, list | tuple) else []

    titles = document_titles(store)
    rows = [
        [*row[:4], row[4] or row[3], row[5], [titles.get(s, (s,))[0] for s in sources(row)]]
        for row in result.table()
    ]
    typer.echo(f"{names} ({len(result.hops)} hop(s))")
    if rows:
        typer.echo(render_table(result.header, rows), nl=False)


@app.command()
def ego(
    body: Annotated[str, typer.Argument(help="Code, slug or name.")],
    hops: Annotated[int, typer.Option("--hops", "-k", help="Radius in hops, 1 to 4.")] = 1,
    type: Types = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    format: Format = OutputFormat.table,
) -> None:
    """Everyone within HOPS relations of a body, with the distance."""
    from partnergraph.analysis.paths import ego_network

    result = ego_network(_store(), body, hops, _filters(type, as_of, prefecture, region, False))
    _emit(
        result,
        format,
        f"{len(result.nodes)} bodies and {len(result.edges)} relations within {hops} hop(s)",
    )


@app.command()
def suggest(
    body: Annotated[str, typer.Argument(help="Code, slug or name.")],
    type: Types = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    include_isolated: Isolated = False,
    limit: Annotated[int, typer.Option(help="How many suggestions.")] = 10,
    format: Format = OutputFormat.table,
) -> None:
    """Candidate partners for a body, with the reasons (ja, en) and the evidence."""
    from partnergraph.analysis.suggest import suggest as run

    f = _filters(type, as_of, prefecture, region, include_isolated)
    _emit(run(_store(), body, f, limit=limit), format)


@app.command()
def resilience(
    body: Annotated[
        str | None, typer.Argument(help="One local government (default: all with a relation).")
    ] = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    include_isolated: Isolated = False,
    radius_km: Annotated[
        float | None,
        typer.Option(
            help="Near means within this distance (default PARTNERGRAPH_RESILIENCE_RADIUS_KM)."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="Candidates per flagged body.")] = 5,
    flagged_only: Annotated[
        bool, typer.Option(help="Only bodies flagged no-pact or all-near.")
    ] = False,
    format: Format = OutputFormat.table,
    page: Annotated[
        int | None, typer.Option(help="Page of the entries, from 1 (all if unset).")
    ] = None,
    page_size: Annotated[
        int | None, typer.Option(help="Entries per page (default 100, max 1000).")
    ] = None,
) -> None:
    """Disaster-pact partners with distances; flags no-pact and all-near, with far candidates."""
    from partnergraph.analysis.resilience import resilience as run
    from partnergraph.paging import Page

    f = _filters(None, as_of, prefecture, region, include_isolated)
    wanted = None if page is None and page_size is None else Page.parse(page, page_size)
    result = run(
        _store(),
        body,
        f,
        radius_km=radius_km,
        limit=limit,
        flagged_only=flagged_only,
        page=wanted,
    )
    more = f"; more on --page {wanted.next.number}" if wanted and result.more else ""
    _emit(
        result,
        format,
        f"{len(result.entries)} local government(s), radius {result.radius_km:g} km{more}",
    )
    if more and format is not OutputFormat.table:
        typer.echo(f"more entries follow: --page {wanted.next.number}", err=True)  # type: ignore[union-attr]


@app.command()
def export(
    format: Annotated[GraphFormat, typer.Option("--format", "-f")] = GraphFormat.graphml,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
    directed: Annotated[
        bool, typer.Option(help="Supplies and memberships one way, agreements both ways.")
    ] = False,
    type: Types = None,
    as_of: AsOf = None,
    prefecture: Prefecture = None,
    region: Region = None,
    include_isolated: Isolated = False,
) -> None:
    """Write the filtered graph as GraphML or GEXF (for Gephi, Cytoscape, yEd)."""
    from partnergraph.analysis.export import export_graph

    f = _filters(type, as_of, prefecture, region, include_isolated)
    data = export_graph(_store(), f, format.value, directed=directed)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        typer.echo(f"wrote {len(data):,} bytes to {output}", err=True)
