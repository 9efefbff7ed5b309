"""Commands that read the exchange log: `gaps`, `stats`, `prune`."""

from __future__ import annotations

import argparse

from bot.channels.cli.common import (
    EXIT_OK,
    load_knowledge,
    log_store,
    since,
    write_output,
)
from bot.settings import Settings

# The reports and the engine load in the commands below, not at the top: every `policybot`
# command (`health` and `--version` too) imports this module to build the parser.

FORMATS = ("table", "csv", "json", "html")  # of `gaps`, written by bot.log.reports
PRUNE_WAIT = 30.0  # seconds `prune` waits for a write lock another process holds


def register(add) -> None:
    gaps = add("gaps", cmd_gaps, "列出答不上的问题（按相似问题分组）")
    gaps.add_argument(
        "--since", default="7d", help="时间范围，如 7d、24h、2w 或 2026-11-01（默认 7d）"
    )
    gaps.add_argument("--min-count", type=int, default=1, metavar="N", help="只列出至少 N 次的组")
    gaps.add_argument("--format", choices=FORMATS, default="table")
    gaps.add_argument("--out", metavar="FILE", help="写入文件而不是标准输出")
    gaps.add_argument("--all", action="store_true", help="也列出在管理后台标为已完成或已忽略的组")

    usage = add("stats", cmd_stats, "使用统计")
    usage.add_argument("--since", default="7d", help="时间范围（默认 7d）")
    usage.add_argument("--format", choices=("table", "json"), default="table")
    usage.add_argument("--out", metavar="FILE", help="写入文件而不是标准输出")

    prune = add("prune", cmd_prune, "删除过期的交流记录")
    prune.add_argument("--older-than", required=True, metavar="AGE", help="如 180d")


def cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    """What people asked that the knowledge could not answer, grouped, largest first."""
    from bot.engine.core import Engine
    from bot.log.gaps import cluster, gap_exchanges
    from bot.log.reports import gaps_csv, gaps_html, gaps_json, gaps_table
    from bot.log.stats import stats
    from bot.log.triage import Triage

    engine = Engine(load_knowledge(settings))
    start = since(args.since)
    local = settings.timezone
    with log_store(settings) as store:
        found = cluster(gap_exchanges(store, start), engine, args.min_count)
        if not args.all:  # what reviewers marked done or ignored in the console stays away
            triage = Triage(store.path)
            found = triage.untriaged(found)
            triage.close()
        if args.format == "json":
            output: str | bytes = gaps_json(found)
        elif args.format == "csv":
            output = gaps_csv(found, local)
        elif args.format == "html":
            title = f"{engine.knowledge.texts.name}：问答缺口报告"
            period = f"自 {start[:10]} 起" if start else "全部记录"
            output = gaps_html(found, stats(store, start, zone=local), title, period, local)
        else:
            output = gaps_table(found, local)
    write_output(output, args.out)
    return EXIT_OK


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Volume, answer rates, top entries, feedback and latency, per day."""
    from bot.log.reports import stats_table
    from bot.log.stats import stats
    from bot.text.terminal import terminal_json

    start = since(args.since)
    with log_store(settings) as store:
        numbers = stats(store, start, zone=settings.timezone)
    if args.format == "json":
        write_output(terminal_json(numbers.to_dict(), indent=2), args.out)
    else:
        write_output(stats_table(numbers), args.out)
    return EXIT_OK


def cmd_prune(args: argparse.Namespace, settings: Settings) -> int:
    """Delete exchanges (and their feedback) older than the retention period."""
    cutoff = since(args.older_than) or ""
    # Run from a timer while the bot writes: wait for its transaction rather than fail.
    with log_store(settings, wait=PRUNE_WAIT) as store:
        removed = store.prune(cutoff)
    print(f"已删除 {cutoff[:10]} 之前的 {removed} 条交流记录")
    return EXIT_OK
