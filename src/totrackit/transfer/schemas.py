"""The answer of ``POST /imports``."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ImportResult(BaseModel):
    read: int = Field(description="Lines read (blank lines and the CSV header excluded).")
    imported: int = Field(description="Runs added.")
    skipped: int = Field(description="Runs already present (same name, id and start second).")
    rejected: int = Field(description="Lines rejected (only with skip_invalid=true).")
