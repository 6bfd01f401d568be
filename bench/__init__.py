"""Benchmarks: `make bench` (or `python -m bench [suite|mock|world]`). Numbers go in README."""
