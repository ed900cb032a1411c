#!/bin/sh
# Install Debian's headless-capable Chromium for the HTML report tests. Idempotent: does nothing
# when /usr/bin/chromium is already there.
set -eu
if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo unknown)"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" update -q
apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" install -y -q --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
