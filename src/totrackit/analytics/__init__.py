"""Analytics: per-tag impact with latency percentiles, headline counts, per-name rollups."""
