"""An update Telegram delivers again (the bot died before confirming it, or a webhook call is retried) carries
the same update_id: the core keeps the ids it handled in the chat's state (saved with the step), so the second
delivery is not stepped again. Both adapters, as real processes in webhook mode against the fake Bot API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.fake_telegram import BotProcess, FakeTelegram
from tests.webproc import free_port


@pytest.fixture
def fake():
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
def test_a_redelivered_update_is_handled_once(framework, fake, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    process = BotProcess(framework, fake, tmp_path, "--webhook-url", url, "--port", str(port), env={"TELEGRAM_WEBHOOK_SECRET": "s3cret"})
    process.start("setWebhook")
    try:
        def post(update: dict) -> int:
            headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret"}
            request = urllib.request.Request(url, json.dumps(update).encode(), headers)
            with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
                return response.status

        def message(text: str) -> dict:
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
            return {"message": {"message_id": 1, "date": 0, "chat": fake.chat(4001), "from": fake.user(4001, "zh-hans"), "text": text, "entities": entities}}

        assess = fake.make_update(message("/assess"))
        assert post(assess) == 200
        first = fake.wait_sent(4001, 1)[0]
        assert "我来帮你判断" in first.text and "关键信息基础设施" in first.text
        assert post(assess) == 200  # the same update again
        assert post(fake.make_update(message("/contacts"))) == 200
        after = fake.wait_sent(4001, 1)[0]
        assert "CNCERT" in after.text  # the next message the chat got answers /contacts, not /assess again
        assert sum("我来帮你判断" in s.text for s in fake.sent_to(4001)) == 1  # the assessment was started once
    finally:
        process.stop()
