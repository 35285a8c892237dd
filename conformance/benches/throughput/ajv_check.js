// What a team would otherwise write in Node.js: read a `mosquitto_sub -F %j` capture line by
// line, pick the topic's schema from schema/json/*/topics/, validate the payload with ajv 8, and
// print one verdict per line. Used by throughput.sh as the baseline of `iotxfer check`.
"use strict";
const fs = require("fs");
const path = require("path");
const readline = require("readline");
const Ajv2020 = require("ajv/dist/2020");

const root = path.resolve(__dirname, "../../..");
// ajv's defaults (strict mode): the schemas load as they come.
const ajv = new Ajv2020();
const topics = [];
for (const vendor of fs.readdirSync(path.join(root, "schema/json"))) {
  const dir = path.join(root, "schema/json", vendor, "topics");
  if (!fs.existsSync(dir)) continue;
  for (const file of fs.readdirSync(dir)) {
    const schema = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const levels = schema.description.split("`")[1].split("/");
    topics.push({ levels, validate: ajv.compile(schema) });
  }
}

function route(topic) {
  const parts = topic.split("/");
  return topics.find((t) => t.levels.length === parts.length &&
    t.levels.every((l, i) => l === parts[i] || (l.startsWith("{") && parts[i] !== "")));
}

const counts = { ok: 0, violation: 0, not_covered: 0 };
const out = process.argv[3] ? fs.createWriteStream(process.argv[3]) : null;
const input = readline.createInterface({ input: fs.createReadStream(process.argv[2]), crlfDelay: Infinity });
input.on("line", (line) => {
  let verdict;
  try {
    const record = JSON.parse(line);
    const topic = route(record.topic);
    if (!topic) verdict = "not_covered";
    else {
      const payload = typeof record.payload === "string" ? JSON.parse(record.payload) : record.payload;
      verdict = topic.validate(payload) ? "ok" : "violation";
    }
  } catch (e) {
    verdict = "violation";
  }
  counts[verdict]++;
  if (out) out.write(verdict + "\n");
});
input.on("close", () => {
  if (out) out.end();
  console.log(JSON.stringify(counts));
});
