"""Model artifacts (a file or a directory) read and replaced as tar archives, on this machine or
inside a Docker container, and the content digest that proves an undo put the original back.

The digest covers what a model server loads — each member's relative path, type and content —
not timestamps or owners, so a restored artifact has the digest recorded before the swap.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Protocol

from chaosml.drivers.docker_driver import DockerEngine
from chaosml.errors import DriverError


class ArtifactStore(Protocol):
    """Where an artifact lives: read it as a tar, replace it from a tar."""

    def read(self, path: str) -> bytes | None: ...

    def replace(self, path: str, archive: bytes) -> None: ...


def tar_digest(archive: bytes) -> str:
    """sha256 over each member's relative path, type and content (timestamps left out)."""
    digest = hashlib.sha256()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            digest.update(f"{member.name.rstrip('/')}\0{member.type!r}\0".encode())
            if member.isfile():
                handle = tar.extractfile(member)
                digest.update(handle.read() if handle else b"")
            elif member.issym() or member.islnk():
                digest.update(member.linkname.encode())
    return digest.hexdigest()


def tar_of(source: Path, name: str) -> bytes:
    """A tar of the local file or directory ``source``, its top entry called ``name``."""
    buffer = io.BytesIO()
    try:
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            tar.add(source, arcname=name)
    except OSError as exc:
        raise DriverError(f"cannot read {source}: {exc.strerror or exc}") from None
    return buffer.getvalue()


class LocalStore:
    """Artifacts on this machine; a replacement lands atomically (a rename in the same dir)."""

    def read(self, path: str) -> bytes | None:
        target = Path(path)
        if not target.exists() and not target.is_symlink():
            return None
        return tar_of(target, target.name)

    def replace(self, path: str, archive: bytes) -> None:
        target = Path(path)
        try:
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.swap-"))
            try:
                _extract(archive, staging)
                _swap_in(staging / _top_name(archive), target, staging)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except OSError as exc:
            raise DriverError(f"cannot replace {target}: {exc.strerror or exc}") from None


def _extract(archive: bytes, into: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="tar")


def _top_name(archive: bytes) -> str:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        names = {m.name.split("/", 1)[0] for m in tar.getmembers()}
    if len(names) != 1:
        raise DriverError(f"an artifact archive must hold one top entry, found {sorted(names)}")
    return names.pop()


def _swap_in(new: Path, target: Path, staging: Path) -> None:
    """Put ``new`` where ``target`` is: a file by one rename; a directory by moving the old one
    aside first (into the staging dir, removed with it)."""
    if target.is_dir() and not target.is_symlink():
        os.rename(target, staging / ".old")
    os.replace(new, target)


class ContainerStore:
    """Artifacts inside a container, through the Docker archive API; the old one is removed
    with ``rm -rf`` inside the container first (the image needs ``rm``)."""

    def __init__(self, container: str, engine: DockerEngine | None = None) -> None:
        self.container = container
        self.engine = engine or DockerEngine()

    def read(self, path: str) -> bytes | None:
        return self.engine.get_archive(self.container, path)

    def replace(self, path: str, archive: bytes) -> None:
        code, output = self.engine.exec_run(self.container, ["rm", "-rf", "--", path])
        if code != 0:
            raise DriverError(f"cannot remove {path} in container {self.container}: {output}")
        renamed = _renamed(archive, posixpath.basename(path.rstrip("/")))
        self.engine.put_archive(self.container, posixpath.dirname(path.rstrip("/")), renamed)


def _renamed(archive: bytes, name: str) -> bytes:
    """The archive with its top entry called ``name``."""
    top = _top_name(archive)
    if top == name:
        return archive
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(archive)) as src,
        tarfile.open(fileobj=out, mode="w") as dst,
    ):
        for member in src.getmembers():
            data = src.extractfile(member) if member.isfile() else None
            member.name = name + member.name[len(top) :]
            dst.addfile(member, data)
    return out.getvalue()
