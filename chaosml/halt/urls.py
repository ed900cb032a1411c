"""Team and cluster halt sources named by URL: ``CHAOSML_HALT_URL`` and the config file."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from chaosml import redaction
from chaosml.errors import InputError
from chaosml.halt.sources import HaltSource

if TYPE_CHECKING:
    from chaosml.halt.k8s_source import ConfigMapSource

# Each source is imported in its branch: most runs name no halt URL, and each source brings its
# client (HTTP and retries, Kubernetes, PostgreSQL) to every command that reads the halts.

URL_ENV = "CHAOSML_HALT_URL"  # one URL or several, separated by commas or spaces
K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def env_urls() -> list[str]:
    return [url for url in re.split(r"[,\s]+", os.environ.get(URL_ENV, "")) if url]


def source_for(url: str) -> HaltSource:
    """The source a URL names; ``InputError`` (exit 2) for a scheme chaosml does not know.
    A password in the URL is masked on every output channel from now on."""
    parts = urlsplit(url)
    if parts.password:
        redaction.remember([parts.password])
    scheme = parts.scheme.lower()
    if scheme in ("postgresql", "postgres"):
        from chaosml.halt.postgres_source import PostgresSource

        return PostgresSource(url)
    if scheme in ("http", "https"):
        from chaosml.halt.http_source import HttpSource

        return HttpSource(url)
    if scheme == "k8s":
        return _configmap(url)
    raise InputError(
        f"halt URL {redaction.url_without_password(url)!r}: unknown scheme {scheme or '(none)'!r}",
        hint="use postgresql://…, k8s://NAMESPACE/NAME or http(s)://…",
    )


def _configmap(url: str) -> ConfigMapSource:
    parts = url[len("k8s://") :].strip("/").split("/")
    if len(parts) != 2 or not all(K8S_NAME.match(part) for part in parts):
        raise InputError(
            f"halt URL {url!r}: expected k8s://NAMESPACE/NAME (a ConfigMap)",
            hint="e.g. k8s://chaos/chaosml-halt",
        )
    from chaosml.halt.k8s_source import ConfigMapSource

    return ConfigMapSource(parts[0], parts[1])
