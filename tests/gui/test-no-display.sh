#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# `ember` started without any display must fail fast with a clear message.
ember=$1
out=$(env -u DISPLAY -u WAYLAND_DISPLAY timeout 10 "$ember" 2>&1)
rc=$?
if [ $rc -eq 124 ]; then
  echo "expected ember to exit at once without a display, but it was still running after 10 s"
  exit 1
fi
if [ $rc -eq 0 ]; then
  echo "expected a non-zero exit status without a display, got 0; output: $out"
  exit 1
fi
case "$out" in
  *"needs a graphical session"*) echo "ok: exit $rc: $out"; exit 0 ;;
  *) echo "expected a message saying Ember needs a graphical session, got (exit $rc): $out"; exit 1 ;;
esac
