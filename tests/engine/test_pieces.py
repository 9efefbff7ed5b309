"""An entry's covered text kept as pieces (bot.engine._pieces): the same verdicts as searching
it, made while there is room, not saved."""

from __future__ import annotations

import pickle

from bot.engine import _pieces
from bot.engine._pieces import PIECE, findable, pieces
from bot.engine.features import spoken


def test_an_entrys_pieces_find_afindable_word_exactly_as_a_search_of_its_text_does(engine):
    # `pieces` turns the checks' substring searches into set lookups (a speed change): for
    # every word `findable` admits, the lookups must say what the searches say, in every entry.
    words = {"门票", "房价", "会长", "招人", "2021", "3", "app", "黑瞎子岛", "办事不求人", "\0"}
    every = [covered for _, covered, _ in engine.descriptions]
    for spelled, _ in every[:20]:  # and pieces of the entries' own text, every length
        words |= {spelled[n : n + size] for size in range(1, PIECE + 2) for n in range(0, 60, 7)}
    for covered in every:
        letters, sounds = pieces(covered)
        spelled, heard = covered
        for word in words:
            for sound in (f" {spoken(word)} ", "\0", " ", f"{spoken(word)} "):
                if findable(word, sound):
                    assert (word in letters) == (word in spelled), word
                    assert (sound in sounds) == (sound in heard), sound
    assert not findable("办事不求人", " ban shi bu qiu ren ") and findable("门票", " men piao ")
    assert not findable("门票", "\0") and not findable("门票", "men piao ")


def test_pieces_are_made_while_there_is_room_and_not_saved():
    kept = _pieces.Pieces(2)
    kept.room = 10
    covered = ("黑瞎子岛门票", " hei xia zi dao men piao ")
    for _ in range(_pieces.PIECES_AFTER - 1):  # the checks search the text till then
        assert kept(0, covered) is None
    first = kept(0, covered)
    assert first is not None and kept(0, ("", "")) is first and kept.room < 0
    for _ in range(_pieces.PIECES_AFTER + 1):  # no room left: the checks search the text
        assert kept(1, ("门票", " men piao ")) is None
    loaded = pickle.loads(pickle.dumps(kept))
    assert loaded.made == {} and loaded.checked == bytearray(2)
    assert loaded.room == _pieces.PIECES_KEPT


def test_pieces_are_all_made_at_once_only_when_they_surely_fit():
    covered = [("黑瞎子岛门票", " hei xia zi dao men piao "), ("门票", " men piao ")]
    kept = _pieces.Pieces(2)
    kept.make_all(covered)  # (a server, before it answers: `Engine.ready`)
    assert kept.made == {0: pieces(covered[0]), 1: pieces(covered[1])}
    assert kept.room == _pieces.PIECES_KEPT - sum(len(a) + len(b) for a, b in kept.made.values())
    # At most PIECE pieces a character and a space of the sounds: 4 x (6 + 7 + 2 + 3) = 72 here.
    tight = _pieces.Pieces(2)
    tight.room = 71
    tight.make_all(covered)
    assert tight.made == {} and tight.room == 71  # made as checked, while there is room
    # Those made as checked already are kept, and only the others must fit: 4 x (2 + 3).
    for _ in range(_pieces.PIECES_AFTER):
        tight(0, covered[0])
    room = tight.room = 20
    tight.make_all(covered)
    assert tight.made == {0: pieces(covered[0]), 1: pieces(covered[1])}
    assert tight.room == room - len(pieces(covered[1])[0]) - len(pieces(covered[1])[1])
