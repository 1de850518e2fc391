"""Logging for the Telegram adapter: one line per event on stderr, and never the token.

HTTP client libraries log request URLs, and Bot API URLs contain the token (/bot<token>/<method>), so those
loggers are turned down to warnings, and every formatted line (tracebacks included) is scrubbed as well.
"""

from __future__ import annotations

import logging
import sys

REDACTED = "<redacted>"
CHATTY_LOGGERS = ("httpx", "httpcore", "aiohttp.access", "aiogram.event")  # URLs with the token; a line per update


class RedactingFormatter(logging.Formatter):
    """A formatter that replaces each secret with <redacted> in the finished line."""

    def __init__(self, secrets: list[str], fmt: str) -> None:
        super().__init__(fmt)
        self.secrets = sorted(secrets, key=len, reverse=True)  # the whole token before its secret half

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return line


def configure_logging(secrets: list[str], level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
