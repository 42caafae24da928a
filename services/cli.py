"""``omnidesk-gateway``: serve, migrate, seed the demo, manage operators, queues and the team's
canned responses, run the demo.

Ordinary bad input (an existing or unknown username, a bad skill, channel or time zone) ends
with one line on stderr and exit code 1, never a traceback: the traceback of a failed insert
would show the row, password hash included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from services.admin import AdminError
from services.config import ConfigError, GatewayConfig, load_config

T = TypeVar("T")

log = logging.getLogger("omnidesk.gateway")


def _config(args: argparse.Namespace) -> GatewayConfig:
    cfg = load_config(Path(args.config) if args.config else None)
    if getattr(args, "host", None):
        cfg.host = args.host
    if getattr(args, "port", None) is not None:
        cfg.port = args.port
    if getattr(args, "http_port", None) is not None:
        cfg.http_port = args.http_port
    if getattr(args, "database_url", None):
        cfg.database_url = args.database_url
    if getattr(args, "data_dir", None):
        cfg.data_dir = Path(args.data_dir)
    if getattr(args, "json_logs", False):
        cfg.log_json = True
    return cfg


def _engine(cfg: GatewayConfig) -> Engine:
    from services.store.db import make_engine, migrate

    engine = make_engine(cfg.url, sqlite_synchronous=cfg.sqlite_synchronous)
    migrate(engine)
    return engine


def _configured(args: argparse.Namespace) -> GatewayConfig:
    """The configuration, read (and refused if bad) before anything is asked or done."""
    cfg = _config(args)
    _setup_logs(cfg)
    return cfg


def _on_store(cfg: GatewayConfig, work: Callable[[Engine], T]) -> T:
    """One piece of admin work on the configured (and migrated) store."""
    engine = _engine(cfg)
    try:
        return work(engine)
    finally:
        engine.dispose()


async def _serve(cfg: GatewayConfig, simulate: float = 0.0) -> None:
    from services.gateway.server import Gateway

    gw = Gateway(cfg)
    await gw.start()
    sim_task = None
    if simulate > 0:
        from services.simulator import Simulator, register_simulated_providers

        register_simulated_providers(gw.hub)
        sim = Simulator(gw.hub, gw.store, rate_per_s=simulate)
        sim_task = asyncio.create_task(sim.run())
    sockets = gw.addresses.socket_url
    log.info(
        "ready",
        extra={
            "url": f"{sockets}/ws/operator",
            "port": gw.port,
            "http_port": gw.http_port,
            "web_chat": gw.addresses.chat_page_url,
        },
    )
    print(
        f"OmniDesk gateway: operators on {sockets}/ws/operator, "
        f"web chat at {gw.addresses.chat_page_url}, health at {gw.addresses.http_url}/healthz",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    if sim_task is not None:
        sim_task.cancel()
    await gw.close()


def cmd_serve(args: argparse.Namespace) -> int:
    cfg = _configured(args)
    asyncio.run(_serve(cfg, args.simulate))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    cfg = _configured(args)
    _engine(cfg).dispose()
    print("schema is up to date")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from services.demo_seed import AlreadySeeded, seed_demo

    cfg = _configured(args)
    try:
        counts = _on_store(cfg, lambda engine: seed_demo(engine, customers=args.customers))
    except AlreadySeeded as exc:
        print(f"omnidesk-gateway: {exc}", file=sys.stderr)
        return 1
    print("demo data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print("sign in as agent/agent, agent2/agent2 (agents) or lead/lead (team lead)")
    return 0


def cmd_add_operator(args: argparse.Namespace) -> int:
    from services.admin import operators

    cfg = _configured(args)
    # Everything is checked before the password is asked for or hashed.
    username = operators.normalise_username(args.username)
    role = operators.check_role(args.role)
    skills = operators.parse_skills(args.skills)
    capacity = operators.parse_capacity(args.capacity)
    public_name = operators.check_public_name(args.public_name or "")
    password = args.password if args.password is not None else _ask_password()
    _on_store(
        cfg,
        lambda engine: operators.add_operator(
            engine,
            username=username,
            display_name=(args.name or username).strip() or username,
            password=password,
            role=role,
            skills=skills,
            capacity=capacity,
            public_name=public_name,
        ),
    )
    print(f"operator {username} added")
    return 0


def _ask_password() -> str:
    try:
        return getpass.getpass("password: ")
    except EOFError:
        raise AdminError("no password given: use --password or type it when asked") from None


def cmd_revoke_tokens(args: argparse.Namespace) -> int:
    from services.admin import operators

    cfg = _configured(args)
    count = _on_store(cfg, lambda engine: operators.revoke_tokens(engine, args.username))
    print(f"{args.username}: {count} session(s) revoked; open desktops are signed out")
    return 0


def cmd_set_active(args: argparse.Namespace) -> int:
    from services.admin import operators

    cfg = _configured(args)
    count = _on_store(cfg, lambda engine: operators.set_active(engine, args.username, args.active))
    if args.active:
        print(f"operator {args.username} is active again and may sign in")
    else:
        print(f"operator {args.username} deactivated; {count} session(s) revoked")
    return 0


def _queue_settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from services.admin import queues

    return queues.settings_from(
        skills=args.skills,
        channels=args.channels,
        priority=args.priority,
        sla_seconds=args.sla,
        hours=args.hours,
        tz=args.tz,
        display_names=args.display_name,
        first_response=args.first_response,
        next_response=args.next_response,
    )


def cmd_add_queue(args: argparse.Namespace) -> int:
    from services.admin import queues

    cfg = _configured(args)
    name = queues.check_name(args.name)
    settings = _queue_settings(args)
    _on_store(cfg, lambda engine: queues.add_queue(engine, name, settings))
    print(f"queue {name} added; a running gateway uses it within seconds")
    return 0


def cmd_update_queue(args: argparse.Namespace) -> int:
    from services.admin import queues

    cfg = _configured(args)
    name = queues.check_name(args.name)
    settings = _queue_settings(args)
    _on_store(cfg, lambda engine: queues.update_queue(engine, name, settings))
    print(f"queue {name} changed; a running gateway uses it within seconds")
    return 0


def cmd_list_queues(args: argparse.Namespace) -> int:
    from services.admin import queues

    cfg = _configured(args)
    lines = _on_store(cfg, queues.list_queues)
    print("\n".join(lines) if lines else "no queues yet (add one with add-queue)")
    return 0


def cmd_canned_import(args: argparse.Namespace) -> int:
    from services.admin import canned

    cfg = _configured(args)
    path = Path(args.file)
    added, changed = _on_store(cfg, lambda engine: canned.import_team(engine, path))
    print(
        f"team canned responses: {added} added, {changed} changed; "
        "running gateways tell the desktops within seconds"
    )
    return 0


def cmd_canned_list(args: argparse.Namespace) -> int:
    from services.admin import canned

    cfg = _configured(args)
    lines = _on_store(cfg, canned.list_team)
    print(
        "\n".join(lines) if lines else "no team canned responses yet (add them with canned import)"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """The embedded default: SQLite in the data folder, demo data, simulated traffic."""
    from services.demo_seed import AlreadySeeded, seed_demo

    cfg = _configured(args)
    engine = _engine(cfg)
    with contextlib.suppress(AlreadySeeded):
        counts = seed_demo(engine)
        print("demo data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    engine.dispose()
    print(f"data: {cfg.url}")
    print("sign in with agent/agent (or lead/lead); the desktop client comes with `omnidesk`.")
    print("open the web chat in a browser to write as a customer; Ctrl+C stops.")
    asyncio.run(_serve(cfg, args.simulate))
    return 0


def _setup_logs(cfg: GatewayConfig) -> None:
    from services.logs import setup_logging

    setup_logging(json_lines=cfg.log_json)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="omnidesk-gateway",
        description="OmniDesk gateway: brings every channel together for the operators' "
        "desktops. Settings come from a TOML file (--config or OMNIDESK_CONFIG) and "
        "OMNIDESK_* environment variables.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--config", help="TOML configuration file")
        sp.add_argument(
            "--database-url", help="SQLAlchemy URL (default: SQLite in the data folder)"
        )
        sp.add_argument("--data-dir", help="where the SQLite file and logs live")
        sp.add_argument("--json-logs", action="store_true", help="log one JSON object a line")

    s = sub.add_parser("serve", help="run the gateway")
    common(s)
    s.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default 8765; 0 picks a free one)")
    s.add_argument(
        "--http-port", type=int, help="the HTTP side's port (default: the port + 1; 0: any free)"
    )
    s.add_argument(
        "--simulate",
        type=float,
        default=0.0,
        metavar="MSGS_PER_S",
        help="generate simulated customer traffic at this rate",
    )
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("migrate", help="create or upgrade the database schema")
    common(s)
    s.set_defaults(func=cmd_migrate)

    s = sub.add_parser("seed-demo", help="create demo operators, queues and customers")
    common(s)
    s.add_argument("--customers", type=int, default=200)
    s.set_defaults(func=cmd_seed_demo)

    s = sub.add_parser("add-operator", help="create an operator account")
    common(s)
    s.add_argument("username")
    s.add_argument("--name", help="display name")
    s.add_argument(
        "--public-name", help="the name customers see on replies (default: the first name)"
    )
    s.add_argument("--role", default="agent", help="agent (default), supervisor or admin")
    s.add_argument("--skills", default="general", help="comma-separated skills")
    s.add_argument(
        "--capacity",
        default="webchat=3,email=5,telegram=3,whatsapp=3,sms=3,voice=1",
        help="channel=count,...",
    )
    s.add_argument("--password", help="(prompted for when missing)")
    s.set_defaults(func=cmd_add_operator)

    s = sub.add_parser(
        "revoke-tokens", help="sign an operator out everywhere (open desktops are closed)"
    )
    common(s)
    s.add_argument("username")
    s.set_defaults(func=cmd_revoke_tokens)

    s = sub.add_parser(
        "deactivate-operator", help="stop an operator signing in and sign them out everywhere"
    )
    common(s)
    s.add_argument("username")
    s.set_defaults(func=cmd_set_active, active=False)

    s = sub.add_parser("activate-operator", help="let a deactivated operator sign in again")
    common(s)
    s.add_argument("username")
    s.set_defaults(func=cmd_set_active, active=True)

    def queue_options(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("name", help="the queue's name, e.g. billing")
        sp.add_argument("--skills", help="comma-separated skills an operator needs for it")
        sp.add_argument(
            "--channels", help="comma-separated channels it takes by default, e.g. sms,voice"
        )
        sp.add_argument("--priority", type=int, help="higher is served first (default 0)")
        sp.add_argument("--sla", type=int, help="service-level target in seconds (default 60)")
        sp.add_argument(
            "--hours",
            help='business hours, e.g. "mon-fri 09:00-18:00; sat 10:00-14:00", or "always" '
            "(the default)",
        )
        sp.add_argument("--tz", help="the hours' time zone, e.g. Europe/Moscow")
        sp.add_argument(
            "--display-name",
            metavar="LANG=NAME,...",
            help='what operators see, by language: "ru=Продажи,en=Sales" ("" clears)',
        )
        sp.add_argument(
            "--first-response",
            metavar="CHANNEL=SECONDS,...",
            help="first-response targets overriding the channels' defaults, e.g. "
            "webchat=45,email=3600 (CHANNEL=default drops an override)",
        )
        sp.add_argument(
            "--next-response",
            metavar="CHANNEL=SECONDS,...",
            help="next-response targets (the customer wrote again), e.g. webchat=90",
        )

    s = sub.add_parser("add-queue", help="create a queue")
    common(s)
    queue_options(s)
    s.set_defaults(func=cmd_add_queue)

    s = sub.add_parser("update-queue", help="change a queue's settings (only those given)")
    common(s)
    queue_options(s)
    s.set_defaults(func=cmd_update_queue)

    s = sub.add_parser("list-queues", help="show the queues and their settings")
    common(s)
    s.set_defaults(func=cmd_list_queues)

    s = sub.add_parser("canned", help="the team's canned responses")
    canned_sub = s.add_subparsers(dest="canned_command", required=True)
    c = canned_sub.add_parser(
        "import",
        help="add or change team responses from a TOML or JSON file",
        description="Each response has shortcut, language (ru or en), title, text and "
        "optionally queue; one whose shortcut and language exist is changed. TOML: "
        '[[responses]] tables; JSON: {"responses": [...]} or the list itself.',
    )
    common(c)
    c.add_argument("file", help="a .toml or .json file")
    c.set_defaults(func=cmd_canned_import)
    c = canned_sub.add_parser("list", help="show the team's responses")
    common(c)
    c.set_defaults(func=cmd_canned_list)

    s = sub.add_parser("demo", help="seed if empty, then serve with simulated traffic")
    common(s)
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--http-port", type=int)
    s.add_argument("--simulate", type=float, default=0.2, metavar="MSGS_PER_S")
    s.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"omnidesk-gateway: {exc}", file=sys.stderr)
        return 2
    except AdminError as exc:
        print(f"omnidesk-gateway: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        # The driver's own words only: the statement and its parameters stay out of sight.
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()
        print(f"omnidesk-gateway: database error: {reason[0] if reason else exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
