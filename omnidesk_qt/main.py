"""``omnidesk``: the desktop's entry point and composition root.

The only module of ``omnidesk_qt`` that imports ``ui``: it builds the settings, the session, the
speech announcer and the main window, and wires them together.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

START = time.perf_counter()
log = logging.getLogger("omnidesk")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="omnidesk",
        description="OmniDesk: the operator's workstation. Without options it connects to the "
        "gateway from the settings (or asks for it on first start).",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="start the embedded gateway with demo data and simulated traffic, and "
        "sign in as the demo operator",
    )
    p.add_argument("--gateway", metavar="URL", help="gateway address, e.g. wss://omnidesk:8765")
    p.add_argument("--user", help="operator name to sign in as")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (for scripted sign-in)",
    )
    p.add_argument("--data-dir", help="where the outbox, the demo gateway and logs live")
    p.add_argument("--lang", choices=["system", "ru", "en"], help="interface language")
    p.add_argument("--json-logs", action="store_true", help="log one JSON object a line")
    p.add_argument(
        "--simulate",
        type=float,
        default=0.05,
        metavar="MSGS_PER_S",
        help="simulated customer traffic in --demo (default 0.05: about three a minute)",
    )
    p.add_argument(
        "--automation",
        action="store_true",
        help="accept UI actions as JSON lines on standard input (end-to-end tests)",
    )
    p.add_argument(
        "--screenshot",
        metavar="PNG",
        help="save a screenshot of the main window once signed in, then go on",
    )
    p.add_argument(
        "--quit-after",
        type=float,
        metavar="SECONDS",
        help="quit after this many seconds (smoke tests)",
    )
    return p


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "t": round(time.perf_counter() - START, 4),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update(getattr(record, "data", {}))
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def setup_logging(json_lines: bool, log_dir: Path) -> None:
    log_dir.mkdir(parents=True, exist_ok=True)
    fmt: logging.Formatter = (
        JsonLines()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handlers: list[logging.Handler] = [
        logging.StreamHandler(sys.stderr),
        logging.FileHandler(log_dir / "omnidesk.log", encoding="utf-8"),
    ]
    root = logging.getLogger()
    for h in handlers:
        h.setFormatter(fmt)
        root.addHandler(h)
    root.setLevel(logging.INFO)
    logging.getLogger("websockets").setLevel(logging.WARNING)


def _qt_message(mode: Any, context: Any, message: str) -> None:
    """Qt's own warnings go to our log, where tests and people see them."""
    from PySide6.QtCore import QtMsgType

    if "does not support propagateSizeHints" in message:
        # The offscreen platform (headless runs) cannot; it says so for every window.
        logging.getLogger("qt").debug(message)
        return

    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }.get(mode, logging.ERROR)
    logging.getLogger("qt").log(level, message)


def event(msg: str, **data: Any) -> None:
    """A milestone in the JSON log (end-to-end tests and benchmarks read these)."""
    log.info(msg, extra={"data": data})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir:
        os.environ["OMNIDESK_DATA_DIR"] = args.data_dir
        os.environ.setdefault("OMNIDESK_CONFIG_DIR", str(Path(args.data_dir) / "config"))
    from omnidesk_qt import paths

    setup_logging(args.json_logs, paths.log_dir())
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else ""

    import qasync
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_qt_message)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("OmniDesk")
    app.setOrganizationName("OmniDesk")
    app.setApplicationDisplayName("OmniDesk")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    desktop = Desktop(app, args, password)
    with loop:
        code = loop.run_until_complete(desktop.run())
        # Let sockets finish their closing handshakes before the loop goes away.
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    return int(code)


class Desktop:
    """Everything the running application holds."""

    def __init__(self, app: Any, args: argparse.Namespace, password: str) -> None:
        self.app = app
        self.args = args
        self.password = password
        self.quit = asyncio.Event()
        self.embedded: Any = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._asking = False  # the sign-in dialog is open

    async def run(self) -> int:
        from omnidesk_qt import credentials, paths
        from omnidesk_qt.client import Credentials
        from omnidesk_qt.i18n import install_translator
        from omnidesk_qt.outbox import Outbox
        from omnidesk_qt.session import Session
        from omnidesk_qt.settings import Settings
        from omnidesk_qt.sound import OfferSound
        from omnidesk_qt.speech import Announcer
        from ui.main_window import MainWindow
        from ui.theme import apply_theme

        args = self.args
        settings = Settings()
        language = args.lang or str(settings.value("ui.language"))
        self.translators = install_translator(self.app, language)
        apply_theme(self.app, str(settings.value("ui.theme")))
        settings.changed.connect(self._setting_changed)
        # Closing the window ends run() (which then closes sockets cleanly); quitting Qt's
        # loop first would leave the clean-up without a running event loop.
        self.app.setQuitOnLastWindowClosed(False)
        self.app.aboutToQuit.connect(self.quit.set)

        loop = asyncio.get_running_loop()
        if args.demo:
            from omnidesk_qt.embedded import EmbeddedGateway, demo_ports

            port, http_port = demo_ports()
            self.embedded = EmbeddedGateway(
                paths.data_dir() / "demo-gateway",
                simulate=args.simulate,
                port=port,
                http_port=http_port,
            )
            # Started on its own thread; the window does not wait for it.
            url_future = loop.run_in_executor(None, self.embedded.start)
            url = ""
            creds = Credentials("agent", "agent")
        else:
            url = args.gateway or str(settings.value("gateway.url"))
            user = args.user or str(settings.value("gateway.username"))
            token = await loop.run_in_executor(None, credentials.load_token, url, user) or ""
            creds = Credentials(user, self.password, token)
            url_future = None

        outbox = Outbox(paths.outbox_path())
        session = Session(url, creds, outbox)
        announcer = Announcer(settings)
        window = MainWindow(session, settings, voices=announcer.list_voices)
        window.offerAnnounced.connect(announcer.announce_offer)
        chime = OfferSound(settings)
        window.offerAnnounced.connect(lambda *_offer: chime.play())
        chime.played.connect(lambda how: event("offer chime", via=how))
        session.signedIn.connect(lambda op: self._signed_in(op, session, window, settings))
        session.authFailed.connect(lambda code: self._signed_out(code, session, window, settings))
        window.signInRequested.connect(
            lambda: self._spawn(self._sign_in_again(session, window, settings, ""))
        )
        window.signOutRequested.connect(lambda: self._spawn(self._sign_out(session, window)))
        window.closed.connect(self.quit.set)
        window.show()
        event("window shown", startup_s=round(time.perf_counter() - START, 3))

        if url_future is not None:
            session.client.url = (await url_future).rstrip("/")
            # Say where the demo's web chat is (another port when the usual one was taken).
            print(f"web chat of the demo: {self.embedded.chat_page_url}", flush=True)
            window.set_web_chat_url(self.embedded.chat_page_url)
            event(
                "demo gateway ready",
                web_chat=self.embedded.chat_page_url,
                gateway=session.client.url,
            )
        needs_sign_in = not creds.token and not creds.password and not args.demo
        if needs_sign_in and not await self._ask_credentials(window, session, settings):
            return 0
        session.start()
        if args.automation:
            from omnidesk_qt.automation import Automation

            Automation(window, session).start()
        if args.quit_after:
            loop.call_later(args.quit_after, self.quit.set)
        await self.quit.wait()
        await session.stop()
        announcer.close()
        outbox.close()
        if self.embedded is not None:
            await loop.run_in_executor(None, self.embedded.stop)
        return 0

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _signed_out(self, code: str, session: Any, window: Any, settings: Any) -> None:
        """The gateway refused the sign-in or ended the session: a token it no longer takes is
        forgotten (never tried again from the keyring), and the operator is asked to sign in."""
        from omnidesk_qt.client import SIGNED_OUT_REASONS, TOKEN_REFUSED

        event("signed out", reason=code)
        if code in SIGNED_OUT_REASONS | TOKEN_REFUSED:
            from omnidesk_qt import credentials

            c = session.client.credentials
            asyncio.get_running_loop().run_in_executor(
                None, credentials.delete_token, session.client.url, c.username
            )
        if code != "logged_out" and not self.args.demo:
            self._spawn(self._sign_in_again(session, window, settings, code))

    async def _sign_out(self, session: Any, window: Any) -> None:
        """Sign out: the gateway revokes the token (and closes the session, which forgets it
        here as for any sign-out); offline, it is forgotten here and expires on the gateway."""
        from omnidesk_qt import credentials

        event("sign-out asked")
        if await session.sign_out():
            return  # the gateway's close follows: _signed_out does the rest
        c = session.client.credentials
        await asyncio.get_running_loop().run_in_executor(
            None, credentials.delete_token, session.client.url, c.username
        )
        await session.stop()
        window.signed_out_here()

    async def _sign_in_again(self, session: Any, window: Any, settings: Any, code: str) -> None:
        if self._asking:
            return
        self._asking = True
        try:
            problem = window.sign_in_problem("auth_failed", code) if code else ""
            if await self._ask_credentials(
                window, session, settings, problem, quit_on_cancel=False
            ):
                session.client.start()
        finally:
            self._asking = False

    def _setting_changed(self, name: str, value: object) -> None:
        from ui.theme import apply_theme

        if name == "ui.theme":  # the language is read at start; the theme can change live
            apply_theme(self.app, str(value))

    def _signed_in(
        self, operator: dict[str, Any], session: Any, window: Any, settings: Any
    ) -> None:
        event(
            "signed in",
            operator=operator.get("username"),
            startup_s=round(time.perf_counter() - START, 3),
        )
        c = session.client.credentials
        if c.remember and c.token:
            from omnidesk_qt import credentials

            asyncio.get_running_loop().run_in_executor(
                None, credentials.save_token, session.client.url, c.username, c.token
            )
        if self.args.demo and operator.get("presence") == "offline":
            session.set_presence("available")  # the demo starts ready to take work
        if self.args.screenshot:
            asyncio.get_running_loop().call_later(1.0, self._screenshot, window)

    def _screenshot(self, window: Any) -> None:
        path = Path(self.args.screenshot)
        path.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(path))
        event("screenshot", path=str(path), ok=bool(ok))

    async def _ask_credentials(
        self,
        window: Any,
        session: Any,
        settings: Any,
        problem: str = "",
        *,
        quit_on_cancel: bool = True,
    ) -> bool:
        from ui.dialogs import ConnectDialog

        dialog = ConnectDialog(
            settings,
            window,
            problem=problem,
            url=session.client.url,
            username=session.client.credentials.username,
        )
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def finished(result: int) -> None:
            if not fut.done():
                fut.set_result(bool(result))

        dialog.finished.connect(finished)
        dialog.open()
        event("sign-in asked", problem=problem)
        if not await fut:
            if quit_on_cancel:
                self.app.quit()
            return False
        url, user, password, remember = dialog.values()
        if not settings.is_locked("gateway.url"):
            settings.set("gateway.url", url)
        settings.set("gateway.username", user)
        session.client.url = url.rstrip("/")
        c = session.client.credentials
        c.username, c.password, c.remember = user, password, remember
        return True


if __name__ == "__main__":
    sys.exit(main())
