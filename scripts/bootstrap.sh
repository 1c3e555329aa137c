#!/usr/bin/env bash
# Prepare a machine for baxbench: system packages (as root), the project venv, the envs.
# Usage: scripts/bootstrap.sh [--dev] [ENV...]   (default envs: all)
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
if [[ "${1:-}" == "--dev" ]]; then DEV=1; shift; fi

need_pkgs=()
command -v bwrap >/dev/null || need_pkgs+=(bubblewrap)
/usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null || need_pkgs+=(python3-venv)
command -v node >/dev/null || need_pkgs+=(nodejs)
command -v npm >/dev/null || need_pkgs+=(npm)
command -v make >/dev/null || need_pkgs+=(make)
command -v g++ >/dev/null || need_pkgs+=(g++)
if ((${#need_pkgs[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing system packages: ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
  else
    echo "missing system packages: ${need_pkgs[*]}" >&2
    echo "fix: sudo apt-get install ${need_pkgs[*]}" >&2
    exit 1
  fi
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
extras=""
((DEV)) && extras="[dev]"
.venv/bin/pip install -q --disable-pip-version-check -e ".${extras}"

export npm_config_nodedir=${npm_config_nodedir:-/usr}
.venv/bin/baxbench envs setup "$@"
