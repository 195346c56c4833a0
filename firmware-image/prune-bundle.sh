#!/usr/bin/env bash
# Removes from an installed bundle what only building needs: better-sqlite3's build intermediates
# (objects, Makefiles, the static SQLite library, its test extension) and the SQLite and C++ sources
# it compiled, and every source map (the daemon runs without --enable-source-maps). What stays of
# better-sqlite3 is lib/ and build/Release/better_sqlite3.node, all `bindings` loads.
#   prune-bundle.sh DIR   (DIR holds package.json and node_modules/)
set -euo pipefail
dir=${1:?usage: prune-bundle.sh DIR}
sqlite="$dir/node_modules/better-sqlite3"
if [ -d "$sqlite" ]; then
  [ -f "$sqlite/build/Release/better_sqlite3.node" ] || { echo "prune-bundle: $sqlite/build/Release/better_sqlite3.node missing" >&2; exit 1; }
  keep=$(mktemp -d)
  mv "$sqlite/build/Release/better_sqlite3.node" "$keep/"
  rm -rf "$sqlite/build" "$sqlite/deps" "$sqlite/src" "$sqlite/binding.gyp"
  mkdir -p "$sqlite/build/Release"
  mv "$keep/better_sqlite3.node" "$sqlite/build/Release/"
  rmdir "$keep"
fi
find "$dir" -name '*.map' -type f -delete
