"""``match_target``: bind an expected alert to the target its fault hit (issue 20).

``match_target: {instance: address}`` reads, for each member of the faulted target, the
attribute on the right (``name``, ``id``, ``address`` — the member's ``chaosml.io/address``
label, the ``host:port`` Prometheus scrapes it at — or ``label.KEY``) and requires the alert
label on the left to equal it. The target is ``expect_alert.target`` or, by default, the
target of the last fault step before the expectation.
"""

from __future__ import annotations

from chaosml.contract.targets import ResolvedTarget, TargetMember
from chaosml.engine.attribution import Binding
from chaosml.errors import RefusedError
from chaosml.model import experiment as m

ADDRESS_LABEL = "chaosml.io/address"


def target_name(method: list[m.Step], index: int) -> str | None:
    """The target an expectation at ``index`` is bound to (explicit, or the last fault's)."""
    step = method[index]
    assert isinstance(step, m.ExpectAlertStep)
    if step.expect_alert.target is not None:
        return step.expect_alert.target
    for earlier in reversed(method[:index]):
        if isinstance(earlier, m.FaultStep):
            target = getattr(earlier.params, "target", None)
            return str(target) if target is not None else None
    return None


def binding_for(
    method: list[m.Step], index: int, targets: dict[str, ResolvedTarget]
) -> Binding | None:
    """Per faulted member, the labels an alert instance must carry; None without match_target.

    Raises RefusedError when match_target has no resolved target to read."""
    alert = method[index]
    assert isinstance(alert, m.ExpectAlertStep)
    wanted = alert.expect_alert.match_target
    if wanted is None:
        return None
    name = target_name(method, index)
    if name is None or name not in targets:
        raise RefusedError(
            f"method[{index}].expect_alert.match_target: no faulted target to match "
            f"{alert.expect_alert.name} against ({name or 'no fault with a target before it'}); "
            "give expect_alert.target: <a blast_radius target>"
        )
    return [_member_labels(member, wanted) for member in targets[name].members]


def _member_labels(member: TargetMember, wanted: dict[str, str]) -> dict[str, str]:
    return {label: attribute_of(member, attr) for label, attr in wanted.items()}


def attribute_of(member: TargetMember, attribute: str) -> str:
    if attribute in ("name", "id"):
        return member.name if attribute == "name" else member.id
    label = ADDRESS_LABEL if attribute == "address" else attribute.removeprefix("label.")
    if label not in member.labels:
        raise RefusedError(
            f"match_target: {member.name} has no label {label} to read {attribute!r} from"
        )
    return member.labels[label]
