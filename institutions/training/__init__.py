"""Training (培训): courses by named providers, staff members' attendance, hours per calendar year
computed from attendance, skills competition results (plan 3, task 2; issue 19). Registered under
the `institutions` app (institutions/models.py imports models.py)."""
