"""The desktop's session and outbox as a process of its own, for crash tests.

    python -m tests.support.client_proc queue URL OUTBOX CUSTOMER_ID TEXT   # queue, then hang
    python -m tests.support.client_proc flush URL OUTBOX                    # send what waits

Prints one line per milestone on stdout ("queued", "flushed N") for the test to read.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QCoreApplication

from omnidesk_qt.client import Backoff, Credentials
from omnidesk_qt.outbox import Outbox
from omnidesk_qt.session import Session


async def run(mode: str, url: str, outbox_path: str, args: list[str]) -> None:
    outbox = Outbox(Path(outbox_path))
    session = Session(
        url, Credentials("agent", "agent"), outbox, backoff=Backoff(base=0.2, cap=1.0)
    )
    done = asyncio.Event()
    if mode == "queue":
        session.localQueued.connect(lambda *_: (print("queued", flush=True), done.set()))
        session.start()
        session.send_message(int(args[0]), "webchat", args[1])
        await done.wait()
        await asyncio.Event().wait()  # hang until killed
    else:
        sent: list[str] = []
        session.commandDone.connect(lambda name, key, result: sent.append(key))
        session.outboxChanged.connect(lambda n: done.set() if n == 0 and sent else None)
        session.start()
        await asyncio.wait_for(done.wait(), 60)
        print(f"flushed {len(sent)}", flush=True)
        await session.stop()


def main() -> None:
    app = QCoreApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(run(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))


if __name__ == "__main__":
    main()
