"""The full-text index of published lessons' redacted text: an FTS5 table on SQLite, a table
of tsvector documents with a GIN index on PostgreSQL (lessons/search.py)."""

from typing import Any

from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    from accord.lessons.search import create_tables

    create_tables(schema_editor)


def drop(apps: Any, schema_editor: Any) -> None:
    from accord.lessons.search import drop_tables

    drop_tables(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
