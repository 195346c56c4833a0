#!/bin/sh
# What the gateway needs on the roadside box besides the bundle: Node.js >= 20, FFmpeg (ffmpeg and
# ffprobe) and the CJK font of the overlay text. Prints every missing piece with how to get it on
# Debian 12 and exits 1; exits 0 when all are there. install.sh runs it before touching anything.
set -u
problems=0
missing() { echo "check-host: $*" >&2; problems=$((problems + 1)); }

if ! command -v node >/dev/null 2>&1; then
  missing "Node.js 20 or newer is required and 'node' is not on PATH (Debian 12's own nodejs is 18: use NodeSource's node_20.x repository or the official tarball from nodejs.org, see README 'Prerequisites')"
else
  node_version=$(node --version 2>/dev/null || echo unknown)
  node_major=$(echo "$node_version" | sed -n 's/^v\([0-9][0-9]*\)\..*/\1/p')
  if [ -z "$node_major" ] || [ "$node_major" -lt 20 ]; then
    missing "Node.js 20 or newer is required, 'node' is $node_version (Debian 12's own nodejs is 18: use NodeSource's node_20.x repository or the official tarball from nodejs.org, see README 'Prerequisites')"
  fi
fi
for tool in ffmpeg ffprobe; do
  command -v "$tool" >/dev/null 2>&1 || missing "$tool not found (apt-get install ffmpeg)"
done
font="Noto Sans CJK SC"
if ! command -v fc-match >/dev/null 2>&1; then
  missing "fc-match not found: the overlay font cannot be resolved (apt-get install fontconfig fonts-noto-cjk)"
elif ! fc-match --format='%{family}' "$font" 2>/dev/null | tr ',' '\n' | grep -qx "$font"; then
  missing "font '$font' not installed (apt-get install fonts-noto-cjk)"
fi

[ "$problems" -eq 0 ] || { echo "check-host: $problems problem(s); nothing was installed" >&2; exit 1; }
echo "check-host: node $(node --version), ffmpeg, ffprobe and '$font' present"
