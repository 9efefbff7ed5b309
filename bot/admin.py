"""What the admin console does, in the application layer: channels call this, never the layers
below. It holds who may do what (an editor changes knowledge, a reviewer reads the log and
triages gaps), records every knowledge change with its author, and makes the running service
serve a saved change at once instead of at the watcher's next look.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher

from bot.app import Service
from bot.authoring import editor
from bot.authoring.checks import fights, taken_over
from bot.authoring.disk import Busy, held
from bot.authoring.editor import Draft, EditRefused, Saved
from bot.authoring.exporter import export_xlsx
from bot.authoring.importer import ImportReport, import_faq
from bot.authoring.ingest import Ingested, IngestError, ingest
from bot.authoring.live import apply_copy, changed_on_disk, digests, writing
from bot.authoring.teach import TeachRefused, teach
from bot.engine.core import Answer
from bot.knowledge.files import slug
from bot.knowledge.model import check
from bot.log.accounts import HASHER, Account, Accounts
from bot.log.changes import (
    CREATED,
    DELETED,
    EDITED,
    FILE_ACTIONS,
    IMPORTED,
    INGESTED,
    REVERTED,
    TAUGHT,
    Change,
    Changes,
)
from bot.log.database import ago, since_to_iso
from bot.log.gaps import Cluster, cluster, gap_exchanges
from bot.log.reports import gaps_csv, gaps_html
from bot.log.stats import Stats, stats
from bot.log.store import HELPFUL, UNHELPFUL, SQLiteStore
from bot.log.triage import DONE, IGNORED, IN_PROGRESS, NEW, Triage

__all__ = ["Admin", "EditRefused", "Forbidden", "Gap", "TeachRefused"]

SHEETS = (".csv", ".txt", ".xlsx", ".xlsm", ".jsonl")  # what `policybot import` reads
DOCUMENTS = (".txt", ".md", ".markdown", ".html", ".htm")  # what `policybot ingest` reads


class Forbidden(Exception):
    """The account's role does not allow this action."""


@dataclass(frozen=True)
class Gap:
    """A cluster of unanswered questions and what reviewers decided about it."""

    key: str
    cluster: Cluster
    state: str
    by: str | None
    at: str | None
    recent: int = 0  # times asked in the last 7 days...
    earlier: int = 0  # ...and in the 7 days before: the trend


STALE_REVERT = "这个条目在这次修改之后又被修改过，撤销它会连后来的修改一起丢掉：请直接编辑条目"


def gap_key(item: Cluster) -> str:
    """Names a cluster in a form: its representative question, which only the log can change."""
    return hashlib.sha256(item.representative.encode()).hexdigest()[:12]


class Admin:
    def __init__(
        self,
        service: Service,
        database: Path | str,
        zone: dt.tzinfo = dt.UTC,
        hasher: PasswordHasher = HASHER,
    ) -> None:
        self.service = service
        self.database = Path(database)
        self.zone = zone
        self.accounts = Accounts(database, hasher)
        self.triage = Triage(database)
        self.changes = Changes(database)
        self.store = SQLiteStore(database)  # for reading; channels write through ExchangeLog
        # One knowledge change at a time: two editors saving the same file at once would
        # otherwise each write their version over the other's.
        self.editing = threading.Lock()

    def close(self) -> None:
        for part in (self.accounts, self.triage, self.changes, self.store):
            part.close()

    # -- reading --------------------------------------------------------------------------

    @property
    def knowledge(self):
        return self.service.engine.knowledge

    def test(self, question: str) -> Answer:
        """The answer a user would get, not recorded in the log (admins' tries are not traffic)."""
        return self.service.engine.answer(question)

    def draft(self, entry_id: str) -> Draft | None:
        entry = self.knowledge.by_id.get(entry_id)
        return Draft.of(entry) if entry else None

    def history(self, entry_id: str) -> list[Change]:
        return self.changes.of_entry(entry_id)

    def recent_changes(self, limit: int = 30) -> list[Change]:
        return self.changes.latest(limit)

    def gaps(self, since: str = "30d", states: tuple[str, ...] = (NEW, IN_PROGRESS)) -> list[Gap]:
        """The log's gap clusters in the given triage states, largest first."""
        start = since_to_iso(since)
        self._flush()
        exchanges = gap_exchanges(self.store, start)
        found = cluster(exchanges, self.service.engine)
        week, fortnight = ago(dt.timedelta(days=7)), ago(dt.timedelta(days=14))
        times: dict[str, list[str]] = defaultdict(list)
        for exchange in exchanges:
            times[exchange.question].append(exchange.at)
        result = []
        for item in found:
            state, by, at = self.triage.state_of(item.questions)
            if state in states:
                asked = [when for q in item.questions for when in times[q]]
                recent = sum(when >= week for when in asked)
                earlier = sum(fortnight <= when < week for when in asked)
                result.append(Gap(gap_key(item), item, state, by, at, recent, earlier))
        return result

    def dashboard(self, since: str = "30d") -> Stats:
        self._flush()
        return stats(self.store, since_to_iso(since), zone=self.zone)

    def votes(self, since: str = "30d") -> dict[str, Counter]:
        """👍 and 👎 per entry."""
        self._flush()
        per_entry: dict[str, Counter] = defaultdict(Counter)
        for item in self.store.feedback(since_to_iso(since)):
            if item.entry_id and item.kind in (HELPFUL, UNHELPFUL):
                per_entry[item.entry_id][item.kind] += 1
        return dict(per_entry)

    def gaps_csv(self, since: str = "30d") -> bytes:
        return gaps_csv([g.cluster for g in self.gaps(since)], self.zone)

    def gaps_html(self, since: str = "30d") -> str:
        title = f"{self.knowledge.texts.name}：问答缺口报告"
        clusters = [g.cluster for g in self.gaps(since)]
        return gaps_html(clusters, self.dashboard(since), title, f"最近 {since}", self.zone)

    def export(self) -> bytes:
        return export_xlsx(self.knowledge)

    # -- changing -------------------------------------------------------------------------

    def set_gap_state(self, account: Account, key: str, state: str, since: str = "30d") -> Gap:
        gap = self._gap(key, since)
        self.triage.set(gap.cluster.questions, state, account.name)
        return gap

    def teach(
        self,
        account: Account,
        question: str,
        entry_id: str,
        key: str | None = None,
        since: str = "30d",
    ) -> str:
        """Add a gap's question to an entry; the gap is then done. Returns the entry id."""
        self._editor(account)
        with self._changing(), writing(self.service.directory):
            taught = teach(self.knowledge, question, entry_id, self.service.engine)
            self._applied(
                account, TAUGHT, Saved(entry_id, taught.path, taught.before, taught.after)
            )
        if key:
            self.triage.set(self._gap(key, since).cluster.questions, DONE, account.name)
        return entry_id

    def save(
        self, account: Account, draft: Draft, original_id: str | None, base: str | None = None
    ) -> Saved:
        """Create (`original_id` None) or edit an entry. `base` is the fingerprint of the entry
        as the form showed it: a save over someone else's newer change is refused."""
        self._editor(account)
        with self._changing(), writing(self.service.directory):
            if original_id is not None and base:
                current = self.draft(original_id)
                if current is not None and current.fingerprint() != base:
                    raise EditRefused(
                        {
                            editor.GENERAL: [
                                "这个条目在您打开之后被别人修改过：请刷新页面，在最新版本上修改"
                            ]
                        }
                    )
            fought = fights(self.service.engine, draft, original_id)
            if fought:
                raise EditRefused(fought)
            saved = editor.save(self.knowledge, draft, original_id)
            self._applied(account, CREATED if original_id is None else EDITED, saved)
        return saved

    def revert(self, account: Account, change_id: int) -> Saved:
        """Put an entry back as it was before `change_id` (itself recorded as a change)."""
        self._editor(account)
        change = self.changes.get(change_id)
        if change is None:
            raise EditRefused({editor.GENERAL: [f"没有编号为 {change_id} 的修改记录"]})
        if change.action in FILE_ACTIONS:
            raise EditRefused({editor.GENERAL: ["导入和添加的文档不能一键撤销：请修改或重新导入"]})
        with self._changing(), writing(self.service.directory):
            knowledge = self.knowledge
            current = change.after["id"] if change.after else change.entry_id
            # Putting back `before` undoes whatever was changed since too (a later save, a
            # terminal's teach) without a word (probe18): only the entry as this change left it.
            now = knowledge.by_id.get(current)
            if (now and Draft.of(now).to_dict()) != change.after:
                raise EditRefused({editor.GENERAL: [STALE_REVERT]})
            if change.before is None:  # undoing a creation
                saved = editor.delete(knowledge, current)
            else:
                draft = Draft.from_dict(change.before)
                original = current if current in knowledge.by_id else None
                if original is None and draft.id in knowledge.by_id:
                    original = draft.id
                saved = editor.save(knowledge, draft, original)
            self._applied(account, DELETED if change.before is None else REVERTED, saved)
        return saved

    def import_sheet(self, account: Account, name: str, data: bytes) -> tuple[ImportReport, list]:
        """`policybot import` of an uploaded sheet into the served knowledge, all or nothing:
        returns the report and the files changed; `EditRefused` if the result would not
        validate (nothing is written then)."""
        self._editor(account)
        upload_name = _upload_name(name, SHEETS, "请上传 .csv、.txt、.xlsx 或 .jsonl 文件")
        with tempfile.TemporaryDirectory() as scratch:
            upload = Path(scratch) / upload_name
            upload.write_bytes(data)
            live = self.service.directory
            with self._changing(), _refused_on(ValueError, OSError, KeyError), writing(live):
                # ColumnsError, a bad encoding, a JSON line or a broken xlsx are ValueErrors.
                report, files = self._staged(lambda into: import_faq(upload, into))
                document = f"import-{slug(upload.stem)}"
                summary = {"summary": report.summary(), "files": files}
                if files:  # (a sheet with nothing to import changes nothing)
                    self.changes.record(
                        account.name, document, IMPORTED, ", ".join(files), None, summary
                    )
        return report, files

    def add_document(
        self,
        account: Account,
        name: str,
        data: bytes | None,
        url: str = "",
        title: str = "",
        publisher: str = "",
        date: str = "",
    ) -> tuple[Ingested, list]:
        """`policybot ingest` of an uploaded file (or a public URL) into the served knowledge,
        all or nothing, as `import_sheet`."""
        self._editor(account)
        with tempfile.TemporaryDirectory() as scratch:
            if url:
                source = url
            else:
                upload = Path(scratch) / _upload_name(
                    name, DOCUMENTS, "请上传 .txt、.md 或 .html 文件"
                )
                upload.write_bytes(data or b"")
                source = str(upload)
            with self._changing(), _refused_on(IngestError), writing(self.service.directory):
                done, files = self._staged(
                    lambda into: ingest(
                        source, into, title or None, publisher or None, date or None
                    )
                )
                after = {"title": done.title, "date": done.date, "files": files}
                self.changes.record(account.name, done.id, INGESTED, ", ".join(files), None, after)
        return done, files

    # -- helpers --------------------------------------------------------------------------

    def _staged(self, change: Callable[[Path], object]) -> tuple:
        """Run `change` on a scratch copy of the knowledge; if the copy validates, put the files
        it changed in place (each in one rename, as the editor does) and serve them now; if not,
        `EditRefused` with every error and the served files untouched. Returns what `change`
        returned and the changed files, relative to the knowledge directory."""
        live = self.service.directory
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "knowledge"
            shutil.copytree(live, copy, symlinks=True)
            before = digests(copy)
            result = change(copy)
            changed, problems = check(copy)
            errors = [p for p in problems if p.severity == "error"]
            if not errors and changed is not None:
                errors = taken_over(self.service.engine, changed)
            if errors:
                raise EditRefused(
                    {
                        editor.GENERAL: [
                            f"{_relative(p.path, copy)}:{p.line}: {p.message}" for p in errors
                        ]
                    }
                )
            files = apply_copy(copy, live, before)
        problems = self.service.reload()
        if problems:  # the files changed under us meanwhile
            raise EditRefused({editor.GENERAL: [str(p) for p in problems]})
        return result, files

    def _flush(self) -> None:
        """Exchanges the running channels have queued count too."""
        if self.service.log is not None:
            self.service.log.flush()

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """One knowledge change at a time, made on the knowledge as it is on disk. A change
        written there by another hand (`policybot teach`, an editor, `git pull`) is served
        only once the watcher has seen it and the new engine is built, and the console took
        the entry it changes, and the base a form is checked against, from the served one:
        its save wrote over that change without a word (probe16). The folder's lock keeps a
        terminal's `teach` or `import` from writing between that look and the save (probe18)."""
        with self.editing:
            try:
                with held(self.service.directory):
                    if changed_on_disk(self.service.directory, self.knowledge.version):
                        self.service.reload()  # if the disk's version has errors, the save names them
                    yield
            except Busy as exc:
                raise EditRefused({editor.GENERAL: [str(exc)]}) from exc

    def _editor(self, account: Account) -> None:
        if not account.can_edit:
            raise Forbidden("只有“编辑”角色可以修改知识库")

    def _gap(self, key: str, since: str) -> Gap:
        states = (NEW, IN_PROGRESS, DONE, IGNORED)
        for gap in self.gaps(since, states):
            if gap.key == key:
                return gap
        raise KeyError(key)

    def _applied(self, account: Account, action: str, saved: Saved) -> None:
        """Record the change and serve it now (the watcher would take up to its interval)."""
        file = str(saved.path.relative_to(self.service.directory))
        self.changes.record(account.name, saved.entry_id, action, file, saved.before, saved.after)
        problems = self.service.reload()
        if problems:  # cannot happen after editor's check, unless the files changed under us
            raise EditRefused({editor.GENERAL: [str(p) for p in problems]})


@contextmanager
def _refused_on(*kinds: type[Exception]):
    """The importers' own refusals as the console shows every refusal (the CLI prints them)."""
    try:
        yield
    except kinds as exc:
        raise EditRefused({editor.GENERAL: [str(exc)]}) from exc


def _upload_name(name: str, suffixes: tuple[str, ...], hint: str) -> str:
    """The uploaded file's own name, without any folder a browser or a client sent with it."""
    base = Path(name.replace("\\", "/")).name.strip()
    if not base or base.startswith(".") or Path(base).suffix.lower() not in suffixes:
        raise EditRefused({editor.GENERAL: [f"不支持的文件 “{name}”：{hint}"]})
    return base


def _relative(path: Path, directory: Path) -> str:
    return str(path.relative_to(directory)) if path.is_relative_to(directory) else str(path)
