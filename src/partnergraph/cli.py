"""The ``partnergraph`` command line.

Each command parses its arguments, calls one library function and prints the
result; library errors are turned into a message and an exit status once, in
:func:`main` (2 for bad input or an unknown name, 1 for everything else).
"""

from __future__ import annotations

import datetime as dt
import os
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
from partnergraph.query_command import query
from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.tables import FULL_HELP, TABLE_WIDTH, render_csv, render_json, render_table

if TYPE_CHECKING:
    pass

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


app.command()(query)  # partnergraph/query_command.py


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
