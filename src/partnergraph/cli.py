"""The ``partnergraph`` command line.

Each command parses its arguments, calls one library function and prints the
result; library errors are turned into a message and an exit status once, in
:func:`main` (2 for bad input or an unknown name, 1 for everything else).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pyoxigraph as ox
import typer

from partnergraph.analysis.cli import app as analyze_app
from partnergraph.assets import require_assets
from partnergraph.directory import Directory
from partnergraph.errors import (
    AssetsMissingError,
    InvalidInputError,
    NotFoundError,
    PartnergraphError,
    QueryError,
    StoreBusyError,
    StoreError,
)
from partnergraph.formats.xlsx_export import partner_workbook
from partnergraph.graphfiles import discover
from partnergraph.inventory import inventory
from partnergraph.partners import partners as find_partners
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.tables import TABLE_WIDTH, render_csv, render_json, render_table
from partnergraph.terms import plain

if TYPE_CHECKING:
    from collections.abc import Mapping

    from partnergraph.saved_queries import SavedQuery

app = typer.Typer(
    help="A cited knowledge graph of partnerships between Japanese local governments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
reference_app = typer.Typer(help="The nationwide reference data (graph/reference/).")
app.add_typer(reference_app, name="reference")
app.add_typer(analyze_app, name="analyze")


class TableFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class PartnerFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


FULL_HELP = "Show every cell in full instead of fitting the table in 100 columns."


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    ttl = "ttl"


class ExportFormat(StrEnum):
    ttl = "ttl"
    trig = "trig"
    nq = "nq"
    jsonld = "jsonld"


EXPORT_FORMATS = {
    ExportFormat.ttl: ox.RdfFormat.TURTLE,
    ExportFormat.trig: ox.RdfFormat.TRIG,
    ExportFormat.nq: ox.RdfFormat.N_QUADS,
    ExportFormat.jsonld: ox.RdfFormat.JSON_LD,
}


def _store() -> GraphStore:
    return GraphStore.open(Settings.from_env())


@app.command()
def load(
    rebuild: Annotated[bool, typer.Option(help="Rebuild even if graph/ is unchanged.")] = False,
) -> None:
    """Build the store from graph/ (only if the files changed, unless --rebuild)."""
    settings = Settings.from_env()
    with typer.progressbar(length=1, label="loading graph/", file=sys.stderr) as bar:
        state = {"done": 0}

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - state["done"])
            state["done"] = done

        store = GraphStore.open(settings, build=False)
        report = (
            store.rebuild(progress=progress) if rebuild else store.ensure_current(progress=progress)
        )
    if report is None:
        typer.echo(f"store is current (graph version {store.stored_version()})")
    else:
        typer.echo(
            f"loaded {report.quads:,} quads from {report.files} files in {report.seconds:.2f} s "
            f"(graph version {report.version}) into {settings.store_location()}"
        )


@app.command()
def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Turtle or TriG files to check with the shipped graph as context."),
    ] = None,
) -> None:
    """Check the shipped graph, or FILES in its context, against graph/shapes.ttl.

    Prints each violation in plain words and exits 1 if there is any; a progress bar
    on stderr shows the step (parsing each file, then the SHACL check).
    """
    from partnergraph.validation import format_violation, validate_files

    settings = Settings.from_env()
    shipped = [f.path for f in discover(settings.graph_dir)]
    with typer.progressbar(length=1, label="validating", file=sys.stderr) as bar:

        def progress(step: str, done: int, total: int) -> None:
            bar.length, bar.label = total, step
            bar.update(done - bar.pos)

        report = validate_files(
            list(files) if files else shipped,
            base_iri=settings.base_iri,
            context=shipped if files else [],
            shapes_path=settings.graph_dir / "shapes.ttl",
            progress=progress,
        )
    for violation in report.violations:
        typer.echo(format_violation(violation))
    if not report.conforms:
        typer.echo(f"{len(report.violations)} violation(s)", err=True)
        raise typer.Exit(1)
    typer.echo("valid: no violations")


@app.command()
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

    store = _store()
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


@app.command()
def partners(
    organization: Annotated[str, typer.Argument(help="Code, slug or name (kanji, kana, romaji).")],
    type: Annotated[
        list[str] | None, typer.Option("--type", "-t", help="Relation type; repeatable.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Only ties that had begun on this date (YYYY-MM-DD).")
    ] = None,
    format: Annotated[PartnerFormat, typer.Option("--format", "-f")] = PartnerFormat.table,
    sort: Annotated[
        str | None,
        typer.Option(
            help="relation (default: formal agreements first, then energy supply, memberships, "
            "forums; by date within each), date, code or name."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (needed for xlsx).")
    ] = None,
    lang: Annotated[str, typer.Option(help="xlsx headings: ja or en.")] = "ja",
    full: Annotated[bool, typer.Option("--full", help=FULL_HELP)] = False,
) -> None:
    """List the partners of a body with the relations that tie them and their sources."""
    store = _store()
    org = Directory.load(store).resolve(organization)
    if format is PartnerFormat.xlsx:
        if output is None:
            raise InvalidInputError("--format xlsx writes a file: give it with -o FILE", "output")
        if lang not in ("ja", "en"):
            raise InvalidInputError(f"--lang takes ja or en, got {lang!r}", "lang")
        types = list(type) if type else None
        book = partner_workbook(store, org.id, types=types, as_of=as_of, sort=sort, lang=lang)
        output.write_bytes(book)
        typer.echo(f"{org.display}: wrote {output}")
        return
    found = find_partners(store, org, types=type, as_of=_date(as_of, "--as-of"), sort=sort)
    if format is PartnerFormat.json:
        payload = {"organization": org.as_dict(), "partners": [p.as_dict() for p in found]}
        typer.echo(render_json(payload), nl=False)
        return
    header = ["partner", "code", "kind", "type", "title", "start", "sources"]
    rows = [
        [
            p.partner.name_ja or p.partner.name_en,
            p.partner.code or p.partner.slug,
            p.partner.kind,
            r.type + (f" ({r.direction})" if r.direction else ""),
            r.title,
            r.start,
            [c.short() for c in r.sources],
        ]
        for p in found
        for r in p.relations
    ]
    if format is PartnerFormat.csv:
        typer.echo(render_csv(header, rows), nl=False)
        return
    typer.echo(f"{org.display}: {len(found)} partner(s)")
    if rows:
        typer.echo(render_table(header, rows, None if full else TABLE_WIDTH), nl=False)


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(f"{option} must be a date YYYY-MM-DD, got {value!r}") from None


@app.command()
def export(
    format: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.trig,
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Write the whole graph.

    TriG and N-Quads keep the named graphs; Turtle and JSON-LD merge them.
    """
    data = _store().dump(EXPORT_FORMATS[format])
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        typer.echo(f"wrote {len(data):,} bytes to {output}", err=True)


@app.command()
def info(
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
) -> None:
    """Counts by class and by source, the store path and the graph version."""
    inv = inventory(_store())
    if format is TableFormat.json:
        typer.echo(render_json(inv.as_dict()), nl=False)
        return
    typer.echo(f"store:         {inv.store_path}")
    typer.echo(f"graph version: {inv.graph_version}")
    typer.echo(f"triples:       {inv.triples:,}")
    typer.echo(f"local governments with an agreement: {inv.local_governments_with_agreements:,}\n")
    rows = list(inv.by_class.items())
    if format is TableFormat.csv:
        typer.echo(render_csv(["class", "count"], rows), nl=False)
        return
    typer.echo(render_table(["class", "count"], rows))
    sources = [[title, n, graph] for graph, (title, n) in inv.by_source.items()]
    typer.echo(render_table(["source", "triples", "graph"], sources), nl=False)


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV agreement list (.csv) or an RDF file (.ttl, .rdf, .jsonld).",
            exists=True,
            dir_okay=False,
        ),
    ],
    owner: Annotated[
        str | None, typer.Option(help="CSV: the body whose list it is, a party of every row.")
    ] = None,
    agent: Annotated[str, typer.Option(help="Name the history records for this import.")] = "cli",
) -> None:
    """Import agreements from a spreadsheet (CSV) or an RDF file: every row, or nothing.

    The columns are listed in the README; errors are listed by row and column.
    """
    from partnergraph.writes.imports import import_file, media_type_for

    store = _store()
    if store.read_only:
        raise StoreBusyError(
            "the store is held by a running server: POST the file to /api/v1/import instead"
        )
    outcome = import_file(store, file.read_bytes(), media_type_for(file), agent, owner=owner)
    body = outcome.body
    what = f"{body['rows']} agreement(s)" if "rows" in body else f"{body['triples']} triple(s)"
    typer.echo(f"imported {what} from {file} ({body['format']}, {body.get('encoding', 'UTF-8')})")
    for line in body.get("warnings") or []:  # type: ignore[attr-defined]
        typer.echo(f"warning: {line}", err=True)
    if body.get("ignored_columns"):
        typer.echo("ignored columns: " + ", ".join(body["ignored_columns"]), err=True)  # type: ignore[arg-type]
    typer.echo(f"recorded as {body['change']}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="API processes (more than one needs a remote store).")
    ] = 1,
) -> None:
    """Serve the SPARQL endpoint, REST API and pages with uvicorn (default 127.0.0.1:8000).

    Refuses to start (exit 2) when the front-end assets are missing, saying how to
    install them, rather than serve pages whose scripts 404.

    uvicorn replaces this process (exec) rather than running inside it: the SPARQL
    workers are started by ``spawn``, which re-imports the parent's main module, and
    this CLI's imports (numpy via the explorer and analysis) start OpenBLAS threads,
    after which a worker's ``unshare(CLONE_NEWUSER)`` fails (EINVAL) and public
    SPARQL would be refused for want of network isolation.

    A remote store is checked and brought up to date here, once, before any
    worker starts (exit 2 naming the endpoint if it cannot be used); several
    workers (``--workers``) need one, since the embedded store has one writer.
    """
    settings = Settings.from_env()
    try:
        require_assets(settings.assets_dir)
    except AssetsMissingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if workers > 1 and not settings.remote:
        typer.echo(
            "error: --workers above 1 needs a remote store (PARTNERGRAPH_STORE=http://…): "
            "the embedded store has one writing process",
            err=True,
        )
        raise typer.Exit(2)
    if settings.remote:
        GraphStore.open(settings).close()  # StoreError: exit 2, naming the endpoint
    command = [sys.executable, "-m", "uvicorn", "--factory", "partnergraph.web.app:create_app"]
    command += ["--host", host or settings.host, "--port", str(port or settings.port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [*command, "--log-level", "info"])


@reference_app.command("build")
def reference_build(
    source: Annotated[Path, typer.Option(help="Folder with lg-codes.csv and coordinates.")] = Path(
        "../shared/reference"
    ),
    out: Annotated[Path, typer.Option(help="Where to write the TriG files.")] = Path(
        "graph/reference"
    ),
) -> None:
    """Regenerate graph/reference/*.trig from the reference CSV and JSON."""
    from partnergraph.reference import build_reference

    report = build_reference(source, out)
    typer.echo(str(report))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning library errors into a message and exit status."""
    try:
        app(args=argv, prog_name="partnergraph")
    except PartnergraphError as exc:
        typer.echo(f"error: {exc}", err=True)
        suggestions = getattr(exc, "suggestions", [])
        if suggestions:
            typer.echo("did you mean: " + ", ".join(suggestions), err=True)
        bad_input = (NotFoundError, InvalidInputError, QueryError, StoreError)
        raise SystemExit(2 if isinstance(exc, bad_input) else 1) from None
