#!/bin/sh
# Install Prometheus, Alertmanager and Pushgateway (Debian packages) when their binaries are
# missing, faketime (the clock-skew tests) and VictoriaMetrics (victoria-metrics, vmalert, vmauth:
# the compatible-backend tests of docs/monitoring-sources.md). Idempotent: does nothing when all
# are on PATH.
# Starts nothing — the tests start their own instances on free loopback ports (chaosml/stack/monitoring.py).
set -eu

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# faketime (libfaketime): the clock-skew tests shift chaosml's wall clock (issue 21)
if ! command -v faketime >/dev/null 2>&1; then
    echo "monitoring-install: installing faketime"
    $SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" update -q
    $SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" install -y -q --no-install-recommends faketime
fi

# VictoriaMetrics (Debian's victoria-metrics ships victoria-metrics, vmalert and vmauth; issue 24)
if ! command -v victoria-metrics >/dev/null 2>&1 || ! command -v vmalert >/dev/null 2>&1 \
    || ! command -v vmauth >/dev/null 2>&1; then
    echo "monitoring-install: installing victoria-metrics"
    $SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" update -q
    $SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" install -y -q --no-install-recommends victoria-metrics
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        $SUDO systemctl stop victoria-metrics 2>/dev/null || true
        $SUDO systemctl disable victoria-metrics 2>/dev/null || true
    fi
fi

# openssl: the TLS tests make their CA and certificates with it
if ! command -v openssl >/dev/null 2>&1; then
    $SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" update -q
    $SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" install -y -q --no-install-recommends openssl
fi

missing=""
for bin in prometheus promtool prometheus-alertmanager prometheus-pushgateway; do
    command -v "$bin" >/dev/null 2>&1 || missing="$missing $bin"
done
if [ -z "$missing" ]; then
    echo "monitoring-install: prometheus, alertmanager and pushgateway already installed"
    exit 0
fi
echo "monitoring-install: missing:$missing; installing Debian packages"

$SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" update -q
$SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" install -y -q --no-install-recommends \
    prometheus prometheus-alertmanager prometheus-pushgateway

# Debian's packages may start services under systemd; the tests want none running.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    for unit in prometheus prometheus-alertmanager prometheus-pushgateway \
        prometheus-node-exporter; do
        $SUDO systemctl stop "$unit" 2>/dev/null || true
        $SUDO systemctl disable "$unit" 2>/dev/null || true
    done
fi

for bin in prometheus promtool prometheus-alertmanager prometheus-pushgateway; do
    command -v "$bin" >/dev/null 2>&1 || { echo "monitoring-install: $bin still missing" >&2; exit 1; }
done
echo "monitoring-install: done ($(prometheus --version 2>&1 | head -n 1))"
