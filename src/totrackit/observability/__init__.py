"""Operating the service: metrics, logs, traces, health."""
