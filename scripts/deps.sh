#!/usr/bin/env bash
# System packages the tests, the demo and the benchmarks use (Debian/Ubuntu). Idempotent:
# installs with apt only what is missing, and runs `apt-get update` only then.
#   ffmpeg            ffmpeg + ffprobe (media pipelines, on-the-wire measurements)
#   nginx-light       nginx, the test RTMP server's host   } src/sim/rtmp/nginx.ts
#   libnginx-mod-rtmp its RTMP module                       }
#   openssl           the second SM2 implementation, test certificates
#   fonts-noto-cjk    CJK font of the burned-in overlay text ([overlay] font, Appendix B)
#   fontconfig        fc-match: how FFmpeg's drawtext finds that font by family name
#   make, g++, python3 node-gyp's tools: better-sqlite3 builds from source when no prebuilt
#                     binary fits this Node/architecture (npm ci); python3 also receives the
#                     sd_notify datagrams in test/systemd (Node has no unix datagram socket)
#   libsystemd-dev    sd_notify() for the sd-notify addon (READY/WATCHDOG/STOPPING), built by npm ci
#   pkg-config        how node-gyp finds it
#   systemd           systemd-analyze verify of systemd/vcgw.service (test/systemd)
#   prometheus        promtool check config/rules of firmware-image/prometheus (test/modules/metrics)
#   debootstrap       the Debian 12 chroot the .deb is installed in (scripts/base-rootfs.sh,
#                     test/firmware/deb.test.ts) and the box image (scripts/build-image.sh)
#   zstd              compresses the cached chroot and the image tarball
#   systemd-journal-remote  writes a real journal file from export format (test/cli/logs-journal)
#   systemd-container systemd-nspawn: the box image booted with systemd as PID 1 (scripts/unit-check.sh)
# Installing nginx may start Debian's nginx service on port 80; the tests never use it.
set -euo pipefail

missing=()
need() { # need PACKAGE: queue it unless dpkg says it is installed
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$1")
}
have_cmd() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not Debian: check the tools themselves and say what is missing.
  absent=()
  for tool in ffmpeg ffprobe nginx openssl fc-match make g++ python3 systemd-analyze promtool debootstrap zstd; do have_cmd "$tool" || absent+=("$tool"); done
  font=$(ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc \
    /usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc 2>/dev/null | head -n 1 || true)
  [ -n "$font" ] || absent+=("Noto Sans CJK font (NotoSansCJK-Regular.ttc)")
  module=$(ls /usr/lib/nginx/modules/ngx_rtmp_module.so /usr/share/nginx/modules/ngx_rtmp_module.so \
    /usr/lib64/nginx/modules/ngx_rtmp_module.so 2>/dev/null | head -n 1 || true)
  [ -n "$module" ] || absent+=("nginx RTMP module (ngx_rtmp_module.so)")
  if [ ${#absent[@]} -gt 0 ]; then
    echo "deps: no apt here; install by hand: ${absent[*]}" >&2
    exit 1
  fi
  echo "deps: all present (not a dpkg system)"
  exit 0
fi

# A tool already on the machine from elsewhere (a static ffmpeg, a self-built nginx) counts too,
# except the RTMP module, which must match the packaged nginx.
have_cmd ffmpeg && have_cmd ffprobe || need ffmpeg
have_cmd nginx || need nginx-light
need libnginx-mod-rtmp
have_cmd openssl || need openssl
need fonts-noto-cjk
have_cmd fc-match || need fontconfig
have_cmd make || need make
have_cmd g++ || need g++
have_cmd python3 || need python3
need libsystemd-dev
have_cmd pkg-config || need pkg-config
have_cmd systemd-analyze || need systemd
have_cmd promtool || need prometheus
have_cmd debootstrap || need debootstrap
have_cmd zstd || need zstd
[ -x /lib/systemd/systemd-journal-remote ] || need systemd-journal-remote
have_cmd systemd-nspawn || need systemd-container

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all present (ffmpeg, ffprobe, nginx + rtmp module, openssl, fonts-noto-cjk, fontconfig, make, g++, python3, libsystemd-dev, pkg-config, systemd-analyze, promtool, debootstrap, zstd, systemd-journal-remote, systemd-nspawn)"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "deps: need to install ${missing[*]} but this is not root and sudo is missing;" >&2
    echo "      run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get update -qq; then
  echo "deps: apt-get update failed; cannot install ${missing[*]}" >&2
  exit 1
fi
if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  echo "deps: apt-get install ${missing[*]} failed" >&2
  exit 1
fi
echo "deps: installed ${missing[*]}"
