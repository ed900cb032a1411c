"""Why no notification came, in one line, from Alertmanager's view (issue 19)."""

from __future__ import annotations

from chaosml.notify import routing
from chaosml.notify.alertmanager_api import AmAlert, Silence
from chaosml.notify.diagnosis import View, Wanted, why_not

TREE = routing.tree_from_text(
    """
route:
  receiver: default
  group_wait: 1s
  group_interval: 2s
  routes:
    - {matchers: ['team="ml"'], receiver: ml-oncall, group_wait: 30s}
    - {matchers: ['team="data"'], receiver: data-oncall}
"""
)
WANTED = Wanted("ModelDown", "ml-oncall", {}, 10.0)
NOW = 1000.0


def _alert(
    team: str = "ml",
    state: str = "active",
    receivers: tuple[str, ...] = ("ml-oncall",),
    silenced: tuple[str, ...] = (),
    inhibited: tuple[str, ...] = (),
    started: float = NOW - 8,
    name: str = "ModelDown",
    fingerprint: str = "a1",
) -> AmAlert:
    labels = {"alertname": name, "team": team}
    return AmAlert(
        fingerprint, labels, state, list(receivers), list(silenced), list(inhibited), started
    )


def _silence(silence_id: str) -> Silence:
    return Silence(silence_id, "alice@example.org", "db migration")


def _why(*alerts: AmAlert, sink: str | None = "127.0.0.1:9097") -> str:
    return why_not(WANTED, View(list(alerts), _silence, TREE, NOW), sink)


HEAD = "no notification of ModelDown to ml-oncall within 10s: "


def test_never_fired() -> None:
    assert _why() == HEAD + "never fired (Alertmanager has no alert ModelDown now)"


def test_silenced_names_the_silence_and_its_creator() -> None:
    found = _why(_alert(state="suppressed", silenced=("s-1",)))
    assert found == HEAD + 'silenced by silence s-1 created by alice@example.org: "db migration"'


def test_inhibited_names_the_inhibiting_alert() -> None:
    inhibitor = _alert(name="Maintenance", fingerprint="f9", receivers=("default",))
    found = _why(_alert(state="suppressed", inhibited=("f9",)), inhibitor)
    assert found == HEAD + "inhibited by Maintenance {team='ml'}"


def test_routed_elsewhere_names_the_receiver_and_the_route() -> None:
    found = _why(_alert(team="data", receivers=("data-oncall",)))
    assert found.startswith(HEAD + "routed to receiver data-oncall via route.routes[1]")


def test_still_grouped_names_the_route_and_its_timings() -> None:
    found = _why(_alert())
    assert found == HEAD + (
        "still grouped: routed to ml-oncall by route.routes[0], which holds notifications for "
        "group_wait 30s (then group_interval 2s); active in Alertmanager for 8.0s"
    )


def test_routed_right_and_waited_out_points_at_the_webhook_url() -> None:
    found = _why(_alert(started=NOW - 60))
    assert "no notification reached the sink at 127.0.0.1:9097" in found
    assert "does ml-oncall's webhook_configs url point at it?" in found
