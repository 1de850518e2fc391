"""`python -m bot faq check`: prove the knowledge base is sound before anything runs.

Checks the schema of every entry and of sources.yaml and synonyms.yaml, unique ids, sources and related ids
that resolve, keywords that are known concepts, no string of the seed's spam part anywhere, and that every
entry is retrieved by each of its own phrasings. One line per problem; exit 1 if there is any.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot import FAQ_DIR
from bot.i18n import LANGS
from bot.knowledge.base import CONFIDENCES, KnowledgeBase, read_dir
from bot.knowledge.normalize import words
from bot.knowledge.spam import spam_profile

FLOW_ACTIONS = ("assess", "report")
ENTRY_KEYS = {"id", "topic", "title", "confidence", "source", "phrasings", "answer", "related", "keywords", "action"}
SYNONYM_KEYS = {"canonical", "out_of_scope", "stopwords", "greetings"}


def _lang_texts(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(lang), str) and value[lang].strip() for lang in LANGS)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


def schema_problems(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    synonyms = data["synonyms"]
    if not isinstance(synonyms, dict):
        return ["synonyms.yaml: must be a mapping"]
    for key in set(synonyms) - SYNONYM_KEYS:
        problems.append(f"synonyms.yaml: unknown key {key!r} (known: {', '.join(sorted(SYNONYM_KEYS))})")
    canonical = synonyms.get("canonical") or {}
    if not isinstance(canonical, dict) or not all(isinstance(k, str) and _strings(v or []) for k, v in canonical.items()):
        problems.append("synonyms.yaml: 'canonical' must map each term to a list of variant strings")
    for key in ("out_of_scope", "stopwords", "greetings"):
        if not _strings(synonyms.get(key) or []):
            problems.append(f"synonyms.yaml: {key!r} must be a list of non-empty strings")
    sources = data["sources"]
    if not isinstance(sources, dict):
        return problems + ["sources.yaml: must map source ids to {cite, title, url}"]
    for key, source in sources.items():
        if not isinstance(source, dict) or not _lang_texts(source.get("cite")):
            problems.append(f"sources.yaml: {key}: needs cite with zh and en")
        elif not isinstance(source.get("url", ""), str):
            problems.append(f"sources.yaml: {key}: url must be a string")
    known_concepts = {words(term).replace(" ", "") for term in canonical} if isinstance(canonical, dict) else set()
    for file, raw in data["entries"]:
        where = f"{file}: {raw.get('id', '?') if isinstance(raw, dict) else '?'}"
        if not isinstance(raw, dict):
            problems.append(f"{file}: every item must be a mapping (an entry)")
            continue
        for key in set(raw) - ENTRY_KEYS:
            problems.append(f"{where}: unknown key {key!r}")
        if not isinstance(raw.get("id"), str) or not raw["id"].strip():
            problems.append(f"{where}: missing id")
        if not isinstance(raw.get("topic"), str) or not raw["topic"].strip():
            problems.append(f"{where}: missing topic")
        for key in ("title", "answer"):
            if not _lang_texts(raw.get(key)):
                problems.append(f"{where}: {key} needs non-empty zh and en texts")
        if raw.get("confidence", "confirmed") not in CONFIDENCES:
            problems.append(f"{where}: confidence must be one of {', '.join(CONFIDENCES)}")
        phrasings = raw.get("phrasings")
        if not isinstance(phrasings, dict) or not all(_strings(phrasings.get(lang)) for lang in LANGS):
            problems.append(f"{where}: phrasings needs non-empty zh and en lists of strings")
        for key in ("related", "keywords"):
            if not _strings(raw.get(key) or []):
                problems.append(f"{where}: {key} must be a list of strings")
        for keyword in raw.get("keywords") or []:
            if isinstance(keyword, str) and words(keyword).replace(" ", "") not in known_concepts:
                problems.append(f"{where}: keyword {keyword!r} is not a canonical term of synonyms.yaml")
        if raw.get("action") is not None and raw.get("action") not in FLOW_ACTIONS:
            problems.append(f"{where}: action must be one of {', '.join(FLOW_ACTIONS)}")
        if not isinstance(raw.get("source"), str) or raw.get("source") not in sources:
            problems.append(f"{where}: source {raw.get('source')!r} is not in sources.yaml")
    return problems


def reference_problems(data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    ids = Counter(raw["id"] for _, raw in data["entries"])
    problems += [f"id {entry_id!r} is used {count} times" for entry_id, count in ids.items() if count > 1]
    for file, raw in data["entries"]:
        for related in raw.get("related") or []:
            if related not in ids:
                problems.append(f"{file}: {raw['id']}: related id {related!r} does not exist")
            elif related == raw["id"]:
                problems.append(f"{file}: {raw['id']}: lists itself as related")
    return problems


def spam_problems(faq_dir: Path) -> list[str]:
    profile = spam_profile()
    problems = []
    for path in sorted(faq_dir.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for found in sorted(set(profile.leaked(text))):
            problems.append(f"{path.name}: contains {found!r} from the seed's spam part")
    return problems


def retrieval_problems(kb: KnowledgeBase) -> list[str]:
    problems = []
    for entry in kb.entries:
        for lang in LANGS:
            for phrasing in entry.phrasings[lang]:
                answer = kb.ask(phrasing)
                if answer.entry_id != entry.id:
                    got = answer.entry_id or ("help" if answer.topic == "help" else "not matched")
                    problems.append(f"{entry.file}: {entry.id}: phrasing {phrasing!r} retrieves {got} ({answer.score:.2f})")
    return problems


def check(faq_dir: Path = FAQ_DIR) -> tuple[list[str], str]:
    """(problems, summary) of a knowledge-base folder."""
    try:
        data = read_dir(faq_dir)
    except Exception as error:  # a YAML syntax error: report it as a problem, not a traceback
        return [f"cannot read {faq_dir}: {error}"], ""
    problems = schema_problems(data)
    if not problems:
        problems += reference_problems(data)
    problems += spam_problems(faq_dir)
    if problems:
        return problems, ""
    kb = KnowledgeBase.from_dir(faq_dir)
    problems = retrieval_problems(kb)
    phrasings = sum(len(entry.phrasings[lang]) for entry in kb.entries for lang in LANGS)
    return problems, f"{len(kb.entries)} entries, {phrasings} phrasings, {len(kb.sources)} sources"


def run_check(faq_dir: Path = FAQ_DIR) -> int:
    problems, summary = check(faq_dir)
    for problem in problems:
        print(problem)
    if problems:
        print(f"faq check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"faq check: OK ({summary})")
    return 0
