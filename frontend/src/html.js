/* docToHtml(pmDoc): the HTML of a ProseMirror document of the live editor's schema, in the
 * `richtext` convention of PROTOCOL.md: what the server's submissions/live/yhtml.py writes for the
 * same Y.XmlFragment (checked against it), so that counting it counts what the server stores:
 *  - blocks <p>, <h2>-<h4>, <ul>/<ol>/<li>, <blockquote>, <table><tbody><tr><th>/<td> (colspan and
 *    rowspan when not 1), inline <strong>, <em>, <u>, <a href rel="noopener noreferrer"> (http, https
 *    and mailto only), <br>, and footnotes as <span class="footnote">...</span> where anchored;
 *  - marks nest link, bold, italic, underline, each kept open for as long as the runs have it; a line
 *    break or a footnote (y-prosemirror stores no marks on them) leaves open what the text on both
 *    sides of it has;
 *  - paragraphs, headings, list items and quotations without text are left out, and so are empty
 *    footnotes; the one paragraph of a list item, cell or quotation is written without <p> when it
 *    comes first and is its only paragraph with text;
 *  - tabs and line feeds in text are spaces.
 * Pure: it reads node.type.name, attrs, marks, text and children, nothing else (no DOM). */

const MARK_ORDER = ["link", "bold", "italic", "underline"];
const MARK_TAGS = { bold: "strong", italic: "em", underline: "u" };
const SAFE_URL = /^(https?:|mailto:)/i;

export function escapeText(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttribute(text) {
  return escapeText(text).replace(/"/g, "&quot;");
}

function children(node) {
  const list = [];
  node.forEach((child) => list.push(child));
  return list;
}

function marksOf(node) {
  return (node.marks || [])
    .filter((mark) => MARK_ORDER.includes(mark.type.name))
    .filter((mark) => mark.type.name !== "link" || SAFE_URL.test(String(mark.attrs.href || "").trim()))
    .sort((a, b) => MARK_ORDER.indexOf(a.type.name) - MARK_ORDER.indexOf(b.type.name));
}

function sameMark(a, b) {
  return a.type.name === b.type.name && (a.type.name !== "link" || a.attrs.href === b.attrs.href);
}

function commonPrefix(first, second) {
  let length = 0;
  while (length < first.length && length < second.length && sameMark(first[length], second[length])) length += 1;
  return first.slice(0, length);
}

function neighbourMarks(items, index, step) {
  for (let i = index + step; i >= 0 && i < items.length; i += step) {
    if (items[i].isText) return marksOf(items[i]);
  }
  return [];
}

function openTag(mark) {
  if (mark.type.name === "link") return '<a href="' + escapeAttribute(String(mark.attrs.href).trim()) + '" rel="noopener noreferrer">';
  return "<" + MARK_TAGS[mark.type.name] + ">";
}

function closeTag(mark) {
  return mark.type.name === "link" ? "</a>" : "</" + MARK_TAGS[mark.type.name] + ">";
}

/** Does the node hold text other than whitespace (its footnotes' included)? */
function hasText(node) {
  if (node.isText) return node.text.trim() !== "" && !(node.marks || []).some((mark) => mark.type.name === hidden);
  let found = false;
  node.forEach((child) => {
    if (!found && hasText(child)) found = true;
  });
  return found;
}

// Suggestions (PROTOCOL.md): the text as it stands leaves suggested insertions out, as proposed
// leaves suggested deletions out (docToHtml's `view`, as yhtml's).
const HIDDEN_IN = { standing: "insertion", proposed: "deletion" };
let hidden = HIDDEN_IN.standing;

function shown(item) {
  if (item.type.name === "footnote") return hasText(item);
  return !(item.isText && (item.marks || []).some((mark) => mark.type.name === hidden));
}

function inlineHtml(node) {
  const items = children(node).filter(shown);
  let out = "";
  const open = [];
  items.forEach((item, index) => {
    const marks = item.isText ? marksOf(item) : commonPrefix(neighbourMarks(items, index, -1), neighbourMarks(items, index, 1));
    let keep = 0;
    while (keep < open.length && keep < marks.length && sameMark(open[keep], marks[keep])) keep += 1;
    while (open.length > keep) out += closeTag(open.pop());
    for (let i = keep; i < marks.length; i += 1) {
      out += openTag(marks[i]);
      open.push(marks[i]);
    }
    if (item.isText) out += escapeText(item.text.replace(/[\t\n\r\f]/g, " "));
    else if (item.type.name === "hardBreak") out += "<br>";
    else if (item.type.name === "footnote") out += '<span class="footnote">' + inlineHtml(item) + "</span>";
    else out += inlineHtml(item);
  });
  while (open.length) out += closeTag(open.pop());
  return out;
}

// The blocks of a list item, cell or quotation.
function containerHtml(node) {
  const blocks = children(node).filter((block) => !(block.type.name === "paragraph" && !hasText(block)));
  const paragraphs = blocks.filter((block) => block.type.name === "paragraph").length;
  return blocks
    .map((block, index) => (index === 0 && block.type.name === "paragraph" && paragraphs === 1 ? inlineHtml(block) : blockHtml(block)))
    .join("");
}

function cellAttributes(node) {
  let out = "";
  for (const name of ["colspan", "rowspan"]) {
    const value = Number(node.attrs[name]);
    if (Number.isInteger(value) && value > 1) out += " " + name + '="' + value + '"';
  }
  return out;
}

function blockHtml(node) {
  switch (node.type.name) {
    case "paragraph":
      return hasText(node) ? "<p>" + inlineHtml(node) + "</p>" : "";
    case "heading": {
      if (!hasText(node)) return "";
      const level = Math.min(4, Math.max(2, Number(node.attrs.level) || 2));
      return "<h" + level + ">" + inlineHtml(node) + "</h" + level + ">";
    }
    case "bulletList":
    case "orderedList": {
      const tag = node.type.name === "bulletList" ? "ul" : "ol";
      const items = children(node).filter(hasText).map((item) => "<li>" + containerHtml(item) + "</li>");
      return items.length ? "<" + tag + ">" + items.join("") + "</" + tag + ">" : "";
    }
    case "blockquote":
      return hasText(node) ? "<blockquote>" + containerHtml(node) + "</blockquote>" : "";
    case "table":
      return "<table><tbody>" + children(node).map(blockHtml).join("") + "</tbody></table>";
    case "tableRow":
      return "<tr>" + children(node).map(blockHtml).join("") + "</tr>";
    case "tableHeader":
      return "<th" + cellAttributes(node) + ">" + containerHtml(node) + "</th>";
    case "tableCell":
      return "<td" + cellAttributes(node) + ">" + containerHtml(node) + "</td>";
    default:
      // Not in the schema of PROTOCOL.md: keep the words.
      return node.inlineContent ? inlineHtml(node) : children(node).map(blockHtml).join("");
  }
}

export function docToHtml(doc, view = "standing") {
  hidden = HIDDEN_IN[view] || HIDDEN_IN.standing;
  try {
    return children(doc).map(blockHtml).join("");
  } finally {
    hidden = HIDDEN_IN.standing;
  }
}
