"""The full-text (GIN) index of recommendations, on PostgreSQL only.

SQLite (the first-run database) has no tsvector or GIN: there the column stays empty and search
falls back to matching words (recommendations.search).
"""
from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS recommendation_search_gin ON recommendations_recommendation USING gin (search_vector)",
    "UPDATE recommendations_recommendation SET search_vector = to_tsvector('english'::regconfig, text)",
]
DROP = ["DROP INDEX IF EXISTS recommendation_search_gin"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0003_links")]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
