"""Re-encrypt every personal-data value with the newest key (PERSONAL_DATA_KEYS[0]).

Step 3 of the key rotation in docs/privacy.md: after the new key is first in the list and the
portal has restarted, run this, then remove the old key. It walks every model with an
EncryptedMaskedField, history tables included, reads the stored tokens as they are (never the
plain values), and rewrites only the tokens that the newest key alone cannot open. A rerun
rewrites nothing; each table is one transaction.
"""

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from portal.personal_data import encrypted_fields, reencrypt


def rotate_all(*, dry_run: bool = False) -> dict[str, int]:
    """Re-encrypt old tokens; returns {table: rows rewritten}."""
    newest = Fernet(settings.PERSONAL_DATA_KEYS[0].encode())
    counts: dict[str, int] = {}
    quote = connection.ops.quote_name
    for model in apps.get_models(include_auto_created=True):
        fields = encrypted_fields(model)
        if not fields or model._meta.proxy or not model._meta.managed:
            continue
        table, pk = model._meta.db_table, model._meta.pk.column
        columns = [field.column for field in fields]
        rewritten = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT {pk}, {cols} FROM {table} FOR UPDATE".format(  # noqa: S608 - names quoted
                    pk=quote(pk), cols=", ".join(map(quote, columns)), table=quote(table)
                )
            )
            for row in cursor.fetchall():
                changes = {}
                for column, token in zip(columns, row[1:], strict=True):
                    if not token:
                        continue
                    try:
                        newest.decrypt(token.encode())
                    except InvalidToken:
                        changes[column] = reencrypt(token)
                if changes and not dry_run:
                    assignments = ", ".join(f"{quote(c)} = %s" for c in changes)
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk)} = %s",  # noqa: S608
                        [*changes.values(), row[0]],
                    )
                rewritten += bool(changes)
        counts[table] = rewritten
    return counts


class Command(BaseCommand):
    help = "Re-encrypt personal data (ID numbers, names, phones) with the newest key."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the rows to rewrite; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options):
        counts = rotate_all(dry_run=dry_run)
        total = sum(counts.values())
        for table, rows in sorted(counts.items()):
            if rows:
                self.stdout.write(f"{table}: {rows}")
        verb = "待重新加密 to re-encrypt" if dry_run else "已重新加密 re-encrypted"
        self.stdout.write(f"{verb}: {total} 行 rows in {len(counts)} 表 tables")
