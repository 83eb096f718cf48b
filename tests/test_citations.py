"""Citations as the API gives them."""

from __future__ import annotations

import dataclasses

from partnergraph.citations import Citation


def test_a_citation_as_a_dict_has_every_field_in_order() -> None:
    cited = Citation("https://example.org/doc", "報告書", None, "2.1", 12, "「引用」")
    assert cited.as_dict() == dataclasses.asdict(cited)
    assert list(cited.as_dict()) == [f.name for f in dataclasses.fields(Citation)]
