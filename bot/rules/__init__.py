"""Rules of the Measures as data (tables.py) and pure functions: grade an incident, list its obligations.

No chat code here: the conversation (bot.flows.assess), the CLI (bot.rules.cli) and the reminders all call
assess() and show its result with describe().
"""

from bot.rules.assess import assess
from bot.rules.describe import describe
from bot.rules.facts import FactsError

__all__ = ["FactsError", "assess", "describe"]
