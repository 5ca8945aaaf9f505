import { test } from "node:test";
import assert from "node:assert/strict";
import { normaliseUrl } from "../src/urls.js";

test("link addresses: http, https and mailto only", () => {
  assert.equal(normaliseUrl(" https://ohchr.org/en "), "https://ohchr.org/en");
  assert.equal(normaliseUrl("www.upr-info.org/x"), "https://www.upr-info.org/x");
  assert.equal(normaliseUrl("upr-info.org"), "https://upr-info.org");
  assert.equal(normaliseUrl("ana@example.org"), "mailto:ana@example.org");
  assert.equal(normaliseUrl("mailto:ana@example.org"), "mailto:ana@example.org");
  assert.equal(normaliseUrl("javascript:alert(1)"), null);
  assert.equal(normaliseUrl("ftp://x.org"), null);
  assert.equal(normaliseUrl("/relative"), null);
  assert.equal(normaliseUrl(""), null);
});
