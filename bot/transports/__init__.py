"""Transports translate between a channel (terminal, JSON lines, Telegram) and bot.service.BotService."""
