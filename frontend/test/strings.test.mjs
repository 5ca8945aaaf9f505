import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FALLBACK_KEYS, FALLBACK_STRINGS } from "../src/strings.js";

const TEMPLATE = new URL("../../templates/submissions/partials/live_editor_strings.html", import.meta.url);

test("the page's strings template has every key the bundle uses, each translated and escaped", () => {
  const template = readFileSync(TEMPLATE, "utf8");
  const entries = Array.from(template.matchAll(/\{% translate "([^"]*)"(?: context "[^"]*")? as s %\}"(\w+)": "\{\{ s\|escapejs \}\}"/g));
  assert.deepEqual(entries.map((m) => m[2]).sort(), [...FALLBACK_KEYS].sort());
  for (const [, english, key] of entries) assert.equal(english, FALLBACK_STRINGS[key], key); // the fallback is the msgid
  assert.match(template, /<script type="application\/json" id="live-editor-strings">/);
});
