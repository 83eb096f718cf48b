"""One settings object, read from ``PARTNERGRAPH_*`` environment variables.

Nothing else in the package reads the environment, so a test can build a
:class:`Settings` pointing at a temporary store and pass it down. Each field
``name`` is read from ``PARTNERGRAPH_{NAME}`` (``store_path`` from
``PARTNERGRAPH_STORE``).

>>> s = Settings.from_env({"PARTNERGRAPH_STORE": "/tmp/pg", "PARTNERGRAPH_QUERY_TIMEOUT": "2.5"})
>>> str(s.store_path), s.query_timeout
('/tmp/pg', 2.5)
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from partnergraph.errors import SettingsError, StoreError

PACKAGE_DIR = Path(__file__).resolve().parent


def default_locations(package_dir: Path = PACKAGE_DIR) -> tuple[Path, Path, Path]:
    """Where the graph files, the front-end assets and the store are when no variable says.

    An installed wheel carries ``graph/`` and the front-end assets inside the package
    (setup.py copies them there at build time) and has no checkout around it, so its
    store goes to the user's data directory (platformdirs). A source checkout —
    ``make`` installs it editable — has no such copies in ``src/partnergraph``, so
    it uses the checkout's own ``graph/``, ``frontend/node_modules`` and ``var/store``:
    edits to ``graph/`` count without reinstalling. The package folder alone tells
    the two apart; nothing else is probed.

    >>> graph, assets, store = default_locations(Path("/co/src/partnergraph"))
    >>> str(graph), str(assets), str(store)
    ('/co/graph', '/co/frontend/node_modules', '/co/var/store')
    """
    shipped = package_dir / "graph"
    if shipped.is_dir():
        store = platformdirs.user_data_path("partnergraph", appauthor=False) / "store"
        return shipped, package_dir / "vendor", store
    checkout = package_dir.parents[1]
    return checkout / "graph", checkout / "frontend" / "node_modules", checkout / "var" / "store"


_GRAPH_DIR, _ASSETS_DIR, _STORE_PATH = default_locations()

DEFAULT_BASE_IRI = "http://127.0.0.1:8000/"

#: Environment variable of each field whose name is not simply PARTNERGRAPH_{FIELD}.
_ENV_NAMES = {"store_path": "PARTNERGRAPH_STORE"}
#: Fields for which an empty variable means "empty", not "the default".
_EMPTY_ALLOWED = {"store_union_param"}


@dataclass(frozen=True)
class Settings:
    """Run-time configuration; see the README's table for each variable.

    ``base_iri`` is where every entity IRI of the shipped graph lives
    (``{base_iri}lg/131121`` is Setagaya City). The default matches the
    default server address so that IRIs dereference out of the box.
    """

    store_path: Path = _STORE_PATH
    base_iri: str = DEFAULT_BASE_IRI
    graph_dir: Path = _GRAPH_DIR
    assets_dir: Path = _ASSETS_DIR
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 10.0
    row_limit: int = 10_000
    query_workers: int = 2
    #: Address-space cap of each SPARQL query worker, in MB (0: none); see the README.
    query_memory_mb: int = 1024
    #: Niceness of the SPARQL workers that run heavy queries (0–19; 0: as the server), so
    #: that the fast lane and the server keep the CPU while cross products run; see the README.
    query_slow_nice: int = 10
    #: ``required``: refuse public SPARQL when the query workers cannot leave the network;
    #: ``optional``: serve it anyway (a WARNING is logged and /healthz says so).
    sparql_isolation: str = "required"
    max_body_bytes: int = 1_000_000
    #: Write tokens, ``name:secret,name2:secret2``; empty means writes are off. Kept out of repr.
    tokens: str = dataclasses.field(default="", repr=False)
    resilience_radius_km: float = 100.0
    #: Seconds a request for a derived view (explorer, analysis) waits for the first build of
    #: the current revision when no earlier view can stand in; then 503 with Retry-After.
    #: Under 5 s: a first build at a million triples takes a minute (analysis) to three
    #: (explorer), and a client told when to come back is better served than one held.
    view_wait: float = 4.0
    #: Seconds a GET waits for the current revision's read model (the tables every answer
    #: is made from) after a change; then it is answered from the previous revision's,
    #: marked ``Partnergraph-Stale``. 0 answers from the previous one at once.
    model_wait: float = 1.0
    #: ``eager``: build the derived views at start and after every change, so no request
    #: waits for them; ``on-demand``: only when a request asks for one (an API-only server
    #: then spends no CPU on explorer views nobody opens).
    views: str = "eager"
    #: Lines the explorer page draws at most: beyond it, the ties between the most connected
    #: bodies (and all of the selected body's). vis-network draws every line in every frame;
    #: filters, counts and paths still cover every tie.
    explore_max_drawn: int = 4000
    #: Host names the server answers for, comma-separated (``*.example.org`` and ``*`` allowed);
    #: empty means the base IRI's host, 127.0.0.1 and localhost. Others get 400, so no
    #: redirect ever points at a host a client made up.
    allowed_hosts: str = ""
    #: A remote triple store (``PARTNERGRAPH_STORE=http(s)://…``), laid out as Oxigraph server
    #: lays itself out (``URL/query``, ``URL/update``, ``URL/store``); empty: the embedded store.
    store_url: str = ""
    #: Endpoints of other servers, each overriding the one derived from ``store_url``
    #: (Virtuoso: ``…/sparql`` for both query and update; Fuseki: ``…/ds/query``, ``…/ds/update``,
    #: ``…/ds/data``).
    store_query_url: str = ""
    store_update_url: str = ""
    store_gsp_url: str = ""
    #: Login for the remote store; ``store_auth`` is ``basic`` or ``digest`` (Virtuoso's
    #: ``/sparql-auth``). The password is kept out of repr.
    store_user: str = ""
    store_password: str = dataclasses.field(default="", repr=False)
    store_auth: str = "basic"
    #: Triples per Graph Store Protocol request when loading (Virtuoso takes ≤ 1,000 best).
    store_batch: int = 10_000
    #: Seconds the library waits for the remote store on its own reads and writes.
    store_timeout: float = 60.0
    #: Query-string parameter that makes the server's default graph the union of the named
    #: graphs (Oxigraph server's ``union-default-graph``); empty for servers whose default
    #: graph already is (Virtuoso) or is configured so (Fuseki's ``unionDefaultGraph``).
    store_union_param: str = "union-default-graph"
    #: Query-string parameter that asks the server to stop a query at a time limit of its own,
    #: sent with every query (Virtuoso's and Fuseki's ``timeout``), so a query cut on the client
    #: does not run on there; empty: none (Oxigraph server has only its ``--timeout-s`` option).
    store_timeout_param: str = ""
    #: Unit of that parameter's value: ``ms`` (Virtuoso) or ``s`` (Fuseki).
    store_timeout_unit: str = "s"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for item in fields(cls):
            name = _ENV_NAMES.get(item.name, f"PARTNERGRAPH_{item.name.upper()}")
            raw = env.get(name)
            if raw is None or (raw == "" and item.name not in _EMPTY_ALLOWED):
                continue
            if item.name == "store_path" and _is_url(raw):
                values["store_url"] = raw.rstrip("/")
                continue
            kind = type(getattr(cls, item.name))
            try:
                values[item.name] = kind(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a {kind.__name__}, got {raw!r}") from None
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    @property
    def remote(self) -> bool:
        """Whether the store is a remote SPARQL server rather than the embedded one."""
        return bool(self.store_url or self.store_query_url)

    def store_endpoints(self) -> tuple[str, str, str]:
        """(query, update, graph store) URLs of the remote store, overrides applied."""
        base = self.store_url.rstrip("/")
        return (
            self.store_query_url or f"{base}/query",
            self.store_update_url or f"{base}/update",
            self.store_gsp_url or f"{base}/store",
        )

    def store_location(self) -> str:
        """Where the store is, for messages: the server's URL or the folder."""
        return self.store_url or self.store_query_url or str(self.store_path)

    def trusted_hosts(self) -> list[str]:
        """``allowed_hosts`` as a list, or the default derived from ``base_iri``.

        >>> Settings(base_iri="https://kg.example.jp/").trusted_hosts()
        ['kg.example.jp', '127.0.0.1', 'localhost']
        """
        listed = [h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip()]
        if listed:
            return listed
        own = urlsplit(self.base_iri).hostname or ""
        return list(dict.fromkeys(h for h in (own, "127.0.0.1", "localhost") if h))

    def check(self) -> None:
        """Refuse values that would break IRIs or the server, naming the variable."""
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith("/"):
            raise SettingsError(
                f"PARTNERGRAPH_BASE_IRI must be an http(s) IRI ending in '/', got {self.base_iri!r}"
            )
        if any(c in self.base_iri for c in ' <>"{}|\\^`'):
            raise SettingsError("PARTNERGRAPH_BASE_IRI contains a character not allowed in an IRI")
        positive = (
            "query_timeout",
            "row_limit",
            "query_workers",
            "max_body_bytes",
            "resilience_radius_km",
            "view_wait",
            "explore_max_drawn",
        )
        for name in positive:
            if getattr(self, name) <= 0:
                raise SettingsError(f"PARTNERGRAPH_{name.upper()} must be positive")
        if self.model_wait < 0:
            raise SettingsError("PARTNERGRAPH_MODEL_WAIT must be 0 or more seconds")
        if not 0 <= self.query_slow_nice <= 19:
            raise SettingsError("PARTNERGRAPH_QUERY_SLOW_NICE must be 0 to 19")
        if self.query_memory_mb < 0:
            raise SettingsError("PARTNERGRAPH_QUERY_MEMORY_MB must be 0 (no cap) or positive")
        self._check_store()
        if self.views not in ("eager", "on-demand"):
            raise SettingsError(
                f"PARTNERGRAPH_VIEWS must be 'eager' or 'on-demand', got {self.views!r}"
            )
        if self.sparql_isolation not in ("required", "optional"):
            raise SettingsError(
                "PARTNERGRAPH_SPARQL_ISOLATION must be 'required' or 'optional', "
                f"got {self.sparql_isolation!r}"
            )

    def _check_store(self) -> None:
        """A store URL with a typo stops here instead of becoming a folder named ``http:``."""
        for name, url in (
            ("PARTNERGRAPH_STORE", self.store_url),
            ("PARTNERGRAPH_STORE_QUERY_URL", self.store_query_url),
            ("PARTNERGRAPH_STORE_UPDATE_URL", self.store_update_url),
            ("PARTNERGRAPH_STORE_GSP_URL", self.store_gsp_url),
        ):
            if url and not _is_url(url):
                raise StoreError(f"{name} must be an http(s):// URL with a host, got {url!r}")
        if not self.remote and _looks_like_url(str(self.store_path)):
            raise StoreError(
                f"PARTNERGRAPH_STORE looks like a mistyped URL ({str(self.store_path)!r}): "
                "a remote store is http://HOST[:PORT][/PATH], a local one a folder"
            )
        if self.store_auth not in ("basic", "digest"):
            raise SettingsError(
                f"PARTNERGRAPH_STORE_AUTH must be 'basic' or 'digest', got {self.store_auth!r}"
            )
        if self.store_timeout_unit not in ("s", "ms"):
            raise SettingsError(
                "PARTNERGRAPH_STORE_TIMEOUT_UNIT must be 's' or 'ms', "
                f"got {self.store_timeout_unit!r}"
            )
        if self.store_batch <= 0 or self.store_timeout <= 0:
            raise SettingsError("PARTNERGRAPH_STORE_BATCH and _STORE_TIMEOUT must be positive")


def _is_url(text: str) -> bool:
    """``http(s)://host…`` with a host name: what a remote store's address must be.

    >>> _is_url("http://127.0.0.1:7878"), _is_url("http:/127.0.0.1:7878"), _is_url("var/store")
    (True, False, False)
    """
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and text.count("://") == 1


def _looks_like_url(text: str) -> bool:
    """A folder name no one means: a scheme-like start (``http:``, ``htp://``, ``https//``).

    >>> _looks_like_url("http:/127.0.0.1:7878"), _looks_like_url("/srv/pg/store")
    (True, False)
    """
    head = text.split("/", 1)[0].lower()
    return head.endswith(":") or "://" in text or re.fullmatch(r"h?tt?ps?", head) is not None
