"""Built engines kept on disk, so that a large knowledge base starts in seconds, not a minute.

Reading 100k entries of YAML and building their index takes most of a minute
(docs/benchmarks-log.md). A built engine is saved under the knowledge version (a hash of the
knowledge files), the knowledge folder's place and a fingerprint of this code, and the next
start with the same files in the same place and the same code loads it instead. A knowledge
base small enough to build in a moment is never cached.

The saved engine is a pickle, and unpickling runs whatever code the file names: anyone who could
put a file in the cache folder would run code as the bot. So each file carries a signature of
its contents under a key derived from the bot's secret salt (the one that keys user ids, kept
beside the log with mode 600 or given in POLICYBOT_SALT), and a file whose signature does not
check out is never unpickled: it is rebuilt, with a warning. The folder is created mode 700 and
the files mode 600. A format that cannot run code (arrays and JSON) was the alternative; the
engine holds NumPy arrays, compiled regexes and frozen dataclasses, and writing a loader for each
would be much more code than one checked signature.

The signature is a Poly1305 tag (OpenSSL's, through `cryptography`) under a key of the file's
own: HMAC-SHA256 of the cache key and a random nonce written in the file, as ChaCha20-Poly1305
makes one key per message. Poly1305 is a one-time authenticator: one message per key, which
this gives (a forger who copies a file's nonce knows that one file's tag under its key, and
Poly1305 is built to resist exactly that). It was chosen over an HMAC-SHA256 of the whole file
for speed: checking a 100k-entry engine's 375 MB took 0.27 s of CPU with HMAC-SHA256 (with the
CPU's SHA instructions) and 0.075 s with Poly1305, a tenth of a start with the cache
(docs/benchmarks.md).

The engine's NumPy arrays (~270 MB of a 100k-entry engine) are written beside the pickle, each
on a 64-byte boundary, and loaded as views of the mapped file rather than copied out of it
(pickle protocol 5's out-of-band buffers): at 100k entries, unpickling took 1.5 s of CPU with
the arrays inside the pickle and 0.8 s beside it (docs/benchmarks-log.md). The mapping is
copy-on-write, so the arrays stay writable as ever, a write changing only this process's copy;
the file is never rewritten in place (`save` replaces it whole), so a mapping always sees the
file it was made from.

The knowledge's entries are saved packed (bot.knowledge.packed): one block of bytes, each entry
made when first read. At 100k entries, making all of them on load was ~0.8 s of CPU, and a
process exit's collection and freeing of their million objects more (docs/benchmarks.md).

The engine is saved with its pinyin and initials tables (bot.engine.spelled), made by the
saver if not yet made: a server's start from the cache reads them (~0.15 s of CPU at 100k
entries) where it made them (3.3 s, every entry's texts read back). Saving is ~1.6 s of a 100k
cold start (pickling, signing and writing 375 MB), plus ~3.3 s making those tables. A command that
answers (`ask`, `run`, `serve`) leaves it to a forked child (`aside`), so the first answer does not
wait for it. The file is signed and written as it is pickled, never held whole (the child's own
memory at 100k entries, pages it writes or the bot no longer shares: 553 MB with the 65 MB
pickle held, 488 MB written as it goes, 417 MB with the build's freed memory handed back before
the fork; docs/benchmarks-log.md). Whoever saves writes a temporary `.part` file and renames it
over the final name: a start meanwhile finds no cache and builds, and a saver killed midway (the
bot stopped, the machine down) leaves only its `.part`, never read, which a later save removes
once it is `STALE` seconds old (a saver's `.part` exists only while it writes, for seconds).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import mmap
import os
import pickle
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.poly1305 import Poly1305

from bot.engine._forked import cores, fork_safe
from bot.engine.core import Engine
from bot.knowledge.bulk import give_back, paused_gc
from bot.knowledge.files import Snapshot
from bot.knowledge.model import load, snapshot_of
from bot.knowledge.packed import PackedEntries
from bot.text.privacy import secret_salt

log = logging.getLogger(__name__)

# Below this many bytes of knowledge files, building (well under a second) beats reading a cache.
SMALLEST = 2_000_000
# The format's name and version: 2 keeps the arrays beside the pickle (above), 3 the entries
# packed, 4 signs with Poly1305, 5 puts the table of arrays last, so the file is written as
# it is pickled.
_MAGIC = b"policybot-engine-5\n"
_NONCE = 32  # bytes of the nonce the file's own key is made from
_TAG = 16  # bytes of a Poly1305 tag
_START = len(_MAGIC) + _NONCE + _TAG
# After the magic, the nonce and the tag (of all that follows it): the pickle, the arrays, each
# array's place in the file and length, then the pickle's length and the arrays' count (8-byte
# little-endian integers).
_COUNTS = struct.Struct("<QQ")
_ALIGN = 64  # each array starts on a cache line, as NumPy's own allocations do
STALE = 3600.0  # seconds since a `.part` file was last written: its saver is gone
# Added to a saver's niceness where it shares one core with the bot it was forked by
# (`save_aside`): the kernel then gives the bot nearly all the core while both want it.
SAVER_NICENESS = 10


@dataclass(frozen=True)
class EngineCache:
    """Where built engines are kept, and the secret that signs them (read only when used)."""

    folder: Path
    secret: Callable[[], bytes]

    @classmethod
    def keyed_by_salt(
        cls, folder: Path | None, db: Path, env_salt: str | None
    ) -> EngineCache | None:
        """The cache in `folder` (None: no cache), signed with the salt of the log at `db`."""
        if folder is None:
            return None
        return cls(folder, lambda: secret_salt(db, env_salt))

    def key(self) -> bytes:
        # A key of its own, derived from the salt, so no HMAC made for user ids is ever valid here.
        return hmac.new(self.secret(), b"policybot engine cache", hashlib.sha256).digest()


def _file_key(key: bytes, nonce: bytes | memoryview) -> bytes:
    """The Poly1305 key of the one file with this nonce (above)."""
    return hmac.new(key, nonce, hashlib.sha256).digest()


def build_engine(
    directory: Path | Snapshot, cache: EngineCache | None, aside: bool = False, ready: bool = False
) -> Engine:
    """The engine for a knowledge directory: from the cache when it holds this version, else
    built (raising as `bot.knowledge.load` does) and saved there for next time (`aside`: by a
    forked child, `save_aside`). The knowledge is read once (a snapshot), so the version named
    is the version built. `ready`: readied to serve (`Engine.ready`), a built one before it is
    saved, so that a saver forked after it inherits the spelling tables rather than make them
    again (a 100k server's cold start made them twice: ~3.3 s of CPU each)."""
    snapshot = directory if isinstance(directory, Snapshot) else snapshot_of(Path(directory))
    with paused_gc():  # millions of objects that all stay (bot.knowledge.bulk)
        engine = _cached_or_built(snapshot, cache, save_aside if aside else save, ready)
    give_back()  # the build's (or the reading's) temporaries
    return engine


def _cached_or_built(
    snapshot: Snapshot,
    cache: EngineCache | None,
    saver: Callable[[Engine, EngineCache, bytes], None],
    ready: bool,
) -> Engine:
    if cache is None or snapshot.size < SMALLEST:
        return _readied(Engine(load(snapshot, lines=False)), ready)
    saved = cache.folder / _file_name(snapshot.version, snapshot.directory)
    key = cache.key()  # an unusable salt is the caller's error, not a damaged cache
    try:
        engine = _read(saved, key)
        log.info("engine for knowledge %s loaded from %s", engine.knowledge.version, saved)
        return _readied(engine, ready)
    except FileNotFoundError:
        pass
    except Exception as exc:  # damaged, cut short, unsigned, or written by other code: build anew
        log.warning("engine cache %s unreadable (%s); building the engine", saved, exc)
    engine = _readied(Engine(load(snapshot, lines=False)), ready)
    saver(engine, cache, key)
    return engine


def _readied(engine: Engine, ready: bool) -> Engine:
    if ready:
        engine.ready()
    return engine


def _file_name(version: str, directory: Path) -> str:
    # The engine holds its knowledge's folder and files' paths, which edits and reloads write
    # to: a copy of the same files elsewhere (staging and production) must not load an engine
    # that points back at the other folder, so the folder's place is part of the name.
    place = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:12]
    return f"engine-{version}-{place}-{code_fingerprint()}.pickle"


class UnsignedCache(Exception):
    """A cache file whose signature does not match: not written by this bot with this salt."""


def _read(saved: Path, key: bytes) -> Engine:
    # Mapped rather than read: the signature check reads the file in place, and the arrays
    # stay where they are (above). Copy-on-write (ACCESS_COPY): the engine may write to its
    # arrays; the file never changes.
    with saved.open("rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
    # No `with`: the engine's arrays are views of the mapping, which lives as long as they do.
    view = memoryview(data)
    head, nonce = view[: len(_MAGIC)], view[len(_MAGIC) : len(_MAGIC) + _NONCE]
    if head != _MAGIC or len(view) < _START + _COUNTS.size:
        raise UnsignedCache("not a cache file of this format; not unpickled")
    try:
        Poly1305.verify_tag(
            _file_key(key, nonce), view[_START:], bytes(view[_START - _TAG : _START])
        )
    except InvalidSignature:
        raise UnsignedCache("signature does not match; not unpickled") from None
    size, count = _COUNTS.unpack_from(data, len(data) - _COUNTS.size)
    places = struct.unpack_from(f"<{2 * count}Q", data, len(data) - _COUNTS.size - 16 * count)
    arrays = [view[at : at + length] for at, length in zip(places[::2], places[1::2], strict=True)]
    return _Unpickler(_Reader(data, _START, _START + size), buffers=arrays).load()


class _Reader:
    """The pickle inside the mapped file, read as a file a piece at a time. `io.BytesIO` of a
    view copies it whole first: 65 MB at 100k entries, 0.06-0.08 s of CPU with its page faults
    (docs/benchmarks.md)."""

    def __init__(self, data: mmap.mmap, start: int, end: int) -> None:
        self.data, self.place, self.end = data, start, end

    def read(self, size: int = -1) -> bytes:
        stop = self.end if size < 0 else min(self.place + size, self.end)
        piece = self.data[self.place : stop]
        self.place = max(self.place, stop)
        return piece

    def readline(self) -> bytes:
        newline = self.data.find(b"\n", self.place, self.end)
        return self.read(self.end - self.place if newline < 0 else newline + 1 - self.place)


class _Pickler(pickle.Pickler):
    """Pickles an engine with its knowledge's entries packed (bot.knowledge.packed): the
    knowledge's tuple of entries, the engine's list of them and the dict by id all stand for
    one `PackedEntries`, loaded in a moment, whose entries are unpickled when first read."""

    def __init__(self, file, engine: Engine, **options) -> None:
        super().__init__(file, **options)
        knowledge = engine.knowledge
        entries = PackedEntries.pack(knowledge.entries)
        self.packed = {
            id(knowledge.entries): ("entries", entries),
            id(knowledge.by_id): ("by_id", entries),
        }
        if len(engine.entries) == len(entries) and all(
            mine is theirs for mine, theirs in zip(engine.entries, knowledge.entries, strict=True)
        ):
            self.packed[id(engine.entries)] = ("entries", entries)

    def persistent_id(self, obj):
        return self.packed.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        kind, entries = pid
        return entries if kind == "entries" else entries.by_id


def save_aside(engine: Engine, cache: EngineCache, key: bytes) -> None:
    """`save`, by a forked child that this process does not wait for (a thread reaps it): here
    instead where forking is not safe (`fork_safe`: a serving process's reload, with its
    threads). The child's standard input and output are /dev/null, so whoever reads the
    command's output has it all when the command exits; its errors and warnings go where this
    process's do. On one core the child shares it with this process, niced (`SAVER_NICENESS`)
    so that the answer and the serving come first: saved in process there, the save (and for
    `ask` the spelling tables it makes: ~5 s of CPU at 100k entries) came before the answer."""
    if not fork_safe():
        save(engine, cache, key)
        return
    sharing = cores() == 1
    # The build's freed memory handed back before the fork, not after it (`build_engine`): a
    # freed page the child inherits stays in memory while it runs, the child's alone once this
    # process hands it back (the child's own peak at 100k 488 -> 417 MB).
    give_back()
    child = os.fork()
    if not child:
        code = 1
        try:
            nothing = os.open(os.devnull, os.O_RDWR)
            os.dup2(nothing, 0)
            os.dup2(nothing, 1)
            if sharing:
                os.nice(SAVER_NICENESS)
            save(engine, cache, key)
            code = 0
        except Exception:  # said here: the child leaves without returning to the caller's code
            log.exception("saving the engine cache in %s failed", cache.folder)
        finally:
            os._exit(code)
    threading.Thread(target=os.waitpid, args=(child, 0), name="cache saver", daemon=True).start()


def save(engine: Engine, cache: EngineCache, key: bytes) -> None:
    """Write the engine, signed, under its own version, replacing older ones; a failure only
    logs."""
    name = _file_name(engine.knowledge.version, engine.knowledge.directory)
    part = None
    try:
        cache.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _remove_stale(cache.folder)
        # The spelling tables (pickled with the engine: bot.engine.spelled) made first and what
        # making them freed handed back: made inside the pickle, beside the packed entries, they
        # raised a 100k saver's peak RSS 920 -> 1,045 MB.
        engine.spelling.tables()
        give_back()
        nonce = os.urandom(_NONCE)
        # NamedTemporaryFile creates its file with mode 600.
        with tempfile.NamedTemporaryFile(dir=cache.folder, suffix=".part", delete=False) as handle:
            part = Path(handle.name)
            handle.write(_MAGIC + nonce + bytes(_TAG))  # the tag's place, filled in at the end
            signed = _Signed(handle, Poly1305(_file_key(key, nonce)))
            arrays: list[pickle.PickleBuffer] = []
            _Pickler(signed, engine, protocol=5, buffer_callback=arrays.append).dump(engine)
            size = signed.written
            places = []
            for array in arrays:
                raw = array.raw()  # (contiguous: pickle sends no other out)
                signed.write(bytes(-(_START + signed.written) % _ALIGN))
                places += [_START + signed.written, raw.nbytes]
                signed.write(raw)
            signed.write(struct.pack(f"<{len(places)}Q", *places))
            signed.write(_COUNTS.pack(size, len(arrays)))
            handle.seek(_START - _TAG)
            handle.write(signed.tag.finalize())
        os.replace(part, cache.folder / name)  # readers see the whole file or none
        for old in cache.folder.glob("engine-*.pickle"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not save the engine cache in %s: %s", cache.folder, exc)
        if part is not None:
            part.unlink(missing_ok=True)


class _Signed:
    """The file after the header, as the pickler writes it: each piece signed as it goes, so
    that the pickle is never held whole (its 65 MB at 100k entries were the saver's own)."""

    def __init__(self, handle: IO[bytes], tag: Poly1305) -> None:
        self.handle, self.tag, self.written = handle, tag, 0

    def write(self, piece: bytes | memoryview) -> int:
        self.tag.update(piece)
        self.written += memoryview(piece).nbytes
        return self.handle.write(piece)


def _remove_stale(folder: Path) -> None:
    """The `.part` files of savers killed midway (never read: only a whole file is renamed to
    a name a start reads)."""
    for part in folder.glob("*.part"):
        try:
            if time.time() - part.stat().st_mtime > STALE:
                part.unlink()
        except OSError:  # renamed by its saver or removed by another save meanwhile
            pass


# The packages whose classes a saved engine holds (the engine's, the knowledge model's, the
# text tools'): a change to any of them may change what a pickle means.
_PICKLED_CODE = ("engine", "knowledge", "text")


@functools.cache
def code_fingerprint() -> str:
    """A hash of the source of the code a saved engine is made of: an engine pickled by other
    code (another knowledge model's entries as much as another index) is never loaded."""
    digest = hashlib.sha256()
    root = Path(__file__).parent.parent
    for package in _PICKLED_CODE:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
