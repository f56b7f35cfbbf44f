#!/usr/bin/env bash
# The README's test command: installs what the suite needs (the [dev] extra and Debian's Prometheus
# tools), checks style and types, then runs every test. Exit code is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e '.[dev]'

# Debian packages for the tests that run real Prometheus tools and render the demo's page in a
# headless browser; installed only when missing.
missing=()
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-blackbox-exporter >/dev/null 2>&1 || missing+=(prometheus-blackbox-exporter)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ((${#missing[@]})); then
    readarray -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    echo "installing Debian packages: ${missing[*]}"
    if ! { "${sudo_cmd[@]}" apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null; then
        echo "warning: could not install ${missing[*]}; tests that need them will skip (and fail under CI=true)" >&2
    fi
fi

echo "== ruff"
ruff check .
echo "== mypy --strict"
mypy_targets=()
for pkg in yamlsafe slo sim probes recorded testbed cosmostx loadtest demo slo_harness; do [ -d "$pkg" ] && mypy_targets+=("$pkg"); done
mypy --strict "${mypy_targets[@]}"
echo "== pytest"
set +e
python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests; the suite must not pass empty" >&2
    exit 1
fi
exit "$status"
