"""How well the first-verb suggestion agrees with UPR Info's own coding; optionally learn its verb table."""

import csv
from collections import Counter, defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations import action_category
from recommendations.action_category import LEARNED_FILE, opening_words, suggest


class Command(BaseCommand):
    help = (
        "Measure the action-category suggestion against UPR Info's coded export (e.g. "
        "upr-info_database_export_sessions01-20.csv). With --write-table, first learn the verbs McMahon's "
        "list lacks from sessions 1-10 (their majority category) and write recommendations/reference_data/action_verbs.csv; "
        "agreement is then reported on sessions 11-20, which the table never saw."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--write-table", action="store_true")
        parser.add_argument("--min-count", type=int, default=10, help="learn a verb seen at least this often")

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open(encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if (r.get("Action") or "").strip() in {"1", "2", "3", "4", "5"}]
        if not rows:
            raise CommandError("No coded row (Action 1-5) in the file.")
        if options["write_table"]:
            self.learn([r for r in rows if int(r["Session"]) <= 10], options["min_count"])
        held_out = [r for r in rows if int(r["Session"]) > 10]
        for label, subset in (("all coded rows", rows), ("sessions 11-20 (held out from learning)", held_out)):
            for learned in (False, True):
                agree = sum(suggest(r["Text"], learned=learned) == int(r["Action"]) for r in subset)
                method = "McMahon's verbs + learned table" if learned else "McMahon's verbs only"
                self.stdout.write(f"{label}: {method}: {agree}/{len(subset)} agree ({agree / len(subset):.1%})")

    def learn(self, rows: list[dict], min_count: int) -> None:
        by_verb: dict[str, Counter] = defaultdict(Counter)
        for row in rows:
            words = opening_words(row["Text"])
            if words:
                by_verb[words[0]][int(row["Action"])] += 1
        seed = action_category.seed_verbs()
        table = []
        for verb, counts in sorted(by_verb.items()):
            total = sum(counts.values())
            category, n = counts.most_common(1)[0]
            if total >= min_count and verb not in seed and verb.isalpha():
                table.append({"verb": verb, "category": category, "coded_rows": total, "share": f"{n / total:.2f}"})
        with LEARNED_FILE.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["verb", "category", "coded_rows", "share"])
            writer.writeheader()
            writer.writerows(table)
        action_category.learned_verbs.cache_clear()
        self.stdout.write(f"learnt {len(table)} verbs from {len(rows)} coded rows of sessions 1-10 -> {LEARNED_FILE.name}")
