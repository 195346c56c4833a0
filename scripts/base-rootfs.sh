#!/usr/bin/env bash
# The Debian 12 (bookworm) root filesystem the box image and the package test start from:
# debootstrap minbase plus what vcgw's package depends on (systemd as init, FFmpeg, the CJK font,
# chrony, adduser), as a tarball cached under ${VCGW_CACHE:-~/.cache/vcgw-ci}. debootstrap and
# the apt installs take minutes and download ~300 MB from Debian's mirror; the tarball makes every
# later run an unpack. The cache key is the package list, so changing it rebuilds.
#   base-rootfs.sh          prints the tarball's path (building it when absent); needs root
set -euo pipefail
suite=bookworm
mirror=${VCGW_DEBIAN_MIRROR:-http://deb.debian.org/debian}
arch=$(dpkg --print-architecture)
packages=(systemd systemd-sysv adduser ca-certificates ffmpeg fonts-noto-cjk fontconfig chrony util-linux)
cache=${VCGW_CACHE:-$HOME/.cache/vcgw-ci}
key=$(printf '%s\n' "$suite" "$arch" "${packages[@]}" | sha256sum | cut -c1-12)
tarball="$cache/$suite-$arch-base-$key.tar.zst"
if [ -f "$tarball" ]; then echo "$tarball"; exit 0; fi

[ "$(id -u)" -eq 0 ] || { echo "base-rootfs: debootstrap needs root" >&2; exit 1; }
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || { echo "base-rootfs: debootstrap missing (scripts/deps.sh installs it)" >&2; exit 1; }
mkdir -p "$cache"
root=$(mktemp -d "$cache/rootfs.XXXXXX")
chmod 0755 "$root" # mktemp makes it 0700: as /, that would shut every non-root user out
cleanup() {
  # Never leave a mount behind: a later rm -rf would reach into the host's /proc.
  for m in "$root/proc" "$root/sys" "$root/dev/pts"; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
  rm -rf "$root"
}
trap cleanup EXIT

echo "base-rootfs: debootstrap $suite ($arch) into $root" >&2
/usr/sbin/debootstrap --variant=minbase "$suite" "$root" "$mirror" >&2
# No daemon may start inside a chroot: invoke-rc.d asks policy-rc.d, 101 means "not allowed".
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
cat >"$root/etc/apt/sources.list" <<LIST
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
LIST
mount -t proc proc "$root/proc"
chroot "$root" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
chroot "$root" apt-get clean
umount "$root/proc"
rm -rf "$root/var/lib/apt/lists/"*
# Per-box identity is made at first boot, not baked into every copy.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
tar -C "$root" --numeric-owner -I 'zstd -T0 -3' -cf "$tarball.tmp" .
mv "$tarball.tmp" "$tarball"
echo "base-rootfs: $(du -h "$tarball" | cut -f1) $tarball" >&2
echo "$tarball"
