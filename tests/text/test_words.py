"""The segmenter's start-up (bot.text.words)."""

from __future__ import annotations

import time

from bot.text import words


def test_loading_also_readies_the_tagger_for_words_the_dictionary_lacks():
    # rjieba loads the model it tags unknown words with on first use (35-55 ms of CPU); `load`
    # pays for it so that no answer does. A word the dictionary lacks, tagged after loading,
    # costs well under a millisecond: CPU time, so the machine's load does not move it.
    words.load()
    started = time.thread_time()
    assert words._jieba().tag("嘎达", True)  # (not `part_of_speech`: its cache would hide it)
    assert time.thread_time() - started < 0.01
