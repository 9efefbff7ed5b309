"""Built engines kept on disk, so that a large knowledge base starts in seconds, not a minute.

Reading 100k entries of YAML and building their index takes most of a minute
(docs/benchmarks.md). A built engine is saved under the knowledge version (a hash of the
knowledge files) and a fingerprint of this code, and the next start with the same files and
the same code loads it instead. A knowledge base small enough to build in a moment is never
cached. The cache is a pickle: it must live where only the bot's own user can write, like the
exchange log beside it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

from bot.engine.core import Engine
from bot.knowledge.model import knowledge_files, load, version_of

log = logging.getLogger(__name__)

# Below this many bytes of knowledge files, building (well under a second) beats reading a cache.
SMALLEST = 2_000_000


def build_engine(directory: Path, folder: Path | None) -> Engine:
    """The engine for a knowledge directory: from `folder` when it holds this version, else
    built (raising as `bot.knowledge.load` does) and saved there for next time."""
    size = sum(path.stat().st_size for path in knowledge_files(directory))
    if folder is None or size < SMALLEST:
        return Engine(load(directory))
    saved = folder / f"engine-{version_of(directory)}-{code_fingerprint()}.pickle"
    try:
        with saved.open("rb") as handle:
            engine = pickle.load(handle)
        log.info("engine for knowledge %s loaded from %s", engine.knowledge.version, saved)
        return engine
    except FileNotFoundError:
        pass
    except Exception as exc:  # damaged, cut short, or written by other code: build anew
        log.warning("engine cache %s unreadable (%s); building the engine", saved, exc)
    engine = Engine(load(directory))
    save(engine, folder)
    return engine


def save(engine: Engine, folder: Path) -> None:
    """Write the engine under its own version, replacing older ones; a failure only logs."""
    name = f"engine-{engine.knowledge.version}-{code_fingerprint()}.pickle"
    part = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as handle:
            part = Path(handle.name)
            pickle.dump(engine, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(part, folder / name)  # readers see the whole file or none
        for old in folder.glob("engine-*.pickle"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not save the engine cache in %s: %s", folder, exc)
        if part is not None:
            part.unlink(missing_ok=True)


@cache
def code_fingerprint() -> str:
    """A hash of this package's source: an engine pickled by other code is never loaded."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
