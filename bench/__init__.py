"""Benchmarks: ratios measured side by side in one run. See BENCHMARKS.md."""
