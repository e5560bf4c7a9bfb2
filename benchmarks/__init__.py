"""Performance harness: `python -m benchmarks [--sizes 220,10000,100000] [--json]`.

Each `benchmarks/bench_*.py` module exposes `register(registry)`, adding cases that take
a size and return result rows. Timings are medians over several runs after a warm-up,
with a naive baseline measured in the same run where one applies, and the ratio.
"""
