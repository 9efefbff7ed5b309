"""NumPy's huge-page switch, found in NumPy 2's place or NumPy 1's (bot.engine._pages)."""

from __future__ import annotations

import types

import pytest

from bot.engine import _pages


def _numpy(*places: str):
    """`importlib.import_module` as in a NumPy whose switch is in `places` (modules elsewhere
    missing, or there without it)."""

    def switch(enabled: bool) -> bool:
        return True

    def import_module(name: str) -> types.SimpleNamespace:
        if name == "numpy._core.multiarray" and "numpy._core.multiarray" not in places:
            raise ImportError(name)
        return types.SimpleNamespace(
            **({"_set_madvise_hugepage": switch} if name in places else {})
        )

    return import_module, switch


@pytest.mark.parametrize(
    "places", [("numpy._core.multiarray",), ("numpy.core.multiarray",), ()], ids=["2", "1", "none"]
)
def test_numpy_huge_page_switch_is_found_where_this_numpy_has_it(monkeypatch, places):
    import_module, switch = _numpy(*places)
    monkeypatch.setattr(_pages.importlib, "import_module", import_module)
    assert _pages._switch() is (switch if places else None)


def test_small_pages_changes_nothing_where_numpy_has_no_switch(monkeypatch):
    monkeypatch.setattr(_pages, "ADVISE", None)
    with _pages.small_pages():
        pass


def test_small_pages_sets_the_advice_back_as_it_was_also_after_an_error(monkeypatch):
    # (A reload's build that fails leaves a serving process answering: with the advice it had.)
    calls: list[bool] = []

    def switch(enabled: bool) -> bool:
        calls.append(enabled)
        return True

    monkeypatch.setattr(_pages, "ADVISE", switch)
    with pytest.raises(RuntimeError), _pages.small_pages():
        assert calls == [False]
        raise RuntimeError("the build failed")
    assert calls == [False, True]
