"""The indicators of ../shared/spec/kpis.md, defined once.

- definitions.py: one row per indicator id (K1..K22, K9_sessions, ...): numerator and
  denominator as names of totals, the source that adds them up, the drill-down that lists them.
- registry.py: the registry at D and its totals (which institutions each counts, as a Q; which
  column it sums), `registry_totals(day)` for the nightly job and the forecast.
- sources.py: the month's other sources (reports, sessions, communities, findings, vouchers), each
  a queryset that the drill-down lists and a function that sums it per township.
- tracked.py: issue 19's tracked indicators (K18-K22: instructors, guidance, training,
  screenings), summed per township the same way.
- population.py, month.py: the population base and income; the month and the per-area totals.
- conditions.py: a registry condition (a Q) in SQL, for the set-based totals.
- drilldown.py: what is behind one figure, read from the same definitions and querysets.
"""
