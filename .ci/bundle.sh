# bundle.sh -- sourced by .ci/run (bash), after the tests passed, with the keyring from gui-keyring.sh still up.
# Builds the one-folder bundle with the README's command and runs it; makes the .tar.gz and the .deb with the
# README's packaging command, installs the .deb with apt-get, runs the installed lsdesk the same way, then purges
# it. Each run: its help, that its command line opens no Qt library, a real check against its own sandbox, a save
# and check through the real Secret Service, and its window on a virtual screen. A broken bundle or package fails CI.

# The README's "Building" list: binutils (objdump: PyInstaller and the packer read libraries with it) and
# libpython3.11 (Debian's own python3 keeps its shared library there; PyInstaller bundles it). dpkg-deb comes with
# dpkg. Keep the two identical (tests/test_packaging.py).
CI_APT_BUILD="binutils libpython3.11"
CI_APT_BUNDLE="$CI_APT_BUILD xdotool x11-utils"   # x11-utils: xprop, to find the bundle's window
# Keep byte-identical to the README's "Building lsdesk" (tests/test_packaging.py checks it).
CI_PACKAGE_COMMAND=".venv/bin/python resources/packaging/package_linux.py"
CI_BUNDLE_DEMO_KEY="0f8e6a52-5d1c-4c8e-9b7a-3a1f2d4c6e80"   # the sandbox's demo key (README)
CI_BUNDLE_WINDOW_TITLE="Lessonspace Integration Settings"

_ci_bundle_fail() { echo "ci: FAILED: bundle: $*" >&2; return 1; }

# Usage: ci_bundle_build_and_run 'BUILD COMMAND'   (from the repository's top folder)
ci_bundle_build_and_run() {
  local build_command=$1 started=$SECONDS log rc=0
  ci_apt_ensure $CI_APT_QT $CI_APT_X $CI_APT_BUNDLE || return 1
  log=$(mktemp -d /tmp/ci-bundle.XXXXXX) || return 1
  echo "ci: bundle: $build_command" >&2
  if ! bash -c "$build_command" >"$log/build.log" 2>&1; then
    tail -n 40 "$log/build.log" >&2
    _ci_bundle_fail "the build command failed (full log: $log/build.log)"; return 1
  fi
  [ -x dist/lsdesk/lsdesk ] || { _ci_bundle_fail "dist/lsdesk/lsdesk was not built"; return 1; }
  echo "ci: bundle: built dist/lsdesk/, $(du -sm dist/lsdesk | cut -f1) MB, in $((SECONDS - started)) s" >&2
  _ci_bundle_run dist/lsdesk/lsdesk "$log" || return 1

  echo "ci: bundle: $CI_PACKAGE_COMMAND" >&2
  if ! bash -c "$CI_PACKAGE_COMMAND" >"$log/package.log" 2>&1; then
    cat "$log/package.log" >&2
    _ci_bundle_fail "the packaging command failed"; return 1
  fi
  local deb
  deb=$(grep '\.deb$' "$log/package.log") && [ -f "$deb" ] || { _ci_bundle_fail "no .deb was made"; return 1; }
  echo "ci: bundle: made $(grep -v '^Depends' "$log/package.log" | xargs -n1 basename | paste -sd ' ')" >&2
  echo "ci: bundle: $(grep '^Depends' "$log/package.log")" >&2

  _ci_deb_install_and_run "$deb" "$log" || rc=$?
  if dpkg-query -W -f='${Status}' lsdesk 2>/dev/null | grep -q 'install ok installed'; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq lsdesk >"$log/purge.log" 2>&1 \
      || { cat "$log/purge.log" >&2; _ci_bundle_fail "'apt-get purge lsdesk' failed"; rc=1; }
  fi
  if [ -e /opt/lsdesk ] || [ -e /usr/bin/lsdesk ]; then
    _ci_bundle_fail "the purged package left /opt/lsdesk or /usr/bin/lsdesk behind"; rc=1
  fi
  [ "$rc" -eq 0 ] && echo "ci: bundle: the bundle and its package work ($((SECONDS - started)) s in all)" >&2
  return "$rc"
}

_ci_deb_install_and_run() {  # DEB LOG-DIR
  local deb=$1 log=$2
  # apt-get installs a file, with the packages it depends on, when its name has a path (here: absolute).
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(realpath "$deb")" >"$log/install.log" 2>&1; then
    cat "$log/install.log" >&2
    _ci_bundle_fail "'apt-get install $deb' failed"; return 1
  fi
  [ "$(dpkg-query -S /usr/bin/lsdesk 2>/dev/null)" = "lsdesk: /usr/bin/lsdesk" ] \
    || { _ci_bundle_fail "/usr/bin/lsdesk is not the package's"; return 1; }
  echo "ci: bundle: installed $(dpkg-query -W -f='${Package} ${Version}' lsdesk) with apt-get" >&2
  _ci_bundle_run /usr/bin/lsdesk "$log"
}

_ci_bundle_run() {  # EXECUTABLE LOG-DIR
  local exe=$1 log=$2 out sandbox url i rc
  out=$("$exe" check --help) || { _ci_bundle_fail "'$exe check --help' exited with $?"; return 1; }
  grep -q -- "--key-stdin" <<<"$out" || { _ci_bundle_fail "'$exe check --help' printed: $out"; return 1; }
  # The dynamic linker names every library it opens: the command line must open none of Qt's.
  if LD_DEBUG=files "$exe" check --help 2>&1 >/dev/null | grep -q 'file=[^ ]*libQt6'; then
    _ci_bundle_fail "'$exe check --help' loads Qt"; return 1
  fi

  # The bundle's own sandbox, on a free port.
  "$exe" sandbox --port 0 >"$log/sandbox.log" 2>&1 &
  sandbox=$!
  for i in $(seq 150); do
    url=$(awk '/^Sandbox Lessonspace API:/{print $NF}' "$log/sandbox.log")
    [ -n "$url" ] && break
    sleep 0.1
  done
  rc=0
  if [ -z "$url" ]; then
    cat "$log/sandbox.log" >&2
    _ci_bundle_fail "'$exe sandbox' did not start"; rc=1
  elif grep -q 'libQt6' "/proc/$sandbox/maps"; then
    _ci_bundle_fail "'$exe sandbox' has Qt loaded"; rc=1
  else
    _ci_bundle_check_commands "$exe" "$url" || rc=$?
  fi
  kill "$sandbox" 2>/dev/null; wait "$sandbox" 2>/dev/null
  [ "$rc" -eq 0 ] || return "$rc"
  _ci_bundle_window "$exe" "$log"
}

_ci_bundle_check_commands() {  # EXECUTABLE API-URL
  local exe=$1 url=$2 out rc
  out=$(echo "$CI_BUNDLE_DEMO_KEY" | "$exe" check --key-stdin --json --api-url "$url") && rc=0 || rc=$?
  [ "$rc" -eq 0 ] && grep -q '"state": "valid"' <<<"$out" \
    || { _ci_bundle_fail "'$exe check --key-stdin --json' exited with $rc: $out"; return 1; }
  # The catalogues travel with it: in French the state stays "valid" and the sentence is no longer English.
  out=$(echo "$CI_BUNDLE_DEMO_KEY" | LSDESK_LANGUAGE=fr "$exe" check --key-stdin --json --api-url "$url") && rc=0 || rc=$?
  [ "$rc" -eq 0 ] && grep -q '"state": "valid"' <<<"$out" && ! grep -q 'accepted this key' <<<"$out" \
    || { _ci_bundle_fail "'$exe check' in French exited with $rc: $out"; return 1; }
  # keyring finds its backends through entry points: the bundle must still pick the Secret Service.
  out=$(echo "$CI_BUNDLE_DEMO_KEY" | "$exe" save --json --profile ci-bundle --api-url "$url") && rc=0 || rc=$?
  [ "$rc" -eq 0 ] && grep -q '"saved": true' <<<"$out" && grep -q 'Secret Service' <<<"$out" \
    || { _ci_bundle_fail "'$exe save --json' into the Secret Service exited with $rc: $out"; return 1; }
  out=$("$exe" check --json --profile ci-bundle --api-url "$url") && rc=0 || rc=$?
  [ "$rc" -eq 0 ] && grep -q '"state": "valid"' <<<"$out" \
    || { _ci_bundle_fail "'$exe check --json' of the saved key exited with $rc: $out"; return 1; }
  "$exe" forget --yes --profile ci-bundle >/dev/null || { _ci_bundle_fail "'$exe forget' exited with $?"; return 1; }
  echo "ci: bundle: $exe: check (in English and French), save and check through the Secret Service work; no Qt in its command line" >&2
}

# The window on its own Xvfb: it must appear with its title and its icon (read from the bundle's SVG),
# then it is stopped. The sandbox keeps the key in memory, so the window needs no keyring.
_ci_bundle_window() {  # EXECUTABLE LOG-DIR
  local exe=$1 log=$2
  BUNDLE_EXE="$exe" BUNDLE_TITLE="$CI_BUNDLE_WINDOW_TITLE" BUNDLE_LOG="$log/window.log" timeout -k 5 60 \
  xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" bash -c '
    "$BUNDLE_EXE" --sandbox >"$BUNDLE_LOG" 2>&1 & app=$!
    for i in $(seq 200); do
      window=$(xdotool search --onlyvisible --name "^$BUNDLE_TITLE" 2>/dev/null | head -n 1)
      [ -n "$window" ] && break
      kill -0 "$app" 2>/dev/null || break
      sleep 0.1
    done
    rc=0
    if [ -z "$window" ]; then
      echo "ci: FAILED: bundle: no window titled \"$BUNDLE_TITLE\" appeared from $BUNDLE_EXE" >&2; rc=1
    elif ! xprop -len 16 -id "$window" _NET_WM_ICON | grep -q "CARDINAL"; then
      echo "ci: FAILED: bundle: the window has no icon (icons or the SVG plugin missing)" >&2; rc=1
    else
      echo "ci: bundle: $BUNDLE_EXE: window \"$(xdotool getwindowname "$window")\" is up with its icon" >&2
    fi
    kill "$app" 2>/dev/null; wait "$app" 2>/dev/null
    exit "$rc"' || { cat "$log/window.log" >&2; return 1; }
}
