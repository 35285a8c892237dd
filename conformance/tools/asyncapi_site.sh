#!/usr/bin/env bash
# Renders each AsyncAPI document of schema/asyncapi/ to a static HTML documentation site with
# the official generator and its HTML template (the versions pinned in package.json), into
# OUT/<vendor>/index.html, and checks that each page shows every message and channel of its
# document. The pages render on the server side: they read without JavaScript.
#
# Usage: conformance/tools/asyncapi_site.sh OUT   (after `npm ci --prefix conformance/tools`)
set -euo pipefail
tools="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$tools/../.." && pwd)"
out="$(mkdir -p "${1:?usage: asyncapi_site.sh OUT}" && cd "$1" && pwd)"

for document in "$root"/schema/asyncapi/*.json; do
  vendor="$(basename "$document" .json)"
  # The template by path: by name, generator 2 would try to install it from the registry.
  # `ag` is deprecated in favour of @asyncapi/cli, whose generator needs node 24.
  (cd "$tools" && node_modules/.bin/ag "$document" ./node_modules/@asyncapi/html-template \
    -o "$out/$vendor" --force-write --disable-warning > "$out/$vendor.log" 2>&1) || {
    cat "$out/$vendor.log"
    echo "asyncapi_site: $vendor did not render"
    exit 1
  }
done

node - "$root/schema/asyncapi" "$out" <<'JS'
// Every message name and channel address of a document appears on its page.
const fs = require("fs");
const path = require("path");
const [home, out] = process.argv.slice(2);
let passed = 0, failed = 0;
for (const file of fs.readdirSync(home).filter((f) => f.endsWith(".json"))) {
  const doc = JSON.parse(fs.readFileSync(path.join(home, file), "utf8"));
  const page = fs.readFileSync(path.join(out, path.basename(file, ".json"), "index.html"), "utf8");
  const wanted = [
    ...Object.values(doc.components.messages).map((m) => m.name),
    ...Object.values(doc.channels).map((c) => c.address),
  ];
  const missing = wanted.filter((w) => !page.includes(w));
  if (missing.length) {
    console.log(`FAIL ${file}: the page does not show ${missing.join(", ")}`);
    failed++;
  } else passed++;
}
console.log(`asyncapi_site: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
JS
