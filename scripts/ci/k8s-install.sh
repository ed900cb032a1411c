#!/bin/sh
# The Kubernetes test cluster's binaries, from Debian packages only (docs/kubernetes.md).
#
# Installs etcd-server and kubectl (kubernetes-client) from Debian, and builds kube-apiserver,
# kube-controller-manager and kube-scheduler 1.20.2 from Debian's `kubernetes` source package
# offline (its vendor/ tree, Debian's Go). The build takes about 6 minutes on 2 cores, so the
# binaries are cached outside any checkout, in $CHAOSML_K8S_CACHE (default
# /var/cache/chaosml-k8s/1.20.2); when all three are there the build is skipped. Idempotent.
# Starts nothing: tests/fixtures/k8s_env.py starts a private cluster on 127.0.0.1.
set -eu

VERSION=1.20.2
CACHE=${CHAOSML_K8S_CACHE:-/var/cache/chaosml-k8s/$VERSION}
BINARIES="kube-apiserver kube-controller-manager kube-scheduler"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

cached() {
    for bin in $BINARIES; do
        [ -x "$CACHE/$bin" ] || return 1
    done
    return 0
}

need_packages() {
    for bin in etcd kubectl; do
        command -v "$bin" >/dev/null 2>&1 || return 0
    done
    cached && return 1
    for bin in rsync make dpkg-source go; do
        command -v "$bin" >/dev/null 2>&1 || return 0
    done
    [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || return 0
    return 1
}

enable_deb_src() {
    src=/etc/apt/sources.list.d/chaosml-deb-src.sources
    [ -f "$src" ] && return 0
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
            | $SUDO tee "$src" >/dev/null
    else
        grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
            | $SUDO tee /etc/apt/sources.list.d/chaosml-deb-src.list >/dev/null
    fi
}

install_packages() {
    enable_deb_src
    $SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" update -q
    # shellcheck disable=SC2086
    $SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" install -y -q --no-install-recommends \
        rsync make dpkg-dev golang-go golang-github-modern-go-reflect2-dev \
        etcd-server openssl
    # kubectl (benchmarks): Debian's kubernetes-client, unless another package already
    # provides /usr/bin/kubectl (e.g. google-cloud-sdk's; the two packages conflict).
    if ! command -v kubectl >/dev/null 2>&1; then
        # shellcheck disable=SC2086
        $SUDO apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" install -y -q --no-install-recommends kubernetes-client
    fi
    # Debian's etcd package may start a service under systemd; the tests want none running.
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        $SUDO systemctl stop etcd 2>/dev/null || true
        $SUDO systemctl disable etcd 2>/dev/null || true
    fi
}

build_binaries() {
    work=$(mktemp -d /tmp/chaosml-k8s-build.XXXXXX)
    trap 'rm -rf "$work"' EXIT
    cd "$work"
    apt-get -o DPkg::Lock::Timeout="${APT_LOCK_TIMEOUT:-300}" source -q kubernetes >/dev/null
    tree=$(find . -maxdepth 1 -type d -name 'kubernetes-*' | head -n 1)
    cd "$tree"
    # The vendored reflect2 1.0.1 panics under Go >= 1.18 (the API answers 500): use 1.0.2.
    rm -f vendor/github.com/modern-go/reflect2/*.go vendor/github.com/modern-go/reflect2/*.s
    cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go \
        vendor/github.com/modern-go/reflect2/
    cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.s \
        vendor/github.com/modern-go/reflect2/ 2>/dev/null || true
    rm -f vendor/github.com/modern-go/reflect2/*_test.go
    GOPROXY=off GOFLAGS=-mod=vendor CGO_ENABLED=0 \
        make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler"
    $SUDO mkdir -p "$CACHE"
    for bin in $BINARIES; do
        $SUDO install -m 0755 "_output/local/bin/linux/$(go env GOARCH)/$bin" "$CACHE/$bin.tmp"
        $SUDO mv "$CACHE/$bin.tmp" "$CACHE/$bin"
    done
}

started=$(date +%s)
if need_packages; then
    echo "k8s-install: installing Debian packages"
    install_packages
fi
if cached; then
    echo "k8s-install: binaries cached in $CACHE"
else
    echo "k8s-install: building kube-apiserver, kube-controller-manager, kube-scheduler $VERSION (about 6 minutes)"
    build_binaries
fi
for bin in $BINARIES; do
    [ -x "$CACHE/$bin" ] || { echo "k8s-install: $CACHE/$bin missing" >&2; exit 1; }
done
command -v etcd >/dev/null 2>&1 || { echo "k8s-install: etcd missing" >&2; exit 1; }
echo "k8s-install: done in $(($(date +%s) - started)) s ($("$CACHE/kube-apiserver" --version))"
