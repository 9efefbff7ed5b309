"""The Telegram channel: python-telegram-bot handlers on top of the channel-free engine."""
