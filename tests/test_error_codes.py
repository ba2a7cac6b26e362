"""docs/api.md's error table is the registry of error codes, and everything uses the registry."""

from __future__ import annotations

import re
from pathlib import Path

from totrackit import errors
from totrackit.errors import AppError, ErrorCode

API_DOC = Path(__file__).parents[1] / "docs" / "api.md"
ROW = re.compile(r"^\s*\|\s*(\d{3}|other)\s*\|\s*`([A-Z_]+)`\s*\|")


def documented_codes() -> dict[str, int | None]:
    rows = (ROW.match(line) for line in API_DOC.read_text().splitlines())
    return {m[2]: None if m[1] == "other" else int(m[1]) for m in rows if m}


def test_the_docs_error_table_lists_exactly_the_registered_codes_with_their_status() -> None:
    assert documented_codes() == {code.value: code.status for code in ErrorCode}


def test_every_domain_error_is_sent_with_the_status_its_code_is_registered_with() -> None:
    domain_errors = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, AppError)
    ]

    assert len(domain_errors) > 5
    for error in domain_errors:
        assert error.status_code == error.code.status, error.__name__
