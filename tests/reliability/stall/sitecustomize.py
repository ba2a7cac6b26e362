"""Fault injection for the self-healing tests, loaded by Python at start-up through PYTHONPATH
in the server processes those tests start (never in the product).

With ``TOTRACKIT_TEST_STALL=loop``, SIGUSR1 blocks the event loop: the handler runs on the main
thread, which is the loop's, and sleeps there. With ``TOTRACKIT_TEST_STALL=scanner``, SIGUSR1
makes every later deadline scan hang forever while the event loop goes on turning.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from types import FrameType
from typing import Any

KIND = os.environ.get("TOTRACKIT_TEST_STALL")


def _block_the_loop(_signal: int, _frame: FrameType | None) -> None:
    time.sleep(3600)


def _hang_the_scanner() -> None:
    from totrackit.deadlines import runner

    stalled = asyncio.Event()
    original = runner.DeadlineEngine.scan_once

    async def scan_once(self: Any) -> None:
        if stalled.is_set():
            await asyncio.Event().wait()  # never set: the scan never returns
        await original(self)

    def stall(_signal: int, _frame: FrameType | None) -> None:
        stalled.set()

    runner.DeadlineEngine.scan_once = scan_once  # type: ignore[method-assign]
    signal.signal(signal.SIGUSR1, stall)


if KIND == "loop":
    signal.signal(signal.SIGUSR1, _block_the_loop)
elif KIND == "scanner":
    _hang_the_scanner()
