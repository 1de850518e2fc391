"""`python -m bot web`: the chat page, the embeddable widget and the HTTP API (FastAPI on uvicorn).

Imported only by the web command, so `python -m bot ask` starts as fast as before.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

log = logging.getLogger(__name__)


def run_web(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.service import BotService
    from bot.store import open_store
    from bot.transports.web.app import Settings, create_app, valid_origin
    from bot.transports.web.data import open_web_data

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    origins = [o.rstrip("/") for o in args.allow_origin]
    for origin in origins:
        if not valid_origin(origin):
            print(f"error: --allow-origin must be scheme://host[:port], not {origin[:80]!r}", file=sys.stderr)
            return 2
    tokens = [t for t in (args.api_token or []) if t] + [t.strip() for t in os.environ.get("BOT_API_TOKEN", "").split(",") if t.strip()]
    if args.rate_limit < 0:
        print("error: --rate-limit must be 0 (off) or more", file=sys.stderr)
        return 2
    root = args.root_path.rstrip("/")
    if root and not root.startswith("/"):
        print("error: --root-path must start with /", file=sys.stderr)
        return 2
    store = open_store(args.store or os.environ.get("BOT_STORE"))
    settings = Settings(
        root_path=root,
        allow_origins=origins,
        api_tokens=tokens,
        trust_user_header=args.trust_user_header,
        rate_limit=args.rate_limit,
        poll_seconds=float(os.environ.get("BOT_WEB_POLL_SECONDS", "15")),
    )
    app = create_app(BotService(store), open_web_data(store), settings)
    log.info(
        "starting the web chat on http://%s:%d%s/ (API %s)", args.host, args.port, root,
        f"needs one of {len(tokens)} bearer token(s)" if tokens else "open to whoever can reach this address",
    )
    uvicorn.run(
        app, host=args.host, port=args.port, root_path=root, access_log=False, log_level="warning",
        proxy_headers=True, forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        timeout_graceful_shutdown=3, server_header=False,
    )
    return 0
