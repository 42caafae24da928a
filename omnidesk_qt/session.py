"""The operator's session as Qt sees it: gateway events become signals, user intents become
commands. Runs on the qasync event loop; nothing here blocks the UI thread: the outbox's disk
work goes to one helper thread of its own, so a burst of commands neither queues behind other
background work nor has several threads taking the GIL from the UI thread at once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from omnidesk_qt.canned import Canned, CannedIndex
from omnidesk_qt.client import (
    Backoff,
    CommandError,
    ConnState,
    Credentials,
    GatewayClient,
    NotConnected,
)
from omnidesk_qt.outbox import Outbox, OutboxEntry
from omnidesk_qt.replies import PendingReplies
from omnidesk_qt.uploads import FileTransfers, downloads_dir
from services.protocol.commands import MUTATING
from services.protocol.events import EventName, LiveName

log = logging.getLogger(__name__)
T = TypeVar("T")

# Commands that change something go through the outbox with an idempotency key: the
# protocol's command table says which.
QUEUED_COMMANDS = MUTATING
# Refusals that will not change by trying again: the entry leaves the outbox as failed.
FINAL_CODES = {
    "invalid_args",
    "forbidden",
    "not_found",
    "conflict",
    "no_capacity",
    "channel_unavailable",
    "unknown_command",
    "missing_idempotency_key",
}


# Queue changes handed to the window at once; the rest of a big frame follow in later turns.
QUEUE_CHUNK = 25


class Session(QObject):
    connectionChanged = Signal(str, str)  # state, detail
    signedIn = Signal(dict)  # operator
    authFailed = Signal(str)  # error code
    snapshotLoaded = Signal(dict)
    conversationChanged = Signal(dict)
    offerReceived = Signal(dict, dict)  # conversation, customer
    offerWithdrawn = Signal(int, str)  # conversation id, reason
    queueChanged = Signal(dict, dict)  # conversation, customer: it entered, moved in or left
    timelineItem = Signal(dict)
    deliveryChanged = Signal(int, str)  # timeline event id, delivery state
    # A message that failed for good: event id, why, the other channels that reach the
    # customer ([{channel, address, claimed}]).
    deliveryFailed = Signal(int, str, list)
    presenceChanged = Signal(str, str)  # presence, since (ISO)
    presenceForced = Signal(str, str)  # presence, why the gateway changed it ("missed_offers")
    customerOpened = Signal(dict)  # the customer card
    timelinePage = Signal(int, dict)  # customer id, page
    searchResults = Signal(str, list)  # query, customers
    hintsChanged = Signal(int, list)  # customer id, hints
    commandFailed = Signal(str, str, str, str)  # command, code, message, outbox key ("": a read)
    commandDone = Signal(str, str, dict)  # command, idempotency key, result
    localQueued = Signal(str, str, dict)  # command, key, args: shown before the gateway answers
    outboxChanged = Signal(int)  # commands waiting

    def __init__(
        self,
        url: str,
        credentials: Credentials,
        outbox: Outbox,
        parent: QObject | None = None,
        *,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(parent)
        self.outbox = outbox
        self.client = GatewayClient(
            url,
            credentials,
            on_event=self._on_event,
            on_state=self._on_state,
            on_auth=self._on_online,
            backoff=backoff,
        )
        self.operator: dict[str, Any] = {}
        self._flushing: asyncio.Task[None] | None = None
        self._flush_again = False
        self._flush_running = False
        self._tasks: set[asyncio.Task[Any]] = set()
        # The loop the session runs on, taken when it starts: qasync's run_until_complete ends
        # with one more turn of Qt's events in which there is no *running* loop, and a task step
        # taken then must still find it.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped = False
        self._disk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")
        self._report_dirty = False
        self._reporting = False
        self._handlers = self._event_table()
        # Canned responses the operator may use, and the versions they were read at.
        self.canned = CannedIndex()
        self._canned_versions: dict[str, int | None] = {"team": None, "personal": None}
        self._canned_by_id: dict[int, Canned] = {}
        # The operator's replies on their way, for the feed to show before the gateway answers.
        self.replies = PendingReplies(lambda: str(self.operator.get("display_name") or ""), self)
        self.replies.follow(self.localQueued, self.commandDone, self.commandFailed)
        self._unknown_events: set[str] = set()
        # Files over the HTTP side, with this session's token (docs/protocol.md §8).
        self.files = FileTransfers(
            lambda: (self.client.http_url, self.client.credentials.token), self._spawn, self
        )

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.client.start()
        self._spawn(self._io(self.outbox.prune))
        self._report_outbox()

    async def sign_out(self) -> bool:
        """Ask the gateway to end this session (``auth.logout`` revokes the token and closes
        the socket, which the client reports as signed out); False when it cannot be asked."""
        try:
            await self.client.call("auth.logout", {})
        except (NotConnected, TimeoutError, CommandError):
            return False
        return True

    async def stop(self) -> None:
        self._stopped = True
        await self.client.stop()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.files.shutdown()

    @property
    def state(self) -> str:
        return str(self.client.state)

    async def _io(self, fn: Callable[..., T], *args: Any) -> T:
        """Run outbox disk work on its helper thread."""
        loop = self._loop or asyncio.get_running_loop()
        return await asyncio.wrap_future(self._disk.submit(fn, *args), loop=loop)

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        return self._loop or asyncio.get_event_loop()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        if self._stopped:
            coro.close()  # nothing new starts once the session is stopping
            return
        task = self._event_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_state(self, state: ConnState, detail: str) -> None:
        self.connectionChanged.emit(str(state), detail)
        if state == ConnState.AUTH_FAILED:
            self.operator = {}  # signed out: the next sign-in is announced as a new one
            self.authFailed.emit(detail)

    async def _on_online(self, operator: dict[str, Any]) -> None:
        first = not self.operator
        self.operator = operator
        if first:
            self.signedIn.emit(operator)
        if self.client.resume_result != "resumed":
            await self.reload()
        else:
            # Resumed: the events are whole, but the queue is not in them (live frames are not
            # kept); what changed in it while the desktop was away comes with a snapshot.
            self._spawn(self.reload())
        self._spawn(self.load_canned())  # changes while away came as live frames: not kept
        self._flush_soon()

    # -- canned responses -----------------------------------------------------------------------
    async def load_canned(self) -> None:
        """Read the canned responses (page by page) unless the cached versions are current."""
        responses: list[Canned] = []
        after: int | None = None
        try:
            while True:
                args: dict[str, Any] = {
                    "team_version": self._canned_versions["team"],
                    "personal_version": self._canned_versions["personal"],
                }
                if after is not None:
                    args["after"] = after
                page = await self.client.call("canned.list", args)
                if page.get("unchanged"):
                    return
                responses += [Canned.of(r) for r in page.get("responses") or []]
                after = page.get("cursor")
                if not after:
                    break
        except (NotConnected, CommandError, TimeoutError) as exc:
            log.info("canned responses not read: %s", exc)
            return
        self._canned_versions = {
            "team": page.get("team_version"),
            "personal": page.get("personal_version"),
        }
        self._canned_by_id = {r.id: r for r in responses}
        self.canned.replace(responses)
        self.cannedChanged.emit()

    def _canned_changed(self, data: dict[str, Any]) -> None:
        """One response changed: applied when it follows the version held, else all are read
        again (a frame was missed, or they changed elsewhere)."""
        scope = str(data.get("scope") or "")
        version = data.get("version")
        held = self._canned_versions.get(scope)
        raw = data.get("response")
        change = data.get("change")
        if (
            isinstance(raw, dict)
            and isinstance(version, int)
            and held is not None
            and version == held + 1
            and change in ("created", "updated", "deleted")
        ):
            response = Canned.of(raw)
            if change == "deleted":
                self._canned_by_id.pop(response.id, None)
            else:
                self._canned_by_id[response.id] = response
            self._canned_versions[scope] = version
            self.canned.replace(self._canned_by_id.values())
            self.cannedChanged.emit()
            return
        self._canned_versions[scope] = None  # read them afresh
        self._spawn(self.load_canned())

    async def reload(self) -> None:
        try:
            snap = await self.client.call("state.snapshot")
        except (NotConnected, CommandError, TimeoutError) as exc:
            log.info("snapshot failed: %s", exc)
            return
        self.snapshotLoaded.emit(snap)

    # -- events ---------------------------------------------------------------------------------
    def _event_table(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        """What each event the gateway sends does: one handler per name of the protocol's
        event tables (services.protocol.events)."""
        return {
            EventName.CONVERSATION_OFFERED: self._offered,
            EventName.CONVERSATION_OFFER_WITHDRAWN: self._offer_withdrawn,
            EventName.CONVERSATION_UPDATED: self._conversation_updated,
            EventName.TIMELINE_ITEM: self._timeline_item,
            EventName.MESSAGE_DELIVERY: self._delivery,
            EventName.PRESENCE_CHANGED: self._presence,
            EventName.HINTS_UPDATED: self._hints,
            EventName.CUSTOMER_UPDATED: lambda data: self.customerUpdated.emit(data),
            LiveName.QUEUE_UPDATED: self._queue_updated,
            LiveName.CANNED_CHANGED: self._canned_changed,
            # Too many queue changes at once for a slow reader: read the queue afresh.
            LiveName.QUEUE_RESYNC: lambda _data: self._spawn(self.reload()),
        }

    def _on_event(self, name: str, data: dict[str, Any], seq: int) -> None:
        handler = self._handlers.get(name)
        if handler is not None:
            handler(data)
        elif name not in self._unknown_events:
            # A newer gateway may send more than this desktop knows: say so once, not per event.
            self._unknown_events.add(name)
            log.debug("unhandled event %s", name)

    def _offered(self, data: dict[str, Any]) -> None:
        self.offerReceived.emit(data["conversation"], data.get("customer", {}))
        self.conversationChanged.emit(data["conversation"])

    def _offer_withdrawn(self, data: dict[str, Any]) -> None:
        self.offerWithdrawn.emit(int(data["conversation"]["id"]), data.get("reason", ""))
        self.conversationChanged.emit(data["conversation"])

    def _timeline_item(self, data: dict[str, Any]) -> None:
        self.timelineItem.emit(data["item"])
        if "conversation" in data:  # the message changed the reply its conversation owes
            self._conversation_updated({"conversation": data["conversation"]})

    def _conversation_updated(self, data: dict[str, Any]) -> None:
        self.conversationChanged.emit(data["conversation"])
        if data.get("woken"):
            self.conversationWoken.emit(data["conversation"], str(data["woken"]))

    def _delivery(self, data: dict[str, Any]) -> None:
        self.deliveryChanged.emit(int(data["event_id"]), data["delivery"])
        if data["delivery"] == "failed":
            self.deliveryFailed.emit(
                int(data["event_id"]),
                str(data.get("error") or ""),
                list(data.get("alternatives") or []),
            )

    def _presence(self, data: dict[str, Any]) -> None:
        self.presenceChanged.emit(data["presence"], data.get("since", ""))
        if data.get("reason"):
            self.presenceForced.emit(data["presence"], str(data["reason"]))

    def _hints(self, data: dict[str, Any]) -> None:
        self.hintsChanged.emit(int(data["customer_id"]), list(data.get("hints", [])))

    def _queue_updated(self, data: dict[str, Any]) -> None:
        # The queue's changes of a short window, oldest first. A big window (the opening burst
        # of a busy day) is handed on a few at a time, so the window paints in between; each
        # view carries its version, so a later event applied first is never undone.
        self._emit_queue(list(data.get("items", ())))

    def _emit_queue(self, items: list[dict[str, Any]]) -> None:
        for item in items[:QUEUE_CHUNK]:
            self.queueChanged.emit(item["conversation"], item.get("customer", {}))
        rest = items[QUEUE_CHUNK:]
        if rest:
            self._event_loop().call_soon(self._emit_queue, rest)

    # -- commands through the outbox ------------------------------------------------------------
    def command(self, name: str, args: dict[str, Any]) -> None:
        """Queue a command that changes something; it is sent now or after reconnecting."""
        self._spawn(self._enqueue(name, args))

    async def _enqueue(self, name: str, args: dict[str, Any]) -> None:
        entry: OutboxEntry = await self._io(self.outbox.add, name, args)
        self.localQueued.emit(name, entry.key, args)
        self._report_outbox()
        self._flush_soon()

    def _flush_soon(self) -> None:
        if self._flush_running:
            self._flush_again = True  # the running round re-reads the outbox before it ends
            return
        self._flush_running = True
        self._flushing = self._event_loop().create_task(self._flush())

    async def _flush(self) -> None:
        try:
            while self.client.online:
                self._flush_again = False
                entries = await self._io(self.outbox.pending)
                if not entries:
                    if self._flush_again:
                        continue  # something was queued while we looked
                    break  # no await between here and the flag: nothing can slip in
                for entry in entries:
                    outcome = await self._send(entry)
                    if outcome == "offline":
                        return  # the rest waits for the next connection, in order
                    if outcome == "later":
                        await asyncio.sleep(1.0)  # rate limited or a passing error
                        break
        finally:
            self._flush_running = False
        self._report_outbox()

    async def _send(self, entry: OutboxEntry) -> str:
        """ "done", "offline" (try after reconnecting) or "later" (try again soon)."""
        await self._io(self.outbox.attempt, entry.key)
        try:
            result = await self.client.call(entry.name, entry.args, key=entry.key)
        except (NotConnected, TimeoutError):
            return "offline"
        except CommandError as exc:
            if exc.code not in FINAL_CODES:
                return "later"
            await self._io(self.outbox.failed, entry.key, f"{exc.code}: {exc.message}")
            self.commandFailed.emit(entry.name, exc.code, exc.message, entry.key)
            self._report_outbox()
            return "done"
        await self._io(self.outbox.done, entry.key, result)
        self.commandDone.emit(entry.name, entry.key, result)
        self._report_outbox()
        return "done"

    def _report_outbox(self) -> None:
        """Tell the window how many commands wait. A burst of changes costs one or two counts,
        and the last count is always taken after the last change."""
        self._report_dirty = True
        if not self._reporting:
            self._reporting = True
            self._spawn(self._report_loop())

    async def _report_loop(self) -> None:
        try:
            while self._report_dirty:
                self._report_dirty = False
                self.outboxChanged.emit(await self._io(self.outbox.count_pending))
        finally:
            self._reporting = False

    # -- reads (online only) --------------------------------------------------------------------
    def open_customer(self, customer_id: int) -> None:
        self._spawn(
            self._read(
                "customer.open",
                {"customer_id": customer_id},
                lambda d: self._opened(customer_id, d),
            )
        )

    def _opened(self, customer_id: int, card: dict[str, Any]) -> None:
        self.customerOpened.emit(card)
        if "hints" in card:
            self.hintsChanged.emit(customer_id, list(card["hints"]))

    def load_older(self, customer_id: int, before: int | None, limit: int = 50) -> None:
        self._spawn(
            self._read(
                "timeline.page",
                {"customer_id": customer_id, "before": before, "limit": limit},
                lambda d: self.timelinePage.emit(customer_id, d),
            )
        )

    def search(self, query: str) -> None:
        self._spawn(
            self._read(
                "customer.search",
                {"query": query},
                lambda d: self.searchResults.emit(query, d["customers"]),
            )
        )

    async def _read(self, name: str, args: dict[str, Any], done: Any) -> None:
        try:
            data = await self.client.call(name, args)
        except NotConnected:
            self.commandFailed.emit(name, "offline", "the gateway is not reachable", "")
            return
        except CommandError as exc:
            self.commandFailed.emit(name, exc.code, exc.message, "")
            return
        except TimeoutError:
            self.commandFailed.emit(name, "timeout", "the gateway did not answer in time", "")
            return
        done(data)

    # -- intents --------------------------------------------------------------------------------
    def set_presence(self, status: str) -> None:
        self.command("presence.set", {"status": status})

    def accept(self, conversation_id: int) -> None:
        self.command("conversation.accept", {"conversation_id": conversation_id})

    def decline(self, conversation_id: int) -> None:
        self.command("conversation.decline", {"conversation_id": conversation_id})

    def hold(self, conversation_id: int) -> None:
        self.command("conversation.hold", {"conversation_id": conversation_id})

    def resume(self, conversation_id: int) -> None:
        self.command("conversation.resume", {"conversation_id": conversation_id})

    def end(self, conversation_id: int) -> None:
        self.command("conversation.end", {"conversation_id": conversation_id})

    def send_message(
        self,
        customer_id: int,
        channel: str,
        text: str,
        conversation_id: int | None = None,
        subject: str = "",
        attachments: list[int] | None = None,
        template: dict[str, Any] | None = None,
    ) -> None:
        args: dict[str, Any] = {"customer_id": customer_id, "channel": channel, "text": text}
        if template is not None:
            args["template"] = template
        if conversation_id is not None:
            args["conversation_id"] = conversation_id
        if subject:
            args["subject"] = subject
        if attachments:
            args["attachments"] = list(attachments)
        self.command("message.send", args)

    # -- files ----------------------------------------------------------------------------------
    def upload(self, customer_id: int, path: Path) -> str:
        """Upload a file for a message to the customer; its ref names the outcome in
        ``files.uploadDone`` / ``files.uploadFailed``."""
        return self.files.upload(customer_id, path)

    def download(self, attachment: dict[str, Any], dest_dir: Path | None = None) -> None:
        """Save a message's file in the user's private folder (``files.downloadDone``)."""
        if dest_dir is None:
            dest_dir = downloads_dir(
                str(self.operator.get("username") or self.operator.get("id") or "")
            )
        self.files.download(attachment, dest_dir)

    def add_note(self, customer_id: int, text: str, conversation_id: int | None = None) -> None:
        args: dict[str, Any] = {"customer_id": customer_id, "text": text}
        if conversation_id is not None:
            args["conversation_id"] = conversation_id
        self.command("note.add", args)

    def transfer(
        self,
        conversation_id: int,
        *,
        operator_id: int | None = None,
        queue: str | None = None,
        note: str = "",
    ) -> None:
        args: dict[str, Any] = {"conversation_id": conversation_id, "note": note}
        if operator_id is not None:
            args["to_operator_id"] = operator_id
        if queue is not None:
            args["to_queue"] = queue
        self.command("conversation.transfer", args)

    def wrap_up(
        self, conversation_id: int, disposition: str, resolution: str = "", resolved: bool = True
    ) -> None:
        self.command(
            "conversation.wrap_up",
            {
                "conversation_id": conversation_id,
                "disposition": disposition,
                "resolution": resolution,
                "resolved": resolved,
            },
        )

    def respond_hint(self, hint_id: str, outcome: str, customer_id: int) -> None:
        self.command(
            "hint.respond", {"hint_id": hint_id, "outcome": outcome, "customer_id": customer_id}
        )

    # -- the customer's details, orders, writing first ------------------------------------------
    customerUpdated = Signal(dict)  # {customer, identities}: a customer's details changed
    cannedChanged = Signal()  # the canned responses (session.canned) changed
    orderLoaded = Signal(int, dict)  # customer id, the order (order.get)

    def command_keyed(self, name: str, args: dict[str, Any]) -> str:
        """Queue a command as :meth:`command` does and return its idempotency key, by which
        ``commandDone`` and ``commandFailed`` name its answer."""
        key = uuid.uuid4().hex
        self._spawn(self._enqueue_keyed(name, args, key))
        return key

    async def _enqueue_keyed(self, name: str, args: dict[str, Any], key: str) -> None:
        entry: OutboxEntry = await self._io(self.outbox.add, name, args, key)
        self.localQueued.emit(name, entry.key, args)
        self._report_outbox()
        self._flush_soon()

    def update_customer(self, customer_id: int, **fields: str) -> str:
        """Change a customer's name, segment or language (only those given)."""
        return self.command_keyed("customer.update", {"customer_id": customer_id, **fields})

    def add_contact(self, customer_id: int, kind: str, value: str) -> str:
        args = {"customer_id": customer_id, "kind": kind, "value": value}
        return self.command_keyed("customer.add_contact", args)

    def remove_contact(self, customer_id: int, kind: str, value: str) -> str:
        args = {"customer_id": customer_id, "kind": kind, "value": value}
        return self.command_keyed("customer.remove_contact", args)

    def merge_customers(
        self, customer_id: int, other_customer_id: int, suggestion_id: int | None = None
    ) -> str:
        """One customer of two (``customer.merge``): the older is kept."""
        args: dict[str, Any] = {"customer_id": customer_id, "other_customer_id": other_customer_id}
        if suggestion_id is not None:
            args["suggestion_id"] = suggestion_id
        return self.command_keyed("customer.merge", args)

    def unmerge(self, merge_id: int) -> str:
        return self.command_keyed("customer.unmerge", {"merge_id": merge_id})

    def reject_merge(self, suggestion_id: int) -> str:
        """Not the same person: the suggestion is closed."""
        return self.command_keyed("merge.reject", {"suggestion_id": suggestion_id})

    def log_touchpoint(self, customer_id: int, values: dict[str, Any]) -> str:
        """A visit or an outside call on the customer's timeline (``touchpoint.log``)."""
        return self.command_keyed("touchpoint.log", {"customer_id": customer_id, **values})

    def start_conversation(
        self, customer_id: int, channel: str, text: str, subject: str = ""
    ) -> str:
        """Write first: a conversation of this operator's, opened with this message."""
        args: dict[str, Any] = {"customer_id": customer_id, "channel": channel, "text": text}
        if subject:
            args["subject"] = subject
        return self.command_keyed("conversation.start", args)

    def get_order(self, customer_id: int, order: str) -> None:
        self._spawn(
            self._read(
                "order.get",
                {"customer_id": customer_id, "order": order},
                lambda d: self.orderLoaded.emit(customer_id, d["order"]),
            )
        )

    # -- tags, priority and snooze (protocol §4.3) ------------------------------------------------
    conversationWoken = Signal(dict, str)  # conversation, why: "time" or "customer"

    def tag(
        self, conversation_id: int, add: list[str] | None = None, remove: list[str] | None = None
    ) -> None:
        """Add and remove tags (the gateway trims and lower-cases them)."""
        args: dict[str, Any] = {"conversation_id": conversation_id}
        if add:
            args["add"] = list(add)
        if remove:
            args["remove"] = list(remove)
        self.command("conversation.tag", args)

    def set_priority(self, conversation_id: int, priority: str) -> None:
        self.command(
            "conversation.set_priority", {"conversation_id": conversation_id, "priority": priority}
        )

    def snooze(
        self, conversation_id: int, *, until: str | None = None, until_reply: bool = False
    ) -> None:
        """Until ``until`` (ISO 8601 with its offset) or the customer's next message, whichever
        comes first; with ``until`` None and ``until_reply``, until the customer writes."""
        self.command(
            "conversation.snooze",
            {"conversation_id": conversation_id, "until": until, "until_reply": until_reply},
        )

    def unsnooze(self, conversation_id: int) -> None:
        self.command("conversation.unsnooze", {"conversation_id": conversation_id})
