#!/bin/sh
# Installs the Debian packages credmon needs, only those that are absent.
# Used by `make run`, `make test` and .ci/run.
set -e
PKGS="gcc make libsqlite3-dev libxlsxwriter-dev libhpdf-dev libpcre2-dev
libcmocka-dev fonts-wqy-zenhei fonts-arphic-uming pkg-config poppler-utils
qpdf unzip sqlite3"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
