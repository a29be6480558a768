"""The load benchmark: `make bench` (full size) and `make bench-small` (a few seconds)."""
