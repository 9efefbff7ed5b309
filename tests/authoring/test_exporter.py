"""The XLSX export reads back with `policybot import`: same ids, questions, answers, phrasings."""

from __future__ import annotations

from bot.authoring.exporter import export_xlsx
from bot.authoring.importer import import_faq
from bot.knowledge.model import load


def test_export_imports_back(knowledge, tmp_path):
    sheet = tmp_path / "知识库.xlsx"
    sheet.write_bytes(export_xlsx(knowledge))
    import_faq(sheet, tmp_path / "copy")
    copy = load(tmp_path / "copy")
    assert set(copy.by_id) == set(knowledge.by_id)
    for entry in knowledge.entries:
        back = copy.by_id[entry.id]
        assert (back.question, back.answer.strip(), back.similar, back.category) == (
            entry.question,
            entry.answer.strip(),
            entry.similar,
            entry.category,
        )
        assert back.keywords == entry.keywords
