#!/usr/bin/env bash
# PostgreSQL server binaries for the history and halt tests (Debian's postgresql, 15 on bookworm).
# Tests start their own throw-away server (tests/fixtures/postgres_env.py: initdb in a temp dir,
# loopback port, run as the unprivileged `postgres` account): nothing here starts a server.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && id postgres >/dev/null 2>&1; then
  echo "postgres-install: $(ls -d /usr/lib/postgresql/*/bin | tail -1) present"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101: the package must not start Debian's own cluster on port 5432
had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
if [ "$had_policy" = 0 ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
trap '[ "$had_policy" = 0 ] && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null || true
apt-get install -y -q -o DPkg::Lock::Timeout=300 postgresql >/dev/null
echo "postgres-install: installed $(ls -d /usr/lib/postgresql/*/bin | tail -1)"
