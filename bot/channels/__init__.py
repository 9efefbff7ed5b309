"""Where people reach the bot: the command line and terminal chat, Telegram. No business logic."""
