"""The connection block: validated like the rest of the format, resolved by name, secrets
redacted even when given literally (issue 24)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from chaosml import redaction
from chaosml.contract import connection
from chaosml.contract.connection import Connection
from chaosml.drivers.alert_states import prometheus_alerts
from chaosml.errors import ValidationError
from chaosml.io import connection_errors, monitoring_http
from chaosml.loader import load_text
from chaosml.model import experiment as m

HEAD = "version: 1\ntitle: t\nblast_radius: {environments: [test]}\n"


def load(body: str, tmp_path: Path) -> m.Experiment:
    path = tmp_path / "exp.yaml"
    path.write_text(HEAD + body)
    from chaosml.loader import load_file

    return load_file(path).experiment


def problems(body: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        load_text(HEAD + body, "exp.yaml")
    return [
        f"{p.path}: {p.message}" + (f" ({p.suggestion})" if p.suggestion else "")
        for p in caught.value.problems
    ]


SOURCES = """
sources:
  prom:
    url: https://prom.example:9090
    auth: {basic: {username: drill, password: pw-literal-123}}
    headers: {X-Scope-OrgID: ml-team}
    path_prefix: /prometheus
  am: http://127.0.0.1:9093
"""


def test_a_named_source_gives_every_use_its_block_and_keys_beside_it_win(tmp_path: Path) -> None:
    exp = load(
        SOURCES
        + """
steady_state:
  - name: q
    prometheus: {url: prom, query: up, headers: {X-Scope-OrgID: other}}
method:
  - expect_alert: {name: A, source: {prometheus: prom}}
  - expect_alert: {name: B, source: {alertmanager: am}}
""",
        tmp_path,
    )
    probe = exp.steady_state[0].params
    assert isinstance(probe, Connection)
    assert probe.base_url == "https://prom.example:9090/prometheus"
    assert probe.headers == {"X-Scope-OrgID": "other"}
    assert probe.auth is not None and probe.auth.basic is not None
    first, second = (s.expect_alert.source for s in exp.method if isinstance(s, m.ExpectAlertStep))
    assert first.connection.endpoint("/api/v1/alerts") == (
        "https://prom.example:9090/prometheus/api/v1/alerts"
    )
    assert first.connection.headers == {"X-Scope-OrgID": "ml-team"}
    assert second.connection.base_url == "http://127.0.0.1:9093"


def test_an_unknown_source_name_is_a_located_error_with_a_suggestion() -> None:
    found = problems(
        SOURCES + "method:\n  - expect_alert: {name: A, source: {prometheus: prom2}}\n"
    )
    assert any(
        "method[0].expect_alert.source.prometheus" in p and "did you mean 'prom'" in p
        for p in found
    ), found


def test_unknown_keys_and_half_given_blocks_are_errors() -> None:
    found = problems(
        """
sources:
  a: {url: "http://x", auth: {basic: {username: u, password: pw-a-123}, bearer: tok-a-123}}
  b: {url: "http://x", tls: {key_file: /etc/hostname}}
  c: {url: "http://x", tls: {ca_file: /nonexistent/ca.pem}}
  d: {url: "http://x", token: tok-d-123}
method:
  - wait: 1s
"""
    )
    text = "\n".join(found)
    assert "exactly one of basic" in text
    assert "key_file needs cert_file" in text
    assert "no such file: /nonexistent/ca.pem" in text
    assert "sources.d.token: unknown key 'token'" in text


def test_relative_tls_files_are_read_from_the_experiments_folder(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("x")
    exp = load(
        'sources:\n  p: {url: "https://x", tls: {ca_file: certs/ca.pem}}\nmethod:\n  - wait: 1s\n',
        tmp_path,
    )
    tls = exp.sources["p"].tls
    assert tls is not None and tls.ca_file == str(tmp_path / "certs" / "ca.pem")


def test_literal_passwords_tokens_and_the_basic_credential_are_secrets() -> None:
    redaction.forget_all()
    loaded = load_text(
        HEAD
        + SOURCES
        + """
steady_state:
  - name: q
    prometheus: {url: "http://y", auth: {bearer: tok-literal-456}, query: up}
  - name: r
    prometheus: {url: "http://z", headers: {Authorization: "Token hdr-literal-789"}, query: up}
method:
  - wait: 1s
""",
        "exp.yaml",
    )
    credential = base64.b64encode(b"drill:pw-literal-123").decode()
    assert {"pw-literal-123", "tok-literal-456", credential, "Token hdr-literal-789"} <= set(
        loaded.secret_values
    )
    assert redaction.scrub(f"pw-literal-123 tok-literal-456 Basic {credential}") == (
        "*** *** Basic ***"
    )


def test_a_validation_error_quotes_no_literal_password() -> None:
    redaction.forget_all()
    found = problems(
        'sources:\n  p: {url: "http://x", auth: {basic: {username: u, password: hunter2-pw}}, '
        "headers: {A: 1}, tls: hunter2-pw}\nmethod:\n  - wait: 1s\n"
    )
    assert found and all("hunter2-pw" not in p for p in found), found


def test_vmalert_answering_alerts_null_means_no_alert() -> None:
    assert prometheus_alerts({"status": "success", "data": {"alerts": None}}) == []


def test_refusals_are_401_403_and_vmauths_400_for_an_unknown_token() -> None:
    refused = monitoring_http.is_refusal
    assert refused(401, "") and refused(403, "")
    assert refused(400, 'cannot find the provided auth token "Bearer ***" in config\n')
    assert not refused(400, "parse error")


def test_insecure_skip_verify_turns_verification_off_and_says_so() -> None:
    conn = Connection(url="https://x", tls={"insecure_skip_verify": True})  # type: ignore[arg-type]
    assert connection.verify_setting(conn) is False
    assert "verification is OFF" in connection.insecure_warning("Prometheus", conn)


def test_the_tls_reason_is_found_inside_a_wrapped_error() -> None:
    import ssl

    inner = ssl.SSLCertVerificationError(1, "verify failed")
    inner.verify_message = "unable to get local issuer certificate"
    outer = OSError("HTTPSConnectionPool: Max retries exceeded")
    outer.__cause__ = inner
    assert connection_errors.tls_reason(outer) == (
        "certificate verify failed: unable to get local issuer certificate"
    )
    assert connection_errors.tls_reason(OSError("refused")) is None


def test_victoria_metrics_answers_time_as_a_vector_and_is_read() -> None:
    from chaosml.io.clock_offset import time_answer

    assert time_answer([{"metric": {}, "value": [1796150732, "1796150731.103"]}]) == 1796150731.103
    assert time_answer([1796150731.103, "1796150731.103"]) == 1796150731.103
