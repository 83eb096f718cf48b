"""A body's partner list as an Excel briefing (.xlsx, openpyxl).

Three sheets: a cover (the body, the filters, the day exported, the graph
version and how to cite), the partners (one row per relation, in the order of
:mod:`partnergraph.partner_order`, with type, title, signed and revised dates,
the partner's code and prefecture and its sources) and the sources (one row per
cited passage, with section, page and a working hyperlink). Headings are
Japanese by default, English for ``lang="en"``. Cells that a spreadsheet would
read as a formula are written as text.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from partnergraph.analysis.relations import relations
from partnergraph.directory import Directory
from partnergraph.namespaces import sparql_prefixes
from partnergraph.records.organizations import partner_listing
from partnergraph.store import GraphStore
from partnergraph.text.display_dates import human_date

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

REVISED_QUERY = sparql_prefixes() + "SELECT ?via ?revised WHERE { ?via pg:revisedOn ?revised }"

#: Heading keys → (ja, en); the order of the partner and source sheets' columns.
HEADINGS: dict[str, tuple[str, str]] = {
    "cover": ("表紙", "Cover"),
    "partners": ("連携先", "Partners"),
    "sources": ("出典", "Sources"),
    "body": ("団体", "Body"),
    "code": ("団体コード", "Code"),
    "filters": ("条件", "Filters"),
    "none": ("なし（全件）", "none (all ties)"),
    "order": ("並び順", "Order"),
    "exported": ("出力日", "Date exported"),
    "version": ("グラフの版", "Graph version"),
    "page": ("このページ", "Page"),
    "cite": ("引用のしかた", "How to cite"),
    "count": ("件数", "Rows"),
    "partner": ("連携先", "Partner"),
    "partner_other": ("連携先（英語名）", "Partner (Japanese name)"),
    "partner_code": ("連携先コード", "Partner code"),
    "prefecture": ("都道府県", "Prefecture"),
    "type": ("種別", "Type"),
    "title": ("名称", "Title"),
    "signed": ("締結・開始", "Signed / began"),
    "revised": ("改定", "Revised"),
    "source_list": ("出典", "Sources"),
    "link": ("出典リンク", "Source link"),
    "document": ("資料", "Document"),
    "section": ("節", "Section"),
    "page_no": ("ページ", "Page"),
    "quote": ("引用", "Quote"),
    "address": ("アドレス", "Address"),
}
ORDER_NAMES: dict[str, tuple[str, str]] = {
    "relation": (
        "協定等の正式な連携を先に（縁組・災害時応援・エネルギー・包括・姉妹都市・雇用）、"
        "次にエネルギー供給・会員・フォーラム。各グループ内は日付順",
        "formal agreements first (engagement accord, disaster aid, energy, comprehensive, "
        "sister city, employment), then energy supply, memberships, forums; by date within each",
    ),
    "date": ("開始日順", "by start date"),
    "code": ("団体コード順", "by code"),
    "name": ("名称順", "by name"),
}
PARTNER_COLUMNS = (
    "partner",
    "partner_other",
    "partner_code",
    "prefecture",
    "type",
    "title",
    "signed",
    "revised",
    "source_list",
    "link",
)
SOURCE_COLUMNS = ("partner", "title", "document", "section", "page_no", "quote", "address")
WIDTHS = {"partner": 18, "partner_other": 22, "title": 40, "source_list": 50, "link": 40}
WIDTHS |= {"document": 50, "quote": 50, "address": 45, "prefecture": 10, "type": 18}


def partner_workbook(
    store: GraphStore,
    key: str,
    *,
    types: list[str] | None = None,
    as_of: str | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str | None = None,
    lang: str = "ja",
    today: dt.date | None = None,
) -> bytes:
    """The .xlsx bytes of the partners of the body ``key`` names, with the given filters.

    Raises what :func:`partner_listing` raises for an unknown body or bad filters.
    """
    listing = partner_listing(
        store, key, types=types, as_of=as_of, since=since, until=until, sort=sort
    )
    en = lang == "en"
    directory = Directory.load(store)
    rel = relations(store)
    revised = {r["via"].value: r["revised"].value for r in store.select(REVISED_QUERY)}
    org = listing["organization"]
    filters = {"type": ", ".join(types or []), "as_of": as_of, "since": since, "until": until}

    # openpyxl imported here, not with the module: 0.7 s of the server's start-up otherwise.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = _h("cover", en)
    partners_sheet = book.create_sheet(_h("partners", en))
    sources_sheet = book.create_sheet(_h("sources", en))

    rows: list[list[Any]] = []
    links: list[str | None] = []
    source_rows: list[list[Any]] = []
    source_links: list[str | None] = []
    for p in listing["partners"]:
        partner = p["partner"]
        body = directory.by_id.get(partner["id"])
        prefecture = directory.by_id.get(body.prefecture or "") if body else None
        names = (partner["name_ja"], partner["name_en"])
        name, other = (names[1] or names[0], names[0]) if en else names
        for r in p["relations"]:
            sources = r["sources"]
            first_url = next((s.get("url") or s["document"] for s in sources), None)
            rows.append(
                [
                    name or partner["id"],
                    other,
                    partner["code"],
                    _name(prefecture, en),
                    rel.type_label(r["type"], lang),
                    r["title"],
                    human_date(r["start"], lang),
                    human_date(revised.get(r["via"]), lang),
                    "\n".join(_citation(s, en) for s in sources),
                    first_url,
                ]
            )
            links.append(first_url)
            for s in sources:
                source_rows.append(
                    [
                        name or partner["id"],
                        r["title"],
                        s.get("title") or s["document"],
                        s.get("section"),
                        s.get("page"),
                        s.get("quote"),
                        s.get("url") or s["document"],
                    ]
                )
                source_links.append(s.get("url") or s["document"])

    base = store.settings.base_iri
    page = org["id"] if str(org["id"]).startswith(base) else None
    exported = (today or dt.date.today()).isoformat()
    used = [f"{k}={v}" for k, v in filters.items() if v]
    order = ORDER_NAMES.get(listing.get("sort") or "relation", ("", ""))[1 if en else 0]
    version = store.revision()
    body_name = _name(directory.by_id.get(str(org["id"])), en) or org["id"]
    cite = (
        f"partnergraph, “{body_name}” partner list, graph version {version}, exported {exported}"
        + (f", {page}" if page else "")
        + ". Cite the original documents listed on the Sources sheet for each fact."
        if en
        else f"partnergraph「{body_name}」連携先一覧（グラフの版 {version}、{exported} 出力）"
        + (f" {page}" if page else "")
        + "。個々の事実は「出典」シートの原資料を引用してください。"
    )
    cover_rows = [
        ("body", body_name),
        ("code", org.get("code")),
        ("filters", "; ".join(used) or _h("none", en)),
        ("order", order),
        ("count", len(rows)),
        ("exported", exported),
        ("version", version),
        ("page", page),
        ("cite", cite),
    ]
    for i, (k, v) in enumerate(cover_rows, 1):
        cover.cell(i, 1, _h(k, en)).font = Font(bold=True)
        cell = _put(cover, i, 2, v)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if k == "page" and page:
            cell.hyperlink = page
            cell.style = "Hyperlink"
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 90

    _table(partners_sheet, PARTNER_COLUMNS, rows, links, en)
    _table(sources_sheet, SOURCE_COLUMNS, source_rows, source_links, en)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(
    sheet: Worksheet,
    columns: tuple[str, ...],
    rows: list[list[Any]],
    links: list[str | None],
    en: bool,
) -> None:
    """Headings in bold, frozen; the last column's cells hyperlinked to ``links``."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for c, key in enumerate(columns, 1):
        sheet.cell(1, c, _h(key, en)).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(c)].width = WIDTHS.get(key, 14)
    for r, (values, link) in enumerate(zip(rows, links, strict=True), 2):
        for c, value in enumerate(values, 1):
            cell = _put(sheet, r, c, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if link:
            cell = sheet.cell(r, len(columns))
            cell.hyperlink = link
            cell.style = "Hyperlink"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"


def _h(key: str, en: bool) -> str:
    return HEADINGS[key][1 if en else 0]


def _name(body: Any, en: bool) -> str | None:
    if body is None:
        return None
    return (body.name_en or body.name_ja) if en else (body.name_ja or body.name_en)


def _citation(source: dict[str, Any], en: bool) -> str:
    """``title §section p.N`` of one citation."""
    parts = [str(source.get("title") or source["document"])]
    if source.get("section"):
        parts.append(f"§{source['section']}")
    if source.get("page"):
        parts.append(f"p.{source['page']}" if en else f"{source['page']}頁")
    return " ".join(parts)


def _put(sheet: Worksheet, row: int, column: int, value: str | float | None) -> Any:
    """Write one cell; text is never a formula, and characters XML cannot hold are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row, column, value)
    if cell.data_type == "f":  # "=…" from the data: keep it text
        cell.data_type = "s"
    return cell
