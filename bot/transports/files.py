"""Writing the files a reply carries (rendered reports) to a folder, for transports that hand out paths."""

from __future__ import annotations

import re
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
