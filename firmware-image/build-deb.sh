#!/usr/bin/env bash
# Builds vcgw_<version>_<arch>.deb in firmware-image/out/ with dpkg-deb: the built gateway, its
# production node_modules (pruned), the Node.js runtime of this machine (/opt/vcgw/node), the
# units, the default /etc/vcgw/gateway.toml (a conffile) and the maintainer scripts of deb/.
# Run it on the box's Debian release and architecture: better-sqlite3 is native and is built
# against this very node binary, which is why the package carries it (README.md).
#   build-deb.sh [--version V]   (V overrides package.json's, e.g. to build an upgrade for tests)
# VCGW_DEB_COMPRESSION (default xz) is passed to dpkg-deb -Z; tests use zstd, which is faster.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
version=$(node -p "require('$root/package.json').version")
[ "${1:-}" = --version ] && version=${2:?--version needs a value}
arch=$(dpkg --print-architecture)
node_bin=$(readlink -f "$(command -v node)")
node_version=$("$node_bin" --version)
[ "$("$node_bin" -p 'process.versions.node.split(".")[0]')" -ge 20 ] || { echo "build-deb: node $node_version: Node.js 20 or newer is required" >&2; exit 1; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/pkg
opt=$pkg/opt/vcgw

(cd "$root" && npm run build --silent)
mkdir -p "$opt/bin" "$opt/node/bin" "$pkg/DEBIAN" "$pkg/etc/vcgw" "$pkg/lib/systemd/system" "$pkg/usr/bin" "$pkg/usr/sbin"
cp -r "$root/dist" "$root/README.md" "$root/gateway.example.toml" "$opt/"
# package.json with the package's version: `vcgw --version` and AppVersion report it.
node -e "const p=require('$root/package.json');p.version=process.argv[1];process.stdout.write(JSON.stringify(p,null,2)+'\n')" "$version" >"$opt/package.json"
# This machine's installed modules less the dev ones: no download, no second native build, and
# the addon matches the node binary shipped beside it.
cp -a "$root/node_modules" "$root/package-lock.json" "$opt/"
(cd "$opt" && npm prune --omit=dev --no-audit --no-fund >/dev/null)
rm "$opt/package-lock.json"
bash "$here/prune-bundle.sh" "$opt"
install -m 0755 "$node_bin" "$opt/node/bin/node"
printf '#!/bin/sh\nexec /opt/vcgw/node/bin/node /opt/vcgw/dist/cli/bin.js "$@"\n' >"$opt/bin/vcgw"
install -m 0755 "$here/deb/vcgw-upgrade" "$opt/bin/vcgw-upgrade"
chmod 0755 "$opt/bin/vcgw"
ln -s /opt/vcgw/bin/vcgw "$pkg/usr/bin/vcgw"
ln -s /opt/vcgw/bin/vcgw-upgrade "$pkg/usr/sbin/vcgw-upgrade"
install -m 0644 "$root/gateway.example.toml" "$pkg/etc/vcgw/gateway.toml"
install -m 0644 "$root/systemd/vcgw.service" "$here/deb/vcgw-firstboot.service" "$here/deb/vcgw-time.service" "$pkg/lib/systemd/system/"
install -m 0755 "$here/deb/postinst" "$here/deb/prerm" "$here/deb/postrm" "$pkg/DEBIAN/"
install -m 0644 "$here/deb/conffiles" "$pkg/DEBIAN/"
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@NODE@/$node_version/" "$here/deb/control.in" >"$pkg/DEBIAN/control"
mkdir -p "$here/out"
deb="$here/out/vcgw_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"${VCGW_DEB_COMPRESSION:-xz}" --build "$pkg" "$deb" >&2
echo "$deb"
