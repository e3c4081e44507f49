"""融合托育 (plan 7.3): support cases of children with developmental delay or other special needs,
their dated reviews and the audit of every read (docs/health.md, "融合托育 support cases")."""
