"""Train the parser's second opinion (bot/classifier.py) on the labelled corpus and write
``data/parser-model.json``.

    pip install -e '.[train]'
    python tools/train_classifier.py            # writes data/parser-model.json
    python tools/train_classifier.py --check    # exits 1 if the committed file is not what
                                                # the corpus trains (labels changed since)

The sets named in ``BLIND`` are left out of training: they are the ones the models' figures
are measured on (docs/parser.md). Training is deterministic (lbfgs from zero), so the file
changes only when the corpus, this script or scikit-learn's solver does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.text import fold  # noqa: E402

CORPUS = ROOT / "tests" / "bot"
OUT = ROOT / "data" / "parser-model.json"
# Sets kept out of training, to measure the models on writers they have not seen.
BLIND = frozenset({"reports-held-out-54", "reports-held-out-55"})
C = 10.0  # inverse regularisation; 3 and 30 gave the same overrides within a message or two
DIGITS = 4


def _rows() -> tuple[list[dict], list[dict]]:
    reports = []
    for path in sorted(CORPUS.glob("parser_corpus_reports*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("set") not in BLIND:
                    reports.append(row)
    replies = [json.loads(line) for line in (CORPUS / "parser_corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return reports, replies


def _parts(row: dict) -> list[tuple[str, str, str, bool]]:
    """(segment, task, status, difficulty) per labelled task of a row, a task's lines merged."""
    by_task: dict[str, list] = {}
    expected = [e for e in row.get("expected") or [] if e.get("task") is not None]
    for e in expected:
        segment = e.get("segment") or (row["text"] if len(expected) == 1 else None)
        if segment is None:
            continue
        m = by_task.setdefault(e["task"], [[], None, False])
        m[0].append(segment)
        m[1] = m[1] or e.get("status")
        m[2] = m[2] or bool(e.get("difficulty"))
    return [("\n".join(seg), task, status, diff) for task, (seg, status, diff) in by_task.items() if status]


# the heads read from one table of a part's terms (bot/classifier.py's Models)
HEADS = ("status", "difficulty", "task")


def training_data() -> dict[str, tuple[list[str], list[str]]]:
    reports, replies = _rows()
    kind_x = [fold(r["text"]) for r in reports] + [fold(r["text"]) for r in replies if r.get("expected")]
    kind_y = [r.get("kind", "report") for r in reports] + ["report" for r in replies if r.get("expected")]
    parts = [p for r in reports + replies for p in _parts(r)]
    seg_x = [fold(p[0]) for p in parts]
    return {
        "kind": (kind_x, kind_y),
        "status": (seg_x, [p[2] for p in parts]),
        "difficulty": (seg_x, ["True" if p[3] else "False" for p in parts]),
        "task": (seg_x, [p[1] for p in parts]),
    }


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, token_pattern=r"[a-z0-9%]+", lowercase=False)


def _fit(x: list[str], y: list[str], vec=None):
    """A logistic regression of ``y`` on ``x``'s TF-IDF features (``vec`` already fitted, or a
    new one fitted on ``x``)."""
    from sklearn.linear_model import LogisticRegression

    if vec is None:
        vec = _vectorizer().fit(x)
    model = LogisticRegression(C=C, max_iter=5000).fit(vec.transform(x), y)
    return vec, model


def _weights(vec, model, j: int) -> list[float]:
    return [round(float(vec.idf_[j] * w), DIGITS) for w in model.coef_[:, j]]


def _head(model) -> dict:
    return {"classes": [str(c) for c in model.classes_], "intercept": [round(float(b), DIGITS) for b in model.intercept_]}


def _terms(vec, models) -> dict:
    """Per term: its idf, then each model's weights, in the order given."""
    return {t: [round(float(vec.idf_[j]), DIGITS), *(w for m in models for w in _weights(vec, m, j))]
            for t, j in sorted(vec.vocabulary_.items())}


def _export(vec, model) -> dict:
    return {**_head(model), "terms": _terms(vec, [model])}


def _export_heads(vec, models: dict) -> dict:
    """One table of terms for the part's heads: idf, then each head's weights in ``HEADS`` order."""
    return {"heads": {name: _head(m) for name, m in models.items()}, "terms": _terms(vec, list(models.values()))}


def train() -> dict:
    data = training_data()
    out: dict = {"trained_on": {}}
    vec, model = _fit(*data["kind"])
    out["kind"] = _export(vec, model)
    out["trained_on"]["kind"] = {"examples": len(data["kind"][0]), "terms": len(vec.vocabulary_)}
    x = data["status"][0]
    part_vec = _vectorizer().fit(x)
    heads = {name: _fit(x, data[name][1], part_vec)[1] for name in HEADS}
    out["part"] = _export_heads(part_vec, heads)
    out["trained_on"]["part"] = {"examples": len(x), "terms": len(part_vec.vocabulary_), "heads": list(HEADS)}
    out["trained_on"]["left_out"] = sorted(BLIND)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = ap.parse_args(argv)
    trained = train()
    if args.check:
        from bot.classifier import LinearModel, Models, load

        committed = load(OUT)
        fresh_part = Models.from_dict(trained)
        x = training_data()
        differ = 0
        for name in ("kind", *HEADS):
            old = committed.kind if name == "kind" else committed.head(name)
            new = LinearModel.from_dict(trained["kind"]) if name == "kind" else fresh_part.head(name)
            differ += sum(1 for t in x[name][0] if old.best(t)[0] != new.best(t)[0])
        print(f"{differ} training texts read differently by the committed model")
        return 1 if differ else 0
    OUT.write_text(json.dumps(trained, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB): {trained['trained_on']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
