"""Alertmanager's routing tree evaluated as Alertmanager does (issue 19, ``chaosml routes``)."""

from __future__ import annotations

import pytest

from chaosml.cli.routes_cmd import lines, parse_labels
from chaosml.errors import InputError
from chaosml.notify import routing
from chaosml.notify.matchers import parse_matcher

CONFIG = """
route:
  receiver: default
  group_by: [alertname]
  group_wait: 10s
  routes:
    - matchers: ['team="ml"', 'severity=~"page|critical"']
      receiver: ml-oncall
      group_interval: 2m
      continue: true
      routes:
        - match: {env: staging}
          receiver: ml-staging
          group_wait: 1m
    - match_re: {team: "ml|data"}
      receiver: data-oncall
      repeat_interval: 1d
    - matchers: ["team!=ml"]
      receiver: never-for-ml
"""


def _receivers(labels: dict[str, str]) -> list[str]:
    return routing.receivers(routing.tree_from_text(CONFIG).match(labels))


def test_continue_lets_the_next_sibling_match_too() -> None:
    assert _receivers({"team": "ml", "severity": "page"}) == ["ml-oncall", "data-oncall"]


def test_the_first_matching_route_without_continue_ends_the_search() -> None:
    assert _receivers({"team": "data"}) == ["data-oncall"]


def test_a_child_route_wins_over_its_parent_and_inherits_its_settings() -> None:
    tree = routing.tree_from_text(CONFIG)
    [staging, data] = tree.match({"team": "ml", "severity": "page", "env": "staging"})
    assert staging.receiver == "ml-staging" and staging.path == "route.routes[0].routes[0]"
    assert (staging.group_wait, staging.group_interval, staging.repeat_interval) == (
        60.0,
        120.0,
        14400.0,
    )
    assert staging.group_by == ["alertname"]
    assert data.repeat_interval == 86400.0 and data.group_wait == 10.0


def test_no_matching_child_means_the_parent_receives_it() -> None:
    tree = routing.tree_from_text(CONFIG)
    [route] = tree.match({"team": "ml", "severity": "info"})
    assert route.receiver == "data-oncall"  # regex match_re is anchored: ml|data
    [root] = routing.tree_from_text("route: {receiver: x}").match({"team": "ops"})
    assert (root.receiver, root.group_wait, root.group_interval) == ("x", 30.0, 300.0)


def test_anchored_regex_and_negative_matchers() -> None:
    assert _receivers({"team": "mlops"}) == ["never-for-ml"]


def test_routes_prints_each_receiver_with_its_timings() -> None:
    tree = routing.tree_from_text(CONFIG)
    shown = lines(tree, {"alertname": "ModelDown", "team": "ml", "severity": "page"})
    assert shown[0] == "ModelDown {severity='page', team='ml'} reaches 2 receiver(s):"
    assert shown[1].startswith('  - receiver ml-oncall via route.routes[0] (matching team="ml"')
    assert "group_wait 10s, group_interval 2m, repeat_interval 4h" in shown[1]


@pytest.mark.parametrize(
    ("text", "name", "op", "value"),
    [
        ('team="ml"', "team", "=", "ml"),
        ("team = ml", "team", "=", "ml"),
        ('severity=~"page|critical"', "severity", "=~", "page|critical"),
        ('env!="dev"', "env", "!=", "dev"),
        ('x!~"a.*"', "x", "!~", "a.*"),
    ],
)
def test_matchers_are_read_as_alertmanager_writes_them(
    text: str, name: str, op: str, value: str
) -> None:
    matcher = parse_matcher(text)
    assert (matcher.name, matcher.op, matcher.value) == (name, op, value)


@pytest.mark.parametrize(
    ("config", "why"),
    [
        ("receivers: []", "has no route"),
        ("route: {receiver: x, group_wait: soon}", "not a Prometheus duration: 'soon'"),
        ("route: {receiver: x, routes: [{matchers: ['=x']}]}", "not an Alertmanager matcher"),
        ("route: {receiver: x, routes: [{match_re: {a: '('}}]}", "bad regular expression"),
    ],
)
def test_a_config_chaosml_cannot_read_is_an_input_error(config: str, why: str) -> None:
    with pytest.raises(InputError, match=why):
        routing.tree_from_text(config)


def test_labels_flags_are_k_equals_v() -> None:
    assert parse_labels(["team=ml,severity=page", "env=prod"]) == {
        "team": "ml",
        "severity": "page",
        "env": "prod",
    }
    with pytest.raises(InputError, match="expected k=v, got 'team'"):
        parse_labels(["team"])
