"""A SYNTHETIC nationwide graph in the project's own modelling, for benchmarks only.

Nothing here is data: every agreement, university and document it makes is
invented, titled ``合成データ`` / "SYNTHETIC", and written into a copy of
``graph/`` in a temporary directory (never into ``graph/`` itself). The quads
are those the write path produces (:func:`partnergraph.writes.rdf.agreement_quads`,
:func:`~partnergraph.writes.rdf.organization_quads`), so the store looks as if
the agreements had been entered through the API, but they load from a file.

Parties are drawn with a heavy tail (a few hubs with hundreds of partners, most
bodies with a handful), from the reference's local governments and a set of
synthetic universities. The draw is seeded: the same size gives the same graph.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import pyoxigraph as ox

from partnergraph.graphfiles import discover, read_quads
from partnergraph.namespaces import AGREEMENT_TYPE, PG, PREFIXES
from partnergraph.writes.models import AgreementIn, OrganizationIn, SourceIn
from partnergraph.writes.rdf import Minter, agreement_quads, organization_quads

#: File name of the synthetic part inside the copied graph/data/.
SYNTHETIC_FILE = "zz-synthetic-nationwide.trig"
TYPES = (
    "disaster-mutual-aid",
    "comprehensive-partnership",
    "engagement-accord",
    "renewable-energy",
    "sister-city",
    "employment",
    "university-platform",
)
#: Share of agreements whose first party is drawn with the heavy tail (the rest: uniformly).
HEAVY = 0.15
_MARK = "SYNTHETIC benchmark data, not real (benchmarks/nationwide.py)"


class _SeededMinter(Minter):
    """Citation IRIs from a counter instead of uuid4, so the file is reproducible."""

    def __init__(self, base_iri: str) -> None:
        super().__init__(base_iri)
        self._n = 0

    def citation(self) -> str:
        self._n += 1
        return f"{self.base}citation/synthetic-{self._n}"


@dataclass(frozen=True)
class Synthetic:
    """What was generated: where, how much, and bodies worth asking about."""

    graph_dir: Path
    file: Path
    quads: int
    agreements: int
    universities: int
    hub: str  # code of the local government with the most partners
    median: str  # code of one with the median number of partners
    partners: Counter[str]  # distinct partners per party key
    codes: list[str]  # every local-government code, for the import rows


def local_government_codes(graph_dir: Path, base_iri: str) -> list[str]:
    """Codes (``pg:lgCode``) of the reference's local governments, sorted."""
    code = ox.NamedNode(PG + "lgCode")
    codes: set[str] = set()
    for f in discover(graph_dir):
        if f.path.parent.name == "reference":
            codes |= {q.object.value for q in read_quads(f, base_iri) if q.predicate == code}
    return sorted(codes)


def _date(rng: random.Random) -> str:
    year = rng.randint(1965, 2025)
    precision = rng.random()
    if precision < 0.2:
        return str(year)
    if precision < 0.4:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def generate(
    target: Path, triples: int, base_iri: str, *, source: Path, seed: int = 12
) -> Synthetic:
    """Copy ``source`` (graph/) to ``target`` and add about ``triples`` synthetic quads."""
    shutil.copytree(source, target)
    rng = random.Random(seed)
    minter = _SeededMinter(base_iri)
    codes = local_government_codes(target, base_iri)
    quads: list[ox.Quad] = []
    universities = max(2, triples // 4000)
    uni_keys = [f"synthetic-university-{i}" for i in range(universities)]
    for i, slug in enumerate(uni_keys):
        payload = OrganizationIn.model_validate(
            {
                "slug": slug,
                "kind": "university",
                "name_ja": f"合成データ大学{i}",
                "name_en": f"Synthetic University {i} ({_MARK})",
                "source": {"title": f"合成データ: 大学一覧 / {_MARK}", "page": 1 + i // 50},
            }
        )
        quads += organization_quads(payload, iri=minter.organization(slug), minter=minter)[1]
    keys = codes + uni_keys
    # Heavy tail: weight 1/rank^0.9 over a shuffled order, so hubs are scattered nationwide.
    order = keys[:]
    rng.shuffle(order)
    cumulative = list(accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(order))))
    partners: dict[str, set[str]] = {}
    unique = dict.fromkeys(quads)
    n = 0
    while len(unique) < triples:
        n += 1
        size = 2 if rng.random() < 0.9 else rng.randint(3, 5)
        parties: list[str] = []
        if rng.random() < HEAVY:
            parties.append(rng.choices(order, cum_weights=cumulative)[0])
        while len(parties) < size:
            pick = rng.choice(order)
            if pick not in parties:
                parties.append(pick)
        kind = TYPES[rng.randrange(len(TYPES))]
        owner = parties[0]
        # model_construct: the values are valid by construction, and validating 70 k
        # models would dominate the generation time.
        payload = AgreementIn.model_construct(
            slug=f"synthetic-{n}",
            title_ja=f"合成データ協定{n}",
            title_en=f"Synthetic agreement {n} ({_MARK})",
            type=kind,
            parties=parties,
            signed=_date(rng),
            revised=None,
            source=SourceIn.model_construct(
                title=f"合成データ: {owner} の協定一覧 / {_MARK}",
                url=None,
                section=kind,
                page=1 + n % 40,
                quote=None,
            ),
        )
        if n == 1:  # the first one validated for real, as a check of the shape
            AgreementIn.model_validate(payload.model_dump())
        iris = [minter.party(p) for p in parties]
        quads = agreement_quads(
            payload,
            iri=minter.agreement(payload.slug or ""),
            parties=iris,
            type_iri=AGREEMENT_TYPE + kind,
            minter=minter,
        )[1]
        unique.update(dict.fromkeys(quads))
        for p in parties:
            partners.setdefault(p, set()).update(q for q in parties if q != p)
    path = target / "data" / SYNTHETIC_FILE
    header = f"# {_MARK}: {n} invented agreements among real body names. Not evidence.\n"
    path.write_bytes(
        header.encode()
        + (ox.serialize(list(unique), format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b"")
    )
    counts = Counter({k: len(v) for k, v in partners.items()})
    lg_counts = sorted((c, k) for k, c in counts.items() if k.isdigit())
    return Synthetic(
        graph_dir=target,
        file=path,
        quads=len(unique),
        agreements=n,
        universities=universities,
        hub=lg_counts[-1][1],
        median=lg_counts[len(lg_counts) // 2][1],
        partners=counts,
        codes=codes,
    )
