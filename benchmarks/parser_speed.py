"""How long the reply parser takes: a one-line chat reply and a report pasted from Word.

What runs
    ``bot.parser.parse_reply`` as the bot calls it (the seed plan's references, its task index
    for tasks named by content, an agency's assignments), on:

    * a one-line reply (``NV4: đang thực hiện 70%, vướng kinh phí``);
    * a phone reply without diacritics naming a task by its content;
    * the 2 000 first characters of the longest report of the development corpus
      (tests/bot/parser_corpus_reports.jsonl: headings, points a)/b), figures, a closing
      "Khó khăn" section), and the whole of it;
    * every message of the development corpus, one after the other (throughput).

    Each case is timed twice in the same run, with the learned second opinion
    (bot/classifier.py) and with the rules alone, so that its cost reads side by side.

    The parser keeps small caches (a section is read once per message); they are cleared before
    every call so that each figure is a first reading of a new message, as in the bot. Goals
    (issue 9): a one-line reply under 0.5 ms, a 2 000-character report under 5 ms.

What is measured
    Per case, ``--repeat`` rounds of ``--number`` calls; the best round's mean (the least
    disturbed by the machine's other jobs) and the median round's, in ms per call; building
    the task index from the plan (once per plan load) and reading the learned models' file
    (once per process).

Usage
    python benchmarks/parser_speed.py [--number N] [--repeat R] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import classifier, parser, task_match  # noqa: E402
from bot.parser import parse_reply  # noqa: E402
from bot.task_match import TaskIndex  # noqa: E402
from common.paths import data_file  # noqa: E402
from scheduler.deadlines import duties_by_agency  # noqa: E402
from scheduler.plan import load_plan  # noqa: E402

CORPUS = ROOT / "tests" / "bot" / "parser_corpus_reports.jsonl"


def _clear() -> None:
    parser._message.cache_clear()
    parser._parse_cached.cache_clear()
    parser._refs_of.cache_clear()
    parser._folded.cache_clear()
    parser._fold.cache_clear()
    parser._topic.cache_clear()
    task_match._pairs.cache_clear()


def rules_alone(fn):
    """``fn`` run with the parser's rules only (no learned second opinion)."""
    def run():
        real = classifier.models
        classifier.models = lambda: None
        try:
            return fn()
        finally:
            classifier.models = real
    return run


def measure(fn, number: int, repeat: int) -> dict:
    fn()  # warm the code paths (not the caches: cleared on every call)
    rounds = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            _clear()
            fn()
        rounds.append((time.perf_counter() - started) / number * 1000)
    return {"best_ms": min(rounds), "median_ms": statistics.median(rounds), "rounds": rounds}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        model = cpu
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--number", type=int, default=200, help="calls per round (default 200; the corpus pass: 1)")
    ap.add_argument("--repeat", type=int, default=7, help="rounds per case (default 7)")
    ap.add_argument("--json", metavar="FILE", help="write the raw figures here")
    args = ap.parse_args(argv)

    plan = load_plan(data_file("plan.json"))
    refs = list(plan.task_refs())
    started = time.perf_counter()
    index = TaskIndex.from_plan(plan)
    index_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    classifier.load(data_file(classifier.MODEL_FILE))
    model_ms = (time.perf_counter() - started) * 1000
    duties = duties_by_agency(plan, plan.tasks)
    thads = [d.no for d in duties["cuc-thi-hanh-an-dan-su-tinh"]] + ["1a", "1b"]
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    longest = max((r["text"] for r in rows), key=len)
    cases = [
        ("one-line reply", "NV4: đang thực hiện 70%, vướng kinh phí", None),
        ("phone reply, task by content", "thi hanh an dan su quy nay dat 65% chi tieu, k co kk a", thads),
        ("report, 2 000 characters", longest[:2000], None),
        (f"report, {len(longest)} characters", longest, None),
    ]
    results = []
    for name, text, assigned in cases:
        number = args.number if len(text) < 500 else max(args.number // 10, 10)
        call = lambda: parse_reply(text, refs, index=index, assigned=assigned)  # noqa: E731
        figures = measure(call, number, args.repeat)
        alone = measure(rules_alone(call), number, args.repeat)
        results.append({"case": name, "chars": len(text), **figures, "rules_alone": alone})
    whole = lambda: [parse_reply(r["text"], refs, index=index) for r in rows]  # noqa: E731
    corpus = measure(whole, 1, args.repeat)
    corpus_alone = measure(rules_alone(whole), 1, args.repeat)
    corpus_chars = sum(len(r["text"]) for r in rows)

    print(f"Machine: {machine()}\n")
    print(f"Task index built from the plan in {index_ms:.2f} ms (once per plan load); "
          f"learned models read in {model_ms:.0f} ms (once per process).\n")
    print("| case | characters | best round, ms per call | median round | rules alone: best round | rules alone: median round |")
    print("|---|---|---|---|---|---|")
    for r in results:
        a = r["rules_alone"]
        print(f"| {r['case']} | {r['chars']} | {r['best_ms']:.3f} | {r['median_ms']:.3f} | {a['best_ms']:.3f} | {a['median_ms']:.3f} |")
    print(f"| development corpus, {len(rows)} messages one after the other | {corpus_chars} | "
          f"{corpus['best_ms']:.1f} (all) — {corpus['best_ms'] / len(rows):.3f} per message | {corpus['median_ms']:.1f} | "
          f"{corpus_alone['best_ms']:.1f} | {corpus_alone['median_ms']:.1f} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "index_ms": index_ms, "cases": results,
                                               "model_ms": model_ms,
                                               "corpus": corpus, "corpus_rules_alone": corpus_alone}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
