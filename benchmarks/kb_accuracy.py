"""Accuracy of the knowledge base on every question file: the tests' sets and the open (not yet right) ones.

A question is right when an in-scope answer is matched and holds one string of every `must` group, an
out-of-scope one is not matched, and a greeting gets the help reply. Prints one line per file and the misses
of the open set; asserts nothing. usage: python benchmarks/kb_accuracy.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge import load  # noqa: E402

FILES = [ROOT / "tests" / "questions.yaml", ROOT / "tests" / "questions_independent.yaml", ROOT / "benchmarks" / "questions_open.yaml"]


def squash(text: str) -> str:
    return "".join(str(text).split()).lower()


def right(kb, item: dict) -> bool:
    answer = kb.ask(item["q"])
    shown = squash(answer.display())
    scope = item.get("scope", "in")
    if scope == "out":
        return not answer.matched and answer.topic is None
    if scope == "help":
        return answer.topic == "help"
    return answer.matched and all(any(squash(s) in shown for s in group) for group in item.get("must", []))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    kb = load()
    for path in FILES:
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        misses = [item["q"] for item in items if not right(kb, item)]
        print(f"{path.relative_to(ROOT)}: {len(items) - len(misses)}/{len(items)} right")
        if args.misses:
            for question in misses:
                print(f"  miss: {question}")


if __name__ == "__main__":
    main()
