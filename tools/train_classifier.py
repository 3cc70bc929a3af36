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
BLIND = frozenset({"reports-held-out-24", "reports-held-out-25"})
C = 10.0  # inverse regularisation; 3 and 30 gave the same overrides within a message or two
DIGITS = 5


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


def _parts(row: dict) -> list[tuple[str, str, bool]]:
    """(segment, status, difficulty) per labelled task of a row, a task's lines merged."""
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
    return [("\n".join(seg), status, diff) for seg, status, diff in by_task.values() if status]


def training_data() -> dict[str, tuple[list[str], list[str]]]:
    reports, replies = _rows()
    kind_x = [fold(r["text"]) for r in reports] + [fold(r["text"]) for r in replies if r.get("expected")]
    kind_y = [r.get("kind", "report") for r in reports] + ["report" for r in replies if r.get("expected")]
    parts = [p for r in reports + replies for p in _parts(r)]
    seg_x = [fold(p[0]) for p in parts]
    return {
        "kind": (kind_x, kind_y),
        "status": (seg_x, [p[1] for p in parts]),
        "difficulty": (seg_x, ["True" if p[2] else "False" for p in parts]),
    }


def _fit(x: list[str], y: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, token_pattern=r"[a-z0-9%]+", lowercase=False)
    features = vec.fit_transform(x)
    model = LogisticRegression(C=C, max_iter=5000).fit(features, y)
    return vec, model


def _export(vec, model) -> dict:
    idf = vec.idf_
    coef = model.coef_
    terms = {}
    for term, j in sorted(vec.vocabulary_.items()):
        terms[term] = [round(float(idf[j]), DIGITS)] + [round(float(idf[j] * coef[i, j]), DIGITS) for i in range(coef.shape[0])]
    return {"classes": [str(c) for c in model.classes_], "intercept": [round(float(b), DIGITS) for b in model.intercept_], "terms": terms}


def train() -> dict:
    out: dict = {"trained_on": {}}
    for name, (x, y) in training_data().items():
        vec, model = _fit(x, y)
        out[name] = _export(vec, model)
        out["trained_on"][name] = {"examples": len(x), "terms": len(vec.vocabulary_)}
    out["trained_on"]["left_out"] = sorted(BLIND)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file instead of writing it")
    args = ap.parse_args(argv)
    trained = train()
    if args.check:
        from bot.classifier import LinearModel, load

        committed = load(OUT)
        fresh = {k: LinearModel.from_dict(trained[k]) for k in ("kind", "status", "difficulty")}
        x = training_data()
        differ = 0
        for name, model in fresh.items():
            old = getattr(committed, name)
            differ += sum(1 for t in x[name][0] if old.best(t)[0] != model.best(t)[0])
        print(f"{differ} training texts read differently by the committed model")
        return 1 if differ else 0
    OUT.write_text(json.dumps(trained, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB): {trained['trained_on']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
