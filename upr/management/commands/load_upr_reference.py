from django.core.management.base import BaseCommand

from upr.reference import load_reference


class Command(BaseCommand):
    help = "Load the UPR calendar (States, Working Group sessions, reviews) from the shipped reference data. Safe to run again."

    def handle(self, *args, **options) -> None:
        report = load_reference()
        for line in report.unmatched:
            self.stderr.write(f"not a known State, skipped: {line}")
        self.stdout.write(self.style.SUCCESS(f"UPR reference data loaded. {report.summary()}"))
