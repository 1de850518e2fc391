import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Nothing a test does touches the real user data directory."""
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path / "data"))


def run_bot(*args: str, input: str = "", env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `python -m bot …` as a separate process, the way other programs drive it."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        timeout=timeout,
    )
