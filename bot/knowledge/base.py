"""Loading faq/ and answering from it.

Matching works on the normalized form of the question (see normalize.py): TF-IDF cosine over concept tokens,
Chinese character bigrams and English words, scored against every phrasing of every entry and against each
entry's phrasings taken together (long questions touch several), with rapidfuzz closing the gap for typos (a
misspelt English word is mapped to the nearest known word; a whole question is also compared with each
phrasing by rapidfuzz's ratio). Concepts a phrasing and the question do not share cost a little; an entry's
`keywords` (canonical concepts) add a bonus when the question names them: this is how a channel name routes to
that channel and a reporter type to its time limit (a keyword 'a|b' is met by either concept). Out-of-scope
subjects, the seed's spam, everyday requests that merely share a word with an entry ("我的邮箱满了", "银行卡挂失热线";
unless the question also names an incident), and one-word questions without a clear target are refused first.
Below the threshold the answer is "not covered", with suggestions, never a guess.

A question asking for several of whom / by when / which channel at once is answered by the entry, among those
scored near the best, that gives most of them; a part it leaves out is added after it from the best-scored entry
that gives it ("另见「…」：…", with that entry's source), so one `ask --json` answer carries every part while its
keys stay matched, topic, score, answer, source (the main entry's), suggestions.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.i18n import LANGS, detect_lang, pick
from bot.texts import HELP
from bot.knowledge.normalize import CONCEPT_BASE, Normalizer, PhraseTable, fold, is_concept, words
from bot.knowledge.spam import SpamProfile, spam_profile

THRESHOLD = 0.42
KEYWORD_BONUS = 0.12
FUZZ_WEIGHT = 0.9
WHOLE_ENTRY_WEIGHT = 1.4  # against all of an entry's phrasings at once (their union is a long, diluted text)
CLAUSE_FACTOR = 0.9  # a clause of a long question, matched alone, counts a little less than the whole
EXACT_MATCH = 1.5  # above any fuzzy score plus the keyword bonus
MISSING_CONCEPT_FACTOR = 0.9
SUGGESTION_FLOOR = 0.12
CONFIDENCES = ("confirmed", "likely", "draft")
CAVEAT = {
    "zh": "注意：本答案部分内容依据尚未逐字核实的文本或2023年征求意见稿，属暂定信息，请以官方附件为准；拿不准时从严：按更高级别、更早时限报告。",
    "en": "Note: part of this answer rests on wording or figures not yet verified against the final text (or on the 2023 draft): "
    "treat it as provisional and check the official attachment; when in doubt, grade higher and report earlier.",
}
SOURCE_LABEL = {"zh": "来源", "en": "Source"}
VERIFY = {"zh": "原文", "en": "Official text"}
CHAR_MARK = "#"  # single Chinese characters are weak evidence: counted apart from words and bigrams
# Clause breaks: punctuation, and the spaces people type between Chinese phrases instead of commas
# ("服务器在杭州 被黑了 要报给谁").
_CLAUSES = re.compile(r"[，。？！,?!;；：:\n、]+|(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff\d])|(?<=\d)\s+(?=[\u3400-\u9fff])")
# The parts a question may ask for at once ("向谁报、几小时内、用什么渠道"): the concept that asks for it, and what
# an answer that gives it contains. A question asking for two or more is answered by the entry that gives most
# of them, and what that entry leaves out is added from the entry that gives it.
ASPECTS = {
    "recipient": ("向谁", {"zh": r"保护工作部门|省级网信部门|网信工作机构|公安机关", "en": r"protection department|provincial cyberspace|cyberspace-affairs office|public security"}),
    "deadline": ("时限", {"zh": r"最迟(?:不超过)?\s*(?:\d+\s*个?小时|半小时)|\d+\s*个?小时内|半小时内", "en": r"within\s+(?:\d+|one)[\s-]*(?:hours?|minutes)\b"}),
    "channel": ("渠道|热线|网站|邮箱|传真|小程序|公众号", {"zh": r"12387", "en": r"12387"}),
}
MULTI_PART_MARGIN = 0.75  # an entry giving more of the parts asked may replace a better-scored one down to this share
ALSO = {"zh": "另见", "en": "See also"}
_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]+|[\ue000-\uefff]")


@dataclass(frozen=True)
class Source:
    id: str
    cite: dict[str, str]
    title: dict[str, str]
    url: str


@dataclass(frozen=True)
class Entry:
    id: str
    topic: str
    title: dict[str, str]
    confidence: str
    source: str
    phrasings: dict[str, list[str]]
    answer: dict[str, str]
    related: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    action: str | None = None
    file: str = ""


@dataclass
class Answer:
    matched: bool
    topic: str | None
    score: float
    text: str
    source: str | None
    suggestions: list[str] = field(default_factory=list)
    entry_id: str | None = None
    lang: str = "zh"
    related: list[tuple[str, str]] = field(default_factory=list)  # (entry id, title) for follow-up buttons
    action: str | None = None

    def display(self) -> str:
        """The text shown to a person: the answer, and the suggestions of a "not covered" reply."""
        if self.matched or not self.suggestions:
            return self.text
        return self.text + "\n" + "\n".join(f"• {s}" for s in self.suggestions)

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` contract."""
        return {
            "matched": self.matched,
            "topic": self.topic,
            "score": round(self.score, 4),
            "answer": self.text,
            "source": self.source,
            "suggestions": self.suggestions,
        }


def _stem(word: str) -> str:
    """A light English stemmer: define, defined, defines → defin; report, reporting, reports → report."""
    if not word.isascii() or word.isdigit() or len(word) <= 3:
        return word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def tokens(canonical: str) -> Counter[str]:
    """Concept tokens, Chinese bigrams (and single characters, weighted low), stemmed English words."""
    counts: Counter[str] = Counter()
    for piece in _WORD.findall(canonical):
        if len(piece) == 1 and is_concept(piece):
            counts[piece] += 2
        elif piece.isascii():
            counts[_stem(piece)] += 1
        else:
            if len(piece) == 1:
                counts[piece] += 1
            for i in range(len(piece) - 1):
                counts[piece[i : i + 2]] += 1
            for char in piece:
                counts[CHAR_MARK + char] += 0.25
    return counts


class KnowledgeBase:
    def __init__(
        self,
        entries: list[Entry],
        sources: dict[str, Source],
        normalizer: Normalizer,
        out_of_scope: list[str],
        greetings: list[str],
        spam: SpamProfile,
        everyday: list[str] | None = None,
    ) -> None:
        self.entries = entries
        self.by_id = {entry.id: entry for entry in entries}
        self.by_id_index = {entry.id: index for index, entry in enumerate(entries)}
        self.sources = sources
        self.normalizer = normalizer
        self._out_of_scope = PhraseTable(out_of_scope)
        self._everyday = PhraseTable(everyday or [])
        self._incident_chars = frozenset(
            chr(CONCEPT_BASE + normalizer.lookup[words(c)]) for c in INCIDENT_CONCEPTS if words(c) in normalizer.lookup
        )
        self._greetings = PhraseTable(greetings)
        self._build_index()
        kb_bigrams = set()
        for entry in entries:
            for text in [*entry.answer.values(), *entry.title.values(), *self._all_phrasings(entry)]:
                folded = fold(text)
                kb_bigrams.update(folded[i : i + 2] for i in range(len(folded) - 1))
        self.spam = SpamProfile(spam.phrases, spam.bigrams - kb_bigrams, spam.phones)

    # ---------------------------------------------------------------- loading
    @classmethod
    def from_dir(cls, faq_dir: Path) -> "KnowledgeBase":
        data = read_dir(faq_dir)
        synonyms = data["synonyms"]
        normalizer = Normalizer.build(synonyms.get("canonical") or {}, synonyms.get("stopwords") or [])
        return cls(
            entries=[entry_from_dict(raw, file) for file, raw in data["entries"]],
            sources={key: source_from_dict(key, raw) for key, raw in (data["sources"] or {}).items()},
            normalizer=normalizer,
            out_of_scope=synonyms.get("out_of_scope") or [],
            greetings=synonyms.get("greetings") or [],
            spam=spam_profile(),
            everyday=synonyms.get("everyday") or [],
        )

    @staticmethod
    def _all_phrasings(entry: Entry) -> list[str]:
        return [p for lang in LANGS for p in entry.phrasings.get(lang, [])] + list(entry.title.values())

    def _build_index(self) -> None:
        docs: list[tuple[int, str, Counter[str]]] = []
        entry_tokens: list[set[str]] = []
        for index, entry in enumerate(self.entries):
            seen: set[str] = set()
            for phrasing in self._all_phrasings(entry):
                canonical = self.normalizer.canonical(phrasing)
                counts = tokens(canonical)
                docs.append((index, canonical, counts))
                seen.update(counts)
            entry_tokens.append(seen)
        df: Counter[str] = Counter()
        for seen in entry_tokens:
            df.update(seen)
        entry_counts: list[Counter[str]] = [Counter() for _ in self.entries]
        for entry_index, _, counts in docs:
            entry_counts[entry_index].update(counts)
        total = max(len(self.entries), 1)
        self._idf = {token: math.log(1 + total / count) for token, count in df.items()}
        self._unknown_idf = math.log(1 + total)  # a word no phrasing has is as telling as the rarest one
        self._spelling = self._spelling_vocabulary()
        self._spelling_words = list(self._spelling)
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._docs: list[tuple[int, str, frozenset[str]]] = []
        for doc_index, (entry_index, canonical, counts) in enumerate(docs):
            for token, weight in self._weigh(counts).items():
                self._postings[token].append((doc_index, weight))
            concepts = frozenset(c for c in canonical if is_concept(c))
            self._docs.append((entry_index, canonical.replace(" ", ""), concepts))
        self._entry_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for entry_index, counts in enumerate(entry_counts):
            for token, weight in self._weigh(counts).items():
                self._entry_postings[token].append((entry_index, weight))
        # each keyword is a concept, or alternatives 'a|b' (any one will do); every keyword must be named
        self._aspect_chars = {
            name: frozenset(chr(CONCEPT_BASE + self.normalizer.lookup[words(c)]) for c in concepts.split("|") if words(c) in self.normalizer.lookup)
            for name, (concepts, _) in ASPECTS.items()
        }
        self._aspects_given = [
            {lang: frozenset(name for name, (_, found) in ASPECTS.items() if re.search(found[lang], entry.answer.get(lang, ""), re.I)) for lang in LANGS}
            for entry in self.entries
        ]
        self._keyword_sets = [
            tuple(frozenset(self.normalizer.concept_char(alt) for alt in k.split("|")) for k in entry.keywords)
            for entry in self.entries
        ]
        self._keyword_chars = [frozenset().union(*sets) for sets in self._keyword_sets]

    def _spelling_vocabulary(self) -> dict[str, str]:
        """English words a typo may be corrected to: phrasing words and one-word synonyms (→ their concept)."""
        vocabulary = {t: t for t in self._idf if t.isascii() and t.isalpha() and len(t) >= 4}
        for variant, index in self.normalizer.lookup.items():
            if variant.isascii() and variant.isalpha() and len(variant) >= 4:
                vocabulary.setdefault(variant, chr(CONCEPT_BASE + index))
        return vocabulary

    def _weigh(self, counts: Counter[str]) -> dict[str, float]:
        vector = {}
        for token, count in counts.items():
            idf = self._idf.get(token, self._unknown_idf)
            vector[token] = (1 + math.log(count) if count >= 1 else count) * idf
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {t: w / norm for t, w in vector.items() if w}

    # ---------------------------------------------------------------- matching
    def _correct(self, counts: Counter[str]) -> Counter[str]:
        """Map unknown English words to the nearest known one (typos such as 'deadlnie', 'emial')."""
        from rapidfuzz import fuzz, process

        fixed: Counter[str] = Counter()
        for token, count in counts.items():
            if token in self._idf or not (token.isascii() and token.isalpha() and len(token) >= 4):
                fixed[token] += count
                continue
            best = process.extractOne(token, self._spelling_words, scorer=fuzz.ratio, score_cutoff=75)
            if best and best[0][0] == token[0]:  # typos rarely hit the first letter: 'endfor' is no 'vendor'
                token = self._spelling[best[0]]
            fixed[token] += count
        return fixed

    def rank(self, question: str) -> list[tuple[float, Entry]]:
        """Every entry with a positive score, best first."""
        from rapidfuzz import fuzz

        canonical = self.normalizer.canonical(question)
        if not canonical:
            return []
        corrected = self._correct(tokens(canonical))
        query = self._weigh(corrected)
        concepts = {t for t in corrected if len(t) == 1 and is_concept(t)}
        compact = canonical.replace(" ", "")
        doc_scores: dict[int, float] = defaultdict(float)
        for token, weight in query.items():
            for doc_index, doc_weight in self._postings.get(token, ()):
                doc_scores[doc_index] += weight * doc_weight
        best: dict[int, float] = {}
        for doc_index, cosine in doc_scores.items():
            entry_index, doc_compact, doc_concepts = self._docs[doc_index]
            similarity = max(cosine, FUZZ_WEIGHT * fuzz.ratio(compact, doc_compact) / 100) if cosine > 0.2 else cosine
            similarity *= MISSING_CONCEPT_FACTOR ** len(doc_concepts ^ concepts)
            if doc_compact == compact:
                similarity = EXACT_MATCH  # one of the entry's own phrasings, word for word
            if similarity > best.get(entry_index, 0.0):
                best[entry_index] = similarity
        whole_entry: dict[int, float] = defaultdict(float)
        for token, weight in query.items():
            for entry_index, entry_weight in self._entry_postings.get(token, ()):
                whole_entry[entry_index] += weight * entry_weight
        for entry_index, cosine in whole_entry.items():  # a long question may touch several phrasings of one entry
            best[entry_index] = max(best.get(entry_index, 0.0), WHOLE_ENTRY_WEIGHT * cosine)
        for entry_index in list(best):
            keywords = self._keyword_sets[entry_index]
            if keywords and all(alternatives & concepts for alternatives in keywords):
                best[entry_index] += KEYWORD_BONUS
        return sorted(((score, self.entries[i]) for i, score in best.items()), key=lambda pair: -pair[0])

    def _rank_with_clauses(self, question: str) -> list[tuple[float, Entry]]:
        """The ranking of the whole question; when that finds nothing sure, also of each of its clauses.

        A long question buries its point among details ("本院（三甲医院）HIS系统遭勒索攻击，应向哪个部门报告？");
        a clause may match on its own, at a discount. A sure match of the whole question is never displaced.
        """
        ranked = self.rank(question)
        if ranked and ranked[0][0] >= THRESHOLD:
            return ranked
        clauses = [clause for clause in _CLAUSES.split(question) if len(clause.strip()) >= 4]
        if len(clauses) < 2:
            return ranked
        best = {entry.id: (score, entry) for score, entry in ranked}
        for clause in clauses:
            for score, entry in self.rank(clause)[:3]:
                if CLAUSE_FACTOR * score > best.get(entry.id, (0.0, entry))[0]:
                    best[entry.id] = (CLAUSE_FACTOR * score, entry)
        return sorted(best.values(), key=lambda pair: -pair[0])

    def _specific_enough(self, question: str, best: tuple[float, Entry]) -> bool:
        """A one-word question ('好', '时间', '报告') is answered only by an exact phrasing, a number, or a keyword of its entry."""
        score, entry = best
        found = [t for t in tokens(self.normalizer.canonical(question)) if not t.startswith(CHAR_MARK)]
        if len(found) != 1 or score >= EXACT_MATCH or (found[0].isdigit() and len(found[0]) >= 4):
            return True  # a long number (12387, 20986) names one thing
        return found[0] in self._keyword_chars[self.by_id_index[entry.id]]

    def is_out_of_scope(self, question: str) -> bool:
        text = words(question)
        if self._out_of_scope.search(text):
            return True
        if self._everyday.search(text) and not self._incident_chars & set(self.normalizer.canonical(question)):
            return True  # "快递电话多少" is not covered; "快递公司数据泄露了要报吗" is
        return self.spam.looks_like_spam_query(fold(question))

    def is_greeting(self, question: str) -> bool:
        """Only greetings, thanks or a call for help, with nothing else a question could be about."""
        text = words(question)
        if not self._greetings.search(text):
            return False
        rest = self.normalizer.stopwords.replace(self._greetings.replace(text, lambda _: " "), lambda _: " ")
        return not rest.strip()

    # ---------------------------------------------------------------- answering
    def ask(self, question: str, lang: str | None = None) -> Answer:
        """Answer a question in its own language (or `lang` when the question has no letters)."""
        lang = detect_lang(question) or lang or "zh"
        if not question.strip():
            return self.not_covered(lang, [])
        if not words(question):  # only symbols: a bare "?" asks what the bot can do, anything else is not covered
            return self.help(lang) if "?" in fold(question) else self.not_covered(lang, [])
        if self.is_greeting(question):
            return self.help(lang)
        if self.is_out_of_scope(question):
            return self.not_covered(lang, [])
        ranked = self._rank_with_clauses(question)
        if not ranked or ranked[0][0] < THRESHOLD or not self._specific_enough(question, ranked[0]):
            return self.not_covered(lang, ranked)
        asked = self.aspects_asked(question)
        if len(asked) < 2:
            score, entry = ranked[0]
            return self.answer_entry(entry, lang, score=min(score, 1.0))
        return self._answer_parts(ranked, asked, lang)

    def aspects_asked(self, question: str) -> frozenset[str]:
        """Which of whom / by when / which channel a question asks for."""
        canonical = self.normalizer.canonical(question)
        return frozenset(name for name, chars in self._aspect_chars.items() if chars & set(canonical))

    def _given(self, entry: Entry, lang: str) -> frozenset[str]:
        return self._aspects_given[self.by_id_index[entry.id]][lang]

    def _answer_parts(self, ranked: list[tuple[float, Entry]], asked: frozenset[str], lang: str) -> Answer:
        """A question asking for several parts: the entry giving most of them (among those scored near the best),
        then, for a part it leaves out, the lead of the best-scored entry that gives it, with its source."""
        top = ranked[0][0]
        near = [(score, entry) for score, entry in ranked if score >= max(THRESHOLD, MULTI_PART_MARGIN * top)]
        score, entry = max(near, key=lambda pair: (len(asked & self._given(pair[1], lang)), pair[0]))
        answer = self.answer_entry(entry, lang, score=min(score, 1.0))
        missing = asked - self._given(entry, lang)
        extra: list[Entry] = []
        for _, other in ranked:
            if not missing:
                break
            if other.id == entry.id or other.confidence != "confirmed" or _ < SUGGESTION_FLOOR:
                continue
            if self._given(other, lang) & missing:
                extra.append(other)
                missing -= self._given(other, lang)
        for other in extra[:2]:
            lines = pick(other.answer, lang).strip().split("\n")
            shown = [lines[0]]
            if lines[0].rstrip().endswith(("：", ":")):  # a lead that introduces a list brings the list
                shown += [line for line in lines[1:] if re.match(r"\d+\.", line)]
            for name in sorted(asked - self._given(entry, lang)):  # and the line that gives the part asked for
                pattern = ASPECTS[name][1][lang]
                if not any(re.search(pattern, line, re.I) for line in shown):
                    shown += [line for line in lines[1:] if re.search(pattern, line, re.I)][:1]
            lead = "\n".join(shown)
            cite = pick(self.sources[other.source].cite, lang)
            label = f"{ALSO[lang]}「{pick(other.title, lang)}」：" if lang == "zh" else f"{ALSO[lang]} \"{pick(other.title, lang)}\": "
            source = f"（{SOURCE_LABEL[lang]}：{cite}）" if lang == "zh" else f" ({SOURCE_LABEL[lang]}: {cite})"
            answer.text += "\n\n" + label + lead + source
            answer.related = [(other.id, pick(other.title, lang))] + [pair for pair in answer.related if pair[0] != other.id]
        return answer

    def answer_entry(self, entry: Entry, lang: str, score: float = 1.0) -> Answer:
        source = self.sources[entry.source]
        parts = [pick(entry.answer, lang).strip()]
        if entry.confidence != "confirmed":
            parts.append(CAVEAT[lang])
        cite = pick(source.cite, lang)
        line = f"{SOURCE_LABEL[lang]}：{cite}" if lang == "zh" else f"{SOURCE_LABEL[lang]}: {cite}"
        if source.url:
            line += f"（{VERIFY[lang]}：{source.url}）" if lang == "zh" else f" ({VERIFY[lang]}: {source.url})"
        parts.append(line)
        related = [(rid, pick(self.by_id[rid].title, lang)) for rid in entry.related if rid in self.by_id]
        return Answer(
            matched=True,
            topic=entry.topic,
            score=score,
            text="\n\n".join(parts),
            source=cite,
            entry_id=entry.id,
            lang=lang,
            related=related,
            action=entry.action,
        )

    def not_covered(self, lang: str, ranked: list[tuple[float, Entry]]) -> Answer:
        candidates = [entry for score, entry in ranked if score >= SUGGESTION_FLOOR][:3]
        if not candidates:
            candidates = [self.by_id[i] for i in DEFAULT_SUGGESTIONS if i in self.by_id]
        suggestions = [pick(entry.title, lang) for entry in candidates]
        text = NOT_COVERED[lang]
        return Answer(
            matched=False,
            topic=None,
            score=ranked[0][0] if ranked else 0.0,
            text=text,
            source=None,
            suggestions=suggestions,
            lang=lang,
            related=[(entry.id, pick(entry.title, lang)) for entry in candidates],
        )

    def help(self, lang: str) -> Answer:
        return Answer(matched=False, topic="help", score=0.0, text=HELP[lang], source=None, lang=lang)


# Concepts that make a question about an incident, even when it names an everyday thing (a parcel firm, bank cards,
# a printer): such a question is answered; without one, `everyday` phrases mark it out of scope.
INCIDENT_CONCEPTS = ("事件", "攻击", "勒索", "病毒", "泄露", "篡改", "漏洞", "中断", "故障", "个人信息", "数据", "重要数据", "核心数据", "网络安全", "不可抗力")

DEFAULT_SUGGESTIONS = ("channels_all", "deadlines_overview", "grading_levels")

NOT_COVERED = {
    "zh": "这个问题不在我的知识范围内，我不作猜测。我能回答《国家网络安全事件报告管理办法》的相关问题：报告渠道、时限、事件分级、报告内容、处罚等。你可以换个说法，或看看下面这些主题：",
    "en": "That is outside what I know, and I won't guess. I answer questions on China's National Cybersecurity Incident "
    "Reporting Measures: channels, deadlines, grading, report contents, penalties. Try rephrasing, or pick a topic below:",
}


# -------------------------------------------------------------------- parsing faq/
def read_dir(faq_dir: Path) -> dict[str, Any]:
    """Raw YAML of a faq folder: entries (with their file), sources and synonyms."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    entries: list[tuple[str, dict[str, Any]]] = []
    sources: dict[str, Any] = {}
    synonyms: dict[str, Any] = {}
    for path in sorted(Path(faq_dir).glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            raw = yaml.load(handle, Loader=loader)
        if path.name == "sources.yaml":
            sources = raw or {}
        elif path.name == "synonyms.yaml":
            synonyms = raw or {}
        else:
            entries += [(path.name, item) for item in raw or []]
    return {"entries": entries, "sources": sources, "synonyms": synonyms}


def _lang_map(value: Any) -> dict[str, str]:
    return {lang: str(value.get(lang, "")) for lang in LANGS} if isinstance(value, dict) else {}


def entry_from_dict(raw: dict[str, Any], file: str = "") -> Entry:
    phrasings = raw.get("phrasings") or {}
    return Entry(
        id=str(raw["id"]),
        topic=str(raw.get("topic", "")),
        title=_lang_map(raw.get("title")),
        confidence=str(raw.get("confidence", "confirmed")),
        source=str(raw.get("source", "")),
        phrasings={lang: [str(p) for p in phrasings.get(lang) or []] for lang in LANGS},
        answer=_lang_map(raw.get("answer")),
        related=tuple(str(r) for r in raw.get("related") or ()),
        keywords=tuple(str(k) for k in raw.get("keywords") or ()),
        action=raw.get("action"),
        file=file,
    )


def source_from_dict(key: str, raw: dict[str, Any]) -> Source:
    return Source(id=key, cite=_lang_map(raw.get("cite")), title=_lang_map(raw.get("title")), url=str(raw.get("url") or ""))
