"""Helpers the tests share: paths, the Bot API stand-in, built updates, file edits, FAQ rows.

Test modules import from here and never from each other, so moving or deleting one test file
cannot break another.
"""
