#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: build-aux/screenshot.sh BUILDDIR OUTPUT.png [EMBER-ARGS...]
#
# Starts Ember from BUILDDIR under a private Xvfb and D-Bus session with
# throw-away settings and data, waits for its main window and writes a PNG of
# that window. Environment: EMBER_SCREENSHOT_DELAY (seconds to wait after the
# window appears, default 2), EMBER_SCREENSHOT_SIZE (WxH, default 1100x720),
# LANGUAGE as usual.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=$1; output=$2; shift 2
case "$builddir" in /*) ;; *) builddir="$PWD/$builddir" ;; esac
case "$output" in /*) ;; *) output="$PWD/$output" ;; esac

t=$(mktemp -d /tmp/ember-shot.XXXXXX)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/run" "$t/home" && chmod 700 "$t/run"
# EMBER_SCREENSHOT_DATA_HOME: show this data instead of an empty start.
export HOME="$t/home" XDG_RUNTIME_DIR="$t/run" XDG_DATA_HOME="${EMBER_SCREENSHOT_DATA_HOME:-$t/data}" \
       XDG_CONFIG_HOME="$t/config" XDG_CACHE_HOME="$t/cache"
export GTK_A11Y=none GSETTINGS_BACKEND=memory GDK_BACKEND=x11 GIO_USE_PROXY_RESOLVER=dummy
export GSETTINGS_SCHEMA_DIR="$builddir/data" EMBER_LOCALEDIR="$builddir/po"
export EMBER_SCREENSHOT_DELAY=${EMBER_SCREENSHOT_DELAY:-2}
export EMBER_SCREENSHOT_SIZE=${EMBER_SCREENSHOT_SIZE:-1100x720}
unset WAYLAND_DISPLAY DISPLAY DBUS_SESSION_BUS_ADDRESS || true

dbus-run-session --config-file="$top/tests/session-bus.conf" -- \
  xvfb-run -a -s '-screen 0 1600x1000x24' bash -c '
    set -e
    builddir=$1; output=$2; shift 2
    echo -n ember-shot | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    w=${EMBER_SCREENSHOT_SIZE%x*}; h=${EMBER_SCREENSHOT_SIZE#*x}
    gsettings set io.github.ember.Ember window-size "($w, $h)" 2>/dev/null || true
    "$builddir/src/gui/ember" "$@" &
    pid=$!
    # No window manager runs here, so the window sits at the top-left corner
    # at its default size; give it time to draw.
    sleep 1
    kill -0 $pid 2>/dev/null || { echo "ember exited before its window could be captured" >&2; exit 1; }
    sleep "$EMBER_SCREENSHOT_DELAY"
    import -window root -crop "${w}x${h}+0+0" +repage "$output"
    kill $pid; wait $pid 2>/dev/null || true
  ' _ "$builddir" "$output" "$@" 2>&1 | grep -v "Failed to set fd limit" || true
test -s "$output" && echo "wrote $output"
