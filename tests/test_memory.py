"""What an idle API process loads: only what serving the API needs (issue: idle RSS)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from totrackit.app import create_app
from totrackit.settings import Settings
create_app(Settings(env="production"))
print(",".join(sorted(name for name in ("httpx", "rich") if name in sys.modules)))
"""


def test_the_api_loads_no_webhook_client_unless_it_runs_the_deadline_engine() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout.strip()

    # httpx, with rich which it loads for its command line, is ~5 MB of an idle process.
    assert loaded == ""
