"""A migration operation for a model that moved from one app to another and kept its table.

`CreateModelOrAdoptTable` is `CreateModel` for the migration state; in the database it creates the
table only where it does not exist yet. In a new database the model's new app creates it; in a
database that ran the old app's migrations, the table (with its rows, indexes, constraints and the
many-to-many tables named after it) is already there and is taken over as it is. The moved model
keeps `db_table` (and so its many-to-many tables' names) for this to hold.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


class CreateModelOrAdoptTable(migrations.CreateModel):
    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = to_state.apps.get_model(app_label, self.name)
        if model._meta.db_table in schema_editor.connection.introspection.table_names():
            return  # made by the app the model came from: adopted, rows and all
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        # Unapplying keeps the table and its rows: going back to the code before the move needs them
        # there (its own migrations, recorded as applied, made them), and applying this again adopts
        # them. A CreateModel would drop a coalition's work plan with its table.
        return None

    def describe(self) -> str:
        return f"Create model {self.name}, or adopt its existing table"


def relabel_content_types(old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """Move the content types (and so the permissions and admin history) of moved models to their new
    app, where a database had them under the old one."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        content_types = apps.get_model("contenttypes", "ContentType")
        taken = set(content_types.objects.filter(app_label=new_app, model__in=models).values_list("model", flat=True))
        content_types.objects.filter(app_label=old_app, model__in=[m for m in models if m not in taken]).update(app_label=new_app)

    def backwards(apps: Any, schema_editor: Any) -> None:
        content_types = apps.get_model("contenttypes", "ContentType")
        content_types.objects.filter(app_label=new_app, model__in=models).update(app_label=old_app)

    return migrations.RunPython(forwards, backwards)
