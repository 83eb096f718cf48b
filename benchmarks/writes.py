"""What a write costs: one agreement (checks, SHACL on the small graph, commit) and CSV imports.

Run: ``.venv/bin/python benchmarks/writes.py [--writes 20] [--rows 100 500 1000]``

Builds the shipped graph in a temporary on-disk store, then times
- ``create_agreement`` end to end, and its SHACL step alone (``checks.validate_plan``);
- SHACL on the *whole* store (every quad into rdflib, then pySHACL), for comparison;
- ``import_file`` of CSV agreement lists of the given sizes (one transaction each).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from partnergraph.settings import Settings
from partnergraph.store import GraphStore
from partnergraph.validation import validate
from partnergraph.writes import agreements, checks, imports
from partnergraph.writes.models import AgreementIn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--rows", type=int, nargs="*", default=[100, 500, 1000])
    parser.add_argument("--full", action="store_true", help="also time SHACL on the whole store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store_path=Path(tmp) / "store")
        store = GraphStore.open(settings)
        codes = [
            r["c"].value
            for r in store.select(
                "SELECT ?c WHERE { ?s <https://w3id.org/partnergraph/ns#lgCode> ?c } ORDER BY ?c"
            )
        ]

        shacl: list[float] = []
        original = checks.validate_plan

        def timed_validate(store: GraphStore, plan: object) -> list[str]:
            started = time.perf_counter()
            try:
                return original(store, plan)  # type: ignore[arg-type]
            finally:
                shacl.append(time.perf_counter() - started)

        checks.validate_plan = timed_validate  # type: ignore[assignment]
        totals = []
        for i in range(args.writes):
            payload = AgreementIn.model_validate(
                {
                    "title_ja": f"計測用の協定{i}",
                    "type": "disaster-mutual-aid",
                    "parties": [codes[0], codes[i + 1]],
                    "signed": "2020-04-01",
                    "source": {"title": "計測用の一覧", "page": 1},
                }
            )
            started = time.perf_counter()
            agreements.create_agreement(store, payload, "bench")
            totals.append(time.perf_counter() - started)
        checks.validate_plan = original  # type: ignore[assignment]
        print(
            f"one agreement ({args.writes} writes): median {statistics.median(totals):.3f} s "
            f"end to end, SHACL {statistics.median(shacl):.3f} s "
            f"(min {min(shacl):.3f}, max {max(shacl):.3f})"
        )

        if args.full:
            started = time.perf_counter()
            graph = Graph().parse(data=store.dump(ox.RdfFormat.N_TRIPLES), format="nt")
            report = validate(
                graph,
                settings.graph_dir / "shapes.ttl",
                settings.graph_dir / "ontology.ttl",
                base_iri=settings.base_iri,
            )
            print(
                f"SHACL on the whole store ({len(graph):,} triples): "
                f"{time.perf_counter() - started:.1f} s, conforms={report.conforms}"
            )

        offset = args.writes + 1
        for n in args.rows:
            partner = [codes[(offset + i) % (len(codes) - 1) + 1] for i in range(n)]
            rows = [
                f"計測用の取込{offset + i},{codes[0]}・{partner[i]},"
                f"災害時相互応援協定,H{1 + i % 30}.4.1,,計測用の一覧{n},,{1 + i}"
                for i in range(n)
            ]
            text = "協定名,協定先,種別,初度締結日,最新締結日,出典,出典URL,頁\n" + "\n".join(rows)
            offset += n
            started = time.perf_counter()
            outcome = imports.import_file(store, text.encode("utf-8"), "text/csv", "bench")
            seconds = time.perf_counter() - started
            print(
                f"CSV import of {n} rows: {seconds:.2f} s "
                f"({outcome.body['added']:,} triples, {1000 * seconds / n:.1f} ms a row)"
            )


if __name__ == "__main__":
    main()
