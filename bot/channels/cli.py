"""The `policybot` command line: one subcommand per job, all on the same engine and knowledge."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from bot import __version__
from bot.app import Request, Service
from bot.authoring.checks import deep_check
from bot.authoring.importer import ColumnsError, import_faq, print_progress
from bot.authoring.ingest import IngestError, ingest
from bot.authoring.teach import TeachRefused, teach
from bot.channels.render import as_text
from bot.conversation import Conversations
from bot.engine.cache import EngineCache, build_engine
from bot.engine.core import Engine
from bot.engine.evaluation import calibrate, evaluate, load_cases
from bot.knowledge.model import Knowledge, KnowledgeDirMissing, KnowledgeError, check, load
from bot.log.accounts import REVIEWER, ROLES, AccountError, Accounts
from bot.log.gaps import cluster, gap_exchanges
from bot.log.reports import FORMATS, gaps_csv, gaps_html, gaps_json, gaps_table, stats_table
from bot.log.stats import stats
from bot.log.store import ExchangeLog, SQLiteStore, since_to_iso
from bot.log.triage import Triage
from bot.ops import health
from bot.ops import logsetup as logs
from bot.ops.doctor import diagnose
from bot.settings import ConfigError, cache_folder, timezone
from bot.text.privacy import SaltError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_CRASH = 1  # what Python exits with on an uncaught exception


class CommandError(Exception):
    """Ends a command with one clear line on stderr and exit code 2."""


def knowledge_dir(args: argparse.Namespace) -> Path:
    return Path(args.knowledge or os.environ.get("POLICYBOT_KNOWLEDGE") or "knowledge")


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db or os.environ.get("POLICYBOT_DB") or "data/policybot.sqlite3")


def open_log(args: argparse.Namespace, background: bool = False) -> ExchangeLog:
    """The exchange log; `background` for the long-running bot (bot.log.store says why)."""
    try:
        return ExchangeLog.open(db_path(args), os.environ.get("POLICYBOT_SALT"), background)
    except SaltError as exc:
        raise CommandError(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"无法打开交流记录 {db_path(args)}: {exc}") from exc


def open_store(args: argparse.Namespace) -> SQLiteStore:
    """The log for reading; it must exist already (reports on a new empty file help nobody)."""
    path = db_path(args)
    if not path.is_file():
        raise CommandError(f"交流记录不存在: {path}（用 --db 或 POLICYBOT_DB 指定）")
    try:
        return SQLiteStore(path)
    except sqlite3.Error as exc:
        raise CommandError(f"无法读取交流记录 {path}: {exc}") from exc


def since(args: argparse.Namespace) -> str | None:
    try:
        return since_to_iso(args.since)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def zone():
    try:
        return timezone()
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc


def load_knowledge(args: argparse.Namespace) -> Knowledge:
    return knowledge_or_exit(load, knowledge_dir(args))


def engine_cache(args: argparse.Namespace) -> EngineCache | None:
    """Where built engines are kept between starts (bot.engine.cache)."""
    return EngineCache.keyed_by_salt(
        cache_folder(os.environ.get("POLICYBOT_CACHE"), db_path(args)),
        db_path(args),
        os.environ.get("POLICYBOT_SALT"),
    )


def build(args: argparse.Namespace) -> Engine:
    """The engine for answering: from the engine cache when the knowledge is large (bot.engine.cache)."""
    cache = engine_cache(args)
    return knowledge_or_exit(lambda directory: build_engine(directory, cache), knowledge_dir(args))


def knowledge_or_exit(read, directory: Path):
    """`read(directory)`, with knowledge errors turned into one clear command error."""
    try:
        return read(directory)
    except (KnowledgeDirMissing, SaltError) as exc:
        raise CommandError(str(exc)) from exc
    except KnowledgeError as exc:
        details = "\n".join(map(str, exc.problems))
        raise CommandError(f"知识库有错误，先运行 policybot validate 修正：\n{details}") from exc


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or one per line of standard input with --jsonl."""
    service = Service(knowledge_dir(args), build(args), open_log(args) if args.log else None)
    user = getpass.getuser() if service.log else None
    if args.jsonl:
        for line in sys.stdin:
            turn = service.ask(Request(line.rstrip("\r\n"), "ask", "cli", user))
            print(json.dumps(turn.answer.to_dict(), ensure_ascii=False), flush=True)
        return EXIT_OK
    if args.question is None:
        raise CommandError('请给出问题，例如：policybot ask "复工复产去哪个窗口办理"')
    turn = service.ask(Request(args.question, "ask", "cli", user))
    if args.json:
        print(json.dumps(turn.answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(as_text(turn.answer, turn.knowledge))
    return EXIT_OK


def cmd_chat(args: argparse.Namespace) -> int:
    """A conversation in the terminal; a number picks from a "您是想问" list (bot.conversation)."""
    service = Service(knowledge_dir(args), build(args), None if args.no_log else open_log(args))
    conversation = Conversations(service)
    user = getpass.getuser()
    _enable_line_editing()
    print(service.knowledge.texts.welcome.strip())
    print("（输入 q 或按 Ctrl-D 退出）")
    while True:
        try:
            line = input("\n问> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return EXIT_OK
        if line.strip().lower() in {"q", "quit", "exit", "退出"}:
            return EXIT_OK
        turn = conversation.reply(Request(line, "chat", "cli", user))
        print(as_text(turn.answer, turn.knowledge))


def _enable_line_editing() -> None:
    """Arrow keys and history in `chat`, kept between sessions where readline exists."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input still works
        return
    history = Path.home() / ".policybot_history"
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    import atexit

    atexit.register(_save_history, readline, history)


def _save_history(readline, history: Path) -> None:
    try:
        readline.set_history_length(1000)
        readline.write_history_file(history)
    except OSError:
        pass


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the knowledge; errors make it unusable, warnings are worth fixing."""
    try:
        knowledge, problems = check(knowledge_dir(args))
    except KnowledgeDirMissing as exc:
        raise CommandError(str(exc)) from exc
    if knowledge is not None:
        problems = problems + deep_check(knowledge)
    problems.sort(key=lambda p: (str(p.path), p.line))
    for problem in problems:
        print(problem)
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    if knowledge is not None:
        print(
            f"知识库有效：{len(knowledge.entries)} 个条目，{len(knowledge.categories)} 个分类，"
            f"{len(knowledge.documents)} 份来源文档，版本 {knowledge.version}；"
            f"{warnings} 个警告"
        )
    else:
        print(f"知识库无效：{errors} 个错误，{warnings} 个警告", file=sys.stderr)
    if errors or (args.strict and warnings):
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the token, the knowledge and the log database; print the configuration masked."""
    configuration, findings = diagnose(os.environ, args.knowledge, args.db)
    print("生效的配置：")
    for name, value in configuration.items():
        print(f"  {name}={value}")
    print()
    for finding in findings:
        print(finding)
    return EXIT_OK if all(f.ok for f in findings) else EXIT_PROBLEMS


def cmd_health(args: argparse.Namespace) -> int:
    """For HEALTHCHECK and monitoring: is the running bot's heartbeat fresh?"""
    ok, message = health.check(health.health_file(db_path(args)), args.max_age)
    print(message)
    return EXIT_OK if ok else EXIT_PROBLEMS


def cmd_gaps(args: argparse.Namespace) -> int:
    """What people asked that the knowledge could not answer, grouped, largest first."""
    engine = Engine(load_knowledge(args))
    store = open_store(args)
    start = since(args)
    found = cluster(gap_exchanges(store, start), engine, args.min_count)
    if not args.all:  # what reviewers marked done or ignored in the console stays away
        triage = Triage(store.path)
        found = triage.untriaged(found)
        triage.close()
    local = zone()
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
    store.close()
    write_output(output, args.out)
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """Volume, answer rates, top entries, feedback and latency, per day."""
    store = open_store(args)
    numbers = stats(store, since(args), zone=zone())
    store.close()
    if args.format == "json":
        write_output(json.dumps(numbers.to_dict(), ensure_ascii=False, indent=2), args.out)
    else:
        write_output(stats_table(numbers), args.out)
    return EXIT_OK


def write_output(output: str | bytes, out: str | None) -> None:
    if out:
        data = output if isinstance(output, bytes) else output.encode("utf-8")
        Path(out).write_bytes(data)
        print(f"已写入 {out}", file=sys.stderr)
    elif isinstance(output, bytes):
        sys.stdout.buffer.write(output)
    else:
        print(output)


def cmd_teach(args: argparse.Namespace) -> int:
    """Add a real user's phrasing to an entry's similar questions, keeping the file's layout."""
    try:
        taught = teach(load_knowledge(args), args.question, args.entry_id)
    except TeachRefused as exc:
        print(f"policybot: 未添加：{exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"已把 “{taught.question}” 加为 {taught.entry_id} 的相似问（{taught.path}）")
    return EXIT_OK


def cmd_prune(args: argparse.Namespace) -> int:
    """Delete exchanges (and their feedback) older than the retention period."""
    store = open_store(args)
    try:
        cutoff = since_to_iso(args.older_than)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    removed = store.prune(cutoff)
    store.close()
    print(f"已删除 {cutoff[:10]} 之前的 {removed} 条交流记录")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Turn a department's FAQ spreadsheet into knowledge YAML."""
    source = Path(args.file)
    if not source.is_file():
        raise CommandError(f"文件不存在: {source}")
    try:
        report = import_faq(source, Path(args.into), print_progress)
    except ColumnsError as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except (ValueError, OSError, KeyError) as exc:
        raise CommandError(f"无法导入 {source}: {exc}") from exc
    print(report.summary())
    print(f"下一步：policybot --knowledge {args.into} validate")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    """Add a policy document (file or URL) to the knowledge's sources."""
    directory = knowledge_dir(args)
    if not directory.is_dir():
        raise CommandError(f"知识库目录不存在: {directory}")
    try:
        done = ingest(args.source, directory, args.title, args.publisher, args.date)
    except IngestError as exc:
        raise CommandError(str(exc)) from exc
    verb = "已更新" if done.updated else "已添加"
    print(f"{verb}文档 {done.id}：《{done.title}》，{done.date}，{done.passages} 段（{done.path}）")
    _, problems = check(directory)
    errors = [p for p in problems if p.severity == "error"]
    for problem in errors:
        print(problem)
    if errors:
        print("知识库现在有错误：运行中的机器人会继续使用旧版本，直到修正。", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    """Measure the engine on an eval file; --calibrate suggests thresholds for bot.yaml."""
    knowledge = load_knowledge(args)
    path = Path(args.file) if args.file else knowledge_dir(args) / "eval" / "dev.yaml"
    if not path.is_file():
        raise CommandError(f"评测文件不存在: {path}")
    cases = load_cases(path)
    engine = Engine(knowledge)
    if args.calibrate:
        engine.thresholds = calibrate(engine, cases)
    report = evaluate(engine, cases)
    for case, status, entry_id, score in report.failures:
        expected = case.expected or "(不应回答)"
        print(
            f"FAIL {case.question!r}: 期望 {expected}，得到 {status} {entry_id or ''} {score:.2f}"
        )
    print(report.summary())
    print(
        f"thresholds: answer={engine.thresholds.answer:.2f} "
        f"margin={engine.thresholds.margin:.2f} clarify={engine.thresholds.clarify:.2f}"
    )
    if args.calibrate:
        t = engine.thresholds
        print("\n# 把下面三行写进 bot.yaml：")
        values = f"answer: {t.answer:.2f}, margin: {t.margin:.2f}, clarify: {t.clarify:.2f}"
        print(f"thresholds: {{{values}}}")
    return EXIT_OK


def cmd_admin(args: argparse.Namespace) -> int:
    """Console accounts: add (or reset), list, remove. Passwords never come from arguments,
    where they would stay in the shell history and in `ps` for everyone to read."""
    if args.action != "list-users" and not args.name:
        raise CommandError(f"请给出用户名：policybot admin {args.action} 名字")
    try:
        accounts = Accounts(db_path(args))
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"无法打开数据库 {db_path(args)}: {exc}") from exc
    try:
        if args.action == "list-users":
            for account in accounts.all():
                print(f"{account.name}\t{account.role}\t{account.created[:19]}")
        elif args.action == "remove-user":
            if not accounts.remove(args.name):
                raise CommandError(f"没有用户 “{args.name}”")
            print(f"已删除用户 {args.name}")
        else:
            accounts.add(args.name, args.role, read_password(), replace=args.reset)
            print(f"已{'重设' if args.reset else '添加'}用户 {args.name}（{ROLES[args.role]}）")
    except AccountError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        accounts.close()
    return EXIT_OK


def read_password() -> str:
    """Typed twice at a terminal (not echoed), or one line from standard input for scripts."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise CommandError("两次输入的密码不一样")
    return first


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Telegram bot until SIGINT/SIGTERM: long polling, or a webhook server."""
    from bot.channels.telegram.app import run
    from bot.settings import ConfigError, Settings

    try:
        settings = Settings.from_env(knowledge=args.knowledge)
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    # Fail before connecting, with the errors listed.
    cache = EngineCache.keyed_by_salt(
        settings.cache, db_path(args), os.environ.get("POLICYBOT_SALT")
    )
    engine = knowledge_or_exit(lambda d: build_engine(d, cache), settings.knowledge)
    logs.configure(args.log_format, settings.token)
    log = open_log(args, background=True)
    try:
        run(
            settings,
            Service(settings.knowledge, engine, log, cache),
            webhook_url=args.webhook_url,
            listen=args.listen,
            port=args.port,
            secret_token=args.secret_token or os.environ.get("TELEGRAM_WEBHOOK_SECRET"),
        )
    finally:
        log.close()
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """The web server: API, chat widget and demo page, the admin console, and the Telegram
    webhook if configured."""
    from bot.admin import Admin
    from bot.channels import console
    from bot.channels.web import server
    from bot.channels.web.config import WebConfig
    from bot.settings import ConfigError, parse_interval

    try:
        config = WebConfig.from_env()
        watch = parse_interval(os.environ.get("POLICYBOT_WATCH_INTERVAL", "2"))
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    engine = build(args)  # fails before listening, with the knowledge errors listed
    webhook_url = args.telegram_webhook_url or os.environ.get("TELEGRAM_WEBHOOK_URL")
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "") if webhook_url else ""
    logs.configure(args.log_format, token)
    log = open_log(args, background=True)  # the event loop never waits for SQLite
    service = Service(knowledge_dir(args), engine, log, engine_cache(args))
    if webhook_url:  # Telegram's own start-up runs the heartbeat and the knowledge watcher
        telegram = telegram_on_port(service, webhook_url, args)
        routes, hooks = telegram.routes(), [telegram.running]
    else:
        routes, hooks = [], [server.upkeep(service, db_path(args), watch)]
    admin = Admin(service, db_path(args), zone())  # the admin console, under /admin
    routes = [*routes, *console.routes(admin)]
    try:
        server.serve(
            server.build_server(service, config, routes, hooks), config, args.host, args.port
        )
    finally:
        admin.close()
        log.close()
    return EXIT_OK


def telegram_on_port(service: Service, url: str, args: argparse.Namespace):
    """The Telegram channel as a route of the web server (`serve --telegram-webhook-url`)."""
    import dataclasses

    from bot.channels.telegram.app import build_application
    from bot.channels.telegram.shared_port import SharedPort
    from bot.settings import ConfigError, Settings

    try:
        settings = Settings.from_env(knowledge=args.knowledge)
    except ConfigError as exc:
        raise CommandError(str(exc)) from exc
    # The heartbeat goes beside the log this command writes (--db wins over POLICYBOT_DB).
    settings = dataclasses.replace(settings, db=db_path(args))
    application = build_application(settings, service)
    return SharedPort(application, url, os.environ.get("TELEGRAM_WEBHOOK_SECRET"))


def cmd_wechat_menu(args: argparse.Namespace) -> int:
    """Print the 公众号's custom menu built from the categories; `--set` also installs it."""
    from bot.channels.wechat.menu import MenuError, build_menu, menu_json, set_menu
    from bot.settings import ConfigError, WeChatSettings

    menu = build_menu(load_knowledge(args))
    print(menu_json(menu))
    if not args.set:
        return EXIT_OK
    try:
        set_menu(menu, WeChatSettings.from_env())
    except (ConfigError, MenuError) as exc:
        raise CommandError(str(exc)) from exc
    print("已设置公众号自定义菜单（微信客户端可能要几分钟后才显示新菜单）。", file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policybot",
        description="营商环境政策问答机器人：从 YAML 知识库回答企业的问题。",
    )
    parser.add_argument("--version", action="version", version=f"policybot {__version__}")
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        help="知识库目录（默认 $POLICYBOT_KNOWLEDGE 或 ./knowledge）",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="交流记录数据库（默认 $POLICYBOT_DB 或 ./data/policybot.sqlite3）",
    )
    parser.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        default="text",
        help="日志格式：text 或 json（每行一个 JSON）",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Callable, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(handler=handler)
        return sub

    ask = command("ask", cmd_ask, "回答一个问题")
    ask.add_argument("question", nargs="?", help="问题")
    output = ask.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    output.add_argument("--jsonl", action="store_true", help="从标准输入逐行读问题，逐行输出 JSON")
    ask.add_argument("--log", action="store_true", help="把问答写入交流记录")

    chat = command("chat", cmd_chat, "在终端里对话（写入交流记录）")
    chat.add_argument("--no-log", action="store_true", help="不写交流记录")

    gaps = command("gaps", cmd_gaps, "列出答不上的问题（按相似问题分组）")
    gaps.add_argument(
        "--since", default="7d", help="时间范围，如 7d、24h、2w 或 2026-11-01（默认 7d）"
    )
    gaps.add_argument("--min-count", type=int, default=1, metavar="N", help="只列出至少 N 次的组")
    gaps.add_argument("--format", choices=FORMATS, default="table")
    gaps.add_argument("--out", metavar="FILE", help="写入文件而不是标准输出")
    gaps.add_argument("--all", action="store_true", help="也列出在管理后台标为已完成或已忽略的组")

    usage = command("stats", cmd_stats, "使用统计")
    usage.add_argument("--since", default="7d", help="时间范围（默认 7d）")
    usage.add_argument("--format", choices=("table", "json"), default="table")
    usage.add_argument("--out", metavar="FILE", help="写入文件而不是标准输出")

    taught = command("teach", cmd_teach, "把一个问法加为条目的相似问")
    taught.add_argument("question", help="用户的问法")
    taught.add_argument("entry_id", help="条目 id")

    imported = command("import", cmd_import, "导入已有的问答表（CSV、XLSX、JSONL）")
    imported.add_argument("file", help="问答文件")
    imported.add_argument(
        "--into", required=True, metavar="DIR", help="写入的知识库目录（不存在就新建）"
    )

    ingested = command("ingest", cmd_ingest, "添加政策文件（本地文件或网址）到知识库的来源文档")
    ingested.add_argument("source", metavar="FILE|URL", help=".txt、.md、.html 文件，或网页地址")
    ingested.add_argument("--title", help="标题（默认从文件读出）")
    ingested.add_argument("--publisher", help="发布单位")
    ingested.add_argument("--date", help="发布日期，如 2023-03-15（网页里找不到时必须给出）")

    prune = command("prune", cmd_prune, "删除过期的交流记录")
    prune.add_argument("--older-than", required=True, metavar="AGE", help="如 180d")

    validate = command("validate", cmd_validate, "检查知识库")
    validate.add_argument("--strict", action="store_true", help="有警告也返回失败")

    run = command("run", cmd_run, "运行 Telegram 机器人（需要 TELEGRAM_BOT_TOKEN）")
    run.add_argument(
        "--webhook-url", metavar="URL", help="用 webhook 代替长轮询：Telegram 访问的公网地址"
    )
    run.add_argument("--listen", default="0.0.0.0", help="webhook 监听地址（默认 0.0.0.0）")
    run.add_argument("--port", type=int, default=8443, help="webhook 端口（默认 8443）")
    run.add_argument(
        "--secret-token",
        metavar="S",
        help="webhook 密钥（默认 $TELEGRAM_WEBHOOK_SECRET），Telegram 放在请求头里",
    )

    served = command("serve", cmd_serve, "运行网页服务：问答 API、聊天窗口，以及 Telegram webhook")
    served.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    served.add_argument("--port", type=int, default=8080, help="端口（默认 8080）")
    served.add_argument(
        "--telegram-webhook-url",
        metavar="URL",
        help="同时在此端口接收 Telegram webhook（默认 $TELEGRAM_WEBHOOK_URL；需要 "
        "TELEGRAM_BOT_TOKEN；TELEGRAM_WEBHOOK_SECRET 未设置时自动生成）",
    )

    menu = command("wechat-menu", cmd_wechat_menu, "输出（或用 --set 设置）公众号的自定义菜单")
    menu.add_argument(
        "--set",
        action="store_true",
        help="调用微信接口设置菜单（需要 POLICYBOT_WECHAT_APPID 和 POLICYBOT_WECHAT_APPSECRET）",
    )

    admin = command("admin", cmd_admin, "管理后台账号（密码从终端或标准输入读取）")
    admin.add_argument("action", choices=("add-user", "list-users", "remove-user"))
    admin.add_argument("name", nargs="?", help="用户名")
    admin.add_argument("--role", choices=tuple(ROLES), default=REVIEWER, help="editor 或 reviewer")
    admin.add_argument("--reset", action="store_true", help="用户已存在时重设角色和密码")

    command("doctor", cmd_doctor, "检查令牌、知识库和交流记录是否就绪")
    healthy = command("health", cmd_health, "检查运行中的机器人是否存活（容器 HEALTHCHECK 用）")
    healthy.add_argument("--max-age", type=float, default=health.MAX_AGE, metavar="SECONDS")

    evaluation = command("eval", cmd_eval, "用评测集衡量回答质量")
    evaluation.add_argument("file", nargs="?", help="评测文件（默认 知识库/eval/dev.yaml）")
    evaluation.add_argument("--calibrate", action="store_true", help="在评测集上校准阈值")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except CommandError as exc:
        if args.log_format == "json":
            print(logs.fatal_line(f"policybot: {exc}"), file=sys.stderr)
        else:
            print(f"policybot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if args.log_format != "json":
            raise  # a person reading a terminal gets the usual traceback
        secret = os.environ.get("TELEGRAM_BOT_TOKEN", "")
        print(logs.fatal_line(f"policybot: {exc!r}", exc, secret), file=sys.stderr)
        return EXIT_CRASH
    except BrokenPipeError:  # `policybot ask --jsonl | head` closing early is not an error
        sys.stderr.close()
        return EXIT_OK
