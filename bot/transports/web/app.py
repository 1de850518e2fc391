"""The web transport: the chat page, the widget, and the HTTP API, on FastAPI, over the same core (BotService).

Routes (below --root-path):
  GET  /                      the chat page (sets the chat cookie)        GET /widget.js   the embeddable widget
  GET  /chat/history          the messages so far (the greeting for a new chat)
  POST /chat/send             {"text", "message_id"?, "label"?} → the bot's messages
  POST /chat/new              a new conversation (a new cookie)
  GET  /chat/events           server-sent events: reminders as they fall due
  GET  /files/<token>/<name>  a report file, to the chat that made it only
  POST /api/ask | /api/assess | /api/report | /api/chat, GET /healthz, GET /metrics, /openapi.json, /docs

The page's requests carry an HttpOnly, SameSite=Lax cookie holding a random chat id; a POST that carries it must
come from the page's own origin (the Origin header), which with SameSite stops cross-site request forgery. API
callers send no cookie and, when tokens are configured, `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import json
import logging
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPBearer
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bot.inputs import MESSAGE_LIMIT, clean, cut
from bot.model import Reply
from bot.service import BotService, apology
from bot.store.base import retain_days
from bot.timeutil import now_shanghai, parse_iso
from bot.transports.web.data import WebData
from bot.transports.web.guards import BODY_LIMIT, BodyLimit, RateLimit, route_path, send_json

log = logging.getLogger(__name__)

STATIC = Path(str(package_files("bot.transports.web") / "static"))
COOKIE = "ib_chat"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
ID_RE = re.compile(r"^[\x21-\x7e]{1,128}$")  # chat and message ids of API callers: printable ASCII, no spaces
ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")
UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
)
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@dataclass
class Settings:
    root_path: str = ""
    allow_origins: list[str] = field(default_factory=list)
    api_tokens: list[str] = field(default_factory=list)
    trust_user_header: str | None = None
    rate_limit: int = 600  # requests a minute per client address; 0: no limit
    body_limit: int = BODY_LIMIT
    poll_seconds: float = 15.0  # how often an open page's reminder stream looks for due reminders


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("bot_http_requests", "HTTP requests by route, method and status", ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram(
            "bot_http_request_seconds", "HTTP request latency by route", ["route"], registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.questions = Counter("bot_questions", "questions asked through /api/ask, answered or not covered, by topic", ["outcome", "topic"], registry=self.registry)
        self.assessments = Counter("bot_assessments", "assessments made (api: /api/assess; chat: finished in a chat)", ["via"], registry=self.registry)
        self.reports = Counter("bot_reports", "report files made (api: /api/report; chat: files handed out in a chat)", ["via", "format"], registry=self.registry)
        self.messages = Counter("bot_chat_messages", "chat messages handled (page: the chat page and widget; api: /api/chat)", ["via"], registry=self.registry)

    def count_replies(self, replies: list[Reply], via: str) -> None:
        for reply in replies:
            if any(button.data == "remind:on" for button in reply.buttons):  # only an assessment's summary offers it
                self.assessments.labels(via).inc()
            for file in reply.files:
                self.reports.labels(via, Path(file.name).suffix.lstrip(".") or "file").inc()


# ---------------------------------------------------------------------- request bodies (the OpenAPI description)
class AskIn(BaseModel):
    q: str = Field(description="the question (read up to 4,096 characters)")
    lang: Literal["zh", "en"] | None = Field(None, description="the language for a question without letters")


class ChatIn(BaseModel):
    text: str = Field(description="what the user typed, a command, or a button's data")
    chat_id: str | None = Field(None, description="the conversation to continue; none: a new one (its id is in the answer)")
    message_id: str | None = Field(None, description="the caller's id of this message: the same id again returns the first answer, not stepped twice")


class SendIn(BaseModel):
    text: str
    message_id: str | None = None
    label: str | None = None  # a pressed button's label, shown in the transcript instead of its data


class NewIn(BaseModel):
    lang: Literal["zh", "en"] | None = None


class Refused(Exception):
    """Bad input: answered with `status` and a one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def create_app(service: BotService, data: WebData, settings: Settings) -> Any:
    """The ASGI application: FastAPI inside the guards (errors, headers, metrics, body size, rate limit)."""
    metrics = Metrics()
    kb = service.engine.kb
    app = FastAPI(
        title="Incident-reporting assistant (国家网络安全事件报告管理办法)",
        version="1",
        description="The same JSON as the command-line contracts (`ask --json`, `assess --json`, `report`, `chat --jsonl`).",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    asset_version = _asset_version()
    bearer = [Depends(HTTPBearer(auto_error=False, description="a token given with --api-token / BOT_API_TOKEN (when any is set)"))]

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": _one_line(error)}, status_code=422)

    @app.exception_handler(Refused)
    async def refused(request: Request, error: Refused) -> JSONResponse:
        return JSONResponse({"error": error.reason}, status_code=error.status)

    @app.exception_handler(Exception)
    async def crash(request: Request, error: Exception) -> JSONResponse:
        """The last net: one log line with an id and the error's class (never a trace, a token or user text)."""
        error_id = secrets.token_hex(4)
        log.error("request failed: error %s (%s)", error_id, type(error).__name__)
        return JSONResponse({"error": f"internal error {error_id}; please report it"}, status_code=500)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code, headers=error.headers)

    # ------------------------------------------------------------------ who is asking
    def api_caller(request: Request) -> None:
        if not settings.api_tokens:
            return
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not any(hmac.compare_digest(token.strip().encode(), t.encode()) for t in settings.api_tokens):
            raise Refused(401, "a bearer token is required (Authorization: Bearer <token>)")
        if request.cookies.get(COOKIE):
            same_origin(request)

    def same_origin(request: Request) -> None:
        """A POST carrying the page's cookie must come from the page's own origin."""
        origin = request.headers.get("origin")
        own = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != own and request.headers.get("sec-fetch-site") != "same-origin":
            raise Refused(403, "cross-site request refused")

    def user_of(request: Request) -> str | None:
        if not settings.trust_user_header:
            return None
        user = request.headers.get(settings.trust_user_header, "").strip()
        if not user:
            raise Refused(401, "sign-in required")
        return user

    def page_chat(request: Request, post: bool = False) -> tuple[str, str | None]:
        """The store key of the page's chat, and a new cookie value when the browser had none."""
        user = user_of(request)
        if post:
            same_origin(request)
        token = request.cookies.get(COOKIE, "")
        new = None
        if not TOKEN_RE.match(token):
            token = new = secrets.token_urlsafe(24)
        key = f"web:{token}" if user is None else f"web:{hashlib.sha256(user.encode()).hexdigest()[:16]}:{token}"
        return key, new

    def set_cookie(request: Request, response: Response, token: str | None) -> None:
        if token:
            response.set_cookie(
                COOKIE, token, max_age=retain_days() * 86400, path=(request.scope.get("root_path") or "") + "/",
                httponly=True, samesite="lax", secure=request.url.scheme == "https",
            )

    # ------------------------------------------------------------------ messages as JSON
    def as_json(key: str, reply: Reply, root: str, api_chat: str | None = None) -> dict[str, Any]:
        out_files = []
        for file in reply.files:
            name = UNSAFE_NAME.sub("_", Path(file.name).name) or "report"
            token = data.file_put(key, name, file.mime, file.content)
            url = f"{root}/files/{token}/{quote(name)}"
            if api_chat is not None:
                url += f"?chat_id={quote(api_chat)}"
            out_files.append({"name": name, "url": url})
        return {"text": reply.text, "buttons": [{"label": b.label, "data": b.data} for b in reply.buttons], "files": out_files}

    def exchange(key: str, text: str, message_id: str | None, shown: str, via: str, root: str, api_chat: str | None = None) -> list[dict]:
        """One message through the core, its answer in the transcript; a message id seen before gets the first answer."""
        forget = _is_forget(text)
        try:
            # replay: a message id seen before gets the replies it got then, kept in the chat's state by the core
            replies = service.handle(key, text, message_id=message_id, replay=message_id is not None)
            due = service.due_reminders(key) if not forget else []
        except Exception as error:  # the store failed outside the core's own boundary
            return [as_json(key, apology(error, "zh"), root)]
        if message_id is not None and not replies:  # seen, but its replies are no longer kept: the transcript's
            return _first_answer(data.log_read(key), message_id)
        messages = [as_json(key, reply, root, api_chat) for reply in replies]
        if forget:
            data.forget(key)
            data.log_append(key, [{"from": "bot", **m} for m in messages])
            return messages
        user = {"from": "user", "text": shown, "id": message_id}
        if data.log_append(key, [user] + [{"from": "bot", **m} for m in messages], message_id):  # once per message id
            metrics.messages.labels(via).inc()
            metrics.count_replies(replies, via)
        reminders = [as_json(key, reply, root, api_chat) for reply in due]
        if reminders:
            data.log_append(key, [{"from": "bot", "reminder": True, **m} for m in reminders])
        return messages + reminders

    # ------------------------------------------------------------------ the page
    @app.get("/", include_in_schema=False)
    def page(request: Request, lang: str | None = None, embed: int = 0) -> Response:
        user_of(request)
        _, new = page_chat(request)
        root = request.scope.get("root_path") or ""
        chosen = lang if lang in ("zh", "en") else _accept_lang(request.headers.get("accept-language", ""))
        body = (STATIC / "index.html").read_text(encoding="utf-8")
        for name, value in (("LANG", chosen), ("ROOT", root), ("V", asset_version), ("EMBED", "1" if embed else "0")):
            body = body.replace("{{" + name + "}}", html.escape(value, quote=True))
        response = HTMLResponse(body, headers={"cache-control": "no-store"})
        set_cookie(request, response, new)
        return response

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> Response:
        return FileResponse(STATIC / "widget.js", media_type="text/javascript", headers={"cache-control": "max-age=300"})

    @app.get("/chat/history", include_in_schema=False)
    def history(request: Request, lang: str | None = None) -> Response:
        key, new = page_chat(request)
        root = request.scope.get("root_path") or ""
        entries = data.log_read(key)
        if not entries:
            replies = service.opening(key, lang_hint=lang if lang in ("zh", "en") else None)
            entries = [{"from": "bot", **as_json(key, r, root)} for r in replies]
            data.log_append(key, entries)
        due = service.due_reminders(key)
        if due:
            more = [{"from": "bot", "reminder": True, **as_json(key, r, root)} for r in due]
            data.log_append(key, more)
            entries += more
        response = JSONResponse({"lang": _chat_lang(service, key), "messages": [_public(e) for e in entries]})
        set_cookie(request, response, new)
        return response

    @app.post("/chat/send", include_in_schema=False)
    def send(request: Request, body: SendIn) -> Response:
        key, new = page_chat(request, post=True)
        if body.message_id is not None and not ID_RE.match(body.message_id):
            raise Refused(400, "message_id: 1 to 128 printable ASCII characters")
        shown = body.label if body.label and body.text.strip() else body.text  # the user's own bubble: shown, never run
        root = request.scope.get("root_path") or ""
        messages = exchange(key, body.text, None if body.message_id is None else f"web:{body.message_id}", shown[:MESSAGE_LIMIT], "page", root)
        response = JSONResponse({"lang": _chat_lang(service, key), "messages": messages})
        set_cookie(request, response, new)
        return response

    @app.post("/chat/new", include_in_schema=False)
    def new_chat(request: Request, body: NewIn) -> Response:
        page_chat(request, post=True)
        token = secrets.token_urlsafe(24)
        request.cookies[COOKIE] = token  # the rest of this request sees the new chat
        key, _ = page_chat(request)
        root = request.scope.get("root_path") or ""
        replies = service.opening(key, lang_hint=body.lang)
        entries = [{"from": "bot", **as_json(key, r, root)} for r in replies]
        data.log_append(key, entries)
        response = JSONResponse({"lang": _chat_lang(service, key), "messages": [_public(e) for e in entries]})
        set_cookie(request, response, token)
        return response

    @app.get("/chat/events", include_in_schema=False)
    async def events(request: Request) -> Response:
        key, new = page_chat(request)
        if new:
            raise Refused(400, "no conversation yet: open the page first")
        root = request.scope.get("root_path") or ""

        async def stream():
            yield "retry: 5000\n\n"
            while True:  # a closed page ends it: the next write fails (or the server cancels the stream)
                await asyncio.sleep(settings.poll_seconds)
                due = await run_in_threadpool(service.due_reminders, key)
                if due:
                    messages = [{"from": "bot", "reminder": True, **as_json(key, r, root)} for r in due]
                    await run_in_threadpool(data.log_append, key, messages)
                    for message in messages:
                        yield f"event: reminder\ndata: {json.dumps(_public(message), ensure_ascii=False)}\n\n"
                else:
                    yield ": idle\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-store", "x-accel-buffering": "no"})

    @app.get("/files/{token}/{name}", include_in_schema=False)
    def download(request: Request, token: str, name: str, chat_id: str | None = None) -> Response:
        stored = data.file_get(token) if TOKEN_RE.match(token) else None
        if stored is None:
            raise Refused(404, "no such file")
        if chat_id is not None:  # an API caller's chat
            api_caller(request)
            owner_ok = stored.chat == f"api:{chat_id}"
        else:
            key, _ = page_chat(request)
            owner_ok = stored.chat == key
        if not owner_ok:
            raise Refused(404, "no such file")
        disposition = f"attachment; filename*=UTF-8''{quote(stored.name)}"
        return Response(stored.content, media_type=stored.mime, headers={"content-disposition": disposition, "cache-control": "private, no-store"})

    # ------------------------------------------------------------------ the API
    @app.post("/api/ask", tags=["api"], dependencies=bearer, summary="Answer a question (the `ask --json` object)")
    async def api_ask(request: Request, body: AskIn) -> dict[str, Any]:
        # in the event loop, not a worker thread: an answer is a fraction of a millisecond of pure computation
        api_caller(request)
        question = cut(clean(body.q).strip(), MESSAGE_LIMIT)[0]
        answer = kb.ask(question, body.lang).to_json()
        metrics.questions.labels("answered" if answer["matched"] else "not_covered", str(answer.get("topic") or "none")).inc()
        return answer

    @app.post("/api/assess", tags=["api"], dependencies=bearer, summary="Deadlines for one scenario (the `assess --json` object)")
    def api_assess(
        request: Request,
        scenario: dict[str, Any] = Body(..., description="the scenario object of `assess` (see the README)"),
        now: str | None = Query(None, description="the current time, ISO 8601 (no offset = Asia/Shanghai); default now"),
    ) -> dict[str, Any]:
        api_caller(request)
        from bot.rules.cli import assess_line
        from bot.rules.facts import MAX_YEAR, MIN_YEAR

        moment = now_shanghai()
        if now is not None:
            try:
                moment = parse_iso(now)
            except (ValueError, OverflowError):
                raise Refused(400, f"now is not an ISO 8601 time: {now[:40]!r}") from None
            if not MIN_YEAR <= moment.year <= MAX_YEAR:
                raise Refused(400, f"now must fall between the years {MIN_YEAR} and {MAX_YEAR}")
        try:
            line = json.dumps(scenario, ensure_ascii=False)
        except (ValueError, RecursionError):
            raise Refused(400, "the scenario cannot be read") from None
        result = assess_line(line, moment)
        if "error" in result:
            raise Refused(400, str(result["error"]).splitlines()[0])
        metrics.assessments.labels("api").inc()
        return result

    @app.post(
        "/api/report",
        tags=["api"],
        dependencies=bearer,
        summary="A report from facts (the `report` command's file)",
        response_class=Response,
        responses={200: {"content": {"text/markdown": {}, "text/plain": {}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {}}}},
    )
    def api_report(
        request: Request,
        facts: dict[str, Any] = Body(..., description="the facts object of `report` (see `python -m bot report --help`)"),
        kind: Literal["initial", "supplement", "summary"] = Query(...),
        format: Literal["md", "txt", "docx"] = Query(...),
        lang: Literal["zh", "en"] = Query("zh"),
    ) -> Response:
        api_caller(request)
        from bot.reports import FactsError, build_report, parse_facts_json, render_docx, render_text

        try:
            report = build_report(kind, lang, parse_facts_json(json.dumps(facts, ensure_ascii=False)), now_shanghai())
        except FactsError as error:
            raise Refused(400, str(error).splitlines()[0]) from None
        except (ValueError, RecursionError):
            raise Refused(400, "the facts cannot be read") from None
        if format == "docx":
            content, mime = render_docx(report), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            content, mime = render_text(report, format).encode("utf-8"), ("text/markdown" if format == "md" else "text/plain") + "; charset=utf-8"
        metrics.reports.labels("api", format).inc()
        name = f"report-{kind}.{lang}.{format}"
        return Response(content, media_type=mime, headers={"content-disposition": f"attachment; filename={name}"})

    @app.post("/api/chat", tags=["api"], dependencies=bearer, summary="One chat message (the `chat --jsonl` line, plus the chat_id)")
    def api_chat(request: Request, body: ChatIn) -> dict[str, Any]:
        api_caller(request)
        for name in ("chat_id", "message_id"):
            value = getattr(body, name)
            if value is not None and not ID_RE.match(value):
                raise Refused(400, f"{name}: 1 to 128 printable ASCII characters, no spaces")
        chat_id = body.chat_id or secrets.token_urlsafe(16)
        key = f"api:{chat_id}"
        root = request.scope.get("root_path") or ""
        message_id = None if body.message_id is None else f"api:{body.message_id}"
        messages = exchange(key, body.text, message_id, body.text[:MESSAGE_LIMIT], "api", root, api_chat=chat_id)
        return {"messages": messages, "chat_id": chat_id}

    @app.get("/healthz", tags=["ops"], summary="Liveness and the state store's reachability")
    def healthz() -> Response:
        try:
            service.store.next_reminder("healthz")
        except Exception as error:
            return JSONResponse({"ok": False, "error": f"the state store cannot be used ({type(error).__name__})"}, status_code=503)
        return JSONResponse({"ok": True})

    @app.get("/metrics", tags=["ops"], dependencies=bearer, summary="Prometheus metrics", response_class=Response)
    def prometheus(request: Request) -> Response:
        api_caller(request)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # ------------------------------------------------------------------ offline API docs
    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> Response:
        root = request.scope.get("root_path") or ""
        body = (STATIC / "docs.html").read_text(encoding="utf-8")
        body = body.replace("{{ROOT}}", html.escape(root, quote=True)).replace("{{V}}", asset_version)
        return HTMLResponse(body)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=_swagger_assets()), name="docs-assets")

    guarded: Any = BodyLimit(app, settings.body_limit)
    guarded = RateLimit(guarded, settings.rate_limit, free=("/chat/events", "/healthz", "/metrics", "/static/", "/docs", "/widget.js", "/favicon"))
    guarded = Headers(guarded, settings.allow_origins)
    return Outer(guarded, metrics)


# ---------------------------------------------------------------------- outer layers
class Headers:
    """Security headers on every answer: the page's strict CSP (frame-ancestors: itself and --allow-origin),
    /docs its own, and nosniff, no referrer."""

    def __init__(self, app: Any, allow_origins: list[str]) -> None:
        self.app = app
        ancestors = " ".join(["'self'", *allow_origins])
        self.page = [(b"content-security-policy", PAGE_CSP.format(ancestors=ancestors).encode())]
        self.docs = [(b"content-security-policy", DOCS_CSP.encode())]
        self.common = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        extra = self.common + (self.docs if path.startswith(("/docs", "/docs-assets")) else self.page)

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


class Outer:
    """Request metrics by route, and the last net: whatever escapes is one log line with an id and a 500 with
    that id, never a stack trace (in the answer or the log)."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def watch(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:  # answered and logged by `crash` when the app could still answer
            if not status["sent"]:
                error_id = secrets.token_hex(4)
                log.error("request failed: error %s (%s)", error_id, type(error).__name__)
                await send_json(send, 500, {"error": f"internal error {error_id}; please report it"})
                status["code"] = 500
        route = scope.get("route")
        name = getattr(route, "path", None) or _coarse(route_path(scope))
        self.metrics.requests.labels(name, scope["method"], str(status["code"])).inc()
        if name != "/chat/events":
            self.metrics.latency.labels(name).observe(time.perf_counter() - started)


def _coarse(path: str) -> str:
    """A bounded label for paths no route matched (so a scan cannot blow up the metrics)."""
    for prefix in ("/static/", "/docs-assets/"):
        if path.startswith(prefix):
            return prefix + "*"
    return "other"


# ---------------------------------------------------------------------- helpers
def _one_line(error: RequestValidationError) -> str:
    problems = error.errors()
    if not problems:
        return "invalid request"
    first = problems[0]
    if first.get("type") == "json_invalid":
        return "the body is not valid JSON"
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
    message = str(first.get("msg", "invalid")).splitlines()[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where}: {message}{more}"


def _first_answer(entries: list[dict[str, Any]], message_id: str) -> list[dict[str, Any]]:
    """The bot's messages that followed the user's message `message_id` in the transcript."""
    for number, entry in enumerate(entries):
        if entry.get("from") == "user" and entry.get("id") == message_id:
            answer = []
            for after in entries[number + 1:]:
                if after.get("from") != "bot":
                    break
                answer.append({k: after[k] for k in ("text", "buttons", "files")})
            return answer
    return []


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "id"}


def _chat_lang(service: BotService, key: str) -> str | None:
    try:
        return service.store.read(key).state.lang
    except Exception:
        return None


def _is_forget(text: str) -> bool:
    words = text.split(maxsplit=1)
    return bool(words) and words[0].split("@", 1)[0].lower() == "/forget"


def _accept_lang(header: str) -> str:
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


def _asset_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _swagger_assets() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def valid_origin(origin: str) -> bool:
    return bool(ORIGIN_RE.match(origin)) and unicodedata.is_normalized("NFC", origin)
