"""What counts as a knowledge file: regular files inside the knowledge directory, of bounded
size, read within bounded time. Links out of it, FIFOs, devices, huge files and alias bombs are
`file:line` problems, never read, never served, and never stop the bot."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from bot.app import CHANGED_WHILE_READING, Service
from bot.channels.cli import main
from bot.knowledge import files
from bot.knowledge.model import KnowledgeError, check, load, snapshot_of
from bot.knowledge.yamlfile import Problem
from bot.ops.watch import Watcher

SECRET = "TELEGRAM_BOT_TOKEN=123456:secret-that-must-never-be-quoted"


def finishes(call, seconds: float = 10.0):
    """`call()`'s result, failing (not hanging the suite) if it blocks."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"still running after {seconds} s"
    return result[0]


def errors_about(knowledge: Path, path: Path) -> list[str]:
    _, problems = finishes(lambda: check(knowledge))
    return [p.message for p in problems if p.severity == "error" and p.path == path]


async def told_after(service: Service, change) -> list:
    """The problem lists a watcher tells admins over three checks after `change()`."""
    told = []

    async def refused(problems):
        told.append(problems)

    watcher = Watcher(service, 0.01, refused)
    change()
    for _ in range(3):
        await watcher.check()
    return told


def add_document(knowledge: Path, name: str) -> Path:
    """A source document's metadata; returns where its text belongs."""
    (knowledge / "sources" / f"{name}.yaml").write_text(
        "title: 测试文档\ndate: 2023-01-01\n", encoding="utf-8"
    )
    return knowledge / "sources" / f"{name}.txt"


@pytest.mark.parametrize("target", ["outside", "/etc/passwd", "/proc/self/environ"])
def test_a_document_linked_from_outside_is_refused_and_never_quoted(
    knowledge_copy, tmp_path, target
):
    outside = tmp_path / "secret.txt"
    outside.write_text(SECRET, encoding="utf-8")
    text = add_document(knowledge_copy, "leak")
    text.symlink_to(outside if target == "outside" else target)
    messages = errors_about(knowledge_copy, text)
    assert messages and "知识库目录以外" in messages[0]
    with pytest.raises(KnowledgeError) as raised:
        load(knowledge_copy)
    assert SECRET not in str(raised.value) and "root:" not in str(raised.value)


def test_a_link_inside_the_knowledge_is_read(knowledge_copy):
    text = add_document(knowledge_copy, "alias")
    text.symlink_to(knowledge_copy / "sources" / "fuyuan-2022-05-26.txt")
    assert "alias" in load(knowledge_copy).documents


def test_a_fifo_is_refused_without_blocking(knowledge_copy):
    fifo = knowledge_copy / "faq" / "10-fifo.yaml"
    os.mkfifo(fifo)
    assert "不是普通文件" in errors_about(knowledge_copy, fifo)[0]


def test_a_device_is_refused(knowledge_copy):
    zero = add_document(knowledge_copy, "zero")
    zero.symlink_to("/dev/zero")
    assert errors_about(knowledge_copy, zero)


def test_a_file_over_the_size_cap_is_refused_unread(knowledge_copy):
    huge = add_document(knowledge_copy, "huge")
    with huge.open("wb") as handle:  # sparse: costs no disk, but stat says it is huge
        handle.truncate(files.MAX_FILE_BYTES + 1)
    started = time.monotonic()
    assert "文件太大" in errors_about(knowledge_copy, huge)[0]
    assert time.monotonic() - started < 5


def test_the_whole_knowledge_has_a_size_cap(knowledge_copy, monkeypatch):
    monkeypatch.setattr(files, "MAX_TOTAL_BYTES", 50_000)
    _, problems = check(knowledge_copy)
    assert any("文件太大" in p.message for p in problems)


def test_reading_has_a_deadline(knowledge_copy, monkeypatch):
    monkeypatch.setattr(files, "READ_SECONDS", -1.0)
    _, problems = check(knowledge_copy)
    assert any("读取超过" in p.message for p in problems)


def test_an_alias_bomb_is_refused_quickly(knowledge_copy):
    synonyms = knowledge_copy / "synonyms.yaml"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
    synonyms.write_text("\n".join([*lines, "groups: *i"]) + "\n", encoding="utf-8")
    started = time.monotonic()
    assert "别名" in errors_about(knowledge_copy, synonyms)[0]
    assert time.monotonic() - started < 5


def test_reused_blocks_are_still_allowed(knowledge_copy):
    texts = knowledge_copy / "bot.yaml"
    text = texts.read_text(encoding="utf-8").replace("help: |", "help: &help |", 1)
    text = "\n".join(
        "empty: *help" if line.startswith("empty:") else line for line in text.splitlines()
    )
    texts.write_text(text + "\n", encoding="utf-8")
    knowledge = load(knowledge_copy)
    assert knowledge.texts.empty == knowledge.texts.help


@pytest.mark.parametrize(
    "file, old, new, line",
    [
        ("synonyms.yaml", "  - [复工复产,", "  - [5, 复工复产,", 4),
        ("synonyms.yaml", "  - [复工复产,", "  - [[复工, 复产], 复工复产,", 4),
        ("synonyms.yaml", "  - [复工复产,", "  - 5\n  - [复工复产,", None),
        ("bot.yaml", "\nsmalltalk:", "\nsmalltalk: 5\nold_smalltalk:", None),
        (
            "faq/03-fugong-fuchan.yaml",
            "    question:",
            "    review_by: 2027-01-31 10:00:00\n    question:",
            None,
        ),
        ("synonyms.yaml", "groups:", "? [a, b]\n: 1\ngroups:", 3),
    ],
)
def test_malformed_knowledge_is_a_located_error_not_a_crash(knowledge_copy, file, old, new, line):
    path = knowledge_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, problems = check(knowledge_copy)
    errors = [p for p in problems if p.severity == "error" and p.path == path]
    assert errors, problems
    if line is not None:
        assert errors[0].line == line
    assert all(p.line >= 1 for p in errors)


@pytest.mark.parametrize("text", ["", "\n", "# 复工复产与服务窗口\n# 保存到一半\n"])
def test_an_empty_faq_file_is_an_error_not_a_category_gone(knowledge_copy, text):
    """A save cut short (a full disk, an editor killed) must not take a category out quietly."""
    faq = knowledge_copy / "faq" / "03-fugong-fuchan.yaml"
    faq.write_text(text, encoding="utf-8")
    assert any("问答文件是空的" in message for message in errors_about(knowledge_copy, faq))


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("10-new.yml", "10-new.yaml"),
        ("10-new.YAML", "10-new.yaml"),
        ("10-new.yaml.txt", "10-new.yaml"),
    ],
)
def test_a_faq_file_not_named_yaml_is_said_unread(knowledge_copy, name, suggested):
    """A category copied to `.yml`, `.YAML`, or saved by Notepad with the extensions hidden
    (`.yaml.txt`): its entries were left out and `validate` said 有效, 0 个警告 (probe20)."""
    faq = knowledge_copy / "faq"
    (faq / name).write_bytes((faq / "03-fugong-fuchan.yaml").read_bytes())
    (faq / "03-fugong-fuchan.yaml~").write_bytes(b"an editor's backup: no warning")
    _, problems = check(knowledge_copy)
    (warning,) = [p for p in problems if p.severity == "warning"]
    assert warning.path == faq / name and f"请改名为 {suggested}" in warning.message


async def test_an_emptied_faq_file_is_not_reloaded(knowledge_copy):
    service = Service.open(knowledge_copy)
    version = service.engine.knowledge.version
    faq = knowledge_copy / "faq" / "03-fugong-fuchan.yaml"
    told = await told_after(service, lambda: faq.write_text("", encoding="utf-8"))
    assert service.engine.knowledge.version == version and len(told) == 1
    assert service.engine.answer("复工复产去哪个窗口办理").entry_id == "fugong-zhuanchuang"


def _the_error_for(knowledge_copy, line: str) -> tuple[Problem, int]:
    """The one error `check` reports after 复工专窗's similar question is replaced by `line`,
    and the line number the question was on (where the error must point)."""
    faq = knowledge_copy / "faq" / "03-fugong-fuchan.yaml"
    text = faq.read_text(encoding="utf-8")
    old = "      - 复工复产专窗在哪\n"
    assert old in text
    faq.write_text(text.replace(old, line, 1), encoding="utf-8")
    _, problems = check(knowledge_copy)
    (error,) = [p for p in problems if p.severity == "error" and p.path == faq]
    return error, text[: text.index(old)].count("\n") + 1


def test_a_colon_inside_a_similar_question_says_so_where_it_is(knowledge_copy):
    error, line = _the_error_for(knowledge_copy, "      - 注意: 复工复产专窗在哪\n")
    assert "英文冒号" in error.message and "中文冒号" in error.message
    assert error.line == line


def test_an_unclosed_quote_is_reported_where_it_opens(knowledge_copy):
    # The parser runs on to the end of the file looking for the closing quote, and had been
    # reported there: 260 lines below the mistake, with libyaml's English words.
    error, line = _the_error_for(knowledge_copy, "      - '复工复产专窗在哪\n")
    assert "引号" in error.message and "end of stream" not in error.message
    assert error.line == line


@pytest.mark.parametrize("start", ["[置顶] ", "*急* ", "@", "!", "&急 ", "%", "|", '"复工"'])
def test_an_item_starting_with_a_yaml_sign_says_which_and_what_to_do(knowledge_copy, start):
    # 【置顶】 typed as [置顶], *急*, @某某: YAML reads the first sign as its own syntax, and the
    # message had been libyaml's ("did not find expected '-' indicator").
    error, line = _the_error_for(knowledge_copy, f"      - {start}复工复产专窗在哪\n")
    assert f"“{start[0]}”" in error.message and "引号" in error.message
    assert error.line == line


def test_a_full_width_indent_is_reported_on_its_own_line(knowledge_copy):
    error, line = _the_error_for(knowledge_copy, "\u3000\u3000\u3000- 复工复产专窗在哪\n")
    assert "全角空格" in error.message
    assert error.line == line


def test_a_paragraph_indent_in_an_answer_is_not_taken_for_the_mistake(knowledge_copy):
    """at the start of a paragraph of an answer written as a block is text, not an indent:
    a mistake further down is still reported where it is."""
    faq = knowledge_copy / "faq" / "03-fugong-fuchan.yaml"
    lines = faq.read_text(encoding="utf-8").split("\n")
    paragraph = lines.index("    answer: |") + 1
    lines[paragraph] = lines[paragraph].replace("      ", "      \u3000\u3000", 1)
    broken = max(n for n, line in enumerate(lines) if line.startswith("      - "))
    lines[broken] = '      - "没关上的引号'
    faq.write_text("\n".join(lines), encoding="utf-8")
    _, problems = check(knowledge_copy)
    (error,) = [p for p in problems if p.severity == "error" and p.path == faq]
    assert "全角空格" not in error.message and error.line > paragraph + 1


def test_a_text_that_is_not_utf8_is_located(knowledge_copy):
    text = add_document(knowledge_copy, "gbk")
    text.write_bytes("第一行\n营商环境".encode("gbk"))
    (problem,) = [p for p in check(knowledge_copy)[1] if p.path == text]
    assert "UTF-8" in problem.message and problem.line == 1


def test_a_directory_named_like_a_file_and_a_dangling_link_are_errors(knowledge_copy):
    folder = knowledge_copy / "faq" / "10-folder.yaml"
    folder.mkdir()
    dangling = knowledge_copy / "faq" / "11-gone.yaml"
    dangling.symlink_to(knowledge_copy / "faq" / "nothing-here.yaml")
    assert "目录" in errors_about(knowledge_copy, folder)[0]
    assert "不存在" in errors_about(knowledge_copy, dangling)[0]


def test_hidden_files_such_as_editor_locks_are_not_knowledge(knowledge_copy):
    (knowledge_copy / "faq" / ".#03-fugong-fuchan.yaml").symlink_to("user@host.1234")
    assert check(knowledge_copy)[0] is not None


def test_validate_reports_a_fifo_and_exits_1(knowledge_copy, capsys):
    os.mkfifo(knowledge_copy / "faq" / "10-fifo.yaml")
    code = finishes(lambda: main(["--knowledge", str(knowledge_copy), "validate"]))
    assert code == 1 and "10-fifo.yaml:1: error" in capsys.readouterr().out


def test_ask_refuses_to_start_on_a_fifo_instead_of_hanging(knowledge_copy, capsys):
    os.mkfifo(knowledge_copy / "faq" / "10-fifo.yaml")
    code = finishes(
        lambda: main(["--knowledge", str(knowledge_copy), "ask", "复工复产去哪个窗口办理"])
    )
    assert code == 2 and "10-fifo.yaml:1: error" in capsys.readouterr().err


async def test_a_refused_reload_keeps_the_old_knowledge_and_tells_admins(knowledge_copy):
    service = Service.open(knowledge_copy)
    version = service.engine.knowledge.version

    def break_it():
        os.mkfifo(knowledge_copy / "faq" / "10-fifo.yaml")
        add_document(knowledge_copy, "leak").symlink_to("/proc/self/environ")

    told = await told_after(service, break_it)
    assert service.engine.knowledge.version == version
    assert len(told) == 1
    assert {p.path.name for p in told[0]} >= {"10-fifo.yaml", "leak.txt"}
    assert service.engine.answer("复工复产去哪个窗口办理").entry_id == "fugong-zhuanchuang"


async def test_a_half_saved_file_is_never_served(knowledge_copy):
    """An editor that truncates and writes in two steps leaves a file that is valid YAML with
    only its first entries for a moment; that moment's version must never be served."""
    faq = knowledge_copy / "faq" / "03-fugong-fuchan.yaml"
    whole = faq.read_text(encoding="utf-8")
    cut = whole.index("\n  - id:", whole.index("\n  - id:") + 1)  # after the first entry
    service = Service.open(knowledge_copy)
    watcher = Watcher(service, 0.01)
    served = {service.engine.knowledge.version}

    faq.write_text(whole[:cut] + "\n", encoding="utf-8")  # the first write of the save
    await watcher.check()
    served.add(service.engine.knowledge.version)
    faq.write_text(whole.replace("专窗办理", "专窗办理事项"), encoding="utf-8")  # the rest
    for _ in range(3):
        await watcher.check()
        served.add(service.engine.knowledge.version)

    assert service.engine.knowledge.version == snapshot_of(knowledge_copy).version  # finished
    faq.write_text(whole[:cut] + "\n", encoding="utf-8")
    assert snapshot_of(knowledge_copy).version not in served


def test_files_changed_while_being_read_are_not_swapped_in(knowledge_copy, monkeypatch):
    service = Service.open(knowledge_copy)
    version = service.engine.knowledge.version
    faq = knowledge_copy / "faq" / "03-fugong-fuchan.yaml"

    def read_during_a_save(directory):
        snapshot = snapshot_of(directory)
        faq.write_text(faq.read_text(encoding="utf-8") + "\n# 还在保存\n", encoding="utf-8")
        return snapshot

    monkeypatch.setattr("bot.app.snapshot_of", read_during_a_save)
    assert [p.message for p in service.reload()] == [CHANGED_WHILE_READING]
    assert service.engine.knowledge.version == version
    monkeypatch.undo()
    assert service.reload() == [] and service.engine.knowledge.version != version
