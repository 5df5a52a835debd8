#!/usr/bin/env bash
# Installs everything stepproof needs on a fresh machine, from this repository's own files.
# Idempotent: a second run only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm $PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

# qemu-mips is the independent MIPS reference; mips-linux-gnu-gcc builds the instruction test programs.
missing=()
command -v qemu-mips >/dev/null 2>&1 || missing+=(qemu-user)
command -v mips-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-mips-linux-gnu)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pnpm install --frozen-lockfile >/dev/null
echo "bootstrap: ready (node $(node --version), pnpm $(pnpm --version), $(contracts/node_modules/.bin/forge --version | head -1))" >&2
