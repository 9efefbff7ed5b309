"""The admin console under /admin: test, review, teach and edit the knowledge from a browser."""

from bot.channels.console.pages import elsewhere, routes

__all__ = ["elsewhere", "routes"]
