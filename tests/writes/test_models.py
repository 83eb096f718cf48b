"""The write models check the form of every value and name the field when it is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from partnergraph.writes.models import AgreementIn, OrganizationIn, date_before
from tests.writes.support import agreement, organization


def errors_of(model: type, body: dict[str, Any]) -> list[tuple[str, str]]:
    """(dotted field, message) for each error pydantic reports."""
    with pytest.raises(ValidationError) as info:
        model.model_validate(body)
    return [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in info.value.errors()]


def test_a_valid_agreement_keeps_its_values() -> None:
    a = AgreementIn.model_validate(agreement(revised="2021"))
    assert a.parties == ["131121", "104442"]
    assert (a.signed, a.revised, a.slug) == ("2020-04-01", "2021", None)
    assert a.source.page == 3


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"parties": ["131121", "10444"]}, "parties", "parties[1]"),
        ({"parties": ["131121", "Seijo University"]}, "parties", "neither a 6-digit"),
        ({"parties": ["131121"]}, "parties", "at least 2"),
        ({"parties": ["131121", "131121"]}, "parties", "already parties[0]"),
        ({"signed": "2020-13"}, "signed", "not a real date"),
        ({"signed": "2021-02-29"}, "signed", "not a real date"),
        ({"signed": "2020/04/01"}, "signed", "YYYY-MM-DD"),
        ({"signed": "R2"}, "signed", "YYYY"),
        ({"type": "Disaster Aid"}, "type", "not a slug"),
        ({"slug": "a b"}, "slug", "not a slug"),
        ({"slug": "agr>x"}, "slug", "not a slug"),
        ({"title_ja": "   "}, "title_ja", "must not be empty"),
        ({"title_ja": "協定\x00"}, "title_ja", "control character U+0000"),
        ({"title_ja": "協定\ud800"}, "title_ja", "valid string"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
    ],
)
def test_bad_agreement_values_are_refused_naming_the_field(
    changes: dict[str, Any], field: str, words: str
) -> None:
    found = errors_of(AgreementIn, agreement(**changes))
    assert any(f == field and words in m for f, m in found), found


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("javascript:alert(1)", "not 'javascript:'"),
        ("JavaScript:alert(1)", "not 'javascript:'"),
        ("data:text/html,<b>", "'<'"),
        ("ftp://example.org/x", "not 'ftp:'"),
        ("/relative/path", "no scheme"),
        ("https://example.org/a b", "' '"),
        ("https://example.org/a>b", "'>'"),
        ("https:///nohost", "no host"),
    ],
)
def test_only_http_urls_are_taken(url: str, words: str) -> None:
    found = errors_of(AgreementIn, agreement(source={"title": "t", "url": url}))
    assert any(f == "source.url" and words in m for f, m in found), found
    found = errors_of(OrganizationIn, organization(homepage=url))
    assert any(f == "homepage" and words in m for f, m in found), found


def test_dates_compare_at_their_common_precision() -> None:
    assert not date_before("2020", "2020-04-01")  # the same year: not certainly before
    assert date_before("2019-12", "2020")
    AgreementIn.model_validate(agreement(signed="2020-04", revised="2020"))


@pytest.mark.parametrize("label", ['"} ; DROP ALL ; #', "<script>alert(1)</script>", "a\u2028b"])
def test_labels_that_look_like_code_are_kept_verbatim(label: str) -> None:
    assert AgreementIn.model_validate(agreement(title_ja=label)).title_ja == label
    assert OrganizationIn.model_validate(organization(name_ja=label)).name_ja == label


def test_an_organization_needs_a_known_kind_a_slug_and_katakana_reading() -> None:
    assert (
        OrganizationIn.model_validate(organization(kana="テストダイガク")).kana == "テストダイガク"
    )
    assert errors_of(OrganizationIn, organization(kind="company"))[0][0] == "kind"
    assert errors_of(OrganizationIn, organization(slug="Test_University"))[0][0] == "slug"
    assert errors_of(OrganizationIn, organization(kana="てすと"))[0][0] == "kana"
    missing = {f for f, _ in errors_of(OrganizationIn, {"slug": "x"})}
    assert {"name_ja", "kind", "source"} <= missing


def test_the_json_schema_documents_the_patterns() -> None:
    schema = AgreementIn.model_json_schema()
    assert schema["additionalProperties"] is False
    assert "pattern" in schema["properties"]["signed"]
    assert schema["properties"]["parties"]["minItems"] == 2
