"""HTML pages for people: the query workbench at ``/query`` (more pages later).

Pages are server-rendered shells: Jinja2 (autoescaped) writes the layout and
the UI text; the data a page script needs is handed over in a
``<script type="application/json">`` block, which a strict Content-Security-Policy
allows (it is never executed) while inline scripts stay forbidden. Everything
the page loads comes from this app (``/static``, ``/vendor``): no CDN, so the
workbench works on a closed network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from partnergraph import __version__
from partnergraph.namespaces import PREFIXES, RDFS, entity_prefixes
from partnergraph.paging import MAX_PAGE_SIZE
from partnergraph.text.display_dates import human_date
from partnergraph.vocabulary import vocabulary
from partnergraph.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, MESSAGES

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

#: Autoescape everywhere, whatever the file suffix: labels in the graph may hold markup.
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=True)
)
#: ``{{ value|human_date(lang) }}``: 2022年12月9日 / 9 Dec 2022, at the precision known.
templates.env.filters["human_date"] = human_date

router = APIRouter(tags=["pages"], include_in_schema=False)

#: Only this app's own origin; inline scripts and styles are refused. CodeMirror
#: positions elements through the CSSOM (``element.style``), which style-src allows.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Vary": "Accept-Language",
}


#: Shown in the editor when the page opens without a shared query.
EXAMPLE_QUERY = f"""PREFIX pg: <{PREFIXES["pg"]}>
PREFIX rdfs: <{RDFS}>

# 群馬県の村 / villages in Gunma
SELECT ?village ?name WHERE {{
  ?village a pg:Village ;
           pg:prefecture/rdfs:label "群馬県"@ja ;
           rdfs:label ?name .
  FILTER(lang(?name) = "ja")
}}
ORDER BY ?name
"""


def choose_language(requested: str | None, accept_language: str | None) -> str:
    """``?lang=`` if it names a language we have, else the best Accept-Language match, else ja.

    Japanese is the default because the audience is Japanese local government
    staff; an unknown or malformed header is treated as "unsure".

    >>> choose_language("en", "ja")
    'en'
    >>> choose_language(None, "en-GB,en;q=0.9,ja;q=0.8")
    'en'
    >>> choose_language(None, "fr-FR, de;q=0.5")
    'ja'
    >>> choose_language("xx", "ja;q=0.2, en;q=0.1")
    'ja'
    """
    if requested in LANGUAGES:
        return requested
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def language_links(request: Request) -> dict[str, str]:
    """The same URL in each language, so switching keeps a shared query."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return {lang: f"{request.url.path}?{urlencode([*kept, ('lang', lang)])}" for lang in LANGUAGES}


def layout_context(request: Request, language: str, active: str) -> dict[str, Any]:
    """What ``base.html`` needs (catalogue, language switch, current nav entry) for any page."""
    return {
        "lang": language,
        "t": MESSAGES[language],
        "languages": [(code, MESSAGES[code]["language_name"]) for code in LANGUAGES],
        "language_links": language_links(request),
        "active": active,
        "version": __version__,
    }


@router.api_route("/", methods=["GET", "HEAD"], response_class=RedirectResponse)
def home(request: Request) -> RedirectResponse:
    """The workbench is the only page for now; keep ``?lang=`` and a shared query."""
    query = request.url.query
    return RedirectResponse("/query" + (f"?{query}" if query else ""), status_code=307)


@router.api_route("/query", methods=["GET", "HEAD"], response_class=HTMLResponse)
def query_page(request: Request, lang: str | None = None, q: str | None = None) -> HTMLResponse:
    """The query workbench: editor, saved-query picker, results table, downloads, share link."""
    language = choose_language(lang, request.headers.get("accept-language"))
    settings = request.app.state.settings
    vocab = vocabulary(request.app.state.store)
    page_data = {
        "lang": language,
        "messages": MESSAGES[language],
        "prefixes": PREFIXES,
        "entityPrefixes": entity_prefixes(settings.base_iri),
        "baseIri": settings.base_iri,
        "terms": vocab["terms"],
        "agreementTypes": vocab["agreementTypes"],
        "endpoints": {"sparql": "/sparql", "queries": "/api/v1/queries"},
        "pageSize": min(MAX_PAGE_SIZE, settings.row_limit),  # saved queries: one page shown
        "exampleQuery": EXAMPLE_QUERY,
    }
    context = {
        **layout_context(request, language, active="query"),
        "page_data": page_data,
        "initial_query": q if q is not None else EXAMPLE_QUERY,
    }
    return templates.TemplateResponse(request, "query.html", context, headers=SECURITY_HEADERS)
