"""Writing the files a reply carries (rendered reports) to a folder, for transports that hand out paths."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bot.model import FileOut
from bot.timeutil import now_shanghai

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def save_file(file: FileOut, folder: Path) -> Path:
    """Write a file under a unique, safe name in `folder` and return its path (never overwrites)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = _UNSAFE.sub("_", Path(file.name).name) or "report"
    stem, suffix = Path(name).stem, Path(name).suffix
    stamp = now_shanghai().strftime("%Y%m%d-%H%M%S")  # the same clock as the report inside
    path = folder / f"{stem}-{stamp}{suffix}"
    counter = 1
    while path.exists():
        counter += 1
        path = folder / f"{stem}-{stamp}-{counter}{suffix}"
    path.write_bytes(file.content)
    return path


def chat_folder(base: Path, chat_id: str) -> Path:
    """The folder of one chat's files, so that /forget can delete exactly them."""
    return base / (_UNSAFE.sub("_", chat_id)[:80] or "chat")


def forget_files(folder: Path) -> int:
    """Delete a chat's saved files (/forget); how many there were."""
    if not folder.is_dir():
        return 0
    files = [path for path in folder.rglob("*") if path.is_file()]
    shutil.rmtree(folder, ignore_errors=True)
    return len(files)


def is_forget(text: str) -> bool:
    """The /forget command as a transport sees it (typed, or with the bot's name in a group)."""
    return text.strip().split("@", 1)[0].lower() == "/forget"
