"""What the admin console does, in the application layer: channels call this, never the layers
below. It holds who may do what (an editor changes knowledge, a reviewer reads the log and
triages gaps), records every knowledge change with its author, and makes the running service
serve a saved change at once instead of at the watcher's next look.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher

from bot.app import Service
from bot.authoring import editor
from bot.authoring.editor import Draft, EditRefused, Saved
from bot.authoring.exporter import export_xlsx
from bot.authoring.teach import TeachRefused, teach
from bot.engine.core import Answer
from bot.log.accounts import HASHER, Account, Accounts
from bot.log.changes import CREATED, DELETED, EDITED, REVERTED, TAUGHT, Change, Changes
from bot.log.gaps import Cluster, cluster, gap_exchanges
from bot.log.reports import gaps_csv, gaps_html
from bot.log.stats import Stats, stats
from bot.log.store import HELPFUL, UNHELPFUL, SQLiteStore, since_to_iso
from bot.log.triage import DONE, IGNORED, IN_PROGRESS, NEW, Triage

__all__ = ["Admin", "EditRefused", "Forbidden", "Gap", "TeachRefused"]


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
        week, fortnight = since_to_iso("7d"), since_to_iso("14d")
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
        with self.editing:
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
        with self.editing:
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
            saved = editor.save(self.knowledge, draft, original_id)
            self._applied(account, CREATED if original_id is None else EDITED, saved)
        return saved

    def revert(self, account: Account, change_id: int) -> Saved:
        """Put an entry back as it was before `change_id` (itself recorded as a change)."""
        self._editor(account)
        change = self.changes.get(change_id)
        if change is None:
            raise EditRefused({editor.GENERAL: [f"没有编号为 {change_id} 的修改记录"]})
        with self.editing:
            knowledge = self.knowledge
            current = change.after["id"] if change.after else change.entry_id
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

    # -- helpers --------------------------------------------------------------------------

    def _flush(self) -> None:
        """Exchanges the running channels have queued count too."""
        if self.service.log is not None:
            self.service.log.flush()

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
