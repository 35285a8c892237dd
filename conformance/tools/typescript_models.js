#!/usr/bin/env node
// Checks that the committed JSON Schemas make usable TypeScript models: json-schema-to-typescript
// turns every message schema of schema/json/ into a module, and `tsc --strict` (TypeScript 5) must
// accept every valid example of the corpus, verbatim, as a value of its message's type. So that
// types too loose to refuse anything fail too, a few negative controls (valid examples with a
// required member removed, or given the wrong type) must be refused: each sits under
// `// @ts-expect-error`, which tsc reports as unused when the line compiles. Run from anywhere:
//
//     PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix conformance/tools
//     node conformance/tools/typescript_models.js
//
// The generated files are written to a temporary directory, removed on success and kept (its
// path printed) on failure.
"use strict";

const childProcess = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { compileFromFile } = require("json-schema-to-typescript");
// How json-schema-to-typescript names the type of a schema from its title (not exported by the
// package's index): "dji/firmware/ota_progress" becomes DjiFirmwareOtaProgress.
const { toSafeString } = require("json-schema-to-typescript/dist/src/utils");
const TOML = require("smol-toml");

const ROOT = path.resolve(__dirname, "../..");
const SCHEMAS = path.join(ROOT, "schema/json");
const CORPUS = path.join(ROOT, "conformance/corpus");
const SCHEMA_SUFFIX = ".schema.json";
const TSC = require.resolve("typescript/bin/tsc");

// The message ids ("dji/firmware/ota_progress"), every schema but the topics' unions.
function messageIds() {
  return fs
    .readdirSync(SCHEMAS, { recursive: true })
    .filter((file) => file.endsWith(SCHEMA_SUFFIX))
    .map((file) => file.slice(0, -SCHEMA_SUFFIX.length).split(path.sep).join("/"))
    .filter((id) => id.split("/")[1] !== "topics")
    .sort();
}

function readSchema(id) {
  return JSON.parse(fs.readFileSync(path.join(SCHEMAS, `${id}${SCHEMA_SUFFIX}`), "utf8"));
}

// Follows `$ref`s, which in a message schema all point into its own `$defs`.
function resolve(root, schema) {
  return schema.$ref === undefined ? schema : resolve(root, root.$defs[schema.$ref.replace("#/$defs/", "")]);
}

// The first required member, depth first through required objects and the first element of
// arrays, that the schema types as an integer: the wrong-type control gives it a string.
function requiredInteger(root, schema, value, at = []) {
  const node = resolve(root, schema);
  if (node.type === "array" && Array.isArray(value) && value.length > 0) {
    return requiredInteger(root, node.items, value[0], [...at, 0]);
  }
  if (node.type !== "object") return null;
  for (const name of node.required || []) {
    const member = resolve(root, node.properties[name]);
    if (member.type === "integer") return [...at, name];
    const inner = requiredInteger(root, member, value[name], [...at, name]);
    if (inner !== null) return inner;
  }
  return null;
}

// Two controls per vendor, from its first valid example: the first required member of the
// message left out, and the first required integer written as a string.
function negativeControls(examples) {
  const controls = [];
  for (const vendor of new Set(examples.map(({ message }) => message.split("/")[0]))) {
    const { id, message, text } = examples.find((example) => example.message.startsWith(`${vendor}/`));
    const schema = readSchema(message);
    const missing = JSON.parse(text);
    const [first] = schema.required;
    delete missing[first];
    controls.push({ name: `${id} without ${first}`, message, value: missing });
    const wrongType = JSON.parse(text);
    const where = requiredInteger(schema, schema, wrongType);
    if (where === null) throw new Error(`${message}: no required integer for the wrong-type control`);
    const parent = where.slice(0, -1).reduce((value, key) => value[key], wrongType);
    parent[where.at(-1)] = String(parent[where.at(-1)]);
    controls.push({ name: `${id} with ${where.join(".")} a string`, message, value: wrongType });
  }
  return controls;
}

// Writes one module per message schema to <dir>/models/; returns the files written, with the
// root type of each, and the messages json-schema-to-typescript failed on.
async function writeModels(dir) {
  const models = new Map();
  const failures = [];
  for (const id of messageIds()) {
    const file = path.join(dir, "models", `${id}.ts`);
    try {
      const source = await compileFromFile(path.join(SCHEMAS, `${id}${SCHEMA_SUFFIX}`), {
        bannerComment: "",
        format: false,
      });
      const type = toSafeString(readSchema(id).title);
      if (!new RegExp(`^export (interface|type) ${type}\\b`, "m").test(source)) {
        throw new Error(`no exported type ${type} in the output`);
      }
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, source);
      models.set(id, { file, type });
    } catch (error) {
      failures.push({ name: `model ${id}`, text: `json-schema-to-typescript: ${error.message}` });
    }
  }
  return { models, failures };
}

// Writes <dir>/examples.ts: the imports, then one declaration per valid example (its bytes as
// they are) and per control (one line, under @ts-expect-error). Returns the items with the lines
// they span, to which tsc's diagnostics are attributed; the imports are not counted as a check.
function writeExamples(dir, models, examples, controls) {
  const lines = [];
  const items = [];
  const add = (name, text, counted = true) => {
    const start = lines.length + 1;
    lines.push(...text.split("\n"));
    items.push({ name, start, end: lines.length, counted });
  };
  const used = [...new Set([...examples, ...controls].map(({ message }) => message))];
  add(
    "examples.ts imports",
    used.map((id) => `import type { ${models.get(id).type} } from "./models/${id}";`).join("\n"),
    false,
  );
  for (const { id, message, text } of examples) {
    add(`example ${id}`, `const example_${id.replace(/\W/g, "_")}: ${models.get(message).type} = ${text};`);
  }
  controls.forEach(({ name, message, value }, index) => {
    add(
      `negative control ${name}`,
      `// @ts-expect-error\nconst control_${index}: ${models.get(message).type} = ${JSON.stringify(value)};`,
    );
  });
  const file = path.join(dir, "examples.ts");
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return { file, items };
}

// Runs tsc over examples.ts (which imports the models) and returns its diagnostics, each with
// the file, line and text; the indented lines after a diagnostic belong to it.
function typecheck(dir, file) {
  const run = childProcess.spawnSync(
    process.execPath,
    [TSC, "--strict", "--noEmit", "--pretty", "false", "--target", "es2022", "--module", "es2022",
      "--moduleResolution", "bundler", file],
    { cwd: dir, encoding: "utf8" },
  );
  if (run.error) throw run.error;
  const diagnostics = [];
  for (const line of `${run.stdout}${run.stderr}`.split("\n").filter((text) => text !== "")) {
    const found = /^(.+?)\((\d+),\d+\): (error .*)$/.exec(line);
    if (found) {
      diagnostics.push({ file: path.resolve(dir, found[1]), line: Number(found[2]), text: line });
    } else if (/^\s/.test(line) && diagnostics.length > 0) {
      diagnostics.at(-1).text += `\n${line}`;
    } else {
      diagnostics.push({ file: null, line: 0, text: line });
    }
  }
  if (run.status !== 0 && diagnostics.length === 0) diagnostics.push({ file: null, line: 0, text: `tsc exited ${run.status}` });
  return diagnostics;
}

async function main() {
  const { example } = TOML.parse(fs.readFileSync(path.join(CORPUS, "corpus.toml"), "utf8"));
  const examples = example
    .filter(({ verdict }) => verdict === "valid")
    .map(({ id, message }) => ({
      id,
      message,
      text: fs.readFileSync(path.join(CORPUS, "examples", `${id}.json`), "utf8"),
    }));
  const controls = negativeControls(examples);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iotxfer-typescript-"));
  const { models, failures } = await writeModels(dir);
  // What failed, by the name of the model, example or control (or "tsc"), with the reasons.
  const failing = new Map(failures.map(({ name, text }) => [name, [text]]));
  const checked = [...models.keys()].map((id) => `model ${id}`);
  if (failing.size === 0) {
    const { file, items } = writeExamples(dir, models, examples, controls);
    const owners = [
      ...[...models].map(([id, model]) => ({ name: `model ${id}`, file: model.file, start: 1, end: Infinity })),
      ...items.map((item) => ({ ...item, file })),
    ];
    for (const diagnostic of typecheck(dir, file)) {
      const owner = owners.find(
        (item) => item.file === diagnostic.file && item.start <= diagnostic.line && diagnostic.line <= item.end,
      );
      const name = owner ? owner.name : "tsc";
      failing.set(name, [...(failing.get(name) || []), diagnostic.text]);
    }
    checked.push(...items.filter(({ counted }) => counted).map(({ name }) => name));
  }
  for (const [name, texts] of failing) console.log(`FAIL ${name}:\n  ${texts.join("\n  ")}`);
  const passed = checked.filter((name) => !failing.has(name)).length;
  const failed = failing.size;
  if (failed === 0) {
    fs.rmSync(dir, { recursive: true, force: true });
  } else {
    console.log(`typescript_models.js: the generated files are kept in ${dir}`);
  }
  console.log(`typescript_models.js: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
