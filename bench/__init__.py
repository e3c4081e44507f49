"""Performance benchmarks for the portal (`make bench`); not part of `make test`."""
