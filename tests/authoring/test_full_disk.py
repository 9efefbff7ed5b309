"""`teach`, `import` and `ingest` at the terminal on a knowledge folder whose disk is full or
mounted read-only (probe16): each is one line saying why and which file, and the knowledge still
validates. A full disk had `import` leave a YAML file cut mid-character (the knowledge invalid,
so the next start failed) and `teach` and `ingest` a traceback and a cut-short file."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from bot.authoring.disk import write_whole
from bot.channels.cli import main
from bot.knowledge.model import check
from tests.support.paths import NOTICE


def fill_up(folder: Path, monkeypatch, code: int = errno.ENOSPC) -> None:
    """Writes into `folder` stop half-way with `code`, as a disk that fills up mid-file does
    (tests run as root, whom file modes do not stop, so the writes themselves play the disk)."""
    folder = folder.resolve()

    def cut(write):
        def cut_short(path, data, *args, **kwargs):
            if not path.resolve().is_relative_to(folder):
                return write(path, data, *args, **kwargs)
            if code == errno.ENOSPC:
                write(path, data[: len(data) // 2], *args, **kwargs)
            raise OSError(code, os.strerror(code), str(path))

        return cut_short

    monkeypatch.setattr(Path, "write_text", cut(Path.write_text))
    monkeypatch.setattr(Path, "write_bytes", cut(Path.write_bytes))


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_file_cut_short_leaves_the_old_one_and_no_scratch_file(tmp_path, monkeypatch):
    target = tmp_path / "a.yaml"
    target.write_text("old: 1\n", encoding="utf-8")
    fill_up(tmp_path, monkeypatch)
    with pytest.raises(OSError) as caught:
        write_whole(target, "new: 2\n" * 100)
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(target)  # not the scratch file, which nobody sees
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]
    assert target.read_text(encoding="utf-8") == "old: 1\n"


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "服务器磁盘已满"), (errno.EROFS, "知识库文件夹是只读的")],
    ids=["full", "read-only"],
)
@pytest.mark.parametrize("command", ["teach", "import", "ingest"])
def test_each_command_says_why_and_changes_nothing(
    command, code, words, knowledge_copy, tmp_path, monkeypatch, capsys
):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("question,answer\n冷库在哪里,冷库在通江路。\n", encoding="utf-8")
    arguments = {
        "teach": ["teach", "复工复产专窗在哪个口子", "fugong-zhuanchuang"],
        "import": ["import", str(sheet), "--into", str(knowledge_copy)],
        "ingest": ["ingest", str(NOTICE)],
    }[command]
    before = files(knowledge_copy)
    fill_up(knowledge_copy, monkeypatch, code)
    assert main(["--knowledge", str(knowledge_copy), *arguments]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert words in err and str(knowledge_copy) in err and "Traceback" not in err
    assert files(knowledge_copy) == before
    _, problems = check(knowledge_copy)
    assert not [p for p in problems if p.severity == "error"]
