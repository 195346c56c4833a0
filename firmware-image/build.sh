#!/usr/bin/env bash
# Builds the gateway's installable bundle: dist/, production node_modules, the systemd unit,
# the example config and install.sh, as vcgw-<version>-<arch>.tar.gz in firmware-image/out/.
# Run it on the same Debian/Node/architecture as the roadside box (better-sqlite3 is native).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
version=$(node -p "require('$root/package.json').version")
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

(cd "$root" && npm run build --silent)
mkdir -p "$stage/vcgw/bin"
cp -r "$root/dist" "$root/package.json" "$root/package-lock.json" "$root/README.md" "$root/gateway.example.toml" "$stage/vcgw/"
cp "$root/systemd/vcgw.service" "$here/install.sh" "$here/check-host.sh" "$stage/vcgw/"
(cd "$stage/vcgw" && npm ci --omit=dev --no-audit --no-fund >/dev/null)
bash "$here/prune-bundle.sh" "$stage/vcgw"
printf '#!/bin/sh\nexec node /opt/vcgw/dist/cli/bin.js "$@"\n' >"$stage/vcgw/bin/vcgw"
chmod +x "$stage/vcgw/bin/vcgw" "$stage/vcgw/install.sh"
mkdir -p "$here/out"
tar -C "$stage" -czf "$here/out/vcgw-$version-$arch.tar.gz" vcgw
echo "$here/out/vcgw-$version-$arch.tar.gz"
