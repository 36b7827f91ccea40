#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one test with its own throw-away home and XDG dirs.
set -u
t=$(mktemp -d "${TMPDIR:-/tmp}/ember-test.XXXXXX") || exit 99
mkdir -p "$t/home" "$t/data" "$t/config" "$t/cache" "$t/state"
HOME="$t/home" XDG_DATA_HOME="$t/data" XDG_CONFIG_HOME="$t/config" \
XDG_CACHE_HOME="$t/cache" XDG_STATE_HOME="$t/state" EMBER_TEST_TMPDIR="$t" \
  "$@"
rc=$?
rm -rf "$t"
exit $rc
