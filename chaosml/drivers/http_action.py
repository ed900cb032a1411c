"""Action ``http.request``: send one HTTP request as a step of the method or the rollbacks.

The request and its parameters are the ``http`` probe's; an action checks nothing by default
(a status of 400 or more is recorded, as Chaos Toolkit's HTTP actions do), unless
``fail_on_status`` is set. Used by ``chaosml import`` for Chaos Toolkit HTTP actions.
"""

from __future__ import annotations

from chaosml.contract.context import DriverContext
from chaosml.contract.sample import Sample
from chaosml.drivers.base import ActionDriver
from chaosml.drivers.http_probe import HttpParams, HttpProbe
from chaosml.errors import DriverError


class HttpRequestParams(HttpParams):
    fail_on_status: bool = False  # true: a status >= 400 fails the step


class HttpRequest(ActionDriver[HttpRequestParams]):
    kind = "http.request"
    summary = "send one HTTP request (a webhook, an admin endpoint); no undo"

    def run(self, params: HttpRequestParams, ctx: DriverContext) -> Sample | None:
        sample = HttpProbe().sample(params, ctx)
        if params.fail_on_status and sample.status is not None and sample.status >= 400:
            raise DriverError(f"{params.method} {params.url} answered {sample.status}")
        return sample

    def describe(self, params: HttpRequestParams) -> str:
        return f"{params.method} {params.url}"
