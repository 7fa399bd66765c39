#!/bin/sh
# deps.sh - install regtrace's Debian build and test dependencies (root).
# Skips apt entirely when everything is already there.
set -eu
PKGS="build-essential autoconf automake libtool pkg-config
libpcap-dev libosip2-dev libncurses-dev libjansson-dev nettle-dev zlib1g-dev check
clang libclang-rt-dev python3 python3-jsonschema tshark tcpdump tmux time iproute2 wireshark-common openssl"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps.sh: installing:$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer no, without a prompt
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
