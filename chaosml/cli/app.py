"""``chaosml``: the typer application. Commands import their modules lazily (fast --help)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chaosml import __version__

app = typer.Typer(
    name="chaosml",
    help="Chaos-engineering experiments for ML infrastructure: inject faults inside a bounded "
    "blast radius, verify that alerts fire, always roll back.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
proxy_app = typer.Typer(
    help="The fault-injecting proxy (Toxiproxy-compatible API).", no_args_is_help=True
)
app.add_typer(proxy_app, name="proxy")
stack_app = typer.Typer(
    help="The example ML stack, kept running for your own experiments (up, then down).",
    no_args_is_help=True,
)
app.add_typer(stack_app, name="stack")
k8s_app = typer.Typer(help="Kubernetes helpers (docs/kubernetes.md).", no_args_is_help=True)
app.add_typer(k8s_app, name="k8s")

DEBUG = typer.Option("--debug", help="Show tracebacks.")
NO_WATCHDOG = typer.Option(
    "--no-watchdog",
    help="Start no watchdog: if the runner dies, nothing rolls its faults back (journaled).",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"chaosml {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    kube_context: Annotated[
        str | None,
        typer.Option("--kube-context", help="Kubernetes context of the kubeconfig to use."),
    ] = None,
) -> None:
    """chaosml: chaos drills for ML serving stacks and the monitoring that watches them."""
    if kube_context:
        import os

        os.environ["CHAOSML_KUBE_CONTEXT"] = kube_context  # read by drivers/k8s_client.py


HALT_SOURCE_UNREACHABLE = typer.Option(
    "--halt-source-unreachable",
    help="A halt source or stop condition that cannot be read: abort (exit 4) or warn.",
)


@app.command()
def run(
    experiments: Annotated[list[Path], typer.Argument(help="Experiment files (YAML or JSON).")],
    env: Annotated[
        str | None, typer.Option("--env", help="Environment name (or CHAOSML_ENV).")
    ] = None,
    var: Annotated[list[str], typer.Option("--var", help="Override a var: k=v (repeatable).")] = [],  # noqa: B006
    journal: Annotated[
        Path | None, typer.Option("--journal", help="Journal path (one experiment).")
    ] = None,
    append_journal: Annotated[
        bool, typer.Option("--append-journal", help="Add this run to an existing --journal file.")
    ] = False,
    journal_dir: Annotated[Path, typer.Option("--journal-dir", help="Where journals go.")] = Path(
        "chaosml-journals"
    ),
    report_dir: Annotated[
        Path | None, typer.Option("--report-dir", help="Write HTML/JUnit/Markdown here.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Check the blast radius, print the plan; write nothing (no journal, no lock).",
        ),
    ] = False,
    allow_python: Annotated[
        bool, typer.Option("--allow-python", help="Allow python probes.")
    ] = False,
    keep_faults: Annotated[
        bool, typer.Option("--keep-faults", help="Leave faults in place (no rollback).")
    ] = False,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for target selection (replays a pick).")
    ] = None,
    max_clock_skew: Annotated[
        str | None,
        typer.Option(
            "--max-clock-skew",
            help="Refuse (exit 2) when an alert source's clock is further off (e.g. 500ms).",
        ),
    ] = None,
    no_watchdog: Annotated[bool, NO_WATCHDOG] = False,
    halt_source_unreachable: Annotated[str | None, HALT_SOURCE_UNREACHABLE] = None,
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Run experiments: steady state, faults, alerts, rollback, recovery, journal."""
    from chaosml.cli import run_cmd

    raise typer.Exit(
        run_cmd.run(
            experiments,
            env=env,
            var=var,
            journal=journal,
            append_journal=append_journal,
            journal_dir=journal_dir,
            report_dir=report_dir,
            dry_run=dry_run,
            allow_python=allow_python,
            keep_faults=keep_faults,
            seed=seed,
            debug=debug,
            max_clock_skew=max_clock_skew,
            watchdog=not no_watchdog,
            halt_unreachable=halt_source_unreachable,
        )
    )


@app.command()
def validate(
    experiments: Annotated[list[Path], typer.Argument(help="Experiment files.")],
    var: Annotated[list[str], typer.Option("--var", help="Override a var: k=v.")] = [],  # noqa: B006
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Check experiment files; run nothing."""
    from chaosml.cli import validate_cmd

    raise typer.Exit(validate_cmd.validate(experiments, var, debug))


@app.command()
def rollback(
    journal: Annotated[Path, typer.Argument(help="The journal of a run that was killed.")],
    force: Annotated[
        bool, typer.Option("--force", help="Roll back even if the run seems to be alive.")
    ] = False,
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Run the undos a killed run left pending (safe to run twice)."""
    from chaosml.cli import rollback_cmd

    raise typer.Exit(rollback_cmd.rollback(journal, debug, force))


@app.command()
def reap(
    proxy: Annotated[
        list[str], typer.Option("--proxy", help="A proxy API to sweep for expired toxics.")
    ] = [],  # noqa: B006
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be removed; remove nothing.")
    ] = False,
    runs_dir: Annotated[
        Path | None,
        typer.Option("--runs-dir", help="The host's run index (CHAOSML_RUNS_DIR)."),
    ] = None,
    k8s: Annotated[
        bool,
        typer.Option("--k8s", help="Delete expired chaosml objects in Kubernetes (kubeconfig)."),
    ] = False,
    namespace: Annotated[
        list[str],
        typer.Option("--namespace", "-n", help="With --k8s: a namespace to sweep (repeatable)."),
    ] = [],  # noqa: B006
    all_namespaces: Annotated[
        bool, typer.Option("--all-namespaces", help="With --k8s: sweep every namespace.")
    ] = False,
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Undo what runs that died with their watchdog left; remove toxics whose lease expired
    and (--k8s) Kubernetes objects whose chaosml expiry is past."""
    from chaosml.cli import reap_cmd

    sweep = reap_cmd.KubeSweep(k8s, namespace, all_namespaces)
    raise typer.Exit(reap_cmd.reap_command(proxy, dry_run, runs_dir, debug, sweep))


@app.command()
def halt(
    clear: Annotated[bool, typer.Option("--clear", help="Clear the halt of --scope.")] = False,
    reason: Annotated[
        str, typer.Option("--reason", help="Why (shown to runs that see it).")
    ] = "halted by an operator",
    scope: Annotated[
        str,
        typer.Option(
            "--scope",
            help="machine (every account here), user (this account), urls (every configured "
            "halt URL) or one halt URL.",
        ),
    ] = "machine",
    status: Annotated[
        bool, typer.Option("--status", help="List the halts in force in every scope.")
    ] = False,
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """The big red button: running experiments abort and roll back; new runs refuse."""
    from chaosml.cli import halt_cmd

    raise typer.Exit(halt_cmd.halt(clear, reason, scope=scope, status=status, debug=debug))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the experiment format."""
    from chaosml.cli import schema_cmd

    raise typer.Exit(schema_cmd.schema())


@app.command()
def drivers() -> None:
    """List installed faults, actions, probes and target kinds (and refused plugins)."""
    from chaosml.cli import drivers_cmd

    raise typer.Exit(drivers_cmd.drivers())


@app.command()
def report(
    journals: Annotated[list[Path], typer.Argument(help="Journals to render.")],
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML report.")
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Write JUnit XML.")] = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Write Markdown.")] = None,
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Render journals as a summary, HTML, JUnit XML or Markdown."""
    from chaosml.cli import report_entry

    raise typer.Exit(report_entry.report(journals, html, junit, markdown, debug))


@app.command()
def gameday(
    plan: Annotated[Path, typer.Argument(help="The drill plan (YAML).")],
    env: Annotated[
        str | None, typer.Option("--env", help="Environment name (or CHAOSML_ENV).")
    ] = None,
    var: Annotated[
        list[str], typer.Option("--var", help="Override a var in every experiment: k=v.")
    ] = [],  # noqa: B006
    report_dir: Annotated[
        Path | None, typer.Option("--report-dir", help="Write reports here.")
    ] = None,
    journal_dir: Annotated[Path, typer.Option("--journal-dir", help="Where journals go.")] = Path(
        "chaosml-journals"
    ),
    allow_python: Annotated[
        bool, typer.Option("--allow-python", help="Allow python probes.")
    ] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for target selection.")] = None,
    pushgateway: Annotated[
        str | None,
        typer.Option("--pushgateway", help="Annotate fault windows in this Pushgateway."),
    ] = None,
    no_watchdog: Annotated[bool, NO_WATCHDOG] = False,
    halt_source_unreachable: Annotated[str | None, HALT_SOURCE_UNREACHABLE] = None,
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Run a drill: several experiments in order, one summary, one exit code."""
    from chaosml.cli import gameday_entry

    raise typer.Exit(
        gameday_entry.gameday(
            plan,
            env,
            report_dir,
            journal_dir,
            debug,
            var,
            allow_python,
            seed,
            pushgateway,
            watchdog=not no_watchdog,
            halt_unreachable=halt_source_unreachable,
        )
    )


@app.command()
def demo(
    docker: Annotated[bool, typer.Option("--docker", help="Run the stack in containers.")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Journals and reports go here (default ~/.cache/chaosml/demo/<time>)."
        ),
    ] = None,
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Start a local ML stack and run a drill against it; clean up everything after."""
    from chaosml.cli import demo_entry

    raise typer.Exit(demo_entry.demo(docker, debug, out))


STACK_DIR = typer.Option("--dir", help="Where the stack's state and env file go.")


@stack_app.command("up")
def stack_up(
    state_dir: Annotated[Path, STACK_DIR] = Path(".chaosml"),
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Start the example stack detached; print its variables and write DIR/stack.env."""
    from chaosml.cli import stack_cmd

    raise typer.Exit(stack_cmd.up(state_dir, debug))


@stack_app.command("down")
def stack_down(
    state_dir: Annotated[Path, STACK_DIR] = Path(".chaosml"),
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Stop exactly what stack up started (safe to run twice)."""
    from chaosml.cli import stack_cmd

    raise typer.Exit(stack_cmd.down(state_dir, debug))


@k8s_app.command("rbac")
def k8s_rbac(
    paths: Annotated[list[Path], typer.Argument(help="Experiments or game-day plans.")],
    service_account: Annotated[
        str, typer.Option("--service-account", help="The ServiceAccount to bind.")
    ] = "chaosml",
    namespace: Annotated[
        str | None, typer.Option("--namespace", help="The ServiceAccount's namespace.")
    ] = None,
    debug: Annotated[bool, DEBUG] = False,
) -> None:
    """Print a Role and RoleBinding granting exactly what the experiments need."""
    from chaosml.cli import k8s_cmd

    raise typer.Exit(k8s_cmd.rbac(paths, service_account, namespace, debug))


@proxy_app.command("serve")
def proxy_serve(
    api: Annotated[str, typer.Option("--api", help="Control API address.")] = "127.0.0.1:8474",
    config: Annotated[
        Path | None, typer.Option("--config", help="proxies.yaml to populate.")
    ] = None,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a non-loopback API bind.")
    ] = False,
    token: Annotated[
        str | None, typer.Option("--token", envvar="CHAOSML_PROXY_TOKEN", help="API token.")
    ] = None,
) -> None:
    """Serve the fault-injecting proxy and its Toxiproxy-compatible API."""
    from chaosml.cli import proxy_cmd

    raise typer.Exit(
        proxy_cmd.serve(api, str(config) if config else None, allow_remote, token) or 0
    )


def main() -> None:
    from chaosml.engine.signals import ROUTER
    from chaosml.redaction import guard_streams

    ROUTER.until_exit = True  # run/gameday: a signal after run.end must not kill the process
    with guard_streams():  # also typer's own traceback of an unexpected error
        app()
