"""Database constraints that only PostgreSQL can express, skipped on the SQLite fallback.

`make run` may fall back to SQLite on a machine without PostgreSQL. There the constraint is not
created and not validated; every real deployment and every test runs on PostgreSQL, where it is.
The services check the same rule in code, so SQLite users still get the message.
"""

from django.contrib.postgres.constraints import ExclusionConstraint


class PostgresExclusionConstraint(ExclusionConstraint):
    def constraint_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import DataError, connections, transaction

        if connections[using].vendor != "postgresql":
            return
        try:
            # A savepoint: an impossible range (end before start) is a DataError in PostgreSQL,
            # which would otherwise abort the caller's transaction. The model's CheckConstraint
            # on the dates reports that case with a readable message instead.
            with transaction.atomic(using=using):
                super().validate(model, instance, exclude=exclude, using=using)
        except DataError:
            return
