"""Configuration sources and password/token handling."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError

from services import auth
from services.config import ConfigError, load_config
from services.gateway.addresses import origin_of, public_addresses


def test_defaults_then_file_then_environment(tmp_path: Path) -> None:
    cfg = load_config(env={})
    assert cfg.port == 8765 and cfg.url.startswith("sqlite:///") and not cfg.tls
    f = tmp_path / "gw.toml"
    f.write_text(
        '[gateway]\nhost = "0.0.0.0"\nport = 9000\n'
        '[database]\nurl = "postgresql+psycopg://u@db/omni"\n'
        '[tls]\ncert = "c.pem"\nkey = "k.pem"\n'
        '[webchat]\nallowed_origins = ["https://shop.example.ru"]\n'
        '[routing]\nchannel_queues = { sms = "billing" }\n'
    )
    cfg = load_config(
        f, env={"OMNIDESK_PORT": "9100", "OMNIDESK_ALLOWED_ORIGINS": "https://a.ru, https://b.ru"}
    )
    assert cfg.host == "0.0.0.0"
    assert cfg.port == 9100  # the environment wins over the file
    assert cfg.url == "postgresql+psycopg://u@db/omni"
    assert cfg.tls
    assert cfg.allowed_origins == ["https://a.ru", "https://b.ru"]
    assert cfg.channel_queues == {"sms": "billing"}
    # OMNIDESK_CONFIG names the file too.
    assert load_config(env={"OMNIDESK_CONFIG": str(f)}).port == 9000


def test_the_http_section_and_its_environment(tmp_path: Path) -> None:
    cfg = load_config(env={})
    assert (cfg.http_listen_host, cfg.http_listen_port) == ("127.0.0.1", 8766)
    assert load_config(env={"OMNIDESK_PORT": "0"}).http_listen_port == 0  # any free one
    f = tmp_path / "gw.toml"
    f.write_text(
        '[gateway]\nhost = "0.0.0.0"\n'
        '[http]\nport = 8080\npublic_url = "https://omnidesk.example.ru"\n'
        'monitoring_token = "from-the-file"\n'
    )
    cfg = load_config(f, env={"OMNIDESK_HTTP_MONITORING_TOKEN": "from-the-environment"})
    assert (cfg.http_listen_host, cfg.http_listen_port) == ("0.0.0.0", 8080)
    assert cfg.http_public_url == "https://omnidesk.example.ru"
    assert cfg.http_monitoring_token == "from-the-environment"
    env = {"OMNIDESK_HTTP_HOST": "10.0.0.5", "OMNIDESK_HTTP_SOCKET_URL": "wss://ws.example.ru"}
    cfg = load_config(env=env)
    assert cfg.http_listen_host == "10.0.0.5" and cfg.http_socket_url == "wss://ws.example.ru"


def test_the_gateways_own_origins_come_from_configuration_only() -> None:
    assert origin_of("HTTPS://Shop.Example.RU:443/path?q") == "https://shop.example.ru"
    assert origin_of("http://[::1]:8766/") == "http://[::1]:8766"
    with pytest.raises(ValueError):
        origin_of("shop.example.ru")
    loopback = public_addresses(load_config(env={}), 8766, 8765)
    assert loopback.own_origins == {"http://127.0.0.1:8766", "http://localhost:8766"}
    assert loopback.chat_socket_url == "ws://127.0.0.1:8765/ws/chat"
    assert loopback.chat_page_url == "http://127.0.0.1:8766/chat/"
    # All interfaces without a public URL: only loopback pages are the gateway's own.
    wide = public_addresses(load_config(env={"OMNIDESK_HOST": "0.0.0.0"}), 8766, 8765)
    assert wide.own_origins == loopback.own_origins
    lan = public_addresses(load_config(env={"OMNIDESK_HTTP_HOST": "10.0.0.5"}), 8766, 8765)
    assert lan.own_origins == {"http://10.0.0.5:8766"}
    assert lan.socket_url == "ws://10.0.0.5:8765"


def test_config_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[gateway]\nprot = 1\n")
    with pytest.raises(ConfigError, match=r"unknown setting gateway\.prot"):
        load_config(bad, env={})
    bad.write_text("[gateway\n")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load_config(bad, env={})
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml", env={})
    with pytest.raises(ConfigError, match="OMNIDESK_PORT"):
        load_config(env={"OMNIDESK_PORT": "eighty"})


def test_passwords_use_argon2id_with_owasp_parameters() -> None:
    h = auth.hash_password("s3cret")
    p = extract_parameters(h)
    assert p.type is Type.ID
    assert (p.memory_cost, p.time_cost, p.parallelism) == (19 * 1024, 2, 1)
    assert auth.verify_password(h, "s3cret")
    assert not auth.verify_password(h, "S3cret")
    assert not auth.verify_password("not a hash", "s3cret")
    assert not auth.needs_rehash(h)
    with pytest.raises(ValueError):
        auth.hash_password("")
    with pytest.raises(InvalidHashError):
        PasswordHasher().verify("garbage", "x")


def test_tokens_are_random_and_stored_as_digests() -> None:
    tokens = {auth.new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) >= 43 for t in tokens)
    t = next(iter(tokens))
    d = auth.token_digest(t)
    assert len(d) == 64 and d != t and d == auth.token_digest(t)
