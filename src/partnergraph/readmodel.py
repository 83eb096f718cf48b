"""The read model: every table derived from one graph revision, built in one place.

Pages, partner lists, analysis and the explorer all read the same per-revision
tables (the directory, relation titles, citations, agreement types, claims,
the relation records the projections are made of, ...). :func:`build` reads
them from the store in dependency order, each loader handed what it needs
(the relation records get the directory, titles, citations and types built a
step before), so data flows one way and the cost of a revision is paid here
once. The result is immutable: a new revision gets a new :class:`ReadModel`.

Answers that depend on parameters as well as on the revision (a projection
under filters, one body's partners, the explorer's base view) are kept in the
model's :class:`~partnergraph.memo.Memo`, which is single-flight: concurrent
callers of the same key wait for one computation instead of starting their own.

The one place a read model is kept is :meth:`GraphStore.cached` under
:data:`KEY`: the store is what knows when its revision changes. On disk, the
models of an embedded store are saved per revision beside it, so a restart
loads instead of rebuilding (:mod:`partnergraph.readmodel_files`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from partnergraph.memo import Memo

if TYPE_CHECKING:
    from partnergraph.analysis.relations import Relations
    from partnergraph.citations import Citation
    from partnergraph.claims import Claim
    from partnergraph.directory import Directory
    from partnergraph.readmodel_files import ReadModelFiles
    from partnergraph.store import GraphStore
    from partnergraph.titles import RelationTitles

T = TypeVar("T")

#: The store's cache slot holding the current read model.
KEY = "read-model"
#: The slot holding the partner tables of the newest model loaded (:class:`PartnerShare`).
SHARE = "read-model-partners"


@dataclass(frozen=True)
class ReadModel:
    """What every reader derives from one revision of the graph."""

    revision: str
    directory: Directory
    titles: RelationTitles
    documents: dict[str, tuple[str, str | None]]
    citations: dict[str, list[Citation]]
    agreement_types: dict[str, dict[str, str | None]]
    relation_types: tuple[str, ...]
    claims: dict[str, list[Claim]]
    incomplete_party_lists: frozenset[str]
    party_counts: dict[str, int]
    vocabulary: dict[str, list[dict[str, str]]]
    labels: dict[str, dict[str, str]]
    relations: Relations
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """A parametrised answer of this revision (see :class:`Memo`)."""
        return self.memo.get(key, build)


@dataclass(frozen=True)
class PartnerShare:
    """The tables of a read model that a partner list reads: loaded first from a saved
    model, so that lists are answered while the rest loads (:func:`partner_tables`)."""

    revision: str
    directory: Directory
    titles: RelationTitles
    citations: dict[str, list[Citation]]
    party_counts: dict[str, int]
    relation_types: tuple[str, ...]

    @classmethod
    def of(cls, model: ReadModel) -> PartnerShare:
        """``model``'s share (the same tables, not copies)."""
        return cls(
            revision=model.revision,
            directory=model.directory,
            titles=model.titles,
            citations=model.citations,
            party_counts=model.party_counts,
            relation_types=model.relation_types,
        )


def build(store: GraphStore) -> ReadModel:
    """Read every table of the store's current revision, each loader given what it needs."""
    from partnergraph import agreement_types, citations, claims, entity, partners, titles
    from partnergraph import vocabulary as vocabulary_module
    from partnergraph.analysis import relations as relations_module
    from partnergraph.directory import Directory

    revision = store.revision()
    directory = Directory.build(store)
    relation_titles = titles.load(store)
    documents = citations.document_titles(store)
    cited = citations.load(store, documents)
    types = agreement_types.load(store)
    return ReadModel(
        revision=revision,
        directory=directory,
        titles=relation_titles,
        documents=documents,
        citations=cited,
        agreement_types=types,
        relation_types=(*types, *partners.FIXED_TYPES),
        claims=claims.load(store, documents),
        incomplete_party_lists=claims.load_incomplete(store),
        party_counts=partners.load_party_counts(store),
        vocabulary=vocabulary_module.load(store, types),
        labels=entity.load_labels(store),
        relations=relations_module.load(store, directory, relation_titles, cited, types),
    )


@dataclass
class PreviousAllowed:
    """Leave to answer from the previous revision's model (see :func:`allow_previous`).

    ``shown`` is set to the revision of the earlier model when one was handed out.
    ``held`` keeps the model the request's first read got (by store), and its later
    reads get that one: a page of sixty facts once waited ``wait`` seconds sixty times
    while a rebuild ran, and could have mixed two revisions.
    """

    wait: float
    shown: str | None = None
    held: dict[int, ReadModel] = field(default_factory=dict)


#: Set by :func:`allow_previous` for the reads of one request; unset (the default), every
#: read gets the current revision's model, waiting for it if need be.
_allowed: ContextVar[PreviousAllowed | None] = ContextVar("previous_model_allowed", default=None)


@contextmanager
def allow_previous(wait: float) -> Iterator[PreviousAllowed]:
    """Let the reads inside answer from the previous revision's model after ``wait`` seconds.

    For GET requests (the web layer's caching middleware): once a write lands,
    rebuilding the tables of a large graph takes a while (minutes at a million
    triples), and a reader is better served by the previous revision, labelled,
    than by a hang. Writes and the CLI never enter this: they always read the
    current revision. Threads started inside inherit it (a copied context), and
    the object yielded tells the caller afterwards whether an earlier model was shown.
    """
    allowed = PreviousAllowed(wait)
    token = _allowed.set(allowed)
    try:
        yield allowed
    finally:
        _allowed.reset(token)


def previous_shown() -> str | None:
    """The revision of the earlier model this request's reads were answered from, if any
    (so a page can say so as well as its header)."""
    allowed = _allowed.get()
    return None if allowed is None else allowed.shown


def read_model(store: GraphStore) -> ReadModel:
    """The read model of the store's current revision, built on first use (once).

    A model saved on disk for this revision (by this or an earlier process, see
    :mod:`partnergraph.readmodel_files`) is loaded instead of built. Inside
    :func:`allow_previous`, the previous revision's model stands in while the
    current one is built.
    """
    allowed = _allowed.get()
    if allowed is None:
        return store.cached(KEY, lambda: _saved_or_built(store))
    held = allowed.held.get(id(store))
    if held is not None:
        return held
    model, stale = store.cached_or_previous(KEY, lambda: _saved_or_built(store), allowed.wait)
    if stale:
        allowed.shown = model.revision
    allowed.held[id(store)] = model
    return model


def at_hand(store: GraphStore) -> bool:
    """Whether the current revision's read model is held (built, loaded or handed over) or
    saved beside the store (a load away, not a build: its partner share 0.4 s at a million
    triples, the rest 1.2 s)."""
    from partnergraph.readmodel_files import ReadModelFiles

    kept = store.values.peek(KEY)
    if kept is not None and kept[0] == store.revision():
        return True
    files = ReadModelFiles.beside(store)
    return files is not None and files.has(store)


def partner_tables(store: GraphStore) -> ReadModel | PartnerShare:
    """What a partner list of the current revision reads: the read model if held, else the
    partner share saved with it (loaded once, 0.4 s at a million triples, while the rest of
    the model loads: 1.2 s there), else :func:`read_model`'s."""
    from partnergraph.readmodel_files import ReadModelFiles

    current = store.revision()
    kept = store.values.peek(KEY)
    if kept is not None and kept[0] == current:
        return cast(ReadModel, kept[1])
    files = ReadModelFiles.beside(store)
    if files is not None and files.has(store):
        share = _share(store, files, current)
        if share is not None and share.revision == current:
            return share
    return read_model(store)


def _share(store: GraphStore, files: ReadModelFiles, revision: str) -> PartnerShare | None:
    """The partner share of ``revision``'s saved model, loaded once for the current revision
    (a request and the view builder's :func:`adopt` at a restart wait for one load)."""
    if revision != store.revision():  # an earlier revision's: kept unless a newer one is
        share = files.load_share(store, revision)
        if share is not None:
            store.values.fill(SHARE, revision, share)
        return share

    def load() -> PartnerShare:
        share = files.load_share(store, revision)
        if share is None:  # not kept: a file saved again later is read then
            raise FileNotFoundError(f"no partner share saved for {revision}")
        return share

    try:
        return store.values.cached(SHARE, load)
    except FileNotFoundError:
        return None


def _saved_or_built(store: GraphStore) -> ReadModel:
    from partnergraph.readmodel_files import ReadModelFiles

    files = ReadModelFiles.beside(store)
    if files is None:
        return build(store)
    model = files.load(store)
    if model is None:
        model = build(store)
        files.save(store, model)
    else:  # with the analysis saved beside it, if any (a restart: not built again either)
        _take_analysis(files, store, model)
    # The share kept is this model's own tables: an earlier revision's would hold its tables.
    store.values.fill(SHARE, model.revision, PartnerShare.of(model))
    return model


def _take_analysis(files: ReadModelFiles, store: GraphStore, model: ReadModel) -> bool:
    """Add the memo entries saved beside ``model`` to its memo; whether any was added."""
    entries = files.load_analysis(store, model.revision) or {}
    return any([model.memo.offer(key, value) for key, value in entries.items()])


def adopt(store: GraphStore, saved: str, revision: str) -> bool:
    """Take what another process saved for ``revision`` (the view builder's child, see
    :mod:`partnergraph.explore.process`): loading takes seconds where building here took
    the server's GIL for about twenty seconds (``model``) and thirty more (``analysis``,
    the default projection and measures) at a million triples.

    ``model``: the read model, kept as this store's; one of an earlier revision than
    the current one stands in, labelled stale, for readers allowed one. Its partner
    share is loaded and kept first (:func:`partner_tables`). ``analysis``: memo entries
    of that model, added to it if it is the one kept. Returns whether anything was
    taken (False: nothing saved, or something newer is kept).
    """
    from partnergraph.readmodel_files import ReadModelFiles

    files = ReadModelFiles.beside(store)
    if files is None:
        return False
    kept = store.values.peek(KEY)
    if saved == "model":
        if kept is not None and kept[0] == revision:
            return False  # held already (loaded or built here): its memo is kept
        share = _share(store, files, revision)
        if share is None or share.revision != revision:
            return False
        model = files.load(store, revision, share=share)
        return model is not None and store.values.fill(KEY, revision, model)
    if saved != "analysis" or kept is None or kept[0] != revision:
        return False
    return _take_analysis(files, store, cast(ReadModel, kept[1]))


#: The newest model whose default analysis (projection, measures) is built: the analysis
#: API answers from it, labelled stale, while a newer revision's is built.
ANALYSED = "read-model-analysed"


def mark_analysed(store: GraphStore, model: ReadModel) -> None:
    """Say that ``model``'s default analysis is built (see :func:`hold_analysed`)."""
    store.values.fill(ANALYSED, model.revision, model)


def hold_analysed(store: GraphStore) -> str | None:
    """Inside :func:`allow_previous`, answer this request's reads from the newest model
    whose analysis is built; returns its revision (None: there is none, or not allowed).

    Why: at 1 M triples a revision's measures are ready 40-60 s after a write (the
    view builder's child builds them after the model), and the analysis API would
    answer 503 all that while; the model it held before the write answers at once,
    labelled stale as partner lists are. That model is kept until the next one is
    analysed: one more read model in memory while a revision is analysed.
    """
    allowed = _allowed.get()
    kept = store.values.peek(ANALYSED)
    if allowed is None or kept is None:
        return None
    model = cast(ReadModel, kept[1])
    allowed.held[id(store)] = model
    if model.revision != store.revision():
        allowed.shown = model.revision
    return model.revision


def cached(store: GraphStore, key: Hashable, build_value: Callable[[], T]) -> T:
    """``build_value()`` kept under ``key`` in the current read model's memo."""
    return read_model(store).cached(key, build_value)
