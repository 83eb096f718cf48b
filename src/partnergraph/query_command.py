"""``partnergraph query``: SPARQL text, a ``.rq`` file or a saved query, answered on the console.

Split from :mod:`partnergraph.cli` (registered there): the command and the
helpers that tell a saved query's name from a file and from SPARQL text.
"""

from __future__ import annotations

import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pyoxigraph as ox
import typer

from partnergraph.directory import Directory
from partnergraph.errors import InvalidInputError, QueryError
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.tables import FULL_HELP, TABLE_WIDTH, render_csv, render_table
from partnergraph.terms import plain

if TYPE_CHECKING:
    from collections.abc import Mapping

    from partnergraph.saved_queries import SavedQuery


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ttl = "ttl"


def query(
    sparql: Annotated[
        str,
        typer.Argument(help="A SPARQL query, a .rq file, a saved query's name, or - for stdin."),
    ],
    format: Annotated[QueryFormat, typer.Option("--format", "-f")] = QueryFormat.table,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="NAME=VALUE for a saved query's parameter; repeatable."),
    ] = None,
    full: Annotated[bool, typer.Option("--full", help=FULL_HELP)] = False,
    page: Annotated[
        int | None, typer.Option(help="A saved query's page number, from 1 (all rows if unset).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Rows per page of a saved query (default 100, max 1000).")
    ] = None,
) -> None:
    """Run a SPARQL query over the graph (the default graph is the union of all graphs).

    A saved query (graph/queries/NAME.rq, by name or path) takes its parameters
    from --param, with the defaults of its header; values are bound as RDF terms.
    With --page or --limit it answers one page, as the API does, and says on
    stderr when a next page exists.
    """
    # Imported here: it brings rdflib's SPARQL parser, which the other commands never need.
    from partnergraph.saved_query_files import load_saved_queries

    store = GraphStore.open(Settings.from_env())
    queries = load_saved_queries(store.settings.graph_dir)
    saved = _saved_query(sparql, queries, store.settings.graph_dir)
    wanted = None
    if saved is None:
        if _SAVED_NAME.fullmatch(sparql) and not Path(sparql).exists():
            # Looks like a saved query's name, not SPARQL: say it is unknown, with close names.
            from partnergraph.saved_queries import get_saved_query

            get_saved_query(queries, sparql)
        if param:
            raise InvalidInputError("--param needs a saved query (graph/queries/NAME.rq)", "param")
        if page is not None or limit is not None:
            raise InvalidInputError("--page and --limit need a saved query", "page")
        text, bindings = _query_text(sparql), {}
    else:
        from partnergraph.paging import Page
        from partnergraph.saved_queries import as_terms, page_text

        raw = dict(_pair(p) for p in param or [])
        text, bindings = saved.text, as_terms(saved.bind(raw, Directory.load(store)))
        if page is not None or limit is not None:
            wanted = Page.parse(page, limit)
            text = page_text(saved, wanted)
    result = store.query(text, bindings, prefixes=True)  # a syntax error is worded as on the web
    if isinstance(result, ox.QueryBoolean):
        typer.echo("true" if bool(result) else "false")
    elif isinstance(result, ox.QueryTriples):
        fmt = ox.RdfFormat.JSON_LD if format is QueryFormat.json else ox.RdfFormat.TURTLE
        typer.echo((ox.serialize(result, format=fmt) or b"").decode(), nl=False)
    elif format in (QueryFormat.table, QueryFormat.csv):
        header = [v.value for v in result.variables]
        rows = [[plain(s[h]) for h in header] for s in result]
        if wanted is not None:
            rows, more = wanted.split(rows)
            if more:
                typer.echo(f"more rows follow: --page {wanted.next.number}", err=True)
        if format is QueryFormat.table:
            typer.echo(render_table(header, rows, None if full else TABLE_WIDTH))
        else:
            typer.echo(render_csv(header, rows))
    elif wanted is not None and format in (QueryFormat.json, QueryFormat.tsv):
        from partnergraph.sparql.results import write_solutions

        written = write_solutions(result, format.value, wanted.size)
        typer.echo(written.body.decode())
        if written.truncated:
            typer.echo(f"more rows follow: --page {wanted.next.number}", err=True)
    else:
        tabular = (
            ox.QueryResultsFormat.TSV if format is QueryFormat.tsv else ox.QueryResultsFormat.JSON
        )
        typer.echo((result.serialize(format=tabular) or b"").decode())


#: What a saved query's name looks like (a file stem), as opposed to SPARQL text.
_SAVED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _saved_query(arg: str, queries: Mapping[str, SavedQuery], graph_dir: Path) -> SavedQuery | None:
    """The saved query ``arg`` names (by name, or by its path under graph/queries/)."""
    path = Path(arg)
    if arg in queries:
        return queries[arg]
    if (
        path.suffix == ".rq"
        and path.is_file()
        and path.resolve().parent == (graph_dir / "queries").resolve()
    ):
        return queries.get(path.stem)
    return None


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise InvalidInputError(f"--param takes NAME=VALUE, got {text!r}", "param")
    return name.strip(), value


def _query_text(arg: str) -> str:
    if arg == "-":
        return sys.stdin.read()
    path = Path(arg)
    if arg.endswith(".rq") or ("\n" not in arg and _is_file(path)):
        if not _is_file(path):
            raise QueryError(f"no such query file: {arg}")
        return path.read_text(encoding="utf-8")
    return arg


def _is_file(path: Path) -> bool:
    """Whether ``path`` names a file; a query text too long to be a file name is not one."""
    try:
        return path.is_file()
    except OSError:  # ENAMETOOLONG and the like: it is query text
        return False
