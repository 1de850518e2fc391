"""The web transport's HTTP side, against real `python -m bot web` processes: the API gives the command-line
contracts' JSON, and the guards (tokens, CSRF, body size, rate limit, file ownership, errors) hold."""

from __future__ import annotations

import io
import json
import re

import httpx
import pytest
from docx import Document

from bot.model import ChatState
from bot.store.sqlite import SQLiteStore
from tests.conftest import run_bot
from tests.webproc import WebProcess

TOKEN = "s3cret-token-for-tests-0123456789"
OTHER_TOKEN = "second-token-abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("web")
    web = WebProcess(
        workdir, "--store", str(workdir / "state.sqlite3"), "--api-token", TOKEN, "--rate-limit", "0",
        env={"BOT_API_TOKEN": OTHER_TOKEN, "BOT_DATA_DIR": str(workdir / "data")},
    ).start()
    web.store_path = workdir / "state.sqlite3"
    yield web
    web.stop()


@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    """No token, a low rate limit, a small path prefix: the defaults a help desk might run with."""
    workdir = tmp_path_factory.mktemp("web-open")
    web = WebProcess(workdir, "--store", "memory:", "--rate-limit", "30", "--root-path", "/bot").start()
    yield web
    web.stop()


def page_client(server) -> httpx.Client:
    """A browser's view: the page's cookie, and the page's own Origin on its POSTs."""
    client = httpx.Client(base_url=server.url, headers={"Origin": server.url}, timeout=30)
    assert client.get("/").status_code == 200
    return client


def test_ask_gives_the_ask_json_contract(server):
    got = httpx.post(server.url + "/api/ask", json={"q": "报告邮箱是什么"}, headers=AUTH).json()
    cli = json.loads(run_bot("ask", "--json", "报告邮箱是什么").stdout)
    assert got == cli
    assert got["matched"] and "12387@cert.org.cn" in got["answer"]


def test_assess_gives_the_assess_json_contract(server):
    scenario = {"cii": True, "central_state_organ": False, "discovered_at": "2026-03-01T09:00", "suspected_crime": True}
    got = httpx.post(server.url + "/api/assess", params={"now": "2026-03-01T09:30"}, json=scenario, headers=AUTH)
    cli = json.loads(run_bot("assess", "--json", "--now", "2026-03-01T09:30", input=json.dumps(scenario) + "\n").stdout)
    assert got.status_code == 200 and got.json() == cli


def test_bad_input_is_a_one_line_reason_never_a_trace(server):
    cases = [
        httpx.post(server.url + "/api/assess", json={"personal_info_ppl": 5}, headers=AUTH),
        httpx.post(server.url + "/api/assess", params={"now": "yesterday"}, json={}, headers=AUTH),
        httpx.post(server.url + "/api/assess", content=b"{not json", headers={**AUTH, "content-type": "application/json"}),
        httpx.post(server.url + "/api/ask", json={"question": "x"}, headers=AUTH),
        httpx.post(server.url + "/api/report", params={"kind": "initial", "format": "pdf"}, json={}, headers=AUTH),
        httpx.post(server.url + "/api/report", params={"kind": "initial", "format": "md"}, json={"nope": 1}, headers=AUTH),
        httpx.post(server.url + "/api/chat", json={"text": "hi", "chat_id": "has spaces"}, headers=AUTH),
    ]
    for response in cases:
        assert response.status_code in (400, 422), response.text
        reason = response.json()["error"]
        assert isinstance(reason, str) and "\n" not in reason and "Traceback" not in reason
    assert "personal_info_ppl" in cases[0].json()["error"]
    assert "Traceback" not in server.log()


def test_report_gives_the_file(server):
    facts = {"organization": "示例单位", "type": "勒索软件"}
    md = httpx.post(server.url + "/api/report", params={"kind": "initial", "format": "md"}, json=facts, headers=AUTH)
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "示例单位" in md.text and md.text.startswith("# ")
    docx = httpx.post(server.url + "/api/report", params={"kind": "summary", "format": "docx", "lang": "en"}, json=facts, headers=AUTH)
    assert docx.status_code == 200 and "attachment" in docx.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "示例单位" in text


def test_chat_keeps_a_conversation_and_a_repeated_message_id_is_not_stepped_twice(server):
    first = httpx.post(server.url + "/api/chat", json={"text": "/assess"}, headers=AUTH).json()
    chat_id = first["chat_id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,}", chat_id)
    assert first["messages"][-1]["buttons"][0]["data"] == "assess:cii:yes"
    body = {"text": "assess:cii:no", "chat_id": chat_id, "message_id": "m-1"}
    answer = httpx.post(server.url + "/api/chat", json=body, headers=AUTH).json()
    again = httpx.post(server.url + "/api/chat", json=body, headers=AUTH).json()
    assert again == answer and "中央和国家机关" in answer["messages"][-1]["text"]
    # stepped once: the next answer is taken for the second question, not the third
    nxt = httpx.post(server.url + "/api/chat", json={"text": "assess:central_state_organ:no", "chat_id": chat_id}, headers=AUTH).json()
    assert any(b["data"].startswith("assess:level:") for b in nxt["messages"][-1]["buttons"])


def test_tokens_are_required_accepted_from_both_sources_and_never_logged(server):
    assert httpx.post(server.url + "/api/ask", json={"q": "x"}).status_code == 401
    assert httpx.post(server.url + "/api/ask", json={"q": "x"}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.post(server.url + "/api/ask", json={"q": "x"}, headers={"Authorization": f"Bearer {OTHER_TOKEN}"}).status_code == 200
    assert httpx.get(server.url + "/metrics").status_code == 401
    assert TOKEN not in server.log() and OTHER_TOKEN not in server.log()


def test_cookie_posts_need_the_pages_origin(server):
    client = page_client(server)
    assert client.post("/chat/send", json={"text": "你好"}).status_code == 200
    assert client.post("/chat/send", json={"text": "你好"}, headers={"Origin": "https://evil.example"}).status_code == 403
    no_origin = httpx.Client(base_url=server.url, cookies=client.cookies)
    assert no_origin.post("/chat/send", json={"text": "你好"}).status_code == 403
    # a cookie-less API call is not refused for it
    assert httpx.post(server.url + "/api/ask", json={"q": "x"}, headers={**AUTH, "Origin": "https://elsewhere.example"}).status_code == 200


def test_the_page_cookie_is_httponly_samesite_and_random(server):
    cookies = [httpx.get(server.url + "/").headers["set-cookie"] for _ in range(2)]
    for cookie in cookies:
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    values = {re.match(r"ib_chat=([^;]+)", c).group(1) for c in cookies}
    assert len(values) == 2 and all(len(v) >= 32 for v in values)


def test_headers_csp_without_inline_script_and_offline_docs(server):
    page = httpx.get(server.url + "/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'self'" in csp
    assert "<script>" not in page.text and not re.search(r"\son\w+=", page.text)
    assert not re.search(r"(src|href)=\"https?://", page.text)
    docs = httpx.get(server.url + "/docs")
    assert docs.status_code == 200 and "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    assert "script-src 'self'" in docs.headers["content-security-policy"]
    assert not re.search(r"(src|href)=\"https?://", docs.text) and "<script>" not in docs.text
    for asset in re.findall(r"(?:src|href)=\"(/[^\"]+)\"", docs.text):
        assert httpx.get(server.url + asset).status_code == 200, asset
    spec = httpx.get(server.url + "/openapi.json").json()
    assert {"/api/ask", "/api/assess", "/api/report", "/api/chat", "/healthz", "/metrics"} <= set(spec["paths"])


def test_body_limit_answers_413_after_reading_the_body(server):
    big = b'{"q": "' + b"x" * (70 * 1024) + b'"}'
    response = httpx.post(server.url + "/api/ask", content=big, headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 413 and "64 KiB" in response.json()["error"]

    def chunks():
        for _ in range(80):
            yield b"x" * 1024

    streamed = httpx.post(server.url + "/api/ask", content=chunks(), headers={**AUTH, "content-type": "application/json"})
    assert streamed.status_code == 413


def test_report_files_go_only_to_the_chat_that_made_them(server):
    owner = page_client(server)
    for text in ("/report", "report:kind:initial", "示例单位", "report:preview", "report:finish"):
        messages = owner.post("/chat/send", json={"text": text}).json()["messages"]
    files = [f for m in messages for f in m["files"]]
    assert {f["name"].rsplit(".", 1)[1] for f in files} >= {"docx", "txt"}
    url = next(f["url"] for f in files if f["name"].endswith(".txt"))
    got = owner.get(url)
    assert got.status_code == 200 and "示例单位" in got.text and "attachment" in got.headers["content-disposition"]
    assert page_client(server).get(url).status_code == 404  # another browser
    assert httpx.get(server.url + url).status_code == 404  # no cookie
    token = url.split("/")[2]
    assert len(token) >= 32
    # an API chat's file: to its chat_id with a token, and nobody else
    made = None
    chat_id = None
    for text in ("/report", "report:kind:initial", "API 单位", "report:preview", "report:finish"):
        made = httpx.post(server.url + "/api/chat", json={"text": text, "chat_id": chat_id}, headers=AUTH).json()
        chat_id = made["chat_id"]
    api_url = next(f["url"] for m in made["messages"] for f in m["files"] if f["name"].endswith(".txt"))
    assert "API 单位" in httpx.get(server.url + api_url, headers=AUTH).text
    assert httpx.get(server.url + api_url).status_code == 401
    assert httpx.get(server.url + api_url.replace(chat_id, "someone-else"), headers=AUTH).status_code == 404


def test_history_keeps_the_conversation_and_forget_clears_it(server):
    client = page_client(server)
    opening = client.get("/chat/history").json()["messages"]
    assert opening and opening[0]["from"] == "bot" and opening[0]["buttons"]
    client.post("/chat/send", json={"text": "报告邮箱是什么"})
    history = client.get("/chat/history").json()["messages"]
    assert [m["from"] for m in history[-2:]] == ["user", "bot"] and "12387@cert.org.cn" in history[-1]["text"]
    forgot = client.post("/chat/send", json={"text": "/forget"}).json()["messages"]
    assert len(client.get("/chat/history").json()["messages"]) == len(forgot)


def test_metrics_count_requests_questions_and_reports(server):
    httpx.post(server.url + "/api/ask", json={"q": "今天天气怎么样"}, headers=AUTH)
    text = httpx.get(server.url + "/metrics", headers=AUTH).text
    assert 'bot_http_requests_total{method="POST",route="/api/ask",status="200"}' in text
    assert 'bot_questions_total{outcome="answered",topic="channels"}' in text
    assert 'bot_questions_total{outcome="not_covered"' in text
    assert "bot_reports_total" in text and "bot_http_request_seconds_bucket" in text


def test_reminders_arrive_on_the_event_stream(server):
    client = page_client(server)
    client.get("/chat/history")
    key = "web:" + client.cookies["ib_chat"]
    store = SQLiteStore(server.store_path)
    state = store.load(key)
    state.reminders = [{"at": "2026-01-01T00:00:00+08:00", "deadline": "2026-01-01T00:15:00+08:00", "text": {"zh": "⏰ 提醒：测试", "en": "⏰ Reminder: test"}}]
    store.save(key, state)
    store.close()
    seen = []
    with client.stream("GET", "/chat/events") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                seen.append(json.loads(line[5:]))
                break
    assert seen[0]["text"] == "⏰ 提醒：测试" and seen[0]["reminder"]
    assert client.get("/chat/history").json()["messages"][-1]["text"] == "⏰ 提醒：测试"
    assert SQLiteStore(server.store_path).load(key).reminders == []


def test_open_api_behind_a_prefix_with_a_rate_limit(open_server):
    base = open_server.url  # the reverse proxy strips the prefix (proxy_pass http://127.0.0.1:8080/;)
    assert httpx.post(base + "/api/ask", json={"q": "报告邮箱"}).status_code == 200  # no token configured: open
    page = httpx.get(base + "/")
    assert 'src="/bot/static/app.js' in page.text and "Path=/bot/" in page.headers["set-cookie"]
    statuses = [httpx.post(base + "/api/ask", json={"q": "x"}) for _ in range(15)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited and int(limited[0].headers["retry-after"]) >= 1 and "too many" in limited[0].json()["error"]
    assert httpx.get(base + "/healthz").status_code == 200  # not counted


def test_unknown_state_store_field_is_not_needed(server):
    """The web keeps its transcript beside the state, not in it: a web chat's state is an ordinary ChatState."""
    client = page_client(server)
    client.post("/chat/send", json={"text": "/assess"})
    state = SQLiteStore(server.store_path).load("web:" + client.cookies["ib_chat"])
    assert isinstance(state, ChatState) and state.active == "assess"


def test_behind_a_proxy_the_user_header_is_required_and_keeps_users_apart(tmp_path):
    web = WebProcess(tmp_path, "--store", "memory:", "--trust-user-header", "X-Remote-User").start()
    try:
        assert httpx.get(web.url + "/").status_code == 401
        alice = httpx.Client(base_url=web.url, headers={"X-Remote-User": "alice", "Origin": web.url})
        alice.get("/")
        alice.get("/chat/history")
        alice.post("/chat/send", json={"text": "报告邮箱是什么"})
        # the same cookie with another user's header is another conversation
        bob = httpx.Client(base_url=web.url, headers={"X-Remote-User": "bob", "Origin": web.url}, cookies=alice.cookies)
        assert len(bob.get("/chat/history").json()["messages"]) == 1
        assert len(alice.get("/chat/history").json()["messages"]) == 3
        assert "alice" not in web.log()
    finally:
        web.stop()
