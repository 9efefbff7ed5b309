"""Where people reach the bot: the command line and terminal chat, Telegram, the web API and
widget, WeChat, and the admins' console. No business logic: each calls the seam (`bot.app`,
`bot.conversation`, `bot.admin`) and renders what it returns."""
