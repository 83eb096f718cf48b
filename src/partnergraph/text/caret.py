"""Pointing at a place in a text: the line quoted with a caret under the column.

Used for SPARQL syntax errors, so that the CLI and the web (problem+json
``detail``, shown as is by the workbench) say the same thing the same way.

>>> print(point_at("SELECT ?x\\nWHERE { ?x ?y }", 2, 13))
  2 | WHERE { ?x ?y }
    |             ^
"""

from __future__ import annotations


def point_at(text: str, line: int | None, column: int | None) -> str:
    """Line ``line`` of ``text`` with a caret under ``column`` (both 1-based); "" if unknown."""
    lines = text.splitlines()
    if line is None or column is None or not 1 <= line <= len(lines):
        return ""
    quoted = lines[line - 1].replace("\t", " ")
    number = str(line)
    gutter = " " * len(number)
    caret = " " * (max(column, 1) - 1) + "^"
    return f"  {number} | {quoted}\n  {gutter} | {caret}"
