"""Integration tests: flows on one Prefect harness, both databases, the CLI in child processes, the browser."""
