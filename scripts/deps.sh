#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh - install regtrace's Debian build and test dependencies (root),
# and the npm packages the tests decode with (tests/js, from its lockfile).
# Skips apt entirely when everything is already there.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
# libclang-rt-dev: clang's fuzzer and sanitizer runtimes (only a Recommends of clang)
# sngrep, nodejs + npm (hep-js): independent HEP receivers for tests/cli/hep_send.sh
# prometheus (with promtool): the real scraper of tests/cli/metrics.sh
# ca-certificates: npm ci reaches the npm registry over https
# kamailio, kamailio-tls-modules: the real TLS registrar of tests/cli/tls_kamailio.sh
# tcpreplay: tests/cli/live_findings.sh replays a bundled capture onto lo (and bench/soak.sh)
PKGS="build-essential autoconf automake libtool pkg-config
libpcap-dev libosip2-dev libncurses-dev libjansson-dev nettle-dev zlib1g-dev libzstd-dev liblz4-dev liblzma-dev check
zstd lz4 xz-utils
clang libclang-rt-dev python3 python3-jsonschema tshark tcpdump tmux time iproute2 wireshark-common
sngrep prometheus mandoc git tcpreplay
chromium python3-websocket fonts-dejavu-core openssl ca-certificates
kamailio kamailio-tls-modules"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# a node from elsewhere (it bundles npm) serves as well as Debian's
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
if [ -n "$missing" ]; then
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture: answer no, without a prompt
	echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ ! -d "$src/tests/js/node_modules/hep-js" ]; then
	echo "deps.sh: npm ci in tests/js" >&2
	(cd "$src/tests/js" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
