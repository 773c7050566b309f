# gui-keyring.sh -- sourced by .ci/run (bash). Debian 12, root, no screen.
# A real Secret Service (gnome-keyring on a private D-Bus session bus) for the keyring tests, and the
# system libraries + Xvfb that PySide6 needs for real windows (pytest-xvfb starts Xvfb inside pytest).

# Qt 6 (PySide6-Essentials wheel) on a bare Debian 12: offscreen needs the first 6; the xcb (real window) platform needs all.
# The README prints this list for users (tests/test_packaging.py keeps the two identical).
CI_APT_QT="libgl1 libegl1 libxkbcommon0 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0"
CI_APT_X="xvfb xauth"                   # xauth: needed by xvfb-run (not by pytest-xvfb)
CI_APT_KEYRING="gnome-keyring dbus-x11" # dbus-x11 satisfies gnome-keyring's dbus-session-bus dependency without pulling systemd
CI_APT_PYTHON="python3 python3-venv"    # Debian's python3 has no ensurepip without python3-venv, so `python3 -m venv` fails
CI_APT_ATSPI="at-spi2-core python3-gi gir1.2-atspi-2.0 orca" # the accessibility bus, the libatspi client Orca uses (tests/atspi/), and Orca
# A real notification service and desktop-file-validate (tests/test_notifications.py, test_autostart.py);
# systemd only for busctl, which `dunstctl history` runs (nothing is started: the bus is ci_keyring_start's).
CI_APT_NOTIFY="dunst desktop-file-utils systemd"
CI_APT_TOOLS="strace gettext"  # strace: the rotation journal's fsync test watches lsdesk's system calls; gettext: the catalogue check

# Install only what is missing; quiet; safe to call on every run (about 0.1 s when nothing is missing).
ci_apt_ensure() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "ci: apt-get install ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || return 1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
}

_ci_bus_call() {  # METHOD STRING-ARG  (on org.freedesktop.DBus)
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus "org.freedesktop.DBus.$1" "string:$2" 2>/dev/null
}

# Start a private session bus + gnome-keyring with an UNLOCKED default ("login") collection.
# Exports DBUS_SESSION_BUS_ADDRESS, GNOME_KEYRING_CONTROL, CI_KEYRING_PASS. Keyring files live in a throwaway dir.
# Call ci_keyring_stop afterwards (also when this fails half-way: it cleans up whatever was started).
ci_keyring_start() {
  # No DISPLAY for the bus: otherwise a locked keyring pops a GTK password dialog (gcr-prompter)
  # on the X server and keyring calls block forever instead of raising KeyringLocked.
  unset DISPLAY WAYLAND_DISPLAY
  CI_KR_TMP=$(mktemp -d /tmp/ci-keyring.XXXXXX) || return 1
  export CI_KEYRING_PASS="${CI_KEYRING_PASS:-ci-keyring-pass}"   # must be non-empty: "" -> no login collection
  dbus-daemon --session --fork --nopidfile --address="unix:path=$CI_KR_TMP/bus" \
    --print-pid=3 3>"$CI_KR_TMP/dbus.pid" 2>"$CI_KR_TMP/dbus.log" || { cat "$CI_KR_TMP/dbus.log" >&2; return 1; }
  CI_DBUS_PID=$(cat "$CI_KR_TMP/dbus.pid")
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$CI_KR_TMP/bus"
  local out i
  # XDG_DATA_HOME only for the daemon: keyrings go to $CI_KR_TMP/data/keyrings, not ~/.local/share/keyrings
  # (a stale login.keyring made with another password would stay locked -> KeyringLocked).
  out=$(printf '%s' "$CI_KEYRING_PASS" | XDG_DATA_HOME="$CI_KR_TMP/data" \
        gnome-keyring-daemon --unlock --components=secrets 2>"$CI_KR_TMP/gkd.log") || { cat "$CI_KR_TMP/gkd.log" >&2; return 1; }
  case "$out" in GNOME_KEYRING_CONTROL=*) export "$out" ;; esac
  # The daemon returns ~10-20 ms BEFORE it owns org.freedesktop.secrets; a client that is faster
  # D-Bus-activates a second daemon (without the XDG_DATA_HOME override). Wait for the name.
  for i in $(seq 100); do
    _ci_bus_call NameHasOwner org.freedesktop.secrets | grep -q 'boolean true' && break
    sleep 0.05
  done
  CI_GKD_PID=$(_ci_bus_call GetConnectionUnixProcessID org.freedesktop.secrets | awk '/uint32/{print $2}' || true)
  [ -n "$CI_GKD_PID" ] || { echo "ci: gnome-keyring did not claim org.freedesktop.secrets" >&2; cat "$CI_KR_TMP/gkd.log" >&2; return 1; }
  # Sanity: default alias resolves and the collection is unlocked.
  local coll
  coll=$(dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
         org.freedesktop.Secret.Service.ReadAlias string:default 2>/dev/null | awk '/object path/{gsub(/"/,"",$3); print $3}' || true)
  dbus-send --session --print-reply --dest=org.freedesktop.secrets "${coll:-/}" org.freedesktop.DBus.Properties.Get \
    string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null | grep -q 'boolean false' \
    || { echo "ci: default keyring collection '${coll}' missing or locked" >&2; return 1; }
  echo "ci: keyring up (bus pid $CI_DBUS_PID, gnome-keyring pid $CI_GKD_PID, collection $coll)" >&2
}

# Wait up to ~2 s for PID to exit (a zombie counts as exited: init reaps it), then SIGKILL it.
_ci_wait_gone() {
  local pid=$1 i state
  for i in $(seq 40); do
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 0
    [ "$state" = Z ] && return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null
  return 0
}

# Idempotent: safe from an EXIT trap, after a failed ci_keyring_start, or twice.
ci_keyring_stop() {
  if [ -n "${CI_GKD_PID:-}" ]; then kill "$CI_GKD_PID" 2>/dev/null; _ci_wait_gone "$CI_GKD_PID"; fi
  if [ -n "${CI_DBUS_PID:-}" ]; then kill "$CI_DBUS_PID" 2>/dev/null; _ci_wait_gone "$CI_DBUS_PID"; fi
  if [ -n "${CI_KR_TMP:-}" ]; then rm -rf "$CI_KR_TMP"; fi
  unset CI_GKD_PID CI_DBUS_PID CI_KR_TMP DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL
  return 0
}
