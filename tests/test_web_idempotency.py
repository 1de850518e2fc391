"""The core's idempotency as the web uses it: BotService.handle(message_id=…, replay=True) answers an id seen
before with the replies of its one step (kept in the chat's state, saved in the same compare-and-set), while
replay=False (the chat platforms) skips it silently."""

from __future__ import annotations

from bot.model import ChatState
from bot.service import ANSWERS_KEPT, BotService
from bot.store.memory import MemoryStore


def test_a_repeated_id_gets_the_first_replies_without_a_second_step():
    service = BotService(MemoryStore())
    first = service.handle("c", "/assess", message_id="m1", replay=True)
    again = service.handle("c", "/assess", message_id="m1", replay=True)
    assert again == first
    answer = service.handle("c", "assess:cii:no", message_id="m2", replay=True)
    assert "中央和国家机关" in answer[-1].text  # the flow moved one question, not two
    assert service.handle("c", "assess:cii:no", message_id="m2") == []  # without replay: skipped, as for platforms
    state = service.store.load("c")
    assert state.seen == ["m1", "m2"] and [a["id"] for a in state.answers] == ["m1", "m2"]


def test_files_are_kept_with_the_newest_answer_only_and_answers_are_bounded():
    service = BotService(MemoryStore())
    for number, text in enumerate(["/report", "report:kind:initial", "示例单位", "report:preview", "report:finish"]):
        replies = service.handle("c", text, message_id=f"r{number}", replay=True)
    files = [f for r in replies for f in r.files]
    assert files and [f for r in service.handle("c", "x", message_id="r4", replay=True) for f in r.files] == files
    service.handle("c", "报告邮箱是什么", message_id="q", replay=True)
    replayed = service.handle("c", "x", message_id="r4", replay=True)
    assert replayed and not [f for r in replayed for f in r.files]  # the text is still there, the file content not
    for number in range(ANSWERS_KEPT + 3):
        service.handle("c", "报告邮箱是什么", message_id=f"n{number}", replay=True)
    assert len(service.store.load("c").answers) == ANSWERS_KEPT


def test_forget_keeps_no_answers():
    service = BotService(MemoryStore())
    service.handle("c", "报告邮箱是什么", message_id="a", replay=True)
    service.handle("c", "/forget", message_id="b", replay=True)
    assert service.store.load("c") == ChatState()
