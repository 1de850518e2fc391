"""The bot on aiogram 3: a Dispatcher with a router per feature, the allowlist as an outer middleware and an
errors handler, all over the Bridge (handed to handlers through the dispatcher's workflow data)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import (
    BotCommand,
    BotCommandScopeDefault,
    BufferedInputFile,
    CallbackQuery,
    ErrorEvent,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
    Update,
)

from bot.model import FileOut
from bot.service import BotService
from bot.store import Store
from bot.transports.telegram.bridge import Bridge
from bot.transports.telegram.common import CONCURRENT_UPDATES, ERROR_TEXT, UPDATE_TYPES, Keyboard, addressed_text, backoff, command_menu, retrying
from bot.transports.telegram.resilience import log_update_failure, persist
from bot.transports.telegram.settings import Settings
from bot.transports.telegram.webhook import serve_webhook

log = logging.getLogger(__name__)


def retry_delay(error: Exception, attempt: int) -> float | None:
    """Flood control: the server's retry_after; network errors and 5xx: backoff; anything else: give up."""
    if isinstance(error, TelegramRetryAfter):
        return float(error.retry_after)
    if isinstance(error, (TelegramNetworkError, TelegramServerError)):
        return backoff(attempt)
    return None


def poll_delay(error: Exception, attempt: int) -> float | None:
    """A failed poll is tried again after any error (a 409 while another instance polls, too) but a rejected
    token, as aiogram's own loop does, though in one log line instead of two."""
    if isinstance(error, (TelegramUnauthorizedError, TelegramNotFound)):
        return None
    return retry_delay(error, attempt) or backoff(attempt)


class PollingSession(AiohttpSession):
    """aiogram's HTTP session, except that a failed getUpdates is waited out here (see resilience)."""

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        make = super().make_request
        if not isinstance(method, GetUpdates):
            return await make(bot, method, timeout)
        return await persist(lambda: make(bot, method, timeout), poll_delay, "polling")


class AiogramSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(self, chat_id: int, text: str, rows: Keyboard) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=data) for label, data in row] for row in rows]
        )
        await self.bot.send_message(chat_id, text, reply_markup=markup if rows else None)

    async def send_document(self, chat_id: int, file: FileOut) -> None:
        await self.bot.send_document(chat_id, BufferedInputFile(file.content, filename=file.name))


class Allowlist(BaseMiddleware):
    """Updates from chats outside the allowlist stop here, unanswered."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def __call__(
        self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]], event: TelegramObject, data: dict[str, Any]
    ) -> Any:
        chat = data.get("event_chat")
        if not self.settings.permits(chat.id if chat else None):
            return None
        return await handler(event, data)


async def on_start(message: Message, bridge: Bridge, event_update: Update) -> None:
    """/start: greet, or offer to resume."""
    user = message.from_user
    await bridge.opening(message.chat.id, user.language_code if user else None, message_id=f"tg:{event_update.update_id}")


async def on_button(query: CallbackQuery, bridge: Bridge, event_update: Update) -> None:
    """A pressed inline button: acknowledge it, then hand its data to the core."""
    try:
        await query.answer()
    except TelegramAPIError as error:  # e.g. a query too old after a long outage: still act on the press
        log.warning("could not answer a callback query: %s", error)
    if query.message:
        await bridge.message(query.message.chat.id, query.data, query.from_user.language_code, message_id=f"tg:{event_update.update_id}")


async def on_text(message: Message, bridge: Bridge, bot: Bot, event_update: Update) -> None:
    """Text and commands; in groups only what is addressed to the bot."""
    me = await bot.me()
    replied = message.reply_to_message
    text = addressed_text(
        message.text,
        private=message.chat.type == "private",
        bot_username=me.username or "",
        replied_to_bot=bool(replied and replied.from_user and replied.from_user.id == me.id),
    )
    if text is not None:
        user = message.from_user
        await bridge.message(message.chat.id, text, user.language_code if user else None, message_id=f"tg:{event_update.update_id}")


async def on_error(event: ErrorEvent, bot: Bot) -> None:
    """Log the failure (one line) and tell the user, rather than going silent."""
    log_update_failure(event.exception)
    update = event.update
    message = update.message or (update.callback_query.message if update.callback_query else None)
    if message is None:
        return
    try:
        await bot.send_message(message.chat.id, ERROR_TEXT)
    except TelegramAPIError as error:
        log.error("could not tell the user about the failure: %s", error)


def routers() -> list[Router]:
    """A router per feature (a router joins one dispatcher only, so each adapter gets new ones)."""
    start, buttons, messages, errors = Router(name="start"), Router(name="buttons"), Router(name="messages"), Router(name="errors")
    start.message.register(on_start, CommandStart())
    buttons.callback_query.register(on_button, F.data)
    messages.message.register(on_text, F.text)
    errors.errors.register(on_error)
    return [start, buttons, messages, errors]


class AiogramAdapter:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        session = PollingSession(api=TelegramAPIServer.from_base(settings.api_url)) if settings.api_url else PollingSession()
        self.bot = Bot(settings.token, session=session, default=DefaultBotProperties(link_preview_is_disabled=True))
        self.bridge = Bridge(BotService(store), AiogramSender(self.bot), retry_delay)
        self.dispatcher = Dispatcher(disable_fsm=True, bridge=self.bridge)  # the core keeps all state
        self.dispatcher.update.outer_middleware(Allowlist(settings))
        self.dispatcher.include_routers(*routers())
        self.dispatcher.startup.register(self.on_startup)
        self.dispatcher.shutdown.register(self.on_shutdown)
        self._reminder_task: asyncio.Task[None] | None = None
        self._webhook_tasks: set[asyncio.Task[Any]] = set()

    async def on_startup(self) -> None:
        """Register the commands menu in zh (also the default) and en; reschedule stored reminders."""
        try:
            for language in (None, "zh", "en"):
                commands = [BotCommand(command=command, description=text) for command, text in command_menu(language or "zh")]
                await retrying(lambda: self.bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=language), retry_delay)
        except TelegramAPIError as error:  # a menu is a convenience: a server without it still gets a working bot
            log.warning("could not register the commands menu: %s", error)
        self.bridge.load_reminders()
        self._reminder_task = asyncio.create_task(self.bridge.run_reminders())

    async def on_shutdown(self) -> None:
        if self._reminder_task:
            self._reminder_task.cancel()

    async def serve(self, webhook_url: str | None) -> None:
        """Long polling, or the webhook server, until SIGINT/SIGTERM."""
        try:
            # getMe: an unreachable server is waited for, a rejected token fails here, quietly
            await persist(self.bot.me, retry_delay, "connecting to the Bot API")
            if webhook_url:
                await self.dispatcher.emit_startup(bot=self.bot)
                try:
                    await serve_webhook(webhook_url, self.settings, self.bot.set_webhook, self.feed)
                finally:
                    await self.dispatcher.emit_shutdown(bot=self.bot)
            else:
                try:
                    await retrying(lambda: self.bot.delete_webhook(), retry_delay)  # getUpdates is refused while a webhook is set
                except (TelegramNotFound, TelegramBadRequest) as error:
                    log.warning("could not delete the webhook: %s", error)
                await self.dispatcher.start_polling(
                    self.bot, allowed_updates=UPDATE_TYPES, tasks_concurrency_limit=CONCURRENT_UPDATES, polling_timeout=10
                )
        finally:
            await self.bot.session.close()

    async def feed(self, data: dict[str, Any]) -> None:
        """One webhook update, handled in the background so Telegram gets its 200 at once."""
        task = asyncio.create_task(self.dispatcher.feed_raw_update(self.bot, data))
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)


def run(settings: Settings, store: Store) -> int:
    try:
        asyncio.run(AiogramAdapter(settings, store).serve(settings.webhook_url))
    except (TelegramUnauthorizedError, TelegramNotFound):
        log.error("the Bot API server rejected the token: check TELEGRAM_BOT_TOKEN")
        return 2
    except TelegramNetworkError as error:
        log.error("cannot reach the Bot API server: %s", error)
        return 1
    return 0
