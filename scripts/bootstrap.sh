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
# JS envs: npm builds bcrypt and sqlite3 from source against the system node's headers
[[ -e /usr/include/node/node_api.h ]] || need_pkgs+=(libnode-dev)
command -v pdfunite >/dev/null || need_pkgs+=(poppler-utils)  # PDFCat, PDFToText
command -v ffmpeg >/dev/null || need_pkgs+=(ffmpeg)  # FrameExtract (ffmpeg, ffprobe)
[[ -x /usr/bin/convert ]] || need_pkgs+=(imagemagick)  # ImageConverter (Debian's convert)
command -v gcc >/dev/null || need_pkgs+=(gcc)
[[ -e /usr/include/stdio.h ]] || need_pkgs+=(libc6-dev)  # cgo (go-sqlite3), Rust's linking
# PHP-Lumen and Ruby-Rails: PHP, Ruby and the frameworks come from Debian (no Packagist/RubyGems)
for p in php-cli php-sqlite3 php-mbstring php-laravel-lumen-framework \
         ruby ruby-rails ruby-sqlite3 ruby-bcrypt ruby-jwt puma; do
  dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || need_pkgs+=("$p")
done
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

# tsc for the Compiler scenario: pinned, global under /usr (the sandbox sees /usr read-only)
TSC_VERSION=5.9.3
if [[ "$(tsc --version 2>/dev/null)" != "Version $TSC_VERSION" ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    npm install -g --prefix /usr "typescript@$TSC_VERSION" >/dev/null
  else
    echo "warning: no tsc $TSC_VERSION (Compiler scenario); fix: sudo npm install -g --prefix /usr typescript@$TSC_VERSION" >&2
  fi
fi

# Go (/usr/local/go) and Rust (rustup, ~/.cargo) come with this kind of machine; neither can be
# installed from the package registries (Debian's are too old), so only say what is missing.
[[ -x ${BAXBENCH_GOROOT:-/usr/local/go}/bin/go ]] \
  || echo "warning: no Go toolchain in ${BAXBENCH_GOROOT:-/usr/local/go}: the Go envs cannot be prepared" >&2
command -v rustc >/dev/null || [[ -x $HOME/.cargo/bin/rustc ]] || [[ -n ${BAXBENCH_RUST_TOOLCHAIN:-} ]] \
  || echo "warning: no Rust toolchain (rustup): the Rust env cannot be prepared" >&2

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
extras=""
((DEV)) && extras="[dev]"
.venv/bin/pip install -q --disable-pip-version-check -e ".${extras}"

export npm_config_nodedir=${npm_config_nodedir:-/usr}
.venv/bin/baxbench envs setup "$@"
