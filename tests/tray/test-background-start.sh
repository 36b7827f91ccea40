#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The real `ember --background`, as the autostart entry runs it: no window
# (GtkApplication exports one D-Bus node per window, so its absence is
# visible on the bus), the tray icon registered with Debian's
# status-notifier-watcher when it is installed, the Sync service answering,
# a second `ember --background` leaving without a window, an activation
# (a click on the icon) opening the window, and app.quit ending it with
# status 0. It runs on a session bus of its own, so the well-known name is
# not shared with other tests.
#
# usage: test-background-start.sh EMBER
set -u

ember=$1
if [ -z "${DISPLAY:-}" ]; then
  echo "no display: skipping" >&2
  exit 77
fi

if [ -z "${TRAY_TEST_INNER:-}" ]; then
  config=$(dirname "$0")/../session-bus.conf
  TRAY_TEST_INNER=1 exec dbus-run-session --config-file="$config" -- "$0" "$@" 2> >(grep -v "Failed to set fd limit" >&2)
fi

name=io.github.ember.Ember
path=/io/github/ember/Ember
fail () { echo "FAIL: $*" >&2; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; exit 1; }

has_owner () {
  gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.NameHasOwner "$1" 2>/dev/null | grep -q true
}
wait_for () {
  local i
  for i in $(seq 1 300); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}
window_open () {
  gdbus introspect --session -d "$name" -o "$path" | grep -q "node window"
}
no_window () { ! window_open; }

watcher_pid=
if command -v status-notifier-watcher >/dev/null; then
  status-notifier-watcher 2>/dev/null &
  watcher_pid=$!
  wait_for has_owner org.kde.StatusNotifierWatcher || fail "the watcher did not start"
fi

"$ember" --background &
pid=$!
wait_for has_owner "$name" || fail "ember --background did not take $name"

# The service comes once the store is open.
get_status () { status=$(gdbus call --session -d "$name" -o "$path" -m io.github.ember.Ember.Sync.GetStatus 2>&1); }
wait_for get_status || fail "GetStatus failed: $status"
case "$status" in *'\"running\":true'*|*'"running":true'*) ;; *) fail "GetStatus said: $status" ;; esac
# Started well by now, and still without a window.
no_window || fail "ember --background opened a window"

if [ -n "$watcher_pid" ]; then
  items () {
    gdbus call --session -d org.kde.StatusNotifierWatcher -o /StatusNotifierWatcher \
      -m org.freedesktop.DBus.Properties.Get org.kde.StatusNotifierWatcher RegisteredStatusNotifierItems
  }
  item_listed () { items | grep -q "org.kde.StatusNotifierItem-$pid-"; }
  wait_for item_listed || fail "the watcher does not list Ember's icon: $(items)"
fi

# At login while Ember already runs: leave at once, open nothing.
timeout 20 "$ember" --background || fail "a second ember --background exited with $?"
sleep 0.5
no_window || fail "a second ember --background opened a window"
kill -0 "$pid" || fail "the first ember is gone"

# A click on the icon activates Ember: the window opens.
gdbus call --session -d "$name" -o "$path" -m org.freedesktop.Application.Activate "{}" >/dev/null ||
  fail "Activate failed"
wait_for window_open || fail "activating Ember did not open its window"

gdbus call --session -d "$name" -o "$path" -m org.gtk.Actions.Activate quit "[]" "{}" >/dev/null ||
  fail "app.quit failed"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "ember exited with $rc"
[ -n "$watcher_pid" ] && kill "$watcher_pid"
echo "ember --background: OK"
exit 0
