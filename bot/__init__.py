"""Incident-reporting assistant for China's National Cybersecurity Incident Reporting Measures."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FAQ_DIR = PROJECT_ROOT / "faq"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
SEEDS_DIR = PROJECT_ROOT / "seeds"

__version__ = "0.1.0"
