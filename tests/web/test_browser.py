"""The Content-Security-Policy lets the web UI and the Swagger UI work in a real browser.

Headless Chromium (Debian's ``chromium``; ``scripts/ensure-chromium.sh`` installs it) loads each
page from a real ``totrackit serve`` over the DevTools protocol, waits until it has rendered, and
collects every CSP violation the page reports.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from tests.support.servers import RunningServer, running_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason="needs Chromium (scripts/ensure-chromium.sh)"
)

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""
SWAGGER_RENDERED = "document.querySelectorAll('.opblock').length > 0"
# Open GET /health/live, try it out and execute it: the call goes through connect-src.
SWAGGER_EXECUTE = """(async () => {
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  const block = [...document.querySelectorAll('.opblock')].find(
    (b) => b.querySelector('.opblock-summary-path')?.textContent.trim() === '/health/live');
  block.querySelector('.opblock-summary-control').click();
  await pause(300);
  block.querySelector('.try-out__btn').click();
  await pause(300);
  block.querySelector('.execute').click();
  for (let i = 0; i < 50 && !block.querySelector('.live-responses-table'); i++) await pause(100);
  return block.querySelector('.live-responses-table tbody .response-col_status')?.textContent.trim();
})()"""
UI_RENDERED = "document.body.innerText.includes('Dashboard')"
UI_VISIT_PAGES = """(async () => {
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  const seen = [];
  for (const label of ['Processes', 'Tags', 'Metrics']) {
    const link = [...document.querySelectorAll('a, button')].find((e) => e.textContent.trim() === label);
    if (!link) continue;
    link.click();
    await pause(700);
    seen.push(label);
  }
  return seen;
})()"""


class Page:
    """One browser tab driven over the DevTools protocol."""

    def __init__(self, socket: ClientConnection, session: str) -> None:
        self._socket = socket
        self._session = session
        self._ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        return await _call(self._socket, next(self._ids), method, params, self._session)

    async def evaluate(self, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        return result["result"].get("value")

    async def wait_for(self, expression: str) -> None:
        for _ in range(150):
            if await self.evaluate(expression):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"page never satisfied {expression}")


async def _call(
    socket: ClientConnection, id_: int, method: str, params: dict[str, Any], session: str | None
) -> dict[str, Any]:
    message: dict[str, Any] = {"id": id_, "method": method, "params": params}
    if session:
        message["sessionId"] = session
    await socket.send(json.dumps(message))
    while True:
        reply = json.loads(await socket.recv())
        if reply.get("id") == id_ and reply.get("sessionId") == session:
            if "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']}")
            result: dict[str, Any] = reply["result"]
            return result


@pytest.fixture(scope="module")
def chromium() -> Iterator[str]:
    """A headless Chromium; yields its DevTools WebSocket URL."""
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stderr is not None
            for line in process.stderr:
                if match := re.search(r"DevTools listening on (ws://\S+)", line):
                    yield match.group(1)
                    break
            else:
                raise RuntimeError("Chromium did not start")
        finally:
            process.terminate()
            process.wait(timeout=15)
            assert process.stderr is not None
            process.stderr.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"TOTRACKIT_SHUTDOWN_DRAIN_SECONDS": "0"}
    with running_server(data_dir=tmp_path_factory.mktemp("browser"), env=env) as running:
        yield running


@asynccontextmanager
async def open_page(browser_url: str, url: str) -> AsyncIterator[Page]:
    async with connect(browser_url, max_size=None) as socket:
        target = await _call(socket, 1, "Target.createTarget", {"url": "about:blank"}, None)
        attached = await _call(
            socket,
            2,
            "Target.attachToTarget",
            {"targetId": target["targetId"], "flatten": True},
            None,
        )
        page = Page(socket, attached["sessionId"])
        await page.call("Page.enable")
        await page.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD_VIOLATIONS)
        await page.call("Page.navigate", url=url)
        try:
            yield page
        finally:
            await _call(socket, 3, "Target.closeTarget", {"targetId": target["targetId"]}, None)


async def test_the_swagger_ui_renders_and_calls_the_api_under_the_policy(
    chromium: str, server: RunningServer
) -> None:
    async with open_page(chromium, f"{server.url}/docs") as page:
        await page.wait_for(SWAGGER_RENDERED)
        executed = await page.evaluate(SWAGGER_EXECUTE)
        violations = await page.evaluate("window.__violations")

    assert executed == "200"
    assert violations == []


async def test_the_web_ui_renders_under_the_policy(chromium: str, server: RunningServer) -> None:
    async with open_page(chromium, f"{server.url}/") as page:
        await page.wait_for("location.pathname === '/' && document.readyState === 'complete'")
        if await page.evaluate("!document.querySelector('script[src^=\"/assets/\"]')"):
            pytest.skip("the web UI is not built into this checkout (make ui)")
        await page.wait_for(UI_RENDERED)
        visited = await page.evaluate(UI_VISIT_PAGES)
        violations = await page.evaluate("window.__violations")

    assert visited == ["Processes", "Tags", "Metrics"]
    assert violations == []


async def test_an_inline_style_would_be_reported(chromium: str, server: RunningServer) -> None:
    """The check above can see violations: an injected inline style is one."""
    async with open_page(chromium, f"{server.url}/docs") as page:
        await page.wait_for(SWAGGER_RENDERED)
        await page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<b style=\"color: red\">x</b>')"
        )
        await asyncio.sleep(0.2)
        violations = await page.evaluate("window.__violations")

    assert violations == ["style-src-attr inline"]
