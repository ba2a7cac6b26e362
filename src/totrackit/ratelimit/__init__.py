"""Rate limiting, free of HTTP: the GCRA rule (``rule``), an in-process and a shared Redis store
(``stores``), and the limiter that falls back from one to the other (``limiter``).

The algorithm is GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp per
client): ``100/minute`` lets a client burst 100 requests, then refills one every 0.6 s. Each
client costs one key, the arithmetic is integer microseconds, and the same rule runs in Python
(``MemoryStore``) and in a Lua script on Redis (``RedisStore``), so both answer alike.

``RateLimiter`` counts in Redis while Redis answers and falls back to its own in-memory store
when Redis fails or times out: requests are never refused or failed because Redis is down. A
background probe notices when Redis is back. ``redis_healthy`` tells the health endpoint.
"""
