"""Named write tokens from ``PARTNERGRAPH_TOKENS`` and the check of a presented one.

The setting reads ``name:secret,name2:secret2``. The *name* is what the history
records as the agent of a write (secrets never leave this module); no tokens
means the server takes no writes at all. Secrets are compared with
:func:`hmac.compare_digest` against every configured token, so the time taken
says nothing about which token, or how much of one, matched.

>>> tokens = parse_tokens("editor:" + "s" * 20)
>>> check_token(tokens, "s" * 20)
'editor'
"""

from __future__ import annotations

import hmac
import re
from functools import lru_cache

from partnergraph.errors import AuthenticationError, PermissionDeniedError, SettingsError

#: A token's name becomes the IRI ``{base}agent/{name}``, so it is kept to URL-safe characters.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Shorter secrets are refused at start-up: they could be guessed.
MIN_SECRET_LENGTH = 16


@lru_cache(maxsize=8)
def parse_tokens(spec: str) -> dict[str, str]:
    """``name:secret,…`` → ``{name: secret}``; a malformed list raises :class:`SettingsError`.

    >>> parse_tokens("")
    {}
    >>> parse_tokens("a:" + "x" * 16 + ", b:" + "y" * 16).keys()
    dict_keys(['a', 'b'])
    """
    tokens: dict[str, str] = {}
    for i, item in enumerate(spec.split(",")):
        item = item.strip()
        if not item:
            continue
        name, sep, secret = item.partition(":")
        name, secret = name.strip(), secret.strip()
        where = f"PARTNERGRAPH_TOKENS, item {i + 1}"
        if not sep or not NAME.fullmatch(name):
            raise SettingsError(
                f"{where}: expected name:secret with a name of letters, digits, '.', '_' or '-'"
            )
        if len(secret) < MIN_SECRET_LENGTH or any(c.isspace() for c in secret):
            raise SettingsError(
                f"{where}: the secret of {name!r} must be at least {MIN_SECRET_LENGTH} "
                "characters without spaces"
            )
        if name in tokens:
            raise SettingsError(f"{where}: the name {name!r} is used twice")
        tokens[name] = secret
    return tokens


def check_token(tokens: dict[str, str], presented: str | None) -> str:
    """The name of the token ``presented`` (the Bearer credentials), or an error saying why not.

    No tokens configured → :class:`PermissionDeniedError` (writes are off); nothing
    presented → :class:`AuthenticationError`; no match → :class:`PermissionDeniedError`.
    """
    if not tokens:
        raise PermissionDeniedError(
            "writes are disabled on this server: no write tokens are configured "
            "(PARTNERGRAPH_TOKENS)"
        )
    if not presented:
        raise AuthenticationError("this operation needs a write token: Authorization: Bearer …")
    given = presented.encode("utf-8", "surrogatepass")
    found = None
    for name, secret in tokens.items():
        # No early exit: every configured secret is compared.
        if hmac.compare_digest(secret.encode("utf-8"), given):
            found = name
    if found is None:
        raise PermissionDeniedError("the token is not valid for writes on this server")
    return found
