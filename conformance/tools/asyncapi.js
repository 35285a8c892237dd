// Parses every AsyncAPI document under schema/asyncapi/ (.json, .yaml, .yml) with the official
// parser, @asyncapi/parser, as the AsyncAPI tools read them. A document fails on any
// error-level diagnostic; warnings are printed and do not fail. Run from anywhere after
// `npm ci --prefix conformance/tools`:
//
//     node conformance/tools/asyncapi.js [DIR]
//
// DIR defaults to schema/asyncapi/.
"use strict";
const fs = require("fs");
const path = require("path");
const { Parser, fromFile } = require("@asyncapi/parser");

const root = path.resolve(__dirname, "../..");
const home = path.resolve(process.argv[2] || path.join(root, "schema/asyncapi"));
// Spectral's severities, as the parser reports them.
const SEVERITY = ["error", "warning", "info", "hint"];

function documents(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return documents(file);
    return /\.(json|ya?ml)$/.test(entry.name) ? [file] : [];
  });
}

async function main() {
  const parser = new Parser();
  const files = documents(home);
  let failed = 0;
  for (const file of files) {
    const name = path.relative(root, file);
    const { document, diagnostics } = await fromFile(parser, file).parse();
    const errors = diagnostics.filter((d) => d.severity === 0);
    for (const d of diagnostics.filter((d) => d.severity <= 1)) {
      console.log(`${name}: ${SEVERITY[d.severity]} ${d.code} at /${d.path.join("/")}: ${d.message}`);
    }
    if (!document || errors.length > 0) {
      console.log(`FAIL ${name}: ${errors.length} errors`);
      failed++;
    } else {
      const operations = document.operations().length;
      const replies = document.operations().filter((o) => o.reply() !== undefined).length;
      console.log(`ok ${name}: ${document.channels().length} channels, ${operations} operations (${replies} with a reply), ${document.messages().length} messages`);
    }
  }
  if (files.length === 0) {
    console.log(`FAIL no AsyncAPI document under ${path.relative(root, home)}`);
    failed++;
  }
  console.log(`asyncapi.js: ${files.length - Math.min(failed, files.length)} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
