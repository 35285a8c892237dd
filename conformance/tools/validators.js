#!/usr/bin/env node
// Checks the committed JSON Schemas with ajv 8, the validator most JavaScript and TypeScript
// consumers use, at its defaults (strict mode on, no ajv-formats): schema/json/ with Ajv2020,
// schema/draft-07/ with the draft-07 Ajv. Every schema must compile without an error or a
// strict-mode warning, and every case `iotxfer check` judged must get the same verdict from it:
// the corpus and schema_edges.jsonl (message and topic schema, or topic schema only when the case
// has no message), and the agreement mutations (topic schema only). Run from anywhere:
//
//     PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix conformance/tools
//     cargo test -p iotxfer-conformance --test agreement    # writes target/tmp/agreement/*.jsonl
//     node conformance/tools/validators.js target/tmp/agreement
//
// JSON.parse reads every number as a double, so a payload holding a number beyond ±2^53
// (9223372036854775807 and 9223372036854775808 are the same double) may be judged on another
// value than the one sent: such cases are counted apart and not compared.
"use strict";

const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");
const AjvDraft07 = require("ajv");
const TOML = require("smol-toml");

const ROOT = path.resolve(__dirname, "../..");
const CORPUS = path.join(ROOT, "conformance/corpus");
const EDGES = path.join(ROOT, "conformance/tests/data/schema_edges.jsonl");
const DIALECTS = [
  { name: "2020-12", dir: path.join(ROOT, "schema/json"), Ajv: Ajv2020 },
  { name: "draft-07", dir: path.join(ROOT, "schema/draft-07"), Ajv: AjvDraft07 },
];
const SCHEMA_SUFFIX = ".schema.json";

// One check per schema compiled and per verdict compared (case × schema × dialect).
let passed = 0;
let failed = 0;

function fail(text) {
  console.log(`FAIL ${text}`);
  failed += 1;
}

// The schema ids of a tree ("dji/firmware/ota_progress", "dji/topics/events").
function schemaIds(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((file) => file.endsWith(SCHEMA_SUFFIX))
    .map((file) => file.slice(0, -SCHEMA_SUFFIX.length).split(path.sep).join("/"))
    .sort();
}

function readSchema(dir, id) {
  return JSON.parse(fs.readFileSync(path.join(dir, `${id}${SCHEMA_SUFFIX}`), "utf8"));
}

// Compiles a schema with its own Ajv instance at the defaults. Strict mode throws on some faults
// and only logs others (strictTypes, strictTuples): the logger turns anything logged into a
// failure. Returns the validate function, or undefined.
function compile(Ajv, schema, where) {
  const logged = [];
  const record = (...args) => logged.push(args.join(" "));
  const ajv = new Ajv({ logger: { log: record, warn: record, error: record } });
  let validate;
  try {
    validate = ajv.compile(schema);
    passed += 1;
  } catch (error) {
    fail(`${where}: does not compile: ${error.message}`);
  }
  for (const line of logged) fail(`${where}: ajv logged: ${line}`);
  return validate;
}

// Every schema of a dialect, compiled: the validate functions by id ("dji/topics/events").
function compileDialect({ name, dir, Ajv }) {
  const validators = new Map();
  for (const id of schemaIds(dir)) {
    const where = `${path.relative(ROOT, dir)}/${id}${SCHEMA_SUFFIX} (${name})`;
    const validate = compile(Ajv, readSchema(dir, id), where);
    if (validate !== undefined) validators.set(id, validate);
  }
  return validators;
}

// The topic patterns, from the description of each topic schema (between its first backticks).
function topicPatterns(dir) {
  return schemaIds(dir)
    .filter((id) => id.split("/")[1] === "topics")
    .map((id) => ({ id, levels: readSchema(dir, id).description.split("`")[1].split("/") }));
}

function topicSchema(patterns, topic) {
  const parts = topic.split("/");
  const match = patterns.find(
    ({ levels }) =>
      levels.length === parts.length &&
      levels.every((level, i) => level === parts[i] || (/^\{.+\}$/.test(level) && parts[i] !== "")),
  );
  return match && match.id;
}

// Whether the JSON text holds a number that reads as a double of magnitude 2^53 or more, where
// doubles are 2 or more apart: the number may have been rounded, and so may the schema's bound it
// is compared with (a maximum of 9223372036854775807 reads as 2^63). That covers integer literals
// and exponent forms alike (9.223372036854776e+18 is 193 above the i64 maximum, yet reads as 2^63).
// Strings are matched first so that digits inside them are skipped; only called on text that
// JSON.parse accepted.
function hasNumberBeyondExactIntegers(text) {
  const tokens = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  for (const [token] of text.matchAll(tokens)) {
    if (!token.startsWith('"') && Math.abs(Number(token)) >= 2 ** 53) return true;
  }
  return false;
}

function describeError(validate) {
  const [error] = validate.errors;
  return `${error.instancePath || "/"} ${error.message} (${error.schemaPath})`;
}

// Judges one case in both dialects against its schemas: `message` may be null, and the topic
// schema is found from the topic. `text` is null for bytes that are not UTF-8.
function judge(compiled, patterns, { name, text, message, topic, verdict }, withMessage, incomparable) {
  let instance;
  let parseError = null;
  try {
    if (text === null) throw new Error("not UTF-8");
    instance = JSON.parse(text);
  } catch (error) {
    parseError = `JSON.parse: ${error.message}`;
  }
  const topicId = topicSchema(patterns, topic);
  if (topicId === undefined) {
    fail(`${name}: no topic schema for ${topic}`);
    return;
  }
  const ids = withMessage && message !== null ? [message, topicId] : [topicId];
  const beyondDouble = parseError === null && hasNumberBeyondExactIntegers(text);
  let disagreed = false;
  for (const dialect of DIALECTS) {
    for (const id of ids) {
      const validate = compiled.get(dialect.name).get(id);
      const where = `${name}: ${path.relative(ROOT, dialect.dir)}/${id}${SCHEMA_SUFFIX}`;
      if (validate === undefined) {
        fail(`${where}: no such schema`);
        continue;
      }
      const accepted = parseError === null && validate(instance);
      const got = accepted ? "valid" : "invalid";
      if (beyondDouble) {
        disagreed ||= got !== verdict;
      } else if (got === verdict) {
        passed += 1;
      } else {
        fail(`${where}: expected ${verdict}, got ${got}: ${accepted ? "accepted" : parseError || describeError(validate)}; payload ${String(text).slice(0, 500)}`);
      }
    }
  }
  if (beyondDouble) {
    incomparable.cases += 1;
    if (disagreed) incomparable.disagreed += 1;
  }
}

function corpusCases() {
  const { example } = TOML.parse(fs.readFileSync(path.join(CORPUS, "corpus.toml"), "utf8"));
  return example.map(({ id, message, topic, verdict }) => ({
    name: `corpus ${id}`,
    text: decodeUtf8(fs.readFileSync(path.join(CORPUS, "examples", `${id}.json`))),
    message: message ?? null,
    topic,
    verdict,
  }));
}

// Exact decoding: invalid UTF-8 is no payload at all, and a byte order mark stays in the text
// (TextDecoder drops it by default), so that JSON.parse judges the bytes as they are.
function decodeUtf8(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

function jsonlCases(file) {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line, index) => {
      const { topic, message, payload, verdict, why } = JSON.parse(line);
      return { name: `${path.basename(file)}:${index + 1} (${why})`, text: payload, message, topic, verdict };
    });
}

function main() {
  const agreementDir = process.argv[2];
  if (agreementDir === undefined) {
    console.error("usage: node conformance/tools/validators.js <directory of the agreement *.jsonl>");
    return 2;
  }
  const agreementFiles = fs.existsSync(agreementDir)
    ? fs.readdirSync(agreementDir).filter((file) => file.endsWith(".jsonl")).sort()
    : [];
  if (agreementFiles.length === 0) {
    console.error(`validators.js: no *.jsonl in ${agreementDir}; run cargo test -p iotxfer-conformance --test agreement`);
    return 1;
  }
  const compiled = new Map(DIALECTS.map((dialect) => [dialect.name, compileDialect(dialect)]));
  // The schema of `iotxfer check --format json` loads as the message schemas do.
  const output = path.join(ROOT, "conformance/check-output.schema.json");
  compile(Ajv2020, JSON.parse(fs.readFileSync(output, "utf8")), path.relative(ROOT, output));
  // Both trees hold the same topic schemas: the patterns of schema/json route both dialects.
  const patterns = topicPatterns(DIALECTS[0].dir);
  const incomparable = { cases: 0, disagreed: 0 };
  for (const item of corpusCases()) judge(compiled, patterns, item, true, incomparable);
  for (const item of jsonlCases(EDGES)) judge(compiled, patterns, item, true, incomparable);
  for (const file of agreementFiles) {
    for (const item of jsonlCases(path.join(agreementDir, file))) judge(compiled, patterns, item, false, incomparable);
  }
  console.log(
    `validators.js: ${incomparable.cases} cases not comparable in JavaScript (a number beyond ±2^53), ` +
      `${incomparable.disagreed} of them judged otherwise by ajv`,
  );
  console.log(`validators.js: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
