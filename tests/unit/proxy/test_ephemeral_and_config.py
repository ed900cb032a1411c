"""The ephemeral proxy handle and the --config file loader."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import requests

from chaosml.errors import InfrastructureError, InputError
from chaosml.proxy.config import load_proxies
from chaosml.proxy.ephemeral import start_ephemeral


def test_ephemeral_proxy_relays_and_stops() -> None:
    upstream = socket.create_server(("127.0.0.1", 0))
    handle = start_ephemeral("127.0.0.1:0", f"127.0.0.1:{upstream.getsockname()[1]}")
    try:
        assert requests.get(f"{handle.api_url}/proxies/ephemeral", timeout=5).status_code == 200
        host, port = handle.listen.rsplit(":", 1)
        client = socket.create_connection((host, int(port)), timeout=5)
        conn, _ = upstream.accept()
        client.sendall(b"ping")
        assert conn.recv(4) == b"ping"
        client.close()
        conn.close()
    finally:
        handle.stop()
        handle.stop()
        upstream.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{handle.api_url}/version", timeout=2)


def test_ephemeral_proxy_that_cannot_listen_says_so() -> None:
    busy = socket.create_server(("127.0.0.1", 0))
    try:
        with pytest.raises(InfrastructureError, match="did not start"):
            start_ephemeral(f"127.0.0.1:{busy.getsockname()[1]}", "127.0.0.1:1")
    finally:
        busy.close()


def test_config_accepts_toxiproxy_json_and_yaml(tmp_path: Path) -> None:
    json_file = tmp_path / "p.json"
    json_file.write_text('[{"name": "a", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:1"}]')
    yaml_file = tmp_path / "p.yaml"
    yaml_file.write_text("proxies:\n  - {name: b, upstream: '127.0.0.1:1', protocol: http}\n")
    assert load_proxies(str(json_file))[0]["name"] == "a"
    assert load_proxies(str(yaml_file))[0]["protocol"] == "http"
    (tmp_path / "bad.yaml").write_text("name: x\n")
    with pytest.raises(InputError, match="list of proxies"):
        load_proxies(str(tmp_path / "bad.yaml"))
