"""`python -m bot incidents list|show ID|export ID [--format json|md] [--chat-id ID] [--store …] [--lang zh|en]`:
a team's records read from the same store the chat writes (the terminal chat's conversation by default)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from bot import incidents
from bot.store import open_store
from bot.timeutil import now_shanghai

def run(args: argparse.Namespace) -> int:
    store = open_store(args.store or os.environ.get("BOT_STORE"))
    state = store.load(args.chat_id)
    lang = args.lang or state.lang or "zh"
    if state.flows and state.current is None:  # a conversation stored before incidents: read as one incident
        incidents.ensure(state, now_shanghai())
    if args.action == "list":
        for incident in state.incidents:
            record = incidents.export(state, incident, lang)
            discovered = (record["assessment"]["answers"] or {}).get("discovered_at") or "-"
            level = (record["assessment"]["result"] or {}).get("level") or "-"
            print(f"{record['label']}\tdiscovered {discovered}\tlevel {level}\t{sum(d['status'] != 'open' for d in record['duties'])}/{len(record['duties'])} duties settled")
        return 0
    number = (args.id or "").lstrip("#")
    incident = next((i for i in state.incidents if str(i["id"]) == number), None)
    if incident is None:
        print(f"no incident {args.id!r} in chat {args.chat_id!r} ({len(state.incidents)} stored)", file=sys.stderr)
        return 2
    record = incidents.export(state, incident, lang)
    if args.action == "export" and args.format == "json":
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(incidents.export_markdown(record, lang))
    return 0
