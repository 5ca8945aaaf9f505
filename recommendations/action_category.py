"""UPR Info's action category (1 minimal ... 5 specific action), suggested from a recommendation's first verb.

Prof. Edward McMahon's scale, as UPR Info codes it: the first verb and the action it asks for. The
verbs come first from McMahon's own examples (upr-info_action_categories_mcmahon.csv); a verb he
did not list is looked up in a table learnt from UPR Info's coded recommendations of sessions 1-10
(action_verbs.csv, written by `manage.py measure_action_categories --write-table`), and failing that
the suggestion is 4, "general action", the commonest category. A person confirms or changes it.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "reference_data"
SEED_FILE = DATA / "upr-info_action_categories_mcmahon.csv"
LEARNED_FILE = DATA / "action_verbs.csv"
DEFAULT = 4

# Words before the verb that carry no action: "That the Government should", "To", "Also", "Further"...
LEAD = re.compile(
    r"^(?:(?:that )?(?:the )?(?:government|authorities)(?: of [a-z]+)? (?:(?:should|must|to) )?"
    r"|to |please |also |further |strongly |urgently |fully |immediately |effectively |duly |seriously "
    r"|actively |positively |favourably |favorably |swiftly |promptly )*"
)


@cache
def seed_verbs() -> dict[str, int]:
    """McMahon's example verbs and phrases ("call on", "take measures") with their category."""
    table: dict[str, int] = {}
    with SEED_FILE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            listed = row["example_verbs_verbatim"].replace("as well as legal verbs:", ",").replace(".", ",")
            listed = listed.replace("envisage envision", "envisage, envision").replace(
                "take measures or steps towards", "take measures, take steps"
            )
            for verb in listed.split(","):
                if verb.strip():
                    table[verb.strip().lower()] = int(row["rank"])
    return table


@cache
def learned_verbs() -> dict[str, int]:
    if not LEARNED_FILE.exists():
        return {}
    with LEARNED_FILE.open(encoding="utf-8") as handle:
        return {row["verb"]: int(row["category"]) for row in csv.DictReader(handle)}


def opening_words(text: str) -> list[str]:
    """The recommendation's words from its first verb on, lower-case."""
    lowered = re.sub(r"^[^a-z]+", "", text.strip().lower())
    return LEAD.sub("", lowered).split()


def _base(word: str, table: dict[str, int]) -> str:
    """'Continues' -> 'continue' when the table knows the base form."""
    for ending in ("es", "s", "d", "ed"):
        if word.endswith(ending) and word[: -len(ending)] in table:
            return word[: -len(ending)]
    return word


def suggest(text: str, *, learned: bool = True) -> int:
    """The suggested action category of a recommendation's text."""
    words = opening_words(text)
    if not words:
        return DEFAULT
    seed = seed_verbs()
    for length in (3, 2, 1):
        phrase = " ".join([_base(words[0], seed), *words[1:length]])
        if phrase in seed:
            return seed[phrase]
    if words[0] == "take":  # "take all necessary measures/steps": McMahon's "take measures or steps towards"
        return 4
    if learned:
        table = learned_verbs()
        verb = _base(words[0], table)
        if verb in table:
            return table[verb]
    return DEFAULT
