"""Which recommendations say the same thing: TF-IDF cosine similarity over word stems.

Used twice: "as previously recommended" (a recommendation and the ones the same State received in
earlier cycles) and impact (a coalition's draft recommendation and the ones States made). UPR
recommendations are formulaic ("Ratify the Optional Protocol...", "Take measures to combat..."), so
the words every recommendation uses weigh little and the subject matter decides. Pure Python: one
State's three cycles are a few hundred texts, scored through an inverted index in well under a second.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WORD = re.compile(r"[a-zà-ÿ0-9]+")
# Words that say nothing about the subject of a recommendation (plus English function words).
STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or that the their them these this
    those to was were which with all any also both each further other such than very well more most
    ensure continue take measures necessary steps efforts consider strengthen adopt implement including
    particular regard order effective effectively full fully country national state states government""".split()
)
THRESHOLD = 0.4  # below this, pairs in Slovenia's three cycles mostly read as different recommendations
TOP = 3


def stem(word: str) -> str:
    """A light English stem, enough to meet "rights"/"right", "discrimination"/"discriminatory"."""
    for suffix in ("ations", "ation", "ities", "ity", "ings", "ing", "ories", "ory", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


# The recommending States in brackets at the end ("... persons (Islamic Republic of Iran);"): the
# same State recommending two different things is no likeness.
TRAILING_BRACKETS = re.compile(r"(?:\s*\([^()]*\)\s*[;.,]?)+\s*$")


def terms(text: str) -> list[str]:
    subject = TRAILING_BRACKETS.sub("", text)
    return [stem(w) for w in WORD.findall(subject.lower()) if w not in STOPWORDS and len(w) > 1]


@dataclass(frozen=True)
class Match:
    query: int
    candidate: int
    score: float


class Corpus:
    """TF-IDF vectors of a set of texts, by key, with an inverted index for scoring."""

    def __init__(self, texts: dict[int, str]) -> None:
        counted = {key: Counter(terms(text)) for key, text in texts.items()}
        frequency = Counter(term for counts in counted.values() for term in counts)
        n = max(len(counted), 1)
        self.idf = {term: math.log((1 + n) / (1 + df)) + 1 for term, df in frequency.items()}
        self.vectors = {key: self._normalised(counts) for key, counts in counted.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for key, vector in self.vectors.items():
            for term, weight in vector.items():
                self.postings[term].append((key, weight))

    def _normalised(self, counts: Counter) -> dict[str, float]:
        vector = {term: (1 + math.log(tf)) * self.idf.get(term, 1.0) for term, tf in counts.items()}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {term: w / norm for term, w in vector.items()}

    def vector(self, text: str) -> dict[str, float]:
        return self._normalised(Counter(terms(text)))

    def best(
        self, vector: dict[str, float], *, among: set[int] | None = None, top: int = TOP, threshold: float = THRESHOLD
    ) -> list[tuple[int, float]]:
        """The `top` keys most similar to `vector` (restricted to `among`), best first."""
        scores: dict[int, float] = defaultdict(float)
        for term, weight in vector.items():
            for key, other in self.postings.get(term, ()):
                if among is None or key in among:
                    scores[key] += weight * other
        ranked = sorted(((k, s) for k, s in scores.items() if s >= threshold), key=lambda item: (-item[1], item[0]))
        return [(k, round(s, 3)) for k, s in ranked[:top]]


def earlier_matches(items: Sequence[tuple[int, int, str]]) -> list[Match]:
    """For (key, session, text) items of one State under Review, each item's best matches among the
    items of earlier sessions."""
    corpus = Corpus({key: text for key, _, text in items})
    session_of = {key: session for key, session, _ in items}
    by_session: dict[int, set[int]] = defaultdict(set)
    for key, session, _ in items:
        by_session[session].add(key)
    earlier_than = {session: {k for s, keys in by_session.items() if s < session for k in keys} for session in by_session}
    matches = []
    for key, session, _ in items:
        earlier = earlier_than[session]
        if not earlier:
            continue
        for candidate, score in corpus.best(corpus.vectors[key], among=earlier):
            if session_of[candidate] < session:
                matches.append(Match(key, candidate, score))
    return matches


def best_matches(
    query: str, candidates: Iterable[tuple[int, str]], *, top: int = TOP, threshold: float = THRESHOLD
) -> list[tuple[int, float]]:
    """The candidates (key, text) most similar to `query`, best first."""
    corpus = Corpus(dict(candidates))
    return corpus.best(corpus.vector(query), top=top, threshold=threshold)
