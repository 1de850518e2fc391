"""The bot on python-telegram-bot: an Application with one handler per kind of update, all over the Bridge."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.model import FileOut
from bot.service import BotService
from bot.store import Store
from bot.transports.telegram.bridge import Bridge
from bot.transports.telegram.common import CONCURRENT_UPDATES, ERROR_TEXT, UPDATE_TYPES, Keyboard, addressed_text, backoff, command_menu, retrying
from bot.transports.telegram.ptb_request import AiohttpRequest, PollingRequest
from bot.transports.telegram.resilience import log_update_failure, persist
from bot.transports.telegram.settings import Settings
from bot.transports.telegram.webhook import serve_webhook, until_stopped

log = logging.getLogger(__name__)


def retry_delay(error: Exception, attempt: int) -> float | None:
    """Flood control: the server's retry_after; network errors and 5xx: backoff; anything else: give up."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return backoff(attempt)
    return None


def poll_delay(error: Exception, attempt: int) -> float | None:
    """A failed poll is tried again after any error (a 409 while another instance polls, too) but a rejected
    token, as PTB's own loop does, though without its traceback."""
    if isinstance(error, InvalidToken):
        return None
    return retry_delay(error, attempt) or backoff(attempt)


class PtbSender:
    def __init__(self, application: Application) -> None:
        self.application = application

    async def send_text(self, chat_id: int, text: str, rows: Keyboard) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows])
        await self.application.bot.send_message(chat_id, text, reply_markup=markup if rows else None)

    async def send_document(self, chat_id: int, file: FileOut) -> None:
        await self.application.bot.send_document(chat_id, document=file.content, filename=file.name)


class PtbAdapter:
    """Handlers and life-cycle hooks; each handler is a few lines that translate and call the Bridge."""

    def __init__(self, settings: Settings, store: Store) -> None:
        os.environ.setdefault("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta, without a warning
        self.settings = settings
        self.requests = (AiohttpRequest(connections=CONCURRENT_UPDATES), PollingRequest(poll_delay))
        builder = (
            Application.builder()
            .token(settings.token)
            .request(self.requests[0])
            .get_updates_request(self.requests[1])
        )
        if settings.api_url:
            builder = builder.base_url(f"{settings.api_url}/bot").base_file_url(f"{settings.api_url}/file/bot")
        self.application = (
            builder.defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
            .concurrent_updates(CONCURRENT_UPDATES)
            .build()
        )
        self.bridge = Bridge(BotService(store), PtbSender(self.application), retry_delay)
        self._reminder_task: asyncio.Task[None] | None = None
        app = self.application
        app.add_handler(TypeHandler(Update, self.gate), group=-1)
        app.add_handler(CommandHandler("start", self.on_start, filters=filters.UpdateType.MESSAGE))
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self.on_text))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_error_handler(self.on_error)

    # ------------------------------------------------------------------ handlers
    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The allowlist: updates from other chats stop here, unanswered."""
        chat = update.effective_chat
        if not self.settings.permits(chat.id if chat else None):
            raise ApplicationHandlerStop

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: greet, or offer to resume."""
        user = update.effective_user
        await self.bridge.opening(update.effective_chat.id, user.language_code if user else None, message_id=f"tg:{update.update_id}")

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Text and commands; in groups only what is addressed to the bot."""
        message = update.message
        replied = message.reply_to_message
        text = addressed_text(
            message.text,
            private=message.chat.type == "private",
            bot_username=context.bot.username,
            replied_to_bot=bool(replied and replied.from_user and replied.from_user.id == context.bot.id),
        )
        if text is not None:
            user = update.effective_user
            await self.bridge.message(message.chat.id, text, user.language_code if user else None, message_id=f"tg:{update.update_id}")

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A pressed inline button: acknowledge it, then hand its data to the core."""
        query = update.callback_query
        try:
            await query.answer()
        except TelegramError as error:  # e.g. a query too old after a long outage: still act on the press
            log.warning("could not answer a callback query: %s", error)
        if query.data and query.message:
            await self.bridge.message(query.message.chat.id, query.data, query.from_user.language_code, message_id=f"tg:{update.update_id}")

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure (one line) and tell the user, rather than going silent."""
        if not isinstance(update, Update):
            log.warning("Bot API error outside an update: %s", type(context.error).__name__)
            return
        log_update_failure(context.error)
        if update.effective_chat:
            try:
                await context.bot.send_message(update.effective_chat.id, ERROR_TEXT)
            except TelegramError as error:
                log.error("could not tell the user about the failure: %s", error)

    # ------------------------------------------------------------------ life cycle
    async def startup(self) -> None:
        """Register the commands menu in zh (also the default) and en; reschedule stored reminders."""
        bot = self.application.bot
        try:
            for language in (None, "zh", "en"):
                commands = [BotCommand(command, description) for command, description in command_menu(language or "zh")]
                await retrying(lambda: bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=language), retry_delay)
        except TelegramError as error:  # a menu is a convenience: a server without it still gets a working bot
            log.warning("could not register the commands menu: %s", error)
        self.bridge.load_reminders()
        self._reminder_task = asyncio.create_task(self.bridge.run_reminders())

    async def shutdown(self) -> None:
        if self._reminder_task:
            self._reminder_task.cancel()

    async def feed(self, data: dict) -> None:
        """One webhook update into the Application's queue."""
        await self.application.update_queue.put(Update.de_json(data, self.application.bot))

    async def serve(self, webhook_url: str | None) -> None:
        """Long polling, or the webhook server, until SIGINT/SIGTERM."""
        try:
            # getMe: an unreachable server is waited for, a rejected token fails here, quietly
            await persist(self.application.bot.initialize, retry_delay, "connecting to the Bot API")
            async with self.application:
                await self.startup()
                await self.application.start()
                try:
                    if webhook_url:
                        await serve_webhook(webhook_url, self.settings, self.application.bot.set_webhook, self.feed)
                    else:
                        await self.application.updater.start_polling(allowed_updates=UPDATE_TYPES)
                        await until_stopped()
                        await self.application.updater.stop()
                finally:
                    await self.application.stop()
                    await self.shutdown()
        finally:
            for request in self.requests:  # PTB closes them only after a successful start
                await request.shutdown()


def run(settings: Settings, store: Store) -> int:
    try:
        asyncio.run(PtbAdapter(settings, store).serve(settings.webhook_url))
    except InvalidToken:
        log.error("the Bot API server rejected the token: check TELEGRAM_BOT_TOKEN")
        return 2
    except NetworkError as error:
        log.error("cannot reach the Bot API server: %s", error)
        return 1
    return 0
