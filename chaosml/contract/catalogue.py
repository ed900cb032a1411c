"""The driver catalogue as the model sees it: roles, kinds and each kind's parameter model.

``chaosml.drivers.registry.Registry`` satisfies ``DriverCatalogue``; the model (the JSON
Schema of the format) takes one as an argument instead of importing the registry.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Protocol

from chaosml.contract.params import Params

Role = Literal["fault", "action", "probe", "target"]


class ParamsModelled(Protocol):
    """A driver class as far as the format is concerned: the model of its parameters."""

    params_model: ClassVar[type[Params]]


class DriverCatalogue(Protocol):
    """The installed drivers, by role and kind."""

    def kinds(self, role: Role) -> list[str]: ...

    def driver_class(self, role: Role, kind: str) -> type[ParamsModelled]: ...
