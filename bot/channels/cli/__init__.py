"""The `policybot` command line: one subcommand per job, all on the same settings and seam.

`main` parses (global options before or after the subcommand), resolves `Settings` once, and
calls the subcommand's handler with both. Each module here registers its own subcommands, so a
new channel's command (`serve`, say) is one module and one line in `main.COMMAND_MODULES`.
"""

from bot.channels.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
