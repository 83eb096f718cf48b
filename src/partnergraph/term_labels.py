"""How an entity page names and groups properties: labels for reused terms, fact groups.

The ontology labels its own terms in Japanese and English; the terms it
reuses from RDF, Dublin Core, schema.org, ORG, PROV and WGS84 are labelled
here, so a page never shows a bare IRI where a person expects a word.
"""

from __future__ import annotations

import pyoxigraph as ox

from partnergraph.namespaces import DCT, GEO, ORG, PG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from partnergraph.store import Term

#: Labels for the reused vocabularies' terms, which the ontology does not label itself.
TERM_LABELS: dict[str, tuple[str, str]] = {
    RDF + "type": ("種類", "type"),
    RDFS + "label": ("名称", "label"),
    RDFS + "comment": ("説明", "comment"),
    SKOS + "altLabel": ("別名", "other name"),
    SKOS + "prefLabel": ("名称", "preferred label"),
    DCT + "title": ("正式名称", "title"),
    DCT + "publisher": ("発行者", "publisher"),
    DCT + "creator": ("作成者", "creator"),
    DCT + "issued": ("発行日", "issued"),
    DCT + "source": ("典拠", "source"),
    DCT + "license": ("ライセンス", "licence"),
    DCT + "rights": ("権利", "rights"),
    SCHEMA + "url": ("URL", "URL"),
    SCHEMA + "isPartOf": ("掲載サイト", "part of"),
    SCHEMA + "name": ("名称", "name"),
    SCHEMA + "alternateName": ("別表記", "alternate name"),
    SCHEMA + "description": ("概要", "description"),
    SCHEMA + "abstract": ("要旨", "abstract"),
    SCHEMA + "startDate": ("開始日時", "start"),
    SCHEMA + "endDate": ("終了日時", "end"),
    SCHEMA + "organizer": ("主催", "organizer"),
    SCHEMA + "attendee": ("参加団体", "attendee"),
    SCHEMA + "superEvent": ("上位の催し", "part of event"),
    SCHEMA + "eventAttendanceMode": ("開催形式", "attendance mode"),
    ORG + "member": ("会員", "member"),
    ORG + "organization": ("組織", "organization"),
    PROV + "wasDerivedFrom": ("出典", "derived from"),
    GEO + "lat": ("緯度", "latitude"),
    GEO + "long": ("経度", "longitude"),
}

NAME_PROPERTIES = {
    RDFS + "label", SKOS + "altLabel", SKOS + "prefLabel", DCT + "title", SCHEMA + "name",
    SCHEMA + "alternateName", PG + "kana", PG + "lgCode", SKOS + "notation",
}  # fmt: skip
KIND_PROPERTIES = {RDF + "type", PG + "agreementType", PG + "energySource", SKOS + "inScheme"}
TEXT_PROPERTIES = {
    RDFS + "comment", SCHEMA + "description", SCHEMA + "abstract", PG + "feature",
    PG + "policy", PG + "point", PG + "answerText", PG + "theme",
}  # fmt: skip
DATE_TYPES = {XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth")}
#: Groups of facts, in the order a page shows them.
GROUPS = ("names", "kind", "dates", "links", "details", "text")


def group_of(prop: str, values: list[Term]) -> str:
    """The group of :data:`GROUPS` a property's facts are shown in.

    >>> month = ox.Literal("1981-11", datatype=ox.NamedNode(XSD + "gYearMonth"))
    >>> group_of(PG + "signedOn", [month])
    'dates'
    """
    if prop in NAME_PROPERTIES:
        return "names"
    if prop in KIND_PROPERTIES:
        return "kind"
    if prop in TEXT_PROPERTIES:
        return "text"
    literals = [v for v in values if isinstance(v, ox.Literal)]
    if literals and all(t.datatype.value in DATE_TYPES for t in literals):
        return "dates"
    if all(isinstance(v, ox.NamedNode) for v in values):
        return "links"
    return "details"
