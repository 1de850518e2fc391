"""Accuracy of the knowledge base on every question file: the tests' sets and the open (not yet right) ones.

A question is right when an in-scope answer is matched and holds one string of every `must` group, an
out-of-scope one is not matched, and a greeting gets the help reply. Prints one line per file and the misses
of the open set; asserts nothing. usage: python benchmarks/kb_accuracy.py [--misses]

Independent sets (tests/questions_set_*.yaml) are mappings: `first_run` (the figure measured on the set before
any fix made for it, kept for comparison) and `questions` (those answered right, which the tests hold to). A
question of a set not answered right yet lives in benchmarks/questions_open.yaml with `set: <name>`, so each
set's current figure counts its open questions too, and is printed beside its first run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge import load  # noqa: E402

FILES = [ROOT / "tests" / "questions.yaml", ROOT / "tests" / "questions_independent.yaml"]
SETS = sorted((ROOT / "tests").glob("questions_set_*.yaml"))
OPEN = ROOT / "benchmarks" / "questions_open.yaml"


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


def read(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def set_name(path: Path) -> str:
    return path.stem.removeprefix("questions_set_")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    kb = load()
    open_items = read(OPEN)

    def report(label: str, items: list[dict], extra: str = "") -> None:
        misses = [item["q"] for item in items if not right(kb, item)]
        print(f"{label}: {len(items) - len(misses)}/{len(items)} right{extra}")
        if args.misses:
            for question in misses:
                print(f"  miss: {question}")

    for path in FILES:
        report(str(path.relative_to(ROOT)), read(path))
    for path in SETS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = set_name(path)
        still_open = [item for item in open_items if item.get("set") == name]
        first = data.get("first_run") or {}
        first_text = f"{first['right']}/{first['total']}" if first else "not recorded"
        report(
            f"{path.relative_to(ROOT)} (set {name})",
            data["questions"] + still_open,
            f" (first run {first_text}; {len(still_open)} open)",
        )
    report(str(OPEN.relative_to(ROOT)), open_items)


if __name__ == "__main__":
    main()
