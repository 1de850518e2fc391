"""The knowledge base: faq/*.yaml loaded once into an immutable index, and answers drawn from it.

Building the index (YAML, 繁→简, synonyms, TF-IDF) takes a few hundred milliseconds, too slow for a one-shot
`python -m bot ask`; the built index is therefore cached in the user's cache directory under a hash of
everything it derives from (faq/, seeds/, and this package's code), so any edit rebuilds it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

from bot import FAQ_DIR, SEEDS_DIR
from bot.knowledge.base import Answer, Entry, KnowledgeBase, Source

__all__ = ["Answer", "Entry", "KnowledgeBase", "Source", "load"]


def _fingerprint(faq_dir: Path) -> str:
    digest = hashlib.sha256()
    inputs = [*sorted(faq_dir.glob("*.yaml")), *sorted(SEEDS_DIR.glob("*.txt")), *sorted(Path(__file__).parent.glob("*.py"))]
    for path in inputs:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _cache_dir() -> Path:
    configured = os.environ.get("BOT_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("incident-report-bot", appauthor=False))


@lru_cache(maxsize=4)
def load(faq_dir: Path = FAQ_DIR) -> KnowledgeBase:
    """The knowledge base of a folder: built once per process, and cached on disk between processes."""
    faq_dir = Path(faq_dir)
    cache = _cache_dir() / f"kb-{_fingerprint(faq_dir)}.pickle"
    try:
        with cache.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
        pass  # no cache yet, or one written by other code: build afresh
    kb = KnowledgeBase.from_dir(faq_dir)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache.parent, delete=False) as handle:
            pickle.dump(kb, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, cache)  # atomic: a concurrent reader never sees half a file
    except OSError:
        pass  # a read-only or missing cache directory only costs speed
    return kb
