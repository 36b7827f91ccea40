#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: build-aux/run-headless.sh BUILDDIR [MESON-TEST-ARGS...]
#
# Runs `meson test` inside a private D-Bus session (tests/session-bus.conf: no
# service activation), under Xvfb, with an unlocked throw-away GNOME Keyring
# (secrets only). dbus-run-session stays outside xvfb-run so a keyring prompt
# can never get a display and hang the run.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=$1; shift
case "$builddir" in /*) ;; *) builddir="$top/$builddir" ;; esac

t=$(mktemp -d /tmp/ember-headless.XXXXXX)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/run" "$t/home" && chmod 700 "$t/run"
export HOME="$t/home" XDG_RUNTIME_DIR="$t/run" XDG_DATA_HOME="$t/data" \
       XDG_CONFIG_HOME="$t/config" XDG_CACHE_HOME="$t/cache"
export GTK_A11Y=none NO_AT_BRIDGE=1 GSETTINGS_BACKEND=memory GSK_RENDERER=cairo \
       GDK_BACKEND=x11 GIO_USE_PROXY_RESOLVER=dummy
unset WAYLAND_DISPLAY DISPLAY DBUS_SESSION_BUS_ADDRESS || true

set +e
dbus-run-session --config-file="$top/tests/session-bus.conf" -- \
  xvfb-run -a -s '-screen 0 1280x800x24' bash -c '
    set -e
    echo -n ember-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    meson test -C "$0" --print-errorlogs --num-processes 2 "$@"
  ' "$builddir" "$@" 2>&1 | grep --line-buffered -v "Failed to set fd limit" | tee "$t/meson-test.out"
rc=${PIPESTATUS[0]}
set -e

# meson's own summary is not a line CI reads: print the plain one.
awk '/^Ok:/{o=$2} /^Fail:/{f=$2} /^Unexpected Pass:/{u=$3} /^Timeout:/{to=$2} /^Skipped:/{s=$2}
     END{printf "%d passed, %d failed, %d skipped\n", o, f+u+to, s}' "$t/meson-test.out"
exit "$rc"
