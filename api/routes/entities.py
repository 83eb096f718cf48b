"""Entity pages: every IRI under the base dereferences, as HTML for people or RDF for programs.

``GET /lg/131121`` answers for ``{base}lg/131121`` whatever host the request
came to, so the IRIs of a graph loaded for one address still resolve behind
a proxy. ``Accept`` (or ``?format=html|ttl|jsonld|nt``) picks the answer:
an HTML page rendered server-side (Jinja2, autoescaped, strict CSP) or the
entity's triples with those of its citation blank nodes. An unknown IRI is a
404 with close matches: an HTML page for a browser, problem+json otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from partnergraph import __version__, entity
from partnergraph.agreement_types import agreement_types
from partnergraph.claims import claims_summary
from partnergraph.entity_summary import organization_summary
from partnergraph.errors import NotFoundError
from partnergraph.namespaces import ENTITY_PREFIXES, PREFIXES
from partnergraph.readmodel import previous_shown
from partnergraph.web.i18n import LANGUAGES, MESSAGES
from partnergraph.web.negotiation import ENTITY_FORMATS, choose
from partnergraph.web.routes.pages import SECURITY_HEADERS, choose_language, templates

router = APIRouter(tags=["entities"], include_in_schema=False)

HEADERS = {**SECURITY_HEADERS, "Vary": "Accept, Accept-Language"}
#: Relation types and directions labelled by the catalogue (agreement types come from the ontology).
RELATION_KEYS = (
    "forum",
    "membership",
    "energy-supply",
    "supplies",
    "receives",
    "member-of",
    "has-member",
    "co-member",
)
#: Vocabulary IRIs are shown as text: the w3id.org namespace is not registered yet.
_VOCABULARIES = tuple(PREFIXES.values())


def link_maker(request: Request) -> Callable[[str | None], str | None]:
    """``href(iri)``: a local path for IRIs under the base, the IRI itself for http(s), else None.

    Only http and https leave the site: a ``javascript:`` or ``data:`` IRI
    in the graph is shown as text, never as a link.
    """
    base = request.app.state.settings.base_iri
    root = request.scope.get("root_path", "").rstrip("/")

    def href(iri: str | None) -> str | None:
        if not iri:
            return None
        if iri.startswith(base):
            return f"{root}/{iri[len(base) :]}"
        if iri.startswith(_VOCABULARIES):
            return None
        parts = urlsplit(iri)
        return iri if parts.scheme in ("http", "https") and parts.netloc else None

    return href


def _language_links(request: Request) -> dict[str, str]:
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return {lang: f"{request.url.path}?{urlencode([*kept, ('lang', lang)])}" for lang in LANGUAGES}


def _relation_labels(request: Request, language: str) -> dict[str, str]:
    """Relation type or direction → label: agreement types from the ontology, others from i18n."""
    t = MESSAGES[language]
    labels = {
        notation: str(concept[f"label_{language}"] or notation)
        for notation, concept in agreement_types(request.app.state.store).items()
    }
    for key in RELATION_KEYS:
        labels[key] = t["entity_rel_" + key.replace("-", "_")]
    return labels


def _context(request: Request, language: str, **extra: Any) -> dict[str, Any]:
    return {
        "lang": language,
        "t": MESSAGES[language],
        "languages": [(code, MESSAGES[code]["language_name"]) for code in LANGUAGES],
        "language_links": _language_links(request),
        "active": "entity",
        "version": __version__,
        "href": link_maker(request),
        **extra,
        # Last, after the reads above: whether they were answered from the previous revision.
        "stale_model": previous_shown(),
    }


def _page(path: str) -> Callable[..., Response]:
    """The handler for IRIs ``{base}{path}...``."""

    def entity_page(
        request: Request, slug: str, format: str | None = None, lang: str | None = None
    ) -> Response:
        store = request.app.state.store
        iri = request.app.state.settings.base_iri + path + slug
        accept = request.headers.get("accept")
        fmt = choose(ENTITY_FORMATS, format, accept)
        if fmt != "html":
            body, media_type = entity.serialize(store, iri, fmt)
            return Response(body, media_type=media_type, headers={"Vary": "Accept"})
        language = choose_language(lang, request.headers.get("accept-language"))
        try:
            described = entity.describe(store, iri, language)
        except NotFoundError as missing:
            if "html" not in (accept or "") + (format or ""):
                raise  # problem+json, as for the API
            close = [(s, entity.label_of(store, s, language)) for s in missing.suggestions]
            context = _context(request, language, iri=iri, suggestions=close)
            return templates.TemplateResponse(
                request, "entity_missing.html", context, status_code=404, headers=HEADERS
            )
        context = _context(
            request,
            language,
            entity=described,
            summary=organization_summary(store, iri, language),
            claims=claims_summary(store, iri),  # where the sources differ (issue 13)
            relation_labels=_relation_labels(request, language),
        )
        return templates.TemplateResponse(request, "entity.html", context, headers=HEADERS)

    return entity_page


for _path in ENTITY_PREFIXES.values():
    router.add_api_route(
        f"/{_path}{{slug:path}}",
        _page(_path),
        methods=["GET", "HEAD"],
        name=f"entity-{_path.rstrip('/')}",
        response_class=HTMLResponse,
    )
