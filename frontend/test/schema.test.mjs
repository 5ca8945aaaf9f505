// node --test frontend/test/ : the pure parts of the live editor (no browser needed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { getSchema } from "@tiptap/core";
import * as Y from "yjs";
import { prosemirrorJSONToYXmlFragment } from "@tiptap/y-tiptap";
import { schemaExtensions } from "../src/extensions.js";
import { docToHtml } from "../src/html.js";

const schema = getSchema(schemaExtensions());

const p = (...content) => ({ type: "paragraph", content });
const text = (value, marks) => (marks ? { type: "text", text: value, marks } : { type: "text", text: value });
const mark = (type, attrs) => (attrs ? { type, attrs } : { type });
const doc = (...content) => schema.nodeFromJSON({ type: "doc", content });
const plain = (value) => JSON.parse(JSON.stringify(value));

test("the schema is exactly PROTOCOL.md's", () => {
  assert.deepEqual(Object.keys(schema.nodes).sort(), [
    "blockquote", "bulletList", "doc", "footnote", "hardBreak", "heading", "listItem", "orderedList",
    "paragraph", "table", "tableCell", "tableHeader", "tableRow", "text",
  ]);
  // The two suggestion marks (PROTOCOL.md "Suggestions") are not part of the app's HTML.
  assert.deepEqual(Object.keys(schema.marks).sort(), ["bold", "deletion", "insertion", "italic", "link", "underline"]);
  for (const name of ["insertion", "deletion"]) {
    assert.deepEqual(Object.keys(schema.marks[name].spec.attrs).sort(), ["author", "id"]);
    assert.equal(schema.marks[name].spec.inclusive, false);
  }
  const attrs = (name) => Object.keys(schema.nodes[name].spec.attrs || {}).sort();
  assert.deepEqual(attrs("heading"), ["level"]);
  assert.deepEqual(attrs("orderedList"), ["start"]);
  assert.deepEqual(attrs("tableCell"), ["colspan", "colwidth", "rowspan"]);
  assert.deepEqual(attrs("tableHeader"), ["colspan", "colwidth", "rowspan"]);
  assert.deepEqual(attrs("paragraph"), []);
  assert.deepEqual(Object.keys(schema.marks.link.spec.attrs).sort(), ["href"]);
  const footnote = schema.nodes.footnote;
  assert.equal(footnote.isInline, true);
  assert.equal(footnote.isAtom, true);
  assert.equal(footnote.spec.content, "text*");
  assert.equal(footnote.spec.marks, "bold italic underline link");
  assert.equal(footnote.spec.selectable, true);
  assert.equal(footnote.spec.draggable, true);
  assert.equal(schema.nodes.listItem.spec.content, "paragraph block*");
  assert.equal(schema.nodes.blockquote.spec.content, "block+");
  assert.equal(schema.nodes.table.spec.content, "tableRow+");
  assert.equal(schema.nodes.tableRow.spec.content, "(tableCell | tableHeader)*");
});

test("a footnote takes formatting and links, not other footnotes", () => {
  const footnote = schema.nodes.footnote;
  assert.ok(footnote.allowsMarkType(schema.marks.bold));
  assert.ok(footnote.allowsMarkType(schema.marks.link));
  assert.equal(footnote.contentMatch.matchType(footnote), null);
});

test("docToHtml writes the richtext convention", () => {
  const d = doc(
    { type: "heading", attrs: { level: 2 }, content: [text("Civic space")] },
    p(text("Bold ", [mark("bold")]), text("and italic", [mark("bold"), mark("italic")]), text(" plain & <raw>")),
    p(text("see "), text("OHCHR", [mark("link", { href: "https://ohchr.org/?a=1&b=\"2\"" })]),
      { type: "footnote", content: [text("Source: "), text("report", [mark("italic")])] }, text(".")),
    { type: "bulletList", content: [{ type: "listItem", content: [p(text("one"))] }] },
    { type: "orderedList", attrs: { start: 3 }, content: [{ type: "listItem", content: [p(text("two")), { type: "bulletList", content: [{ type: "listItem", content: [p(text("nested"))] }] }] }] },
    { type: "blockquote", content: [p(text("quoted"), { type: "hardBreak" }, text("line"))] },
    { type: "table", content: [
      { type: "tableRow", content: [{ type: "tableHeader", attrs: { colspan: 2 }, content: [p(text("H"))] }] },
      { type: "tableRow", content: [{ type: "tableCell", content: [p(text("a"))] }, { type: "tableCell", content: [p(text("b"))] }] },
    ] },
    p(text("under", [mark("underline")]), text("bad", [mark("link", { href: "javascript:alert(1)" })])),
  );
  assert.equal(docToHtml(d),
    "<h2>Civic space</h2>" +
    "<p><strong>Bold <em>and italic</em></strong> plain &amp; &lt;raw&gt;</p>" +
    '<p>see <a href="https://ohchr.org/?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer">OHCHR</a>' +
    '<span class="footnote">Source: <em>report</em></span>.</p>' +
    "<ul><li>one</li></ul>" +
    "<ol><li>two<ul><li>nested</li></ul></li></ol>" +
    "<blockquote>quoted<br>line</blockquote>" +
    '<table><tbody><tr><th colspan="2">H</th></tr><tr><td>a</td><td>b</td></tr></tbody></table>' +
    "<p><u>under</u>bad</p>");
});

test("marks nest outermost link, then bold, italic, underline, whatever the order given", () => {
  const d = doc(p(text("x", [mark("underline"), mark("italic"), mark("bold"), mark("link", { href: "mailto:a@b.org" })])));
  assert.equal(docToHtml(d), '<p><a href="mailto:a@b.org" rel="noopener noreferrer"><strong><em><u>x</u></em></strong></a></p>');
});

test("docToHtml follows yhtml.py's conventions (checked against it)", () => {
  const d = doc(
    p(), p(text("  ")),
    p(text("a", [mark("bold")]), { type: "hardBreak" }, text("b", [mark("bold")])),
    p(text("x", [mark("bold")]), { type: "footnote", content: [text("note")] }, text("y", [mark("bold"), mark("italic")])),
    p(text("empty note"), { type: "footnote" }),
    { type: "orderedList", content: [{ type: "listItem", content: [p(text("one")), p(text("two"))] }] },
    { type: "bulletList", content: [{ type: "listItem", content: [p()] }] },
    { type: "table", content: [{ type: "tableRow", content: [{ type: "tableCell", content: [p()] }, { type: "tableCell", attrs: { rowspan: 2 }, content: [p(text("a"))] }] }] },
    p(text("tab\there")),
  );
  assert.equal(docToHtml(d),
    "<p><strong>a<br>b</strong></p>" +
    '<p><strong>x<span class="footnote">note</span><em>y</em></strong></p>' +
    "<p>empty note</p>" +
    "<ol><li><p>one</p><p>two</p></li></ol>" +
    '<table><tbody><tr><td></td><td rowspan="2">a</td></tr></tbody></table>' +
    "<p>tab here</p>");
});

test("the Y.XmlFragment holds node names as elements and marks as text attributes", () => {
  const d = doc(p(text("a", [mark("bold")]), { type: "footnote", content: [text("n", [mark("link", { href: "https://x.org" })])] }),
    { type: "heading", attrs: { level: 3 }, content: [text("h")] });
  const ydoc = new Y.Doc();
  const fragment = ydoc.getXmlFragment("default");
  prosemirrorJSONToYXmlFragment(schema, d.toJSON(), fragment);
  const paragraph = fragment.get(0);
  assert.equal(paragraph.nodeName, "paragraph");
  assert.deepEqual(plain(paragraph.get(0).toDelta()), [{ insert: "a", attributes: { bold: {} } }]);
  const footnote = paragraph.get(1);
  assert.equal(footnote.nodeName, "footnote");
  assert.deepEqual(plain(footnote.get(0).toDelta()), [{ insert: "n", attributes: { link: { href: "https://x.org" } } }]);
  const heading = fragment.get(1);
  assert.equal(heading.nodeName, "heading");
  assert.equal(heading.getAttribute("level"), 3);
});

test("docToHtml reads the text as it stands, or as proposed (every open suggestion accepted)", () => {
  const by = { id: "3-a", author: "3" };
  const d = doc(
    p(text("L’État "), text("a ratifié ", [mark("deletion", by)]), text("n’a pas ratifié ", [mark("insertion", by)]),
      text("la convention", [mark("bold")]), text("."), text(" Wholly new.", [mark("insertion", { id: "4-b", author: "4" })])),
    p(text("Only proposed.", [mark("insertion", by)])),
  );
  assert.equal(docToHtml(d), "<p>L’État a ratifié <strong>la convention</strong>.</p>");
  assert.equal(docToHtml(d, "proposed"), "<p>L’État n’a pas ratifié <strong>la convention</strong>. Wholly new.</p><p>Only proposed.</p>");
  assert.equal(docToHtml(d), "<p>L’État a ratifié <strong>la convention</strong>.</p>"); // the view does not stick
});
