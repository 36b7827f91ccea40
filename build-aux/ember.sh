#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# One entry point for people and CI, on a fresh Debian 12 machine:
#
#   build-aux/ember.sh run [ARGS...]   install what is missing, build, start Ember
#                                      (the demo without ARGS; --no-demo for real use)
#   build-aux/ember.sh test [--ci]     install what is missing, build, run the whole
#                                      test suite headless; --ci adds the
#                                      AddressSanitizer + UBSan pass
#   build-aux/ember.sh bench           build, run the benchmarks (numbers printed)
#   build-aux/ember.sh setup           only install and build
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

builddir=${EMBER_BUILDDIR:-build}
asan_builddir=${EMBER_ASAN_BUILDDIR:-build-asan}

packages=(
  meson ninja-build pkg-config gcc
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev
  libsqlite3-dev sqlite3 libjson-glib-dev libsecret-1-dev libgmime-3.0-dev
  gettext desktop-file-utils appstream
  xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools
  imagemagick fonts-dejavu-core locales
  libwebkitgtk-6.0-dev libxtst6
  haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils
)

say () { printf '\033[1member:\033[0m %s\n' "$*" >&2; }

ensure_packages () {
  local missing=()
  local pkg
  for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    say "these Debian packages are missing: ${missing[*]}"
    say "install them with: sudo apt-get install ${missing[*]}"
    exit 1
  fi
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The translation test runs the app in German; glibc needs that locale.
ensure_test_locale () {
  if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    if [ "$(id -u)" -eq 0 ]; then
      say "generating the de_DE.UTF-8 locale for the translation test"
      localedef -i de_DE -f UTF-8 de_DE.UTF-8
    fi
  fi
}

configure_and_build () {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  else
    meson configure "$dir" "$@" >/dev/null
  fi
  ninja -C "$dir"
}

cmd=${1:-}
shift || true

case "$cmd" in
  run)
    ensure_packages
    configure_and_build "$builddir"
    if [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${DISPLAY:-}" ]; then
      say "no display: Ember is a desktop app and needs a graphical session."
      say "run this from a terminal inside your desktop session (or under Xvfb)."
      exit 1
    fi
    export GSETTINGS_SCHEMA_DIR="$top/$builddir/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
    export EMBER_LOCALEDIR="$top/$builddir/po"
    # Without arguments: the demo (sample accounts on a built-in server; your
    # own data and keyring are not touched). `run --no-demo` starts Ember on
    # your real accounts; other arguments go to ember as they are.
    if [ $# -eq 0 ]; then
      say "starting the demo; use 'run --no-demo' for your own accounts"
      set -- --demo
    elif [ "$1" = "--no-demo" ]; then
      shift
    fi
    exec "$builddir/src/gui/ember" "$@"
    ;;
  test)
    ci=0
    if [ "${1:-}" = "--ci" ]; then ci=1; shift; fi
    ensure_packages
    ensure_test_locale
    configure_and_build "$builddir" -Dwerror=true
    say "running the test suite headless ($builddir)"
    summary=$(mktemp)
    trap 'rm -f "$summary"' EXIT
    rc=0
    "$top/build-aux/run-headless.sh" "$builddir" "$@" | tee -a "$summary" || rc=$?
    if [ $ci -eq 1 ]; then
      configure_and_build "$asan_builddir" -Dwerror=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debug
      say "running the test suite again under AddressSanitizer + UBSan ($asan_builddir)"
      ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=1 \
        "$top/build-aux/run-headless.sh" "$asan_builddir" --timeout-multiplier 3 "$@" \
        | tee -a "$summary" || rc=$?
      # One closing line for both passes.
      awk '/^[0-9]+ passed, [0-9]+ failed/{p+=$1; f+=$3; s+=$5}
           END{printf "total: %d passed, %d failed, %d skipped\n", p, f, s}' "$summary"
    fi
    exit $rc
    ;;
  bench)
    ensure_packages
    configure_and_build "$builddir" -Dbuildtype=release
    "$top/build-aux/run-headless.sh" "$builddir" --setup bench --suite bench --verbose "$@"
    ;;
  setup)
    ensure_packages
    configure_and_build "$builddir"
    ;;
  *)
    echo "usage: $0 run [ARGS...] | test [--ci] [MESON-TEST-ARGS...] | bench | setup" >&2
    exit 2
    ;;
esac
