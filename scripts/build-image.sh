#!/usr/bin/env bash
# The box's root filesystem: Debian 12 (scripts/base-rootfs.sh) with the vcgw .deb installed
# (firmware-image/build-deb.sh), DHCP on the wired ports, Beijing time zone, and per-box
# identity left to the first boot (systemd's machine-id, vcgw-firstboot.service's API
# certificate). Kernel and boot loader are not in it: they come with the box (README.md).
#   build-image.sh [--ext4]   writes firmware-image/out/vcgw-rootfs_<version>_<arch>.tar.zst,
#                             and with --ext4 also an ext4 image file (mke2fs -d, no mount)
# Needs root (chroot, mount /proc, file owners).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "build-image: needs root" >&2; exit 1; }
base=$(bash "$repo/scripts/base-rootfs.sh")
deb=$(bash "$repo/firmware-image/build-deb.sh")
name=$(basename "$deb" .deb)            # vcgw_<version>_<arch>
out="$repo/firmware-image/out/vcgw-rootfs_${name#vcgw_}"
work=$(mktemp -d)
root=$work/root
cleanup() {
  # Unmount before removing anything: rm -rf through a mounted /proc would reach the host.
  mountpoint -q "$root/proc" 2>/dev/null && umount -l "$root/proc"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -m 0755 "$root"
tar -C "$root" -I zstd -xf "$base"
chmod 0755 "$root"
mount -t proc proc "$root/proc"
cp "$deb" "$repo/firmware-image/deb/vcgw-upgrade" "$root/tmp/"
# Through vcgw-upgrade, so the installed .deb is kept in /var/lib/vcgw/rollback for the first upgrade.
# A clean environment: the caller's NODE_OPTIONS (a test runner's loader) must not reach the box's node.
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 sh /tmp/vcgw-upgrade "/tmp/$(basename "$deb")" >&2
umount "$root/proc"

# The box, not a chroot: services may start again.
rm -f "$root/usr/sbin/policy-rc.d" "$root/tmp/"*
echo vcgw >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tvcgw\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
ln -sf /usr/share/zoneinfo/Asia/Shanghai "$root/etc/localtime"
echo Asia/Shanghai >"$root/etc/timezone"
printf '# The box boots from this one file system; the data partition, if any, is the integrator'"'"'s.\nLABEL=vcgw-root / ext4 errors=remount-ro 0 1\n' >"$root/etc/fstab"
# Wired ports by DHCP until the section's addresses are set (/etc/systemd/network/*.network).
cat >"$root/etc/systemd/network/80-vcgw-wired.network" <<NET
[Match]
Name=en* eth*

[Network]
DHCP=yes
NET
ln -sf /lib/systemd/system/systemd-networkd.service "$root/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
# Per box, not per image: what the postinst's health check created, the build host's resolver.
find "$root/var/lib/vcgw" -mindepth 1 -maxdepth 1 ! -name rollback -exec rm -rf {} +
rm -f "$root/etc/resolv.conf"
: >"$root/etc/machine-id"

tar -C "$root" --numeric-owner -I 'zstd -T0 -12' -cf "$out.tar.zst" .
echo "build-image: $(du -h "$out.tar.zst" | cut -f1) $out.tar.zst (tree $(du -sh "$root" | cut -f1))" >&2
echo "$out.tar.zst"
if [ "${1:-}" = --ext4 ]; then
  # The tree plus a quarter for the database, snapshots and upgrades to come.
  mb=$(( $(du -sm "$root" | cut -f1) * 5 / 4 + 64 ))
  rm -f "$out.ext4"
  mke2fs -q -t ext4 -L vcgw-root -d "$root" "$out.ext4" "${mb}M"
  echo "build-image: $(du -h --apparent-size "$out.ext4" | cut -f1) $out.ext4" >&2
  echo "$out.ext4"
fi
