#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: build-aux/screenshots.sh BUILDDIR OUTDIR [VIEW...]
#
# Takes a PNG of each view of `ember --demo` (default: all of main, message,
# agenda, search, accounts, account, syncing, narrow) into OUTDIR/VIEW.png.
# Each runs its own demo under a private Xvfb and D-Bus session with
# throw-away settings and data; Ember itself (--screenshot-view, see
# src/gui/ember-screenshot.h) waits until the demo has synced, opens the
# view, lets it settle and saves the window. Environment:
# EMBER_SCREENSHOT_SIZE (WxH, default 1100x720), LANGUAGE as usual, and the
# demo's EMBER_DEMO_* (the "syncing" view slows the demo down by itself).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=$1; outdir=$2; shift 2
case "$builddir" in /*) ;; *) builddir="$PWD/$builddir" ;; esac
case "$outdir" in /*) ;; *) outdir="$PWD/$outdir" ;; esac
views=("$@")
[ ${#views[@]} -gt 0 ] || views=(main message agenda search accounts account syncing narrow)
mkdir -p "$outdir"

t=$(mktemp -d /tmp/ember-shots.XXXXXX)
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/run" "$t/home" && chmod 700 "$t/run"
export HOME="$t/home" XDG_RUNTIME_DIR="$t/run" XDG_DATA_HOME="$t/data" \
       XDG_CONFIG_HOME="$t/config" XDG_CACHE_HOME="$t/cache"
export GTK_A11Y=none GSETTINGS_BACKEND=memory GDK_BACKEND=x11 GIO_USE_PROXY_RESOLVER=dummy
export GSETTINGS_SCHEMA_DIR="$builddir/data" EMBER_LOCALEDIR="$builddir/po"
export EMBER_DEMO_MESSAGES=${EMBER_DEMO_MESSAGES:-300}
unset WAYLAND_DISPLAY DISPLAY DBUS_SESSION_BUS_ADDRESS || true

failed=0
for view in "${views[@]}"; do
  rm -f "$outdir/$view.png"
  (
    # Slow enough that a sync is still running when the shot is taken.
    if [ "$view" = syncing ]; then
      export EMBER_DEMO_MESSAGES=2000 EMBER_DEMO_LATENCY_MS=300
    fi
    dbus-run-session --config-file="$top/tests/session-bus.conf" -- \
      xvfb-run -a -s '-screen 0 1600x1000x24' \
      timeout 300 "$builddir/src/gui/ember" --demo \
        --screenshot-view="$view" --screenshot-file="$outdir/$view.png"
  ) 2>&1 | grep -v -e "Failed to set fd limit" -e "^Gdk-Message" || true
  if [ -s "$outdir/$view.png" ]; then
    echo "wrote $outdir/$view.png"
  else
    echo "no screenshot of $view" >&2
    failed=1
  fi
done
exit $failed
