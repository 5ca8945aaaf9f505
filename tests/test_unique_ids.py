"""Every id on the document page is unique (a label, aria-labelledby or a skip link pointing at a
duplicated id reaches the wrong element: screen readers and axe-core both fail on it), for the
secretariat, who sees the most forms on it."""

from collections import Counter
from html.parser import HTMLParser

import pytest

from submissions import services

pytestmark = pytest.mark.django_db


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def test_the_document_page_has_no_duplicate_id(personas):
    document = services.document_create(
        coalition=personas.coalition,
        actor=personas.admin,
        engagement=personas.engagement,
        kind="joint_submission",
        title="Joint",
        lead_organisation=personas.organisation,
    )
    page = personas.client_for(personas.admin).get(f"/c/alpha/documents/{document.pk}/")
    assert page.status_code == 200
    parser = Ids()
    parser.feed(page.content.decode())
    assert [name for name, n in parser.ids.items() if n > 1] == []
