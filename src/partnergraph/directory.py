"""The directory of organizations: who is in the graph and how a person names them.

A body is found by its 6-digit code, its 5-digit JIS code, its slug, its IRI,
or its name in kanji, kana (either script, half- or full-width) or romaji.
The directory is built from the store once per graph version.

>>> directory = Directory.load(store)                    # doctest: +SKIP
>>> directory.resolve("せたがや").code                    # doctest: +SKIP
'131121'
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from partnergraph.codes import check_digit, is_valid_code
from partnergraph.errors import NotFoundError
from partnergraph.namespaces import GEO, ORG, PG, RDF, RDFS, SKOS, sparql_prefixes
from partnergraph.readmodel import read_model
from partnergraph.store import GraphStore, Term
from partnergraph.text.normalize import name_search_keys, search_key

#: rdf:type → kind, in order of preference when a body has several types.
KINDS: dict[str, str] = {
    PG + "Prefecture": "prefecture",
    PG + "City": "city",
    PG + "SpecialWard": "special-ward",
    PG + "Town": "town",
    PG + "Village": "village",
    PG + "University": "university",
    PG + "GovernmentAgency": "agency",
    PG + "Council": "council",
    PG + "Cooperative": "cooperative",
    PG + "Platform": "platform",
    PG + "ForeignLocalGovernment": "foreign-local-government",
    PG + "GovernmentGroup": "group",
    PG + "FormerLocalGovernment": "former-local-government",
    ORG + "OrganizationalUnit": "unit",
    ORG + "FormalOrganization": "organization",
    ORG + "Organization": "organization",
}

_TYPES = (
    sparql_prefixes()
    + "SELECT ?org ?type WHERE { VALUES ?type { "
    + " ".join(f"<{t}>" for t in KINDS)
    + " } ?org a ?type }"
)
#: The bodies first, then their names: filtering every label of the graph (agreements have
#: them too) by an EXISTS took 1.62 s at 1 M triples on raw pyoxigraph, this 0.17 s.
_NAMES = (
    sparql_prefixes()
    + """
SELECT ?org ?p ?name WHERE {
  { SELECT DISTINCT ?org WHERE { ?org a ?t . VALUES ?t { org:Organization org:FormalOrganization
    org:OrganizationalUnit org:OrganizationalCollaboration pg:LocalGovernment pg:Prefecture
    pg:City pg:SpecialWard pg:Town pg:Village pg:University pg:GovernmentAgency pg:Council
    pg:Cooperative pg:Platform pg:ForeignLocalGovernment pg:GovernmentGroup
    pg:FormerLocalGovernment } } }
  VALUES ?p { rdfs:label skos:altLabel pg:kana }
  ?org ?p ?name .
}"""
)
_FACTS = (
    sparql_prefixes()
    + """
SELECT ?org ?code ?prefecture ?lat ?long WHERE {
  { ?org pg:lgCode ?code } UNION { ?org pg:prefecture ?prefecture }
  UNION { ?org geo:lat ?lat } UNION { ?org geo:long ?long }
}"""
)

#: A body's name properties and the columns of its facts (see :func:`_body_rows`).
_NAME_PROPERTIES = frozenset({RDFS + "label", SKOS + "altLabel", PG + "kana"})
_FACT_COLUMNS = {
    PG + "lgCode": "code",
    PG + "prefecture": "prefecture",
    GEO + "lat": "lat",
    GEO + "long": "long",
}
_TYPE = RDF + "type"


def _body_rows(
    store: GraphStore, iris: Iterable[str]
) -> tuple[list[dict[str, Term]], list[dict[str, Term]], list[dict[str, Term]]]:
    """The rows of the three directory queries for these IRIs alone, each read by one scan
    of its quads (for :meth:`Directory.build` with ``only``).

    Why quads and not a bound query: one bound SPARQL lookup a body (types, names and
    facts in a UNION) took 0.47 s for a hub's 929 partners at 1 M triples, one scan each
    0.12 s, and a first partner list after start is read this way (see
    :func:`partnergraph.partners.read_directly`). The quads are those the queries see
    (:meth:`GraphStore.predicate_objects`). ``tests/test_directory.py``
    compares every body of the shipped graph with the whole directory.
    """
    types: list[dict[str, Term]] = []
    names: list[dict[str, Term]] = []
    facts: list[dict[str, Term]] = []
    for iri in sorted(set(iris)):
        org = ox.NamedNode(iri)
        for p, value in store.predicate_objects(org):
            if p.value == _TYPE and value.value in KINDS:
                types.append({"org": org, "type": value})
            elif p.value in _NAME_PROPERTIES:
                names.append({"org": org, "p": p, "name": value})
            elif p.value in _FACT_COLUMNS:
                facts.append({"org": org, _FACT_COLUMNS[p.value]: value})
    return types, names, facts


def identifier_iris(key: str, base: str) -> list[str]:
    """The IRIs a key names as an identifier: a 5- or 6-digit code's, the key itself, a slug's.

    >>> identifier_iris("13112", "http://x/")
    ['http://x/lg/131121']
    """
    key = key.strip()
    if key.isascii() and key.isdigit():
        if len(key) == 5:
            key += str(check_digit(key))
        if is_valid_code(key):
            return [f"{base}lg/{key}"]
        if len(key) == 6:
            return []  # a malformed code (Directory.resolve says why)
    return [key, f"{base}org/{key}"]


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


@dataclass
class Organization:
    """One body as the API and CLI show it."""

    id: str
    kind: str
    code: str | None = None
    name_ja: str | None = None
    name_en: str | None = None
    full_name_ja: str | None = None
    kana: str | None = None
    prefecture: str | None = None
    lat: float | None = None
    lon: float | None = None
    slug: str | None = None
    keys: set[str] = field(default_factory=set, repr=False)

    @property
    def display(self) -> str:
        """Name for messages: the prefecture-qualified kanji name with its key."""
        name = self.full_name_ja or self.name_ja or self.name_en or self.id
        return f"{name} ({self.code or self.slug or self.id})"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "code": self.code,
            "name_ja": self.name_ja,
            "name_en": self.name_en,
            "kind": self.kind,
        }


class Directory:
    """All organizations of the graph, indexed by every key a person might type."""

    def __init__(self, organizations: list[Organization], base_iri: str) -> None:
        self.organizations = organizations
        self.by_id = {o.id: o for o in organizations}
        self._base = base_iri
        self._by_key: dict[str, set[str]] = defaultdict(set)
        for o in organizations:
            for key in o.keys:
                self._by_key[key].add(o.id)

    @classmethod
    def load(cls, store: GraphStore) -> Directory:
        """The directory of the store's current revision, from its read model."""
        return read_model(store).directory

    @classmethod
    def build(
        cls, store: GraphStore, only: Iterable[str] | None = None, *, keyed: bool = True
    ) -> Directory:
        """Read the directory from the store (the read model's builder and the writes call it).

        ``only``: just these IRIs, each read on its own (:func:`_body_rows`), those that
        are bodies kept. ``keyed=False`` leaves out the search keys, for a directory read
        by IRI, code or slug alone (one body's partners read directly, see
        :func:`partnergraph.partners.read_tables`): work for nothing otherwise.
        """
        if only is None:
            types, names, facts = (store.select(q) for q in (_TYPES, _NAMES, _FACTS))
        else:
            types, names, facts = _body_rows(store, only)
        rank = {t: i for i, t in enumerate(KINDS)}
        best: dict[str, str] = {}
        for row in types:
            org, typ = row["org"].value, row["type"].value
            if org not in best or rank[typ] < rank[best[org]]:
                best[org] = typ
        base = store.settings.base_iri
        orgs = {iri: Organization(id=iri, kind=KINDS[t]) for iri, t in best.items()}
        for iri, entry in orgs.items():
            if iri.startswith(base + "org/"):
                entry.slug = iri[len(base) + 4 :]
        alt: dict[str, list[str]] = defaultdict(list)
        for row in names:
            o = orgs.get(row["org"].value)
            if o is None:
                continue
            name, p = row["name"], row["p"].value
            lang = getattr(name, "language", None)
            if p.endswith("label") and not p.endswith("altLabel"):
                if lang == "ja" and not o.name_ja:
                    o.name_ja = name.value
                elif lang == "en" and not o.name_en:
                    o.name_en = name.value
            elif p == PG + "kana":
                o.kana = name.value
            else:
                alt[o.id].append(name.value)
                if lang == "ja":
                    o.full_name_ja = name.value
        for row in facts:
            o = orgs.get(row["org"].value)
            if o is None:
                continue
            if "code" in row:
                o.code = row["code"].value
            if "prefecture" in row:
                o.prefecture = row["prefecture"].value
            if "lat" in row:
                o.lat = float(row["lat"].value)
            if "long" in row:
                o.lon = float(row["long"].value)
        for o in orgs.values() if keyed else ():
            o.keys = name_search_keys(o.name_ja or "", o.kana or "", o.name_en or "")
            o.keys |= {search_key(a) for a in alt[o.id]}
            o.keys.discard("")
        ordered = sorted(orgs.values(), key=lambda o: (o.code is None, o.code or "", o.id))
        return cls(ordered, base)

    def resolve(self, key: str) -> Organization:
        """The one body ``key`` names, or :class:`NotFoundError` with close matches.

        >>> directory.resolve("131121").name_ja       # doctest: +SKIP
        '世田谷区'
        """
        key = key.strip()
        found = self._by_identifier(key)
        if found is not None:
            return found
        matches = self.search(key)
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = [o.display for o in matches[:10]]
            raise NotFoundError(f"{key!r} matches {len(matches)} bodies: be more precise", names)
        raise NotFoundError(f"no organization matches {key!r}", self.suggest(key))

    @classmethod
    def identify(cls, store: GraphStore, key: str) -> Organization | None:
        """The body ``key`` names by code, slug or IRI, looked up alone in the store, not in
        the read model's directory; None when it names none of them (a name needs the
        search over every body: :meth:`resolve`; a malformed code its message)."""
        candidates = [iri for iri in identifier_iris(key, store.settings.base_iri) if _is_iri(iri)]
        if not candidates:
            return None
        try:
            return cls.build(store, only=candidates, keyed=False)._by_identifier(key.strip())
        except NotFoundError:
            return None

    def _by_identifier(self, key: str) -> Organization | None:
        if key.isascii() and key.isdigit():
            if len(key) == 5:
                key += str(check_digit(key))
            if is_valid_code(key):
                return self.by_id.get(f"{self._base}lg/{key}")
            if len(key) == 6:
                raise NotFoundError(
                    f"{key} is not a valid local government code (check digit should be "
                    f"{check_digit(key[:5])})",
                    self.suggest(key),
                )
        for candidate in identifier_iris(key, self._base):
            if candidate in self.by_id:
                return self.by_id[candidate]
        return None

    def search(self, text: str, limit: int | None = None) -> list[Organization]:
        """Bodies whose name matches ``text``: exact key matches, else key prefixes."""
        q = search_key(text)
        if not q:
            return []
        ids = set(self._by_key.get(q, ()))
        if not ids and len(q) >= 2:
            ids = {i for k, v in self._by_key.items() if k.startswith(q) for i in v}
        found = [self.by_id[i] for i in ids]
        found.sort(key=lambda o: (o.code is None, o.code or "", o.id))
        return found[:limit] if limit else found

    def suggest(self, text: str, n: int = 5) -> list[str]:
        """Names close to ``text`` (for "did you mean"), in kanji, kana or romaji."""
        q = search_key(text)
        close = difflib.get_close_matches(q, list(self._by_key), n=n * 2, cutoff=0.6)
        seen: list[str] = []
        for key in close:
            for oid in sorted(self._by_key[key]):
                display = self.by_id[oid].display
                if display not in seen:
                    seen.append(display)
        return seen[:n]
