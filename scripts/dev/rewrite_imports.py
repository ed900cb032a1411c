"""Rewrite imports of modules and names that moved (issue 12 §3; docs/architecture.md).

    python scripts/dev/rewrite_imports.py FILE_OR_DIR...

Rewrites ``from OLD import ...``, ``import OLD``, ``from PARENT import NAME`` and dotted strings
(``"chaosml.io.http_client.requests"`` in monkeypatch targets, docs) in place, then sort
the imports with ``ruff check --select I --fix``. Idempotent: run it again after a merge.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

MODULES = {  # old module -> new module
    "chaosml.drivers.http_client": "chaosml.io.http_client",
    "chaosml.drivers.subprocesses": "chaosml.io.subprocesses",
    "chaosml.drivers.connection_errors": "chaosml.io.connection_errors",
    "chaosml.drivers.clock_offset": "chaosml.io.clock_offset",
    "chaosml.procfs": "chaosml.io.procfs",
    "chaosml.ports": "chaosml.io.ports",
    "chaosml.engine.selection": "chaosml.model.selection",
}

NAMES = {  # (old module, name) -> new module; the rest of the old module stays
    ("chaosml.drivers.base", "Params"): "chaosml.contract.params",
    ("chaosml.drivers.base", "UndoRecord"): "chaosml.contract.records",
    ("chaosml.drivers.base", "Evidence"): "chaosml.contract.records",
    ("chaosml.drivers.base", "Counter"): "chaosml.contract.records",
    ("chaosml.drivers.base", "Sample"): "chaosml.contract.sample",
    ("chaosml.drivers.base", "TargetMember"): "chaosml.contract.targets",
    ("chaosml.drivers.base", "ResolvedTarget"): "chaosml.contract.targets",
    ("chaosml.drivers.base", "DriverContext"): "chaosml.contract.context",
    ("chaosml.drivers.base", "RUN_ID_LABEL"): "chaosml.contract.context",
    ("chaosml.drivers.base", "Role"): "chaosml.contract.catalogue",
    ("chaosml.loader", "Loaded"): "chaosml.model.loaded",
    ("chaosml.cli.report_entry", "write_reports"): "chaosml.reporting.report_dir",
}

_FROM = re.compile(
    r"^(?P<indent>[ \t]*)from (?P<mod>chaosml[\w.]*) import "
    r"(?P<names>\([^)]*\)|[^\n]*(?:\\\n[^\n]*)*)",
    re.M,
)


def _split_names(raw: str) -> list[str]:
    body = raw.strip()
    comment = ""
    if body.startswith("("):
        body = body[1:-1]
    else:
        body, _, comment = body.partition("#")
    body = re.sub(r"#[^\n]*", "", body).replace("\\\n", " ")
    names = [n.strip() for n in body.replace("\n", " ").split(",") if n.strip()]
    return names + ([f"#{comment}"] if comment.strip() else [])


def _render(indent: str, mod: str, names: list[str]) -> str:
    comment = next((n for n in names if n.startswith("#")), "")
    names = [n for n in names if not n.startswith("#")]
    line = f"{indent}from {mod} import {', '.join(names)}"
    if comment:
        line += f"  {comment.strip()}"
    if len(line) <= 100:
        return line
    inner = "".join(f"{indent}    {n},\n" for n in names)
    return f"{indent}from {mod} import (\n{inner}{indent})"


def _rewrite_from(match: re.Match[str]) -> str:
    indent, mod = match["indent"], match["mod"]
    mod = MODULES.get(mod, mod)
    groups: dict[str, list[str]] = {}
    for name in _split_names(match["names"]):
        base = name.split(" as ")[0].strip()
        target = NAMES.get((mod, base)) or MODULES.get(f"{mod}.{base}", "").rpartition(".")[0]
        if target and (mod, base) not in NAMES:  # ``from chaosml.drivers import http_client``
            groups.setdefault(target, []).append(name)
        else:
            groups.setdefault(target or mod, []).append(name)
    comments = [n for n in groups.get(mod, []) if n.startswith("#")]
    if groups.get(mod) == comments and comments:
        del groups[mod]
        next(iter(groups.values())).extend(comments)
    return "\n".join(_render(indent, m, names) for m, names in groups.items())


def _rewrite_dotted(text: str) -> str:
    for old, new in sorted(MODULES.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<![\w.]){re.escape(old)}(?![\w])", new, text)
        old_path, new_path = old.replace(".", "/") + ".py", new.replace(".", "/") + ".py"
        text = re.sub(rf"(?<![\w/]){re.escape(old_path)}", new_path, text)
    return text


def rewrite(text: str) -> str:
    return _rewrite_dotted(_FROM.sub(_rewrite_from, text))


def main(paths: list[str]) -> int:
    for top in paths:
        root = Path(top)
        files = [root] if root.is_file() else [*root.rglob("*.py"), *root.rglob("*.md")]
        for path in files:
            if ".venv" in path.parts or path.resolve() == Path(__file__).resolve():
                continue
            old = path.read_text()
            new = rewrite(old) if path.suffix == ".py" else _rewrite_dotted(old)
            if new != old:
                path.write_text(new)
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
