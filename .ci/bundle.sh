# bundle.sh -- sourced by .ci/run (bash), after the tests passed, with the keyring from gui-keyring.sh still up.
# Builds the single executable with the README's command and runs it once, so a broken bundle fails CI:
# its help, a real check against its own sandbox, a save and check through the real Secret Service,
# and its window on a virtual screen.

# The README's "Building" list: binutils (PyInstaller reads libraries with objdump) and libpython3.11 (Debian's own
# python3 keeps its shared library there; PyInstaller bundles it). Keep the two identical (tests/test_packaging.py).
CI_APT_BUILD="binutils libpython3.11"
CI_APT_BUNDLE="$CI_APT_BUILD xdotool x11-utils"   # x11-utils: xprop, to find the bundle's window
CI_BUNDLE_DEMO_KEY="0f8e6a52-5d1c-4c8e-9b7a-3a1f2d4c6e80"   # the sandbox's demo key (README)
CI_BUNDLE_WINDOW_TITLE="Lessonspace Integration Settings"

_ci_bundle_fail() { echo "ci: FAILED: bundle: $*" >&2; return 1; }

# Usage: ci_bundle_build_and_run 'BUILD COMMAND'   (from the repository's top folder)
ci_bundle_build_and_run() {
  local build_command=$1 started=$SECONDS log
  ci_apt_ensure $CI_APT_QT $CI_APT_X $CI_APT_BUNDLE || return 1
  log=$(mktemp -d /tmp/ci-bundle.XXXXXX) || return 1
  echo "ci: bundle: $build_command" >&2
  if ! bash -c "$build_command" >"$log/build.log" 2>&1; then
    tail -n 40 "$log/build.log" >&2
    _ci_bundle_fail "the build command failed (full log: $log/build.log)"; return 1
  fi
  [ -x dist/lsdesk ] || { _ci_bundle_fail "dist/lsdesk was not built"; return 1; }
  echo "ci: bundle: built dist/lsdesk, $(du -m dist/lsdesk | cut -f1) MB, in $((SECONDS - started)) s" >&2
  local rc=0
  _ci_bundle_run "$log" || rc=$?
  [ "$rc" -eq 0 ] && echo "ci: bundle: the built executable works ($((SECONDS - started)) s in all)" >&2
  return "$rc"
}

_ci_bundle_run() {
  local log=$1 out sandbox url i rc
  out=$(dist/lsdesk check --help) || { _ci_bundle_fail "'lsdesk check --help' exited with $?"; return 1; }
  grep -q -- "--key-stdin" <<<"$out" || { _ci_bundle_fail "'lsdesk check --help' printed: $out"; return 1; }

  # The bundle's own sandbox, on a free port.
  dist/lsdesk sandbox --port 0 >"$log/sandbox.log" 2>&1 &
  sandbox=$!
  for i in $(seq 150); do
    url=$(awk '/^Sandbox Lessonspace API:/{print $NF}' "$log/sandbox.log")
    [ -n "$url" ] && break
    sleep 0.1
  done
  rc=0
  if [ -z "$url" ]; then
    cat "$log/sandbox.log" >&2
    _ci_bundle_fail "'lsdesk sandbox' did not start"; rc=1
  else
    _ci_bundle_check_commands "$url" || rc=$?
  fi
  kill "$sandbox" 2>/dev/null; wait "$sandbox" 2>/dev/null
  [ "$rc" -eq 0 ] || return "$rc"
  _ci_bundle_window "$log"
}

_ci_bundle_check_commands() {  # API-URL
  local url=$1 out rc
  out=$(echo "$CI_BUNDLE_DEMO_KEY" | dist/lsdesk check --key-stdin --json --api-url "$url") && rc=0 || rc=$?
  [ "$rc" -eq 0 ] && grep -q '"state": "valid"' <<<"$out" \
    || { _ci_bundle_fail "'lsdesk check --key-stdin --json' exited with $rc: $out"; return 1; }
  # keyring finds its backends through entry points: the bundle must still pick the Secret Service.
  out=$(echo "$CI_BUNDLE_DEMO_KEY" | dist/lsdesk save --json --profile ci-bundle --api-url "$url") && rc=0 || rc=$?
  [ "$rc" -eq 0 ] && grep -q '"saved": true' <<<"$out" && grep -q 'Secret Service' <<<"$out" \
    || { _ci_bundle_fail "'lsdesk save --json' into the Secret Service exited with $rc: $out"; return 1; }
  out=$(dist/lsdesk check --json --profile ci-bundle --api-url "$url") && rc=0 || rc=$?
  [ "$rc" -eq 0 ] && grep -q '"state": "valid"' <<<"$out" \
    || { _ci_bundle_fail "'lsdesk check --json' of the saved key exited with $rc: $out"; return 1; }
  echo "ci: bundle: check, save and check through the Secret Service work" >&2
}

# The window on its own Xvfb: it must appear with its title and its icon (read from the bundle's SVG),
# then it is stopped. The sandbox keeps the key in memory, so the window needs no keyring.
_ci_bundle_window() {  # LOG-DIR
  local log=$1
  BUNDLE_TITLE="$CI_BUNDLE_WINDOW_TITLE" BUNDLE_LOG="$log/window.log" timeout -k 5 60 \
  xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" bash -c '
    dist/lsdesk --sandbox >"$BUNDLE_LOG" 2>&1 & app=$!
    for i in $(seq 200); do
      window=$(xdotool search --onlyvisible --name "^$BUNDLE_TITLE" 2>/dev/null | head -n 1)
      [ -n "$window" ] && break
      kill -0 "$app" 2>/dev/null || break
      sleep 0.1
    done
    rc=0
    if [ -z "$window" ]; then
      echo "ci: FAILED: bundle: no window titled \"$BUNDLE_TITLE\" appeared" >&2; rc=1
    elif ! xprop -len 16 -id "$window" _NET_WM_ICON | grep -q "CARDINAL"; then
      echo "ci: FAILED: bundle: the window has no icon (icons or the SVG plugin missing)" >&2; rc=1
    else
      echo "ci: bundle: window \"$(xdotool getwindowname "$window")\" is up with its icon" >&2
    fi
    kill "$app" 2>/dev/null; wait "$app" 2>/dev/null
    exit "$rc"' || { cat "$log/window.log" >&2; return 1; }
}
