from bot.text.kept import kept


def test_made_once_then_kept_until_the_bound_drops_them_all():
    made: list[str] = []

    def make(key: str):
        return lambda: made.append(key) or key.upper()

    store: dict[str, str] = {}
    assert kept(store, "a", make("a"), 2) == "A"
    assert kept(store, "a", make("a"), 2) == "A"
    assert kept(store, "b", make("b"), 2) == "B"
    assert made == ["a", "b"]
    assert kept(store, "c", make("c"), 2) == "C"  # full: dropped whole, then kept
    assert store == {"c": "C"}
    assert kept(store, "a", make("a"), 2) == "A" and made == ["a", "b", "c", "a"]
