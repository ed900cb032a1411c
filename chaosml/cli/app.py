"""``chaosml``: the typer application. Commands import their modules lazily (fast --help)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from chaosml import __version__
from chaosml.cli.options import (
    AllowPython,
    Debug,
    Env,
    History,
    JournalDir,
    NoWatchdog,
    Vars,
    with_run_flags,
)
from chaosml.cli.run_flags import RunFlags

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


@app.command()
@with_run_flags
def run(
    experiments: Annotated[list[Path], typer.Argument(help="Experiment files (YAML or JSON).")],
    env: Env = None,
    var: Vars = [],  # noqa: B006
    journal: Annotated[
        Path | None, typer.Option("--journal", help="Journal path (one experiment).")
    ] = None,
    append_journal: Annotated[
        bool, typer.Option("--append-journal", help="Add this run to an existing --journal file.")
    ] = False,
    journal_dir: JournalDir = Path("chaosml-journals"),
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
    allow_python: AllowPython = False,
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
    *,
    flags: RunFlags,
) -> None:
    """Run experiments: steady state, faults, alerts, rollback, recovery, journal."""
    from chaosml.cli import run_cmd

    raise typer.Exit(
        run_cmd.run(
            experiments,
            flags,
            journal=journal,
            append_journal=append_journal,
            report_dir=report_dir,
            dry_run=dry_run,
            keep_faults=keep_faults,
            max_clock_skew=max_clock_skew,
        )
    )


@app.command()
def validate(
    experiments: Annotated[list[Path], typer.Argument(help="Experiment files.")],
    var: Annotated[list[str], typer.Option("--var", help="Override a var: k=v.")] = [],  # noqa: B006
    debug: Debug = False,
) -> None:
    """Check experiment files; run nothing."""
    from chaosml.cli import validate_cmd

    raise typer.Exit(validate_cmd.validate(experiments, var, debug))


@app.command("import")
def import_(
    experiment: Annotated[Path, typer.Argument(help="A Chaos Toolkit experiment (JSON or YAML).")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the chaosml experiment here.")
    ] = None,
    debug: Debug = False,
) -> None:
    """Convert a Chaos Toolkit experiment; report what is native, compatibility or dropped."""
    from chaosml.cli import import_cmd

    raise typer.Exit(import_cmd.import_experiment(experiment, output, debug))


@app.command()
def rollback(
    journal: Annotated[Path, typer.Argument(help="The journal of a run that was killed.")],
    force: Annotated[
        bool, typer.Option("--force", help="Roll back even if the run seems to be alive.")
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait", min=0, help="Seconds to wait for another rollback of it (the watchdog)."
        ),
    ] = 30.0,
    debug: Debug = False,
) -> None:
    """Run the undos a killed run left pending (safe to run twice)."""
    from chaosml.cli import rollback_cmd

    raise typer.Exit(rollback_cmd.rollback(journal, debug, force, wait))


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
    debug: Debug = False,
) -> None:
    """Undo what runs that died with their watchdog left; remove toxics whose lease expired
    and (--k8s) Kubernetes objects whose chaosml expiry is past."""
    from chaosml.cli import reap_cmd

    sweep = reap_cmd.KubeSweep(k8s, namespace, all_namespaces)
    raise typer.Exit(reap_cmd.reap_command(proxy, dry_run, runs_dir, debug, sweep))


@app.command()
def routes(
    alertmanager: Annotated[str, typer.Option("--alertmanager", help="Alertmanager's URL.")],
    alert: Annotated[str, typer.Option("--alert", help="The alert's name (alertname).")],
    labels: Annotated[
        list[str], typer.Option("--labels", help="k=v labels the alert carries (repeatable).")
    ] = [],  # noqa: B006
    debug: Debug = False,
) -> None:
    """Which receiver an alert would reach, with which timings (Alertmanager's live routing)."""
    from chaosml.cli import routes_cmd

    raise typer.Exit(routes_cmd.routes(alertmanager, alert, labels, debug))


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
    debug: Debug = False,
) -> None:
    """The big red button: running experiments abort and roll back; new runs refuse."""
    from chaosml.cli import halt_cmd

    raise typer.Exit(halt_cmd.halt(clear, reason, scope=scope, status=status, debug=debug))


@app.command()
def schema(
    journal: Annotated[
        bool, typer.Option("--journal", help="The JSON Schema of a journal line instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of the experiment format."""
    from chaosml.cli import schema_cmd

    raise typer.Exit(schema_cmd.schema(journal))


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
    debug: Debug = False,
) -> None:
    """Render journals as a summary, HTML, JUnit XML or Markdown."""
    from chaosml.cli import report_entry

    raise typer.Exit(report_entry.report(journals, html, junit, markdown, debug))


@app.command()
def sensitivity(
    experiment: Annotated[Path, typer.Argument(help="An experiment with a sensitivity: section.")],
    env: Env = None,
    var: Vars = [],  # noqa: B006
    journal_dir: JournalDir = Path("chaosml-journals"),
    search_dir: Annotated[
        Path | None,
        typer.Option("--search-dir", help="The search's directory (default: in --journal-dir)."),
    ] = None,
    allow_python: AllowPython = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Only the table and the verdict.")] = False,
    no_watchdog: NoWatchdog = False,
    debug: Debug = False,
) -> None:
    """Search the smallest fault at which an alert still fires (bisection, complete runs)."""
    from chaosml.cli import sensitivity_cmd
    from chaosml.cli.run_flags import RunFlags

    flags = RunFlags(env, var, journal_dir, allow_python, watchdog=not no_watchdog, debug=debug)
    raise typer.Exit(sensitivity_cmd.sensitivity(experiment, flags, search_dir, quiet))


@app.command()
@with_run_flags
def gameday(
    plan: Annotated[Path, typer.Argument(help="The drill plan (YAML).")],
    env: Env = None,
    var: Annotated[
        list[str], typer.Option("--var", help="Override a var in every experiment: k=v.")
    ] = [],  # noqa: B006
    report_dir: Annotated[
        Path | None, typer.Option("--report-dir", help="Write reports here.")
    ] = None,
    journal_dir: JournalDir = Path("chaosml-journals"),
    allow_python: AllowPython = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for target selection.")] = None,
    pushgateway: Annotated[
        str | None,
        typer.Option("--pushgateway", help="Annotate fault windows in this Pushgateway."),
    ] = None,
    *,
    flags: RunFlags,
) -> None:
    """Run a drill: several experiments in order, one summary, one exit code."""
    from chaosml.cli import gameday_entry

    raise typer.Exit(gameday_entry.gameday(plan, flags, report_dir, pushgateway))


@app.command()
def demo(
    docker: Annotated[bool, typer.Option("--docker", help="Run the stack in containers.")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Journals and reports go here (default ~/.cache/chaosml/demo/<time>)."
        ),
    ] = None,
    debug: Debug = False,
) -> None:
    """Start a local ML stack and run a drill against it; clean up everything after."""
    from chaosml.cli import demo_entry

    raise typer.Exit(demo_entry.demo(docker, debug, out))


STACK_DIR = typer.Option("--dir", help="Where the stack's state and env file go.")


def _stack_command(action: Literal["up", "down"], doc: str) -> None:
    """``chaosml stack up`` and ``stack down``: the same options, ``stack_cmd.up`` or ``.down``."""

    def command(
        state_dir: Annotated[Path, STACK_DIR] = Path(".chaosml"),
        debug: Debug = False,
    ) -> None:
        from chaosml.cli import stack_cmd

        chosen = stack_cmd.up if action == "up" else stack_cmd.down
        raise typer.Exit(chosen(state_dir, debug))

    command.__doc__ = doc
    stack_app.command(action)(command)


_stack_command(
    "up", "Start the example stack detached; print its variables and write DIR/stack.env."
)
_stack_command("down", "Stop exactly what stack up started (safe to run twice).")


@k8s_app.command("rbac")
def k8s_rbac(
    paths: Annotated[list[Path], typer.Argument(help="Experiments or game-day plans.")],
    service_account: Annotated[
        str, typer.Option("--service-account", help="The ServiceAccount to bind.")
    ] = "chaosml",
    namespace: Annotated[
        str | None, typer.Option("--namespace", help="The ServiceAccount's namespace.")
    ] = None,
    debug: Debug = False,
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


history_app = typer.Typer(
    help="The drill history: runs over time, time-to-detect trends, regressions (docs/history.md).",
)
app.add_typer(history_app, name="history")
FORMAT = typer.Option("--format", help="text, markdown, json or html (to stdout).")
HTML_FILE = typer.Option("--html", help="Also write an HTML page here.")


@history_app.callback(invoke_without_command=True)
def history_show(
    ctx: typer.Context,
    history: History = None,
    fmt: Annotated[str, FORMAT] = "text",
    json_out: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    html: Annotated[Path | None, HTML_FILE] = None,
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="Exit 1 when a regression is flagged.")
    ] = False,
    title: Annotated[
        str | None, typer.Option("--title", help="Only drills whose title contains this.")
    ] = None,
    debug: Debug = False,
) -> None:
    """Drills and runs over time, time-to-detect and sensitivity trends, regressions."""
    if ctx.invoked_subcommand is not None:
        return
    from chaosml.cli import history_cmd
    from chaosml.cli.errors import guarded

    chosen = "json" if json_out else fmt
    raise typer.Exit(
        guarded(
            lambda: history_cmd.show_history(history, chosen, html, fail_on_regression, title),
            debug,
        )
    )


@history_app.command("import")
def history_import(
    directory: Annotated[Path, typer.Argument(help="A journal directory (or one journal).")],
    history: History = None,
    debug: Debug = False,
) -> None:
    """Import the journals of earlier runs (a run already recorded is kept once)."""
    from chaosml.cli import history_cmd
    from chaosml.cli.errors import guarded

    raise typer.Exit(guarded(lambda: history_cmd.import_history(directory, history), debug))


@app.command()
def coverage(
    prometheus: Annotated[
        str, typer.Option("--prometheus", help="The Prometheus whose alerting rules to check.")
    ],
    history: History = None,
    fmt: Annotated[str, FORMAT] = "text",
    html: Annotated[Path | None, HTML_FILE] = None,
    debug: Debug = False,
) -> None:
    """Which alerting rules a drill has proven (when, time to detect, sensitivity), which never."""
    from chaosml.cli import history_cmd
    from chaosml.cli.errors import guarded

    raise typer.Exit(
        guarded(lambda: history_cmd.show_coverage(prometheus, history, fmt, html), debug)
    )


def main() -> None:
    from chaosml.engine.signals import ROUTER
    from chaosml.redaction import guard_streams

    ROUTER.until_exit = True  # run/gameday: a signal after run.end must not kill the process
    with guard_streams():  # also typer's own traceback of an unexpected error
        app()
