"""Check graph files against ``graph/shapes.ttl`` and say what is wrong in plain words.

pySHACL runs with ``inference="none"``: the ontology is copied into the data graph so that
``sh:class`` and ``sh:targetClass`` follow ``rdfs:subClassOf`` (as SHACL defines them)
without the cost of RDFS inference. Nothing is fetched: no ``owl:imports``, no JS, and
every graph is parsed here from local files.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH, XSD
from rdflib.term import Node

from partnergraph.errors import GraphSourceError
from partnergraph.namespaces import PREFIXES, entity_prefixes
from partnergraph.settings import DEFAULT_BASE_IRI, Settings
from partnergraph.shacl_graph import OxigraphSparqlGraph

# The shipped files; callers with a PARTNERGRAPH_GRAPH_DIR of their own pass paths explicitly.
DEFAULT_SHAPES = Settings().graph_dir / "shapes.ttl"
DEFAULT_ONTOLOGY = Settings().graph_dir / "ontology.ttl"


_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_TEMPLATE = re.compile(r"\{[$?](value|this|path)\}")
_IRI_IN_TEXT = re.compile(r"(?:https?|urn):[^\s()<>\"{}]+")
_LINE = re.compile(r"at line (\d+)")
_PLAIN = {XSD.integer, XSD.decimal, XSD.double, XSD.boolean}
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@dataclass(frozen=True)
class Violation:
    """One result of the validation, ready to print."""

    focus_node: str
    label: str
    property: str | None
    value: str | None
    severity: str
    message: str


@dataclass
class ValidationReport:
    """Whether the graph conforms (no result of severity Violation) and every result found."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "Violation"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity != "Violation"]


def format_violation(v: Violation) -> str:
    """One line: ``Kawaba accord (agr:…): pg:party — an agreement needs at least two parties``."""
    where = v.label if v.label == v.focus_node else f"{v.label} ({v.focus_node})"
    prop = f"{v.property} — " if v.property else ""
    level = "" if v.severity == "Violation" else f"[{v.severity.lower()}] "
    return f"{level}{where}: {prop}{v.message}"


class _Names:
    """Turns nodes into CURIEs and readable labels for messages."""

    def __init__(self, graph: Graph, base_iri: str) -> None:
        self.graph = graph
        spaces = dict(PREFIXES)
        spaces["sh"] = str(SH)
        spaces["pgsh"] = "https://w3id.org/partnergraph/shapes#"
        spaces.update(entity_prefixes(base_iri))
        self._spaces = sorted(spaces.items(), key=lambda kv: len(kv[1]), reverse=True)

    def curie(self, iri: str) -> str:
        for prefix, ns in self._spaces:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns) :]}"
        return iri

    def term(self, node: object) -> str:
        if isinstance(node, URIRef):
            return self.curie(str(node))
        if isinstance(node, Literal):
            if node.datatype in _PLAIN and not node.ill_typed:
                return str(node)
            text = '"' + str(node).replace('"', '\\"') + '"'
            if node.language:
                return f"{text}@{node.language}"
            if node.datatype is not None:
                return f"{text}^^{self.curie(str(node.datatype))}"
            return text
        if isinstance(node, BNode):
            return f"_:{node}"
        return str(node)

    def label(self, node: object, depth: int = 0) -> str:
        labels = {lit.language: str(lit) for lit in self.graph.objects(cast(Node, node), RDFS.label)
                  if isinstance(lit, Literal)}  # fmt: skip
        for lang in ("ja", "en", None):
            if lang in labels:
                return labels[lang]
        if labels:
            return next(iter(labels.values()))
        if isinstance(node, BNode) and depth < 3:
            # A citation or other blank node reads best as "dct:source of <its owner>".
            for owner, prop in self.graph.subject_predicates(node):
                return f"{self.curie(str(prop))} of {self.label(owner, depth + 1)}"
        return self.term(node)

    def message(self, text: str, this: object, path: object, value: object) -> str:
        subs = {"value": value, "this": this, "path": path}
        text = _TEMPLATE.sub(lambda m: self.term(subs[m.group(1)]), text)
        return _IRI_IN_TEXT.sub(lambda m: self.curie(m.group(0)), text)


def _merge(target: Graph, source: Graph | Dataset) -> None:
    if isinstance(source, Dataset):
        target.addN((s, p, o, target) for s, p, o, _ in source.quads((None, None, None, None)))
    else:
        target.addN((s, p, o, target) for s, p, o in source)


def _pick_message(report: Graph, result: object) -> str | None:
    """The English message; pySHACL drops language tags when it fills in SPARQL variables."""
    found = [
        m for m in report.objects(cast(Node, result), SH.resultMessage) if isinstance(m, Literal)
    ]
    english = [str(m) for m in found if m.language == "en"]
    untagged = sorted(str(m) for m in found if not m.language and not _CJK.search(m))
    others = sorted(str(m) for m in found)
    return next(iter(english or untagged or others), None)


def _results(report: Graph, names: _Names, keep: set[object] | None) -> Iterator[Violation]:
    # Only top-level results: pySHACL also types the sh:detail results of sh:node as results.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        if keep is not None and focus not in keep:
            continue
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        raw = _pick_message(report, result) or "does not conform"
        yield Violation(
            focus_node=names.term(focus),
            label=names.label(focus),
            property=names.term(path) if path is not None else None,
            value=names.term(value) if value is not None else None,
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            message=names.message(raw, focus, path, value),
        )


def validate(
    data_graph: Graph | Dataset,
    shapes_path: Path,
    ontology_path: Path,
    *,
    base_iri: str = DEFAULT_BASE_IRI,
    only_nodes: Iterable[object] | None = None,
) -> ValidationReport:
    """Validate the union of ``data_graph``'s graphs with the ontology mixed in.

    ``only_nodes`` limits the report to results about those focus nodes (the nodes of the
    files being checked, when the rest of the shipped graph is only there as context).
    """
    import pyshacl  # here: 0.6 s that server start-up need not pay (only writes validate)

    work = OxigraphSparqlGraph()
    _merge(work, _parse_unchanged(ontology_path, base_iri))
    _merge(work, data_graph)
    work.freeze()
    shapes = _parse_unchanged(shapes_path, base_iri)
    with _quiet_rdflib():
        # advanced=True only for the SHACL-AF SPARQL target of pgsh:LocalGovernmentCodeConsistency.
        _, report, _ = pyshacl.validate(
            work,
            shacl_graph=shapes,
            ont_graph=None,
            inference="none",
            abort_on_first=False,
            allow_infos=True,
            allow_warnings=True,
            inplace=True,
            advanced=True,
            js=False,
            meta_shacl=False,
            do_owl_imports=False,
            debug=False,
        )
        if not isinstance(report, Graph):
            raise GraphSourceError(str(shapes_path), None, f"SHACL validation failed: {report}")
        names = _Names(work, base_iri)
        keep = set(only_nodes) if only_nodes is not None else None
        results = set(_results(report, names, keep))
    found = sorted(
        results,
        key=lambda v: (
            _SEVERITY_ORDER.get(v.severity, 9),
            v.focus_node,
            v.property or "",
            v.message,
        ),
    )
    return ValidationReport(
        conforms=not any(v.severity == "Violation" for v in found), violations=found
    )


def validate_files(
    paths: list[Path],
    *,
    base_iri: str,
    context: list[Path],
    shapes_path: Path | None = None,
    ontology_path: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ValidationReport:
    """Validate graph files (.ttl, .trig) that may refer to bodies described in ``context``.

    Only results about nodes the checked files describe are reported; the context is
    validated when it is itself passed in ``paths``. ``progress(step, done, total)`` is
    told before each file is parsed and before the SHACL check (the longest step), so a
    caller can show how far a run of some 20 s has come.
    """
    extra = [path for path in context if path not in paths]
    total = len(paths) + len(extra) + 1
    report = progress or (lambda step, done, total: None)
    data = Graph()
    described: set[object] = set()
    for done, path in enumerate(paths):
        report(f"parsing {path.name}", done, total)
        parsed = _parse(path, base_iri)
        if isinstance(parsed, Dataset):
            described.update(s for s, _, _, _ in parsed.quads((None, None, None, None)))
        else:
            described.update(parsed.subjects())
        _merge(data, parsed)
    for done, path in enumerate(extra, start=len(paths)):
        report(f"parsing {path.name} (context)", done, total)
        _merge(data, _parse(path, base_iri))
    report("checking the SHACL shapes", total - 1, total)
    result = validate(
        data,
        shapes_path or DEFAULT_SHAPES,
        ontology_path or DEFAULT_ONTOLOGY,
        base_iri=base_iri,
        only_nodes=described,
    )
    report("checked", total, total)
    return result


class _QuietIllTyped(logging.Filter):
    """rdflib logs a traceback for each ill-typed literal; the shapes report those better."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    logger = logging.getLogger("rdflib.term")
    quiet = _QuietIllTyped()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def _parse_unchanged(path: Path, base_iri: str) -> Graph | Dataset:
    """:func:`_parse`, reusing the last parse while the file is unchanged.

    Every write validates against the same shapes and ontology; parsing them
    each time was about half of a write's validation. Callers only read the graph.
    """
    stat = path.stat()
    return _parse_cached(str(path), stat.st_mtime_ns, stat.st_size, base_iri)


@functools.lru_cache(maxsize=8)
def _parse_cached(path: str, mtime_ns: int, size: int, base_iri: str) -> Graph | Dataset:
    return _parse(Path(path), base_iri)


def _parse(path: Path, base_iri: str) -> Graph | Dataset:
    """Parse one Turtle or TriG file; a syntax error becomes :class:`GraphSourceError`."""
    suffix = path.suffix.lower()
    if suffix not in (".ttl", ".trig"):
        raise GraphSourceError(str(path), None, "expected a .ttl or .trig file")
    graph: Graph | Dataset = Dataset() if suffix == ".trig" else Graph()
    try:
        with _quiet_rdflib():
            graph.parse(path, format="trig" if suffix == ".trig" else "turtle", publicID=base_iri)
    except OSError as e:
        raise GraphSourceError(str(path), None, f"cannot read the file: {e.strerror or e}") from e
    except Exception as e:
        text = str(e)
        match = _LINE.search(text)
        why = getattr(e, "_why", None) or (text.splitlines()[-1] if text else type(e).__name__)
        line = int(match.group(1)) if match else None
        raise GraphSourceError(str(path), line, f"syntax error: {why}") from e
    return graph
