"""A remote triple store over the W3C protocols, with httpx.

* **SPARQL 1.1 Query** (``URL/query``): form-encoded POST, answers parsed by
  :func:`pyoxigraph.parse_query_results` (SELECT, ASK) or as N-Triples
  (CONSTRUCT, DESCRIBE); bound values travel as a ``VALUES`` block
  (:mod:`partnergraph.backends.values`).
* **SPARQL 1.1 Update** (``URL/update``): each write is *one* request, the
  change and its history record together, so a server that runs an update
  request atomically (Oxigraph, Fuseki, Virtuoso in its default transaction
  mode) stores all of it or none.
* **Graph Store Protocol** (``URL/store``): loading PUTs each named graph,
  then POSTs the rest of it in batches of ``store_batch`` triples.

Every failure becomes a :class:`~partnergraph.errors.StoreError` naming the
endpoint and what failed: :class:`StoreUnavailableError` when the server does
not answer (or answers 5xx), :class:`StoreRefusedError` when it answers but
refuses (login, a missing endpoint).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice

import httpx
import pyoxigraph as ox

from partnergraph.backends import Answer, Progress, Subject, Term, data_operations
from partnergraph.backends.batches import batches
from partnergraph.backends.values import bind, query_form
from partnergraph.errors import (
    QueryError,
    QuerySyntaxError,
    StoreError,
    StoreRefusedError,
    StoreTimeoutError,
    StoreUnavailableError,
)
from partnergraph.graphfiles import GraphFile, read_quads
from partnergraph.settings import Settings

_RESULTS = "application/sparql-results+json"
_ACCEPT = f"{_RESULTS}, application/sparql-results+xml;q=0.5"
#: For CONSTRUCT and DESCRIBE: offered the results formats too, Virtuoso answers them in a
#: JSON of its own under the results' media type.
_ACCEPT_TRIPLES = "application/n-triples, text/turtle;q=0.9"
_PATTERN = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
#: Graph IRI the connection check writes to and removes (nothing else ever uses it).
_PROBE = ox.NamedNode("urn:x-partnergraph:probe")
#: Rows of one VALUES block when asking which quads are stored.
_PRESENT_BATCH = 500
_ENCODING = ("content-encoding", "content-length", "transfer-encoding")
#: Graphs dropped per update request when loading.
_DROP_BATCH = 500


class RemoteBackend:
    """A SPARQL server reached through its query, update and graph store endpoints."""

    read_only = False

    def __init__(self, settings: Settings, *, timeout: float | None = None) -> None:
        self.query_url, self.update_url, self.gsp_url = settings.store_endpoints()
        self.location = settings.store_location()
        self.union_param = settings.store_union_param
        self.batch = settings.store_batch
        self.timeout = timeout or settings.store_timeout
        self.timeout_param = settings.store_timeout_param
        self.timeout_scale = 1000 if settings.store_timeout_unit == "ms" else 1
        auth: httpx.Auth | None = None
        if settings.store_user:
            kind = httpx.DigestAuth if settings.store_auth == "digest" else httpx.BasicAuth
            auth = kind(settings.store_user, settings.store_password)
        self.client = httpx.Client(
            auth=auth,
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
            follow_redirects=False,
        )

    # -- the protocols ---------------------------------------------------------------------

    def _send(
        self, what: str, method: str, url: str, *, deadline: float | None = None, **kwargs: object
    ) -> httpx.Response:
        """One request; transport failures and error statuses become StoreErrors.

        With ``deadline`` (monotonic) the answer is read in chunks and the request
        is cut when it passes, however slowly the server trickles bytes (httpx's
        own timeouts are per read, not per request): :class:`StoreTimeoutError`.
        """
        timeout: float | httpx.Timeout = self.client.timeout
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreTimeoutError(f"no time left to ask the {what} at {url}")
            timeout = httpx.Timeout(left)
        try:
            request = self.client.build_request(method, url, timeout=timeout, **kwargs)  # type: ignore[arg-type]
            streamed = self.client.send(request, stream=True)
            try:
                chunks = []
                for chunk in streamed.iter_bytes():
                    chunks.append(chunk)
                    if deadline is not None and time.monotonic() > deadline:
                        raise StoreTimeoutError(f"the {what} at {url} ran past the time limit")
            finally:
                streamed.close()
            # The bytes are decoded already: the encoding headers must not decode them again.
            headers = {k: v for k, v in streamed.headers.items() if k.lower() not in _ENCODING}
            response = httpx.Response(
                streamed.status_code, headers=headers, content=b"".join(chunks)
            )
        except httpx.TimeoutException:
            if deadline is not None:
                raise StoreTimeoutError(f"the {what} at {url} ran past the time limit") from None
            raise StoreUnavailableError(
                f"the {what} at {url} did not answer in time (store timeout)"
            ) from None
        except httpx.TransportError as exc:
            raise StoreUnavailableError(f"cannot reach the {what} at {url}: {exc}") from None
        status = response.status_code
        if status < 300:
            return response
        detail = response.text.strip().replace("\n", " ")[:300]
        if status in (401, 403):
            raise StoreRefusedError(
                f"the {what} at {url} refused the login (HTTP {status}): check "
                "PARTNERGRAPH_STORE_USER, PARTNERGRAPH_STORE_PASSWORD and PARTNERGRAPH_STORE_AUTH"
            )
        if status in (404, 405, 501) or (300 <= status < 400):
            raise StoreRefusedError(
                f"no {what} at {url} (HTTP {status}): check the URL, or name the endpoint with "
                "PARTNERGRAPH_STORE_QUERY_URL, _UPDATE_URL or _GSP_URL"
            )
        if status >= 500:
            raise StoreUnavailableError(f"the {what} at {url} failed (HTTP {status}): {detail}")
        raise StoreRefusedError(f"the {what} at {url} refused a request (HTTP {status}): {detail}")

    def query(
        self,
        sparql: str,
        substitutions: Mapping[str, Term] | None = None,
        prefixes: Mapping[str, str] | None = None,
        *,
        deadline: float | None = None,
        dataset: Mapping[str, list[str]] | None = None,
    ) -> Answer:
        """Run a query on the server; a 400 becomes :class:`QuerySyntaxError` with its words.

        ``dataset`` holds the protocol's ``default-graph-uri`` and ``named-graph-uri``
        lists; without it the default graph is the union of the named graphs.
        """
        text = sparql
        if substitutions:
            names = list(substitutions)
            text = bind(text, names, [[substitutions[n] for n in names]])
        if prefixes:
            text = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items()) + text
        triples = query_form(text) in ("CONSTRUCT", "DESCRIBE")
        accept = _ACCEPT_TRIPLES if triples else _ACCEPT
        params: dict[str, str | list[str]] = {}
        if dataset is not None:
            params.update(dataset)
        elif self.union_param:
            params[self.union_param] = "true"
        if self.timeout_param:
            params[self.timeout_param] = self._server_limit(deadline)
        try:
            response = self._send(
                "SPARQL query endpoint",
                "POST",
                self.query_url,
                params=params,
                data={"query": text},
                headers={"Accept": accept},
                deadline=deadline,
            )
        except StoreRefusedError as exc:
            if "HTTP 400" in str(exc):
                raise QuerySyntaxError(
                    f"the store reports a syntax error (or a query it does not support): {exc}"
                ) from None
            raise
        if response.headers.get("x-sql-state") == "S1TAT":
            # Virtuoso at its limit answers 200 with the rows found so far: never an answer.
            raise StoreTimeoutError(
                f"the SPARQL query endpoint at {self.query_url} stopped the query at its own "
                "time limit and sent only part of the answer"
            )
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        if kind == _RESULTS:
            content = response.content
            if b"nodeID://" in content:  # pyoxigraph reads rows lazily: rename before
                content = _renamed_blank_nodes(content)
            return ox.parse_query_results(content, format=ox.QueryResultsFormat.JSON)
        if kind == "application/sparql-results+xml":
            return ox.parse_query_results(response.content, format=ox.QueryResultsFormat.XML)
        if kind in ("application/n-triples", "text/turtle"):
            return _as_triples(response.content, kind)
        raise StoreRefusedError(
            f"the SPARQL query endpoint at {self.query_url} answered {kind or 'no media type'}"
        )

    def _server_limit(self, deadline: float | None) -> str:
        """The time limit to ask the server for: this client's timeout, or less when the
        request's deadline comes sooner (never zero, which servers read as "no limit")."""
        left = self.timeout if deadline is None else min(self.timeout, deadline - time.monotonic())
        if self.timeout_scale == 1000:
            return str(max(1, int(left * 1000)))
        return f"{max(left, 0.001):.3f}"

    def update(self, sparql: str) -> None:
        """One SPARQL Update request (form-encoded, which every server takes)."""
        self._send("SPARQL update endpoint", "POST", self.update_url, data={"update": sparql})

    def quads_for_pattern(
        self,
        subject: Subject,
        predicate: ox.NamedNode | None,
        obj: Term | None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        bound = {"s": subject, "p": predicate, "o": obj, "g": graph}
        given = {k: v for k, v in bound.items() if v is not None}
        if isinstance(subject, ox.BlankNode) or isinstance(obj, ox.BlankNode):
            return iter(())  # a server's blank nodes cannot be named in a query
        answer = self.query(_PATTERN, given)
        return _quads(answer)

    def present(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        found: set[ox.Quad] = set()
        pending = [
            q
            for q in quads
            if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
        ]
        it = iter(pending)
        while batch := list(islice(it, _PRESENT_BATCH)):
            rows = [[q.subject, q.predicate, q.object, q.graph_name] for q in batch]
            text = bind(_PATTERN, ["s", "p", "o", "g"], rows)
            found.update(_quads(self.query(text)))
        return found

    def all_quads(self) -> Iterator[ox.Quad]:
        return _quads(self.query(_PATTERN))

    # -- loading -----------------------------------------------------------------------------

    def replace_graphs(
        self,
        drop: Iterable[ox.NamedNode],
        files: list[GraphFile],
        counts: list[int],
        meta: list[ox.Quad],
        *,
        base_iri: str,
        progress: Progress | None = None,
    ) -> None:
        """Drop, then PUT/POST each named graph in batches, then the meta quads, version last.

        The Graph Store Protocol is checked before anything is dropped, so a
        server without it is left as it was.
        """
        self.check(graph_store=True)
        dropped = list(drop)
        for start in range(0, len(dropped), _DROP_BATCH):
            part = dropped[start : start + _DROP_BATCH]
            self.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in part))
        by_graph: dict[ox.NamedNode | ox.DefaultGraph, list[ox.Triple]] = defaultdict(list)
        quads = [q for f in files for q in read_quads(f, base_iri)]
        for q in quads:
            by_graph[q.graph_name].append(ox.Triple(q.subject, q.predicate, q.object))  # type: ignore[index]
        done = 0
        for graph, triples in by_graph.items():
            params = (
                {"default": ""} if isinstance(graph, ox.DefaultGraph) else {"graph": graph.value}
            )
            for n, batch in enumerate(batches(triples, self.batch)):
                body = ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)
                self._send(
                    "Graph Store Protocol endpoint",
                    "PUT" if n == 0 else "POST",
                    self.gsp_url,
                    params=params,
                    content=body or b"",
                    headers={"Content-Type": "text/turtle"},
                )
                done += len(batch)
                if progress:
                    progress(done, len(quads))
        *first, last = meta
        if first:
            self.update(data_operations("INSERT", first))
        self.update(data_operations("INSERT", [last]))

    def check(self, *, graph_store: bool = False) -> None:
        """Make sure the server answers queries and takes updates (and, for loading, the
        Graph Store Protocol), raising a StoreError that names the endpoint otherwise."""
        answer = self.query("ASK { }")
        if not isinstance(answer, ox.QueryBoolean):
            raise StoreRefusedError(f"the SPARQL query endpoint at {self.query_url} did not ASK")
        probe = ox.Quad(_PROBE, _PROBE, _PROBE, _PROBE)
        self.update(data_operations("DELETE", [probe]))
        if graph_store:
            what = "Graph Store Protocol endpoint"
            headers = {"Content-Type": "text/turtle"}
            params = {"graph": _PROBE.value}
            self._send(what, "PUT", self.gsp_url, params=params, content=b"", headers=headers)
            try:
                self._send(what, "DELETE", self.gsp_url, params=params)
            except StoreRefusedError as exc:
                if "HTTP 404" not in str(exc):  # an empty graph some servers do not keep
                    raise

    def flush(self) -> None:
        """Each request is durable when the server answers it."""

    def close(self) -> None:
        self.client.close()


def _quads(answer: Answer) -> Iterator[ox.Quad]:
    if not isinstance(answer, ox.QuerySolutions):
        raise StoreError("the store answered a quad pattern with something else than rows")
    for row in answer:
        yield ox.Quad(row["s"], row["p"], row["o"], row["g"])


def _renamed_blank_nodes(content: bytes) -> bytes:
    """The JSON answer with each blank node renamed to a label pyoxigraph takes.

    Virtuoso labels blank nodes ``nodeID://b10001``, which is no blank node label
    (pyoxigraph refuses it); the hex of the label is one, and one-to-one, so the
    same node keeps one name within the answer.
    """
    data = json.loads(content)
    for row in data.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = "b" + term["value"].encode().hex()
    return json.dumps(data).encode()


def _as_triples(content: bytes, kind: str) -> ox.QueryTriples:
    """CONSTRUCT/DESCRIBE answers as pyoxigraph's own triple results (via a small store)."""
    fmt = ox.RdfFormat.N_TRIPLES if kind == "application/n-triples" else ox.RdfFormat.TURTLE
    scratch = ox.Store()
    scratch.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(content, fmt))
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    if not isinstance(result, ox.QueryTriples):
        raise QueryError("the store's graph answer could not be read")
    return result
