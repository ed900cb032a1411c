"""The control API answers the calls a Toxiproxy client makes, with Toxiproxy's codes."""

from __future__ import annotations

import socket

import requests

from tests.fixtures.proxy_env import EchoServer, ProxyProcess


def test_proxy_lifecycle_and_errors(proxy_process: ProxyProcess, echo_server: EchoServer) -> None:
    api = proxy_process.api_url
    body = {"name": "db", "listen": "127.0.0.1:0", "upstream": f"127.0.0.1:{echo_server.port}"}
    created = requests.post(f"{api}/proxies", json=body, timeout=5)
    assert created.status_code == 201
    shown = created.json()
    assert shown["name"] == "db" and shown["enabled"] is True and shown["toxics"] == []
    assert requests.post(f"{api}/proxies", json=body, timeout=5).status_code == 409
    assert requests.get(f"{api}/proxies/nope", timeout=5).json() == {
        "error": "proxy not found",
        "status": 404,
    }
    assert requests.post(f"{api}/proxies", data=b"{not json", timeout=5).status_code == 400
    missing = requests.post(f"{api}/proxies", json={"name": "x"}, timeout=5)
    assert missing.status_code == 400 and "upstream" in missing.json()["error"]
    assert set(requests.get(f"{api}/proxies", timeout=5).json()) == {"db"}
    assert requests.delete(f"{api}/proxies/db", timeout=5).status_code == 204
    assert requests.delete(f"{api}/proxies/db", timeout=5).status_code == 404


def test_toxic_create_update_delete(proxy_process: ProxyProcess, echo_server: EchoServer) -> None:
    api = proxy_process.api_url
    proxy_process.create("db", echo_server.port)
    toxic = {"type": "latency", "attributes": {"latency": 100}}
    created = requests.post(f"{api}/proxies/db/toxics", json=toxic, timeout=5)
    assert created.status_code == 200
    assert created.json() == {
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1.0,
        "attributes": {"latency": 100, "jitter": 0},
    }
    assert requests.post(f"{api}/proxies/db/toxics", json=toxic, timeout=5).status_code == 409
    bad_type = requests.post(f"{api}/proxies/db/toxics", json={"type": "nope"}, timeout=5)
    assert bad_type.json() == {"error": "invalid toxic type", "status": 400}
    bad_stream = {"type": "latency", "stream": "sideways"}
    assert requests.post(f"{api}/proxies/db/toxics", json=bad_stream, timeout=5).status_code == 400
    bad_value = {"type": "latency", "name": "neg", "attributes": {"latency": -1}}
    assert requests.post(f"{api}/proxies/db/toxics", json=bad_value, timeout=5).status_code == 400
    http_on_tcp = {"type": "http_error"}
    assert requests.post(f"{api}/proxies/db/toxics", json=http_on_tcp, timeout=5).status_code == 400
    update = {"attributes": {"jitter": 10}, "toxicity": 0.5}
    changed = requests.post(f"{api}/proxies/db/toxics/latency_downstream", json=update, timeout=5)
    assert changed.status_code == 200
    assert changed.json()["attributes"] == {"latency": 100, "jitter": 10}
    assert changed.json()["toxicity"] == 0.5
    listed = requests.get(f"{api}/proxies/db/toxics", timeout=5).json()
    assert [t["name"] for t in listed] == ["latency_downstream"]
    assert requests.get(f"{api}/proxies/db/toxics/other", timeout=5).status_code == 404
    assert (
        requests.delete(f"{api}/proxies/db/toxics/latency_downstream", timeout=5).status_code == 204
    )
    assert (
        requests.delete(f"{api}/proxies/db/toxics/latency_downstream", timeout=5).status_code == 404
    )
    assert requests.post(f"{api}/proxies/nope/toxics", json=toxic, timeout=5).status_code == 404


def test_populate_reset_version_and_disable(
    proxy_process: ProxyProcess, echo_server: EchoServer
) -> None:
    api = proxy_process.api_url
    upstream = f"127.0.0.1:{echo_server.port}"
    proxies = [{"name": "a", "listen": "127.0.0.1:0", "upstream": upstream}]
    populated = requests.post(f"{api}/populate", json=proxies, timeout=5)
    assert populated.status_code == 201 and populated.json()["proxies"][0]["name"] == "a"
    requests.post(f"{api}/proxies/a/toxics", json={"type": "latency"}, timeout=5)
    assert requests.post(f"{api}/reset", timeout=5).status_code == 204
    assert requests.get(f"{api}/proxies/a", timeout=5).json()["toxics"] == []
    assert "version" in requests.get(f"{api}/version", timeout=5).json()
    port = int(requests.get(f"{api}/proxies/a", timeout=5).json()["listen"].rsplit(":", 1)[1])
    disabled = requests.post(f"{api}/proxies/a", json={"enabled": False}, timeout=5)
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        raise AssertionError("a disabled proxy still accepts connections")
    except ConnectionRefusedError:
        pass
    assert requests.post(f"{api}/proxies/a", json={"enabled": True}, timeout=5).status_code == 200
    socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_metrics_endpoint_is_prometheus_text(
    proxy_process: ProxyProcess, echo_server: EchoServer
) -> None:
    proxy_process.create("m", echo_server.port)
    reply = requests.get(f"{proxy_process.api_url}/metrics", timeout=5)
    assert reply.headers["Content-Type"].startswith("text/plain")
    assert "# TYPE chaosml_proxy_connections_total counter" in reply.text
    assert 'chaosml_proxy_records_corrupted_total{proxy="m"} 0' in reply.text
