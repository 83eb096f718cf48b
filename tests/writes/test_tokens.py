"""Named write tokens: parsed from the setting, checked in constant time, never echoed."""

from __future__ import annotations

import pytest

from partnergraph.errors import AuthenticationError, PermissionDeniedError, SettingsError
from partnergraph.settings import Settings
from partnergraph.writes.tokens import check_token, parse_tokens

A = "a" * 16
B = "b" * 20


def test_tokens_come_from_the_environment_by_name() -> None:
    settings = Settings.from_env({"PARTNERGRAPH_TOKENS": f"alice:{A}, bob:{B}"})
    assert parse_tokens(settings.tokens) == {"alice": A, "bob": B}
    assert A not in repr(settings)


def test_the_matching_token_gives_its_name() -> None:
    tokens = parse_tokens(f"alice:{A},bob:{B}")
    assert check_token(tokens, B) == "bob"
    assert check_token(tokens, A) == "alice"


def test_no_tokens_means_writes_are_off() -> None:
    with pytest.raises(PermissionDeniedError, match="writes are disabled"):
        check_token(parse_tokens(""), A)


def test_a_missing_token_and_a_wrong_one_are_told_apart() -> None:
    tokens = parse_tokens(f"alice:{A}")
    with pytest.raises(AuthenticationError):
        check_token(tokens, None)
    with pytest.raises(PermissionDeniedError, match="not valid"):
        check_token(tokens, A + "x")
    with pytest.raises(PermissionDeniedError):
        check_token(tokens, "ä" * 16)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (f"alice{A}", "name:secret"),
        ("alice:short", "at least 16"),
        (f"al ice:{A}", "name:secret"),
        (f"alice:{A},alice:{B}", "used twice"),
        (f":{A}", "name:secret"),
    ],
)
def test_malformed_token_lists_are_refused(spec: str, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        parse_tokens(spec)
