"""A reference implementation of kpis.md, checked against the portal's indicators.

- kpis.py: kpis.md in plain Python over the same rows (slow and obvious, written from kpis.md's
  words, not from metrics/computation.py);
- cities.py: small registries full of boundary dates, as a Hypothesis strategy and a builder;
- test_reference.py: the comparison, on hand-built cases and on generated registries.
"""
