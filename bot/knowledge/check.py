"""`python -m bot faq check`: prove the knowledge base is sound before anything runs.

Checks the schema of every entry and of sources.yaml and synonyms.yaml, unique ids, sources and related ids
that resolve, keywords that are known concepts, no string of the seed's spam part anywhere, and that every
entry is retrieved by each of its own phrasings. It also checks what the answers say:
- the 12387 channels are given as the channels of the path they serve, never as the CII or central-organ path's
  own channel (the greeting and /help texts of bot/texts.py are held to the same rule);
- an answer that flags something as provisional, or states a known [likely]/[draft] figure, is not marked
  confirmed, and flags it in both languages;
- the Chinese and English answers state the same figures;
- the PIPL Art. 57 duty to notify is never given without its exception.
One line per problem; exit 1 if there is any.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot import FAQ_DIR
from bot import texts as bot_texts
from bot.i18n import LANGS
from bot.knowledge.base import CONFIDENCES, Entry, KnowledgeBase, read_dir
from bot.knowledge.normalize import words
from bot.knowledge.spam import spam_profile
from bot.numerals import arabic_numbers

FLOW_ACTIONS = ("assess", "report")
ENTRY_KEYS = {"id", "topic", "title", "confidence", "source", "phrasings", "answer", "related", "keywords", "action"}
SYNONYM_KEYS = {"canonical", "out_of_scope", "everyday", "stopwords", "greetings"}


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
    for key in ("out_of_scope", "everyday", "stopwords", "greetings"):
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
        for keyword in raw.get("keywords") or []:  # a concept, or alternatives 'a|b'
            for alternative in keyword.split("|") if isinstance(keyword, str) else []:
                if words(alternative).replace(" ", "") not in known_concepts:
                    problems.append(f"{where}: keyword {alternative!r} is not a canonical term of synonyms.yaml")
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


# ------------------------------------------------------------------ what the answers say
# The six 12387 channels are the cyberspace administration's: they serve the "other operator" path (to the
# provincial CAC). The CII path reports to the protection department and the police, the central-organ path to
# its department's cyberspace-affairs office; that 12387 may be used in addition is only our reading. An answer that
# names those paths and 12387 must say that 12387 does not replace their bodies.
OWN_BODY_PATHS = {
    "zh": re.compile(r"关基|关键信息基础设施|保护工作部门|中央和国家机关|网信工作机构"),
    "en": re.compile(r"\bcii\b|critical information infrastructure|protection department|central (?:and|or) state organ|cyberspace-affairs office", re.I),
}
CAC_PATH = {"zh": re.compile(r"省级网信"), "en": re.compile(r"provincial", re.I)}
NOT_A_SUBSTITUTE = {
    "zh": re.compile(r"不替代|不能替代|不代替"),
    "en": re.compile(r"not replace|not a substitute", re.I),
}
PROVISIONAL = {"zh": re.compile(r"待核实|暂定"), "en": re.compile(r"provisional", re.I)}
# Statements that rest on [likely]/[draft] facts (facts file §4, §8) wherever they appear: the 较大/重大 loss figures,
# the 10-minute CII outage figure, and the ransom item of the report's contents.
PROVISIONAL_FACTS = {
    "zh": re.compile(r"(?<!\d)(500|2000)万元|(?<!\d)10分钟|赎金"),
    "en": re.compile(r"(?<![\d.])(5|20) million yuan|(?<!\d)10 minutes|\bransom (demanded|amount)|the ransom", re.I),
}
PIPL = {"zh": re.compile(r"个人信息保护法|个保法"), "en": re.compile(r"personal information protection law|pipl\b", re.I)}
NOTIFY = {"zh": re.compile(r"通知"), "en": re.compile(r"notif|notice", re.I)}
PIPL_EXCEPTION = {"zh": re.compile(r"可以不通知|无需通知个人|不必通知个人"), "en": re.compile(r"need not be notified|need not notify", re.I)}
_SENTENCE = {"zh": re.compile(r"[。；;\n]"), "en": re.compile(r"(?<!Art)(?<!Arts)(?<!No)\.\s|;|\n")}


def _sentences(text: str, lang: str) -> list[str]:
    return [s for s in _SENTENCE[lang].split(text) if s.strip()]


def channel_text_problems(text: str, lang: str) -> list[str]:
    """12387 given as the channel of the CII or central-organ path, or given without the path it serves."""
    if "12387" not in text:
        return []
    problems = [
        f"presents 12387 as the CII or central-organ path's channel: {sentence.strip()!r}"
        for sentence in _sentences(text, lang)
        if "12387" in sentence and OWN_BODY_PATHS[lang].search(sentence) and not NOT_A_SUBSTITUTE[lang].search(sentence)
    ]
    if not CAC_PATH[lang].search(text):
        problems.append("names 12387 without the path it serves (the provincial cyberspace administration's)")
    elif OWN_BODY_PATHS[lang].search(text) and not NOT_A_SUBSTITUTE[lang].search(text):
        problems.append("names the CII or central-organ path and 12387 without saying 12387 does not replace that path's own bodies")
    return problems


def channel_problems(entries: list[Entry]) -> list[str]:
    """The channel rules over every answer, and over the bot's own texts that list channels."""
    problems = [
        f"{entry.file}: {entry.id} ({lang}): {problem}"
        for entry in entries
        for lang in LANGS
        for problem in channel_text_problems(entry.answer[lang], lang)
    ]
    for name in ("GREETING", "HELP"):
        texts = getattr(bot_texts, name)
        problems += [f"bot/texts.py: {name} ({lang}): {problem}" for lang in LANGS for problem in channel_text_problems(texts[lang], lang)]
    return problems


def confidence_problems(entries: list[Entry]) -> list[str]:
    """An answer that flags part of itself as provisional, or states a known [likely]/[draft] figure, is not 'confirmed'
    (and flags it in both languages)."""
    problems = []
    for entry in entries:
        resting = [lang for lang in LANGS if PROVISIONAL_FACTS[lang].search(entry.answer[lang])]
        unflagged = [lang for lang in resting if not PROVISIONAL[lang].search(entry.answer[lang])]
        if unflagged or (resting and entry.confidence == "confirmed"):
            problems.append(f"{entry.file}: {entry.id}: states a [likely]/[draft] figure or item ({'/'.join(resting)}) without marking it provisional")
        flagged = [lang for lang in LANGS if PROVISIONAL[lang].search(entry.answer[lang])]
        if flagged and entry.confidence == "confirmed":
            problems.append(f"{entry.file}: {entry.id}: the answer flags provisional content ({'/'.join(flagged)}) but confidence is confirmed")
        if len(flagged) == 1:
            problems.append(f"{entry.file}: {entry.id}: only the {flagged[0]} answer flags provisional content")
    return problems


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
_ZH_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_EN_DATE = re.compile(r"(\d{1,2}) (" + "|".join(_MONTHS) + r")(?: (\d{4}))?", re.I)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_LIST_MARK = re.compile(r"^\s*\d+[.、]\s*", re.M)
_ZH_ORDINAL = re.compile(r"第([一二三四五六七八九])([条项])")
_FIGURE = re.compile(r"\d+(?:\.\d+)?[万亿]?")


def figures(text: str) -> set[str]:
    """The figures an answer states, as plain numbers and MM-DD dates: '100万人' and '1 million' are both 1000000,
    '半小时' is 30 like '30 minutes', '第四条' is 4 like 'Art. 4'; list numbering does not count."""
    found: set[str] = set()

    def date(year: str | None, month: int, day: str) -> str:
        found.add(f"{month:02d}-{int(day):02d}")
        if year:
            found.add(str(int(year)))
        return " "

    text = re.sub(r"(?<=\d),(?=\d{3})", "", _LIST_MARK.sub("", text)).replace("半小时", "30分钟")
    text = _ISO_DATE.sub(lambda m: date(m[1], int(m[2]), m[3]), text)
    text = _ZH_DATE.sub(lambda m: date(m[1], int(m[2]), m[3]), text)
    text = _EN_DATE.sub(lambda m: date(m[3], _MONTHS.index(m[2].lower()) + 1, m[1]), text)
    text = _ZH_ORDINAL.sub(lambda m: f"第{'一二三四五六七八九'.index(m[1]) + 1}{m[2]}", arabic_numbers(text))
    for figure in _FIGURE.findall(text):
        scale = {"万": 10**4, "亿": 10**8}.get(figure[-1], 1)
        value = float(figure.rstrip("万亿")) * scale
        found.add(str(int(value)) if value.is_integer() else str(value))
    return found


def figure_problems(entries: list[Entry]) -> list[str]:
    """The Chinese and English answers of an entry state the same figures."""
    problems = []
    for entry in entries:
        zh, en = figures(entry.answer["zh"]), figures(entry.answer["en"])
        if zh != en:
            problems.append(
                f"{entry.file}: {entry.id}: zh and en state different figures (zh only: {', '.join(sorted(zh - en)) or '-'}; "
                f"en only: {', '.join(sorted(en - zh)) or '-'})"
            )
    return problems


def pipl_problems(entries: list[Entry]) -> list[str]:
    """Every answer that states the PIPL Art. 57 duty to notify carries its exception."""
    return [
        f"{entry.file}: {entry.id} ({lang}): states the PIPL Art. 57 duty to notify without its exception (individuals need not be notified where the measures effectively avoid harm, unless the authority requires it)"
        for entry in entries
        for lang in LANGS
        if any(PIPL[lang].search(s) and NOTIFY[lang].search(s) for s in _sentences(entry.answer[lang], lang))
        and not PIPL_EXCEPTION[lang].search(entry.answer[lang])
    ]


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
    problems = channel_problems(kb.entries) + confidence_problems(kb.entries) + figure_problems(kb.entries)
    problems += pipl_problems(kb.entries) + retrieval_problems(kb)
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
