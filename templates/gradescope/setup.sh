#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image from the zip of this
# folder. It installs Node.js 20 if the image lacks it, then raftgrade into /autograder/source:
# from a raftgrade-*.tgz put beside this file (npm pack makes one), else from the npm registry.
set -euo pipefail
SOURCE="${AUTOGRADER_ROOT:-/autograder}/source"
cd "$SOURCE"

if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then
  apt-get update
  apt-get install -y --no-install-recommends ca-certificates curl
  curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
  apt-get install -y --no-install-recommends nodejs
fi

PACKAGE="$(ls raftgrade-*.tgz 2>/dev/null | tail -n 1 || true)"
[ -f package.json ] || echo '{ "name": "autograder", "private": true }' > package.json
if [ -n "$PACKAGE" ]; then SPEC="./$PACKAGE"; else SPEC="raftgrade"; fi
npm install --no-audit --no-fund --omit=dev "$SPEC"
node_modules/.bin/raftgrade --version
