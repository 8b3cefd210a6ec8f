"""Benchmarks of the rule engine (``make bench``): per-order latency and batch-audit throughput."""
