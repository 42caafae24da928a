"""``omnidesk-gateway``: serve, migrate, seed the demo, add operators, run the demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import signal
import sys
from pathlib import Path

from services.config import ConfigError, GatewayConfig, load_config

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


def _engine(cfg: GatewayConfig):  # type: ignore[no-untyped-def]
    from services.store.db import make_engine, migrate

    engine = make_engine(cfg.url, sqlite_synchronous=cfg.sqlite_synchronous)
    migrate(engine)
    return engine


async def _serve(cfg: GatewayConfig, simulate: float = 0.0) -> None:
    from services.gateway.server import Gateway

    gw = Gateway(cfg)
    await gw.start()
    sim_task = None
    if simulate > 0:
        from services.simulator import Simulator, register_simulated_providers

        register_simulated_providers(gw.hub)
        sim = Simulator(gw.hub, rate_per_s=simulate)
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
    cfg = _config(args)
    _setup_logs(cfg)
    asyncio.run(_serve(cfg, args.simulate))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    cfg = _config(args)
    _setup_logs(cfg)
    _engine(cfg).dispose()
    print("schema is up to date")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from services.demo_seed import AlreadySeeded, seed_demo

    cfg = _config(args)
    _setup_logs(cfg)
    engine = _engine(cfg)
    try:
        counts = seed_demo(engine, customers=args.customers)
    except AlreadySeeded as exc:
        print(f"omnidesk-gateway: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print("demo data: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print("sign in as agent/agent, agent2/agent2 (agents) or lead/lead (team lead)")
    return 0


def cmd_add_operator(args: argparse.Namespace) -> int:
    from sqlalchemy.orm import Session

    from services.auth import hash_password
    from services.store.models import Operator

    cfg = _config(args)
    _setup_logs(cfg)
    password = args.password or getpass.getpass("password: ")
    capacity = dict(kv.split("=", 1) for kv in args.capacity.split(",") if "=" in kv)
    engine = _engine(cfg)
    with Session(engine) as s:
        s.add(
            Operator(
                username=args.username.lower(),
                display_name=args.name or args.username,
                password_hash=hash_password(password),
                role=args.role,
                skills=[x for x in args.skills.split(",") if x],
                capacity={k: int(v) for k, v in capacity.items()},
            )
        )
        s.commit()
    engine.dispose()
    print(f"operator {args.username} added")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """The embedded default: SQLite in the data folder, demo data, simulated traffic."""
    from services.demo_seed import AlreadySeeded, seed_demo

    cfg = _config(args)
    _setup_logs(cfg)
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
    s.add_argument("--role", choices=["agent", "supervisor", "admin"], default="agent")
    s.add_argument("--skills", default="general", help="comma-separated skills")
    s.add_argument(
        "--capacity",
        default="webchat=3,email=5,telegram=3,whatsapp=3,sms=3,voice=1",
        help="channel=count,...",
    )
    s.add_argument("--password", help="(prompted for when missing)")
    s.set_defaults(func=cmd_add_operator)

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
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
