"""Child processes the benchmarks start and time; each prints one JSON line on stdout."""
