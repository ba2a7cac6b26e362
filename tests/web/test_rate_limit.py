"""Rate limiting (TOTRACKIT_RATE_LIMIT): 429 with Retry-After, RateLimit headers, per client."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from tests.web.conftest import MakeApp, client_for
from totrackit.ratelimit.rule import Rate, parse_rate
from totrackit.ratelimit.stores import MemoryStore
from totrackit.settings import Settings

LIMITED = "/processes"
KEY = "test-key-123"


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"rate_limit": "3/minute"}


async def test_requests_over_the_limit_get_429_with_headers_and_the_error_body(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(3):
        assert (await client.get(LIMITED)).status_code == 200

    response = await client.get(LIMITED)

    assert response.status_code == 429
    assert response.headers["content-type"] == "application/json"
    assert response.headers["retry-after"] == "20"  # 3/minute refills one request every 20 s
    assert response.headers["ratelimit-limit"] == "3"
    assert response.headers["ratelimit-remaining"] == "0"
    assert response.headers["ratelimit-reset"] == "60"
    body = response.json()
    assert body["error"] == "TOO_MANY_REQUESTS"
    assert body["path"] == LIMITED
    assert body["message"] == "Rate limit of 3/minute exceeded; retry in 20 s"
    assert isinstance(body["timestamp"], int)


async def test_every_limited_response_carries_the_ratelimit_headers(
    client: httpx.AsyncClient,
) -> None:
    responses = [await client.get(LIMITED) for _ in range(3)]

    assert [r.headers["ratelimit-remaining"] for r in responses] == ["2", "1", "0"]
    assert [r.headers["ratelimit-limit"] for r in responses] == ["3", "3", "3"]
    assert [r.headers["ratelimit-reset"] for r in responses] == ["20", "40", "60"]
    assert all("retry-after" not in r.headers for r in responses)


async def test_unknown_paths_count_too(client: httpx.AsyncClient) -> None:
    statuses = [(await client.get(f"/nowhere/{n}")).status_code for n in range(4)]

    assert statuses == [404, 404, 404, 429]


async def test_clients_are_counted_per_address(make_app: MakeApp) -> None:
    app = await make_app(rate_limit="2/minute")
    async with client_for(app, "198.51.100.1") as first, client_for(app, "198.51.100.2") as second:
        assert [(await first.get(LIMITED)).status_code for _ in range(3)] == [200, 200, 429]

        assert (await second.get(LIMITED)).status_code == 200


async def test_the_api_key_has_one_allowance_across_addresses(make_app: MakeApp) -> None:
    app = await make_app(rate_limit="2/minute", api_key=KEY)
    headers = {"X-API-KEY": KEY}
    async with client_for(app, "198.51.100.1") as first, client_for(app, "198.51.100.2") as second:
        assert (await first.get(LIMITED, headers=headers)).status_code == 200
        assert (await second.get(LIMITED, headers=headers)).status_code == 200
        assert (await second.get(LIMITED, headers=headers)).status_code == 429

        # The address's own allowance is separate from the key's.
        assert (await first.get("/analytics/summary")).status_code == 200


async def test_invented_api_keys_count_against_the_address(make_app: MakeApp) -> None:
    app = await make_app(rate_limit="2/minute", api_key=KEY)
    async with client_for(app) as client:
        statuses = [
            (await client.get(LIMITED, headers={"X-API-KEY": f"guess-{n}"})).status_code
            for n in range(3)
        ]

    assert statuses == [401, 401, 429]


@pytest.mark.parametrize(
    "path",
    [
        "/health/live",
        "/health/ready",
        "/metrics",
        "/docs",
        "/docs/init.js",
        "/docs/assets/swagger-ui.css",
        "/openapi.json",
        "/",
    ],
)
async def test_probes_metrics_docs_and_ui_files_are_exempt(make_app: MakeApp, path: str) -> None:
    app = await make_app(rate_limit="1/hour")
    async with client_for(app) as client:
        responses = [await client.get(path) for _ in range(3)]

    assert all(r.status_code != 429 for r in responses)
    assert all("ratelimit-limit" not in r.headers for r in responses)


async def test_ui_assets_are_exempt(make_app: MakeApp) -> None:
    app = await make_app(rate_limit="1/hour")
    async with client_for(app) as client:
        index = (await client.get("/")).text
        asset = index.split('src="', 1)[1].split('"', 1)[0] if 'src="/assets/' in index else None
        if asset is None:
            pytest.skip("the web UI is not built into this checkout (make ui)")
        statuses = [(await client.get(asset)).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_a_rate_limit_nothing_is_limited(client: httpx.AsyncClient) -> None:
    responses = [await client.get(LIMITED) for _ in range(5)]

    assert all(r.status_code == 200 for r in responses)
    assert all("ratelimit-limit" not in r.headers for r in responses)


class TestParseRate:
    @pytest.mark.parametrize(
        ("text", "limit", "seconds"),
        [
            ("100/minute", 100, 60),
            ("5/second", 5, 1),
            ("1000/hour", 1000, 3600),
            ("10000/day", 10000, 86400),
            ("7/s", 7, 1),
            ("20 / min", 20, 60),
            ("3 per hours", 3, 3600),
            ("50/MINUTE", 50, 60),
        ],
    )
    def test_accepted_forms(self, text: str, limit: int, seconds: int) -> None:
        assert parse_rate(text) == Rate(limit=limit, period_us=seconds * 1_000_000)

    @pytest.mark.parametrize(
        "text", ["100", "minute", "100/fortnight", "100/ms", "0/minute", "-1/minute", "1.5/s"]
    )
    def test_rejected_forms(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_rate(text)

    def test_a_bad_setting_names_the_expected_format(self) -> None:
        with pytest.raises(ValidationError, match="expected COUNT/UNIT such as 100/minute"):
            Settings(rate_limit="lots")

    @pytest.mark.parametrize("blank", ["", "  "])
    def test_a_blank_setting_means_off(self, blank: str) -> None:
        assert Settings(rate_limit=blank).protection.rate_limit is None


class TestMemoryStore:
    """GCRA: a burst of ``limit`` requests, then one per interval."""

    def store(self, text: str) -> tuple[MemoryStore, list[int]]:
        now = [1_000_000_000]
        return MemoryStore(parse_rate(text), clock=lambda: now[0]), now

    def test_a_burst_of_the_limit_then_refusal(self) -> None:
        store, _ = self.store("3/minute")

        decisions = [store.hit("a") for _ in range(4)]

        assert [d.allowed for d in decisions] == [True, True, True, False]
        assert [d.remaining for d in decisions] == [2, 1, 0, 0]
        assert decisions[3].retry_after_us == 20_000_000
        assert decisions[3].reset_us == 60_000_000

    def test_the_allowance_refills_one_interval_at_a_time(self) -> None:
        store, now = self.store("3/minute")
        for _ in range(3):
            store.hit("a")

        now[0] += 19_999_999
        assert not store.hit("a").allowed
        now[0] += 1
        assert store.hit("a").allowed
        assert not store.hit("a").allowed

    def test_after_a_full_period_the_whole_burst_is_back(self) -> None:
        store, now = self.store("3/minute")
        for _ in range(3):
            store.hit("a")

        now[0] += 60_000_000

        assert [store.hit("a").allowed for _ in range(4)] == [True, True, True, False]

    def test_keys_are_independent(self) -> None:
        store, _ = self.store("1/minute")

        assert store.hit("a").allowed
        assert store.hit("b").allowed
        assert not store.hit("a").allowed

    def test_idle_clients_are_forgotten(self) -> None:
        now = [1_000_000_000]
        store = MemoryStore(parse_rate("1/second"), clock=lambda: now[0], max_keys=100)
        for n in range(50):
            store.hit(f"client-{n}")

        now[0] += 2_000_000
        store.hit("late")

        assert len(store._tats) == 1

    def test_high_rates_keep_an_exact_burst(self) -> None:
        store, _ = self.store("999999/second")

        decisions = [store.hit("a") for _ in range(1_000)]

        assert all(d.allowed for d in decisions)
        assert decisions[-1].remaining == 999999 - 1_000


async def test_the_redis_status_is_none_without_redis(make_app: MakeApp) -> None:
    unlimited = await make_app()
    local = await make_app(rate_limit="5/second")

    assert unlimited.state.totrackit.limiter is None
    assert local.state.totrackit.limiter.redis_healthy is None
