"""The dev set's figures that tests hold the engine to (issue 12's targets are higher: 95% right,
0 wrong; docs/matching.md). Both tests that run dev read them here, so a floor moves in one place.

Dev grew on 2026-11-26 (55 long natural questions and 80 traps written from the article, to
measure what the tuning on the other sets had not reached): the engine that had 94.5% of the 307
had 92.8% of the 362 (90.3% at thresholds calibrated on the grown set), so the floor moved down
with the set, not with the engine; the things-asked-for check then brought it to 92.5% at its
calibrated thresholds (0.56 / 0.02 / 0.56), with out-of-scope answered 4.5% -> 1.9%. Reading the
message better (keywords are all asked, background words no entry uses weigh least, 在哪些 / 都有 /
咋整 foci, an enumerating answer gives a list, quoted terms stay in their clause, request words
carry nothing) then reached the target: 95.3% (345), 0 wrong, at the same thresholds. The
evening's 481 similar questions (knowledge5) and the fourth round's reading changes (quality4)
hold 96.7% (350), 0 wrong. The night's knowledge work (knowledge6) and the fifth round's rules
(quality5) hold 97.8% (354), 0 wrong, 0.7% out of scope answered; the floor keeps one question of
room (353). These guard what holds so a change cannot lose it unnoticed.
"""

DEV_RIGHT_FLOOR = 0.975  # 353 of 362
DEV_WRONG_CEILING = 0
DEV_OUT_OF_SCOPE_CEILING = 0.03
