"""How a server error shows under `make run`'s settings. Usage: python tests/first_run/error_pages.py REPORT.json

A view that raises is added (failing_urls) and opened as the demo's secretariat, as the test client
of a browser would; what the page shows is written to the report for the test to read.
"""

from __future__ import annotations

from common import HOST, logged_in, write_report
from django.conf import settings
from django.test import Client, override_settings


def main() -> None:
    report = {"DEBUG": settings.DEBUG, "pages": {}}
    with override_settings(ROOT_URLCONF="failing_urls"):
        for who, client in (("admin", logged_in("admin")), ("anonymous", Client(HTTP_HOST=HOST))):
            client.raise_request_exception = False
            for name, url in (("server_error", "/first-run-failure/"), ("not_found", "/no-such-page/")):
                response = client.get(url)
                report["pages"][f"{who}:{name}"] = {"status": response.status_code, "body": response.content.decode()}
    write_report(report)


if __name__ == "__main__":
    main()
