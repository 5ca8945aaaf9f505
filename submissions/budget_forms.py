"""The word budgets form: one number per counted section (empty: no budget). The sum is checked
against the limit by the service, which the API calls too (services.budgets)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors.budgets import BudgetRow
from .services.budgets import MAX_BUDGET


def field_name(row: BudgetRow) -> str:
    return f"budget-{row.section.pk}"


class WordBudgetsForm(forms.Form):
    def __init__(self, *args: Any, rows: list[BudgetRow], locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[field_name(row)] = forms.IntegerField(
                label=row.section.title,
                required=False,
                min_value=0,
                max_value=MAX_BUDGET,
                initial=row.budget,
                disabled=locked,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "number"}),
                error_messages={
                    "invalid": _("Write a whole number of words, or leave it empty for no budget."),
                    "min_value": _("A word budget cannot be negative."),
                    "max_value": _("A word budget is at most %(limit_value)s words."),
                },
            )

    def bound_rows(self) -> list[tuple[BudgetRow, forms.BoundField]]:
        """Each section's row with its field, in the document's order (the template shows them as a table)."""
        return [(row, self[field_name(row)]) for row in self.rows]

    def budgets(self) -> dict[int, int | None]:
        """{section id: budget or None}, once valid."""
        return {row.section.pk: self.cleaned_data.get(field_name(row)) for row in self.rows}
