"""Shared by the write tests: sample payloads and a fingerprint of everything a store holds."""

from __future__ import annotations

import hashlib
from typing import Any

from partnergraph.store import GraphStore

TOKEN = "editor-secret-0123456789abcdef"
TOKENS = f"editor:{TOKEN},importer:importer-secret-0123456789"
#: A code with a right check digit that no local government has.
UNKNOWN_CODE = "139998"


def agreement(**changes: Any) -> dict[str, Any]:
    """A valid agreement between Setagaya (131121) and Kawaba (104442), with ``changes``."""
    body: dict[str, Any] = {
        "title_ja": "テスト用の災害時相互応援協定",
        "title_en": "Test disaster mutual-aid agreement",
        "type": "disaster-mutual-aid",
        "parties": ["131121", "104442"],
        "signed": "2020-04-01",
        "source": {"title": "テスト用の協定一覧", "url": "https://example.org/list", "page": 3},
    }
    body.update(changes)
    return body


def organization(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": "test-university",
        "name_ja": "テスト大学",
        "name_en": "Test University",
        "kind": "university",
        "homepage": "https://www.test-university.example/",
        "source": {"title": "テスト用の大学一覧"},
    }
    body.update(changes)
    return body


def fingerprint(store: GraphStore) -> tuple[int, str]:
    """How many quads the store holds (meta graph included) and a hash of all of them."""
    quads = sorted(str(q) for q in store.backend.all_quads())
    return len(quads), hashlib.sha256("\n".join(quads).encode()).hexdigest()


def ask(store: GraphStore, query: str) -> bool:
    return bool(store.query(query, prefixes=True))
