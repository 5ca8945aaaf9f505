/* What a paste from Word or Google Docs brings in, turned into what the schema knows, before
 * ProseMirror parses it (editorProps.transformPastedHTML):
 *  - footnotes (Word's mso-footnote-id references and mso-element:footnote texts, endnotes too;
 *    Google Docs' #ftnt references and their trailing list) become <span class="footnote">text</span>
 *    at the reference, and the lists of notes at the end go;
 *  - Word's list paragraphs (mso-list: lN levelN) become nested <ul>/<ol>;
 *  - Google Docs' <b style="font-weight:normal" id="docs-internal-guid-..."> wrapper is unwrapped
 *    (it would make everything bold), and formatting written as CSS (font-weight: 700,
 *    font-style: italic, text-decoration: underline) becomes <strong>, <em>, <u>;
 *  - <h1> becomes <h2>, <h5>/<h6> <h4> (as submissions/richtext.py does); Google's redirect links
 *    point to their target; style sheets, comments, Office's <o:p>, empty paragraphs, style and
 *    class attributes go. ProseMirror's parser then drops what the schema does not know.
 * Every function here is pure over a Document (a DOMParser's, never the page's): no network, no
 * script runs, no style applies. */

const FOOTNOTE_CLASS = "footnote";
// Style attributes are read under this name: parsing them as `style` would make Chromium report
// each one as a Content-Security-Policy violation (the page's policy covers DOMParser documents).
const STYLE = "data-paste-style";

/** The declarations of a style attribute: {property: value}, lower case, no !important. */
export function parseStyle(style) {
  const result = {};
  for (const part of String(style || "").split(";")) {
    const colon = part.indexOf(":");
    if (colon < 0) continue;
    const key = part.slice(0, colon).trim().toLowerCase();
    const value = part.slice(colon + 1).replace(/!important/i, "").trim().toLowerCase();
    if (key) result[key] = value;
  }
  return result;
}

function styleOf(element) {
  return parseStyle(element.getAttribute(STYLE));
}

/** The HTML with <style> sheets removed and style attributes renamed, before it is parsed. */
export function defuseStyles(html) {
  return String(html)
    .replace(/<style[\s\S]*?<\/style\s*>/gi, "")
    .replace(/<[a-zA-Z][^>]*>/g, (tag) => tag.replace(/(\s)style(\s*=)/gi, "$1" + STYLE + "$2"));
}

function isBoldWeight(value) {
  return value === "bold" || value === "bolder" || /^[6-9]\d\d$/.test(value);
}

function isNormalWeight(value) {
  return value === "normal" || value === "lighter" || /^[1-5]\d\d$/.test(value);
}

function unwrap(element) {
  const parent = element.parentNode;
  if (!parent) return;
  while (element.firstChild) parent.insertBefore(element.firstChild, element);
  parent.removeChild(element);
}

function wrapChildren(element, tagName) {
  const wrapper = element.ownerDocument.createElement(tagName);
  while (element.firstChild) wrapper.appendChild(element.firstChild);
  element.appendChild(wrapper);
}

function footnoteSpan(doc, content) {
  const span = doc.createElement("span");
  span.className = FOOTNOTE_CLASS;
  span.appendChild(content);
  return span;
}

// The element to replace by the footnote: the reference, or a <sup> holding nothing else.
function referenceHolder(reference) {
  const parent = reference.parentElement;
  if (parent && parent.localName === "sup" && parent.textContent.trim() === reference.textContent.trim()) return parent;
  return reference;
}

const BLOCKS = new Set(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "table", "tr", "td", "th"]);

// The inline content of a note's blocks: paragraphs joined by a space, leading and trailing
// whitespace (the space after the note's number) trimmed.
function inlineContent(doc, nodes) {
  const fragment = doc.createDocumentFragment();
  const add = (node) => {
    if (node.nodeType === 1 && BLOCKS.has(node.localName)) {
      if (fragment.lastChild) fragment.appendChild(doc.createTextNode(" "));
      for (const child of Array.from(node.childNodes)) add(child);
    } else if (node.nodeType === 1 && node.localName === "br") {
      fragment.appendChild(doc.createTextNode(" "));
    } else if (node.nodeType === 1 || node.nodeType === 3) {
      fragment.appendChild(node);
    }
  };
  for (const node of nodes) add(node);
  trimFragment(fragment);
  return fragment;
}

function trimFragment(fragment) {
  const edge = (first) => {
    let node = first ? fragment.firstChild : fragment.lastChild;
    while (node) {
      if (node.nodeType === 3) {
        node.data = first ? node.data.replace(/^[\s\u00a0]+/, "") : node.data.replace(/[\s\u00a0]+$/, "");
        if (node.data) return;
        const next = first ? node.nextSibling : node.previousSibling;
        node.remove();
        node = next;
      } else if (node.nodeType === 1 && node.textContent.replace(/[\s\u00a0]/g, "") === "" && node.localName !== "br") {
        const next = first ? node.nextSibling : node.previousSibling;
        node.remove();
        node = next;
      } else {
        // Descend into the first (last) element to trim its text.
        let inner = first ? node.firstChild : node.lastChild;
        while (inner && inner.nodeType === 1) inner = first ? inner.firstChild : inner.lastChild;
        if (inner && inner.nodeType === 3) {
          inner.data = first ? inner.data.replace(/^[\s\u00a0]+/, "") : inner.data.replace(/[\s\u00a0]+$/, "");
        }
        return;
      }
    }
  };
  edge(true);
  edge(false);
}

/** Word: <a style="mso-footnote-id:ftn1" href="#_ftn1"> and <div style="mso-element:footnote" id="ftn1">. */
export function convertWordNotes(body) {
  const doc = body.ownerDocument;
  const notes = new Map();
  const lists = [];
  for (const div of Array.from(body.querySelectorAll("div[" + STYLE + "]"))) {
    const element = styleOf(div)["mso-element"];
    if (element === "footnote" || element === "endnote") {
      if (div.id) notes.set(div.id.toLowerCase(), div);
      lists.push(div);
    } else if (element === "footnote-list" || element === "endnote-list") {
      lists.push(div);
    }
  }
  const inNote = (node) => lists.some((list) => list.contains(node));
  const references = Array.from(body.querySelectorAll("a")).filter((a) => {
    const style = styleOf(a);
    return style["mso-footnote-id"] || style["mso-endnote-id"];
  });
  for (const reference of references) {
    if (inNote(reference)) continue; // the note's own back-reference
    const style = styleOf(reference);
    let id = (style["mso-footnote-id"] || style["mso-endnote-id"] || "").trim();
    if (!notes.has(id)) id = (reference.getAttribute("href") || "").replace(/^#_?/, "").toLowerCase();
    const note = notes.get(id);
    const holder = referenceHolder(reference);
    if (!note) {
      holder.remove();
      continue;
    }
    const copy = note.cloneNode(true);
    for (const back of Array.from(copy.querySelectorAll("a"))) {
      const backStyle = styleOf(back);
      if (backStyle["mso-footnote-id"] || backStyle["mso-endnote-id"] || /^#_(ftn|edn)ref/i.test(back.getAttribute("href") || "")) {
        back.remove();
      }
    }
    holder.replaceWith(footnoteSpan(doc, inlineContent(doc, Array.from(copy.childNodes))));
  }
  for (const list of lists) list.remove();
  // Word's separator above the notes (<hr> in a supportFootnotes fallback) may remain alone.
  return body;
}

/** Google Docs: <sup><a href="#ftnt1" id="ftnt_ref1">[1]</a></sup> and a trailing
 * <div><p><a href="#ftnt_ref1" id="ftnt1">[1]</a> text</p></div>. */
export function convertGoogleNotes(body) {
  const doc = body.ownerDocument;
  const containers = new Set();
  const references = Array.from(body.querySelectorAll("a[href]")).filter((a) => /^#ftnt\d+$/i.test(a.getAttribute("href")));
  for (const reference of references) {
    const id = reference.getAttribute("href").slice(1);
    let target = null;
    for (const candidate of body.querySelectorAll("a[id]")) {
      if (candidate.id === id) {
        target = candidate;
        break;
      }
    }
    const holder = referenceHolder(reference);
    if (!target) {
      holder.remove();
      continue;
    }
    let block = target.closest("p, li, div") || target.parentElement;
    const copy = block.cloneNode(true);
    for (const back of Array.from(copy.querySelectorAll("a[href]"))) {
      if (/^#ftnt_ref\d+$/i.test(back.getAttribute("href"))) back.remove();
    }
    holder.replaceWith(footnoteSpan(doc, inlineContent(doc, Array.from(copy.childNodes))));
    // The note's own container (a <div> per note in Google's export) goes with its text.
    let container = block;
    while (container.parentElement && container.parentElement !== body && container.parentElement.localName === "div" &&
           container.parentElement.children.length === 1) {
      container = container.parentElement;
    }
    containers.add(container);
  }
  let first = null;
  for (const container of containers) {
    if (!first || (container.compareDocumentPosition(first) & 4) === 0) first = container;
  }
  // The rule Google draws above the notes.
  if (first) {
    let before = first.previousElementSibling;
    if (before && before.localName === "hr") before.remove();
    else if (!before && first.parentElement && first.parentElement !== body) {
      before = first.parentElement.previousElementSibling;
      if (before && before.localName === "hr") before.remove();
    }
  }
  for (const container of containers) container.remove();
  return body;
}

const LIST_STYLE = /l(\d+)\s+level(\d+)/i;

function wordListInfo(p) {
  if (p.localName !== "p") return null;
  const style = styleOf(p)["mso-list"] || "";
  const match = LIST_STYLE.exec(style);
  if (!match) return null;
  return { list: match[1], level: Math.max(1, Math.min(9, parseInt(match[2], 10))) };
}

// The bullet or number Word writes before the text, in <span style="mso-list:Ignore">.
function takeListMarker(p) {
  let marker = "";
  for (const span of Array.from(p.querySelectorAll("span[" + STYLE + "]"))) {
    if (/^ignore$/i.test(styleOf(span)["mso-list"] || "")) {
      marker += span.textContent;
      span.remove();
    }
  }
  return marker.replace(/[\s\u00a0]+/g, " ").trim();
}

/** Word's list paragraphs (<p class=MsoListParagraph style="mso-list:l0 level1 lfo1">) become lists. */
export function convertWordLists(body) {
  const doc = body.ownerDocument;
  const paragraphs = Array.from(body.querySelectorAll("p")).filter(wordListInfo);
  const done = new Set();
  for (const start of paragraphs) {
    if (done.has(start)) continue;
    const run = [];
    for (let node = start; node && node.nodeType === 1 && wordListInfo(node); node = node.nextElementSibling) {
      // Another list (Word's lN) starting at the first level is another list.
      const info = wordListInfo(node);
      if (run.length && info.level === 1 && info.list !== wordListInfo(run[0]).list) break;
      run.push(node);
      done.add(node);
    }
    const lists = doc.createDocumentFragment(); // the run's top-level list(s)
    const stack = []; // {level, list, lastItem}, outermost first
    for (const p of run) {
      const { level } = wordListInfo(p);
      const marker = takeListMarker(p);
      const kind = /^[(\[]?([0-9]{1,3}|[a-z]|[ivxlcdm]{1,6})[.)\]]$/i.test(marker) ? "ol" : "ul";
      while (stack.length && stack[stack.length - 1].level > level) stack.pop();
      let current = stack[stack.length - 1];
      if (!current && lists.lastChild) {
        // Shallower than the run's first item: it joins the outermost list.
        current = { level, list: lists.lastChild, lastItem: lists.lastChild.lastElementChild };
        stack.push(current);
      }
      if (current && current.level === level && current.list.localName !== kind) {
        // Bullets, then numbers at the same level: a new list just after.
        const list = doc.createElement(kind);
        if (current.list.parentNode === lists || !current.list.parentNode) lists.appendChild(list);
        else current.list.after(list);
        current.list = list;
        current.lastItem = null;
      } else if (!current || current.level < level) {
        const list = doc.createElement(kind);
        if (current) {
          if (!current.lastItem) {
            current.lastItem = doc.createElement("li");
            current.list.appendChild(current.lastItem);
          }
          current.lastItem.appendChild(list);
        } else {
          lists.appendChild(list);
        }
        current = { level, list, lastItem: null };
        stack.push(current);
      }
      const item = doc.createElement("li");
      const paragraph = doc.createElement("p");
      while (p.firstChild) paragraph.appendChild(p.firstChild);
      item.appendChild(paragraph);
      current.list.appendChild(item);
      current.lastItem = item;
    }
    run[0].parentNode.insertBefore(lists, run[0]);
    for (const p of run) p.remove();
  }
  return body;
}

/** Google Docs' wrapper and any <b>/<strong> that says it is not bold. */
export function unwrapNotBold(body) {
  for (const element of Array.from(body.querySelectorAll("b, strong"))) {
    const weight = styleOf(element)["font-weight"];
    if ((weight && isNormalWeight(weight)) || /^docs-internal-guid/.test(element.id || "")) unwrap(element);
  }
  return body;
}

/** Formatting written as CSS on spans (Google Docs, Word) becomes <strong>, <em>, <u>. */
export function convertStyledSpans(body) {
  for (const span of Array.from(body.querySelectorAll("span[" + STYLE + "], font[" + STYLE + "]"))) {
    const style = styleOf(span);
    const weight = style["font-weight"];
    const decoration = (style["text-decoration"] || "") + " " + (style["text-decoration-line"] || "");
    // A link's own underline (Google Docs writes it on the link's text) is not formatting.
    if (/\bunderline\b/.test(decoration) && !span.closest("a")) wrapChildren(span, "u");
    if (style["font-style"] === "italic" || style["font-style"] === "oblique") wrapChildren(span, "em");
    if (weight && isBoldWeight(weight)) wrapChildren(span, "strong");
  }
  return body;
}

function renameElement(element, tagName) {
  const replacement = element.ownerDocument.createElement(tagName);
  while (element.firstChild) replacement.appendChild(element.firstChild);
  element.replaceWith(replacement);
  return replacement;
}

/** <h1> → <h2>, <h5>/<h6> → <h4>, as the server's sanitiser does. */
export function renameHeadings(body) {
  for (const heading of Array.from(body.querySelectorAll("h1, h5, h6"))) {
    renameElement(heading, heading.localName === "h1" ? "h2" : "h4");
  }
  return body;
}

/** https://www.google.com/url?q=https://example.org&sa=D... → https://example.org */
export function unwrapRedirectLinks(body) {
  for (const link of Array.from(body.querySelectorAll("a[href]"))) {
    const href = link.getAttribute("href");
    const match = /^https?:\/\/www\.google\.[a-z.]+\/url\?(.*)$/i.exec(href);
    if (!match) continue;
    for (const pair of match[1].split("&")) {
      const [key, value] = pair.split("=");
      if (key === "q" && value) {
        try {
          link.setAttribute("href", decodeURIComponent(value.replace(/\+/g, " ")));
        } catch (error) {
          // a malformed escape: keep Google's address
        }
      }
    }
  }
  return body;
}

const REMOVED = "style, script, meta, link, title, template, xml, iframe, object, img, svg";

/** Comments, style sheets, Office's <o:p> and empty paragraphs go; style/class/id attributes too. */
export function removeJunk(body) {
  for (const element of Array.from(body.querySelectorAll(REMOVED))) element.remove();
  const walker = body.ownerDocument.createTreeWalker(body, 0x80 /* SHOW_COMMENT */);
  const comments = [];
  while (walker.nextNode()) comments.push(walker.currentNode);
  for (const comment of comments) comment.remove();
  for (const element of Array.from(body.getElementsByTagName("*"))) {
    if (element.localName.includes(":")) {
      // <o:p>, <w:sdt>...: Office's own elements. <o:p> holds only the &nbsp; of an empty line.
      if (element.localName === "o:p") element.remove();
      else unwrap(element);
    }
  }
  for (const element of Array.from(body.getElementsByTagName("*"))) {
    const isFootnote = element.localName === "span" && element.classList.contains(FOOTNOTE_CLASS);
    for (const attribute of Array.from(element.attributes)) {
      const name = attribute.name;
      if (name === "class" && isFootnote) continue;
      if (name === "style" || name === STYLE || name === "class" || name === "id" || name === "lang" || name === "dir" ||
          name === "align" || name === "width" || name === "height" || name.startsWith("data-") || name.includes(":")) {
        element.removeAttribute(name);
      }
    }
    if (isFootnote) element.className = FOOTNOTE_CLASS;
  }
  for (const p of Array.from(body.querySelectorAll("p, h2, h3, h4"))) {
    if (p.textContent.replace(/[\s\u00a0]/g, "") === "" && !p.querySelector("br, span.footnote, img")) p.remove();
  }
  return body;
}

/** The whole transformation of a pasted HTML string. */
export function transformPastedHtml(html, parser) {
  if (typeof html !== "string" || !html) return html;
  // ProseMirror's own clipboard (a copy inside the editor) is already in the schema.
  if (/data-pm-slice/.test(html)) return html;
  const doc = (parser || new DOMParser()).parseFromString(defuseStyles(html), "text/html");
  const body = doc.body;
  if (!body) return html;
  convertWordNotes(body);
  convertGoogleNotes(body);
  convertWordLists(body);
  unwrapNotBold(body);
  convertStyledSpans(body);
  renameHeadings(body);
  unwrapRedirectLinks(body);
  removeJunk(body);
  return body.innerHTML;
}
