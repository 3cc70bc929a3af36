"""A learned second opinion on what a message, and each part of it, says.

The parser reads messages with rules (bot/parser.py, bot/sections.py, bot/intents.py): they
find task numbers, headings, figures and other documents' numbers well, but their reading of
*what a part says* — done or under way, an obstacle or not, a report or small talk — was
written one kind of wording at a time, and new writers keep using wordings no rule has seen
(docs/parser.md). This module holds small linear models trained on the labelled corpus
(tests/bot/parser_corpus*.jsonl) by ``tools/train_classifier.py``:

- ``kind``: is the whole message a report or not;
- ``status``: done / in_progress / not_started / not_arisen, of one task's part;
- ``difficulty``: does that part state an obstacle or ask for support;
- ``task``: which task a part is about, asked only of a part the rules find equally about two
  or three of the agency's tasks (they would ask the focal point which).

Each is a logistic regression over TF-IDF weights of the folded words and word pairs (the
same features scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)``
makes). The weights are a JSON file (``data/parser-model.json``), read here with no machine
learning library: the bot needs none at run time, and a model is a file anybody can diff.

The models are a second opinion, not the reading: the rules' value stands unless a model
disagrees with at least the confidence in ``OVERRIDE`` (chosen on sets the models were not
trained on; docs/parser.md gives the figures).
"""

from __future__ import annotations

import json
import logging
import math
import operator
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from common.paths import data_file

log = logging.getLogger(__name__)

MODEL_FILE = "parser-model.json"
TOKEN = re.compile(r"[a-z0-9%]+")
# How sure a model must be to overrule the rules, per model (docs/parser.md, "A learned second
# opinion"): lower for the kind of message, where the rules were wrong on every disagreement of
# the sets it was chosen on; highest for difficulty, where rules and model were right about
# equally often below it. The task's is a share of what the model gives all the agency's tasks
# (left-one-pair-out over 1 500 messages: 0.6 lost 5 messages, 0.8 gained 5, 0.9 gained 7 and
# lost on no pair of sets).
OVERRIDE = {"kind": 0.7, "status": 0.8, "difficulty": 0.95, "task": 0.9}
# The rules' status stands while the model gives it at least this probability ("đã mở 01 lớp;
# lớp thứ hai chưa triển khai": in progress at 0.17 against not started at 0.82 stays in
# progress); as good as overruling on the sets it was chosen on, and safer.
DOUBT = 0.1
# Below this many words a part is a chat reply, read exactly by the rules (bot/parser.py's
# _second_opinion says what the model may still do there).
FEW_WORDS = 16


def term_counts(folded: str) -> dict[str, int]:
    """The words and word pairs of a folded text, counted (the models' features before
    weighting); computed once for the models that read the same text."""
    words = TOKEN.findall(folded)
    # counted in C (Counter), in the order first met: the words, then the pairs (no word holds
    # a space, so none is counted twice) — the order the models' sums run in
    counts = Counter(words)
    counts.update(map(" ".join, zip(words, words[1:])))
    return dict(counts)


@dataclass(frozen=True)
class LinearModel:
    """One logistic regression over TF-IDF features of word unigrams and bigrams.

    ``terms`` maps a term to its idf followed by, per score, the coefficient already multiplied
    by that idf: the score of class ``i`` is ``intercept[i] + Σ tf(t)·w_i(t) / ‖x‖``, with the
    sublinear tf ``1 + ln(count)`` and the l2 norm taken over the known terms, as scikit-learn's
    transform does. One score (a binary model) is the logit of ``classes[1]``; several are the
    logits of a softmax over ``classes``.
    """

    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    terms: dict[str, tuple[float, ...]]

    @classmethod
    def from_dict(cls, data: dict) -> LinearModel:
        return cls(tuple(data["classes"]), tuple(data["intercept"]), {t: tuple(w) for t, w in data["terms"].items()})

    def proba(self, folded: str | dict[str, int]) -> dict[str, float]:
        """Class → probability for a folded text (``common.text.fold``) or its ``term_counts()``."""
        counts = term_counts(folded) if isinstance(folded, str) else folded
        return probabilities(self.classes, self.logits(counts))

    def logits(self, counts: dict[str, int]) -> list[float]:
        # most terms occur once: their row is used as it is (the sums below run in C); another's
        # is scaled by its sublinear tf (x * tf is tf * x, to the bit)
        rows = [w if n == 1 else tuple(map((1.0 + math.log(n)).__mul__, w))
                for w, n in zip(map(self.terms.get, counts), counts.values()) if w is not None]
        if not rows:
            return list(self.intercept)
        columns = list(zip(*rows))
        norm = math.sqrt(sum(map(operator.mul, columns[0], columns[0])))
        return [b + sum(col) / norm for b, col in zip(self.intercept, columns[1:])]

    def best(self, folded: str | dict[str, int]) -> tuple[str, float]:
        """The likeliest class and its probability."""
        p = self.proba(folded)
        label = max(p, key=p.__getitem__)
        return label, p[label]


def probabilities(classes: tuple[str, ...], logits: list[float]) -> dict[str, float]:
    """Class → probability: the logistic of one logit (``classes[1]``'s), a softmax of several."""
    if len(logits) == 1:
        p = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logits[0]))))
        return {classes[0]: 1.0 - p, classes[1]: p}
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return {c: e / total for c, e in zip(classes, exps)}


# The part's heads read together: status and difficulty are wanted of every task's part, the
# task only of a part the rules would ask about, so its thirteen scores are not summed for the rest.
TABLES = (("status", "difficulty"), ("task",))


@dataclass(frozen=True)
class Models:
    """The model of the kind of message, and the models of a task's part — its status, whether
    it states a difficulty, which task it is about — as *heads* trained on the same parts over
    the same terms. The file holds one table of the part's terms for all heads; in memory the
    heads read together (``TABLES``) share one, so a part's terms are looked up once for them."""

    kind: LinearModel
    tables: tuple[LinearModel, ...]  # per entry of TABLES, those heads' scores side by side
    heads: dict[str, tuple[int, tuple[str, ...], int, int]]  # name → (table, classes, first score, end)
    trained_on: dict

    def part_probabilities(self, counts: dict[str, int], table: int = 0) -> dict[str, dict[str, float]]:
        """The probabilities of the heads of one table (default: status and difficulty) for one
        part (its ``term_counts()``)."""
        logits = self.tables[table].logits(counts)
        return {name: probabilities(classes, logits[lo:hi])
                for name, (t, classes, lo, hi) in self.heads.items() if t == table}

    def head(self, name: str) -> LinearModel:
        """One head as a model of its own (for checks; the parser reads a table's heads at once)."""
        t, classes, lo, hi = self.heads[name]
        table = self.tables[t]
        return LinearModel(classes, table.intercept[lo:hi], {term: (w[0], *w[1 + lo:1 + hi]) for term, w in table.terms.items()})

    @classmethod
    def from_dict(cls, data: dict) -> Models:
        """The models of the file's contents: the part's one table split into ``TABLES``."""
        part = data["part"]
        spans: dict[str, range] = {}  # head → its columns in the file's table (after the idf)
        column = 1
        for name, head in part["heads"].items():
            spans[name] = range(column, column + len(head["intercept"]))
            column += len(head["intercept"])
        terms = part["terms"]
        if any(len(w) != column for w in terms.values()) or any(n not in spans for names in TABLES for n in names):
            raise ValueError("the part table does not match its heads")
        tables: list[LinearModel] = []
        heads: dict[str, tuple[int, tuple[str, ...], int, int]] = {}
        for t, names in enumerate(TABLES):
            columns = [c for n in names for c in spans[n]]
            lo = 0
            for n in names:
                heads[n] = (t, tuple(part["heads"][n]["classes"]), lo, lo + len(spans[n]))
                lo += len(spans[n])
            tables.append(LinearModel(
                tuple(c for n in names for c in part["heads"][n]["classes"]),
                tuple(b for n in names for b in part["heads"][n]["intercept"]),
                {term: (w[0], *(w[c] for c in columns)) for term, w in terms.items()},
            ))
        return cls(LinearModel.from_dict(data["kind"]), tuple(tables), heads, data.get("trained_on", {}))


def load(path: Path) -> Models:
    return Models.from_dict(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def models() -> Models | None:
    """The bundled models, or None when the file is missing or damaged: the rules then read
    alone, as they did before the models existed (nothing fails for want of a second opinion)."""
    path = data_file(MODEL_FILE)
    try:
        return load(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("parser: no learned second opinion, the rules read alone (%s: %s)", path, exc)
        return None


def part_opinion(folded: str, ruled_status: str | None = None) -> tuple[str | None, bool | None]:
    """The status and whether a difficulty is stated, of a task's part, each only when the model
    is sure of it (``OVERRIDE``), else None. A status the rules gave (``ruled_status``) is
    overruled only when the model also finds it unlikely (``DOUBT``)."""
    m = models()
    if m is None or not folded:
        return None, None
    heads = m.part_probabilities(term_counts(folded))
    probs, hard = heads["status"], heads["difficulty"]
    status = max(probs, key=probs.__getitem__)
    sure = probs[status] >= OVERRIDE["status"]
    if ruled_status is not None and probs.get(ruled_status, 0.0) >= DOUBT:
        sure = False
    difficulty = max(hard, key=hard.__getitem__)
    return (status if sure else None,
            (difficulty == "True") if hard[difficulty] >= OVERRIDE["difficulty"] else None)


def task_opinion(folded: str, candidates: Sequence[str], possible: Collection[str] | None) -> str | None:
    """Which of ``candidates`` (the tasks the rules found a part equally about) the part is
    about, when the model is sure of it: it must give that task ``OVERRIDE["task"]`` of what it
    gives all the ``possible`` ones (the agency's tasks not already reported on in the message;
    None: every task), so a part it sees as a third task too stays a question."""
    m = models()
    if m is None or not folded or not candidates:
        return None
    probs = m.part_probabilities(term_counts(folded), table=1)["task"]
    among = {t: p for t, p in probs.items() if possible is None or t in possible}
    total = sum(among.values())
    best = max(candidates, key=lambda t: among.get(t, 0.0))
    return best if total > 0 and among.get(best, 0.0) / total >= OVERRIDE["task"] else None


def kind_opinion(folded: str) -> str | None:
    """"report" or "not_report" when the model is sure of it, else None."""
    m = models()
    if m is None or not folded:
        return None
    label, p = m.kind.best(folded)
    return label if p >= OVERRIDE["kind"] else None
