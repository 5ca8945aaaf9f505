/*
 * UPR Coalition Hub: the word counter of the browser (the editor's live count).
 *
 * The same rules as submissions/wordcount.py on the server, which documents them and their sources;
 * tests/test_wordcount.py runs both on the same cases in headless Chromium. In short:
 *   - words are separated by whitespace (Python's str.isspace() characters, listed below) and by
 *     the dashes U+2012-U+2015; hyphens and slashes join ("father-in-law", "06/30/2003" = 1 word);
 *   - a token is a word if it holds a character other than punctuation (\p{P}), control or format
 *     characters (\p{Cc}, \p{Cf}) and lone surrogates (\p{Cs}): "$" is a symbol, so "$" is a word;
 *   - in HTML, block elements and <br> separate words, inline elements do not; an element whose
 *     class list holds "footnote" separates too, and its words count as footnotes, never toward
 *     OHCHR's limit; <script>, <style> and <template> are ignored.
 *
 * window.UPRWordCount = { countText(text), countHtml(html), countElement(node), wordsLeft(count, limit) }
 * Plain ES2018, no dependencies, no build step.
 */
(function () {
  "use strict";

  // Python's str.isspace() characters (str.split() splits on them), then the four dashes.
  // Not JavaScript's \s, which differs: it lacks U+001C-U+001F and U+0085 and adds U+FEFF.
  const SEPARATORS =
    /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u2012-\u2015]+/u;

  // A character that makes a token a word. The "u" flag matches code points, so an astral letter
  // counts once and a lone surrogate is \p{Cs}, as in Python.
  const WORD_CHARACTER = /[^\p{P}\p{Cc}\p{Cf}\p{Cs}]/u;

  // Elements that separate words: the same list as BLOCK_ELEMENTS in submissions/wordcount.py.
  const BLOCK_ELEMENTS = new Set([
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
  ]);
  // Their text is not content.
  const IGNORED_ELEMENTS = new Set(["script", "style", "template"]);

  const ELEMENT_NODE = 1;
  const TEXT_NODE = 3;
  const CDATA_SECTION_NODE = 4;

  function countText(text) {
    let words = 0;
    for (const token of String(text).split(SEPARATORS)) {
      if (token && WORD_CHARACTER.test(token)) words += 1;
    }
    return words;
  }

  function isFootnote(element) {
    // classList splits the class attribute on ASCII whitespace, as the server does.
    return element.classList !== undefined && element.classList.contains("footnote");
  }

  // Appends the text under `node` to `counted` or `notes`, with a space wherever a block element,
  // a <br> or a footnote begins or ends.
  function collect(node, inFootnote, counted, notes) {
    for (let child = node.firstChild; child !== null; child = child.nextSibling) {
      const type = child.nodeType;
      if (type === TEXT_NODE || type === CDATA_SECTION_NODE) {
        (inFootnote ? notes : counted).push(child.data);
      } else if (type === ELEMENT_NODE) {
        const name = child.localName;
        if (IGNORED_ELEMENTS.has(name)) continue;
        const footnote = isFootnote(child);
        const separates = footnote || BLOCK_ELEMENTS.has(name);
        if (separates) {
          counted.push(" ");
          notes.push(" ");
        }
        collect(child, inFootnote || footnote, counted, notes);
        if (separates) {
          counted.push(" ");
          notes.push(" ");
        }
      }
      // Comments and processing instructions hold no words.
    }
  }

  // Words under a DOM node (an element such as the editor's contenteditable, a fragment or a
  // document): {counted, footnotes}. The node itself may be a footnote.
  function countElement(node) {
    const counted = [];
    const notes = [];
    const root = node.content !== undefined && node.localName === "template" ? node.content : node;
    collect(root, node.nodeType === ELEMENT_NODE && isFootnote(node), counted, notes);
    return { counted: countText(counted.join("")), footnotes: countText(notes.join("")) };
  }

  // Words of an HTML string. It is parsed as the editor's innerHTML is (in the context of a body
  // element, so that "</p>" alone makes an empty paragraph as there), but in a document with no
  // window: its scripts never run and its images never load. (A <template> would parse in another
  // mode: it drops such a "</p>".) One such document serves every call.
  let inert = null;
  function countHtml(html) {
    if (inert === null) inert = document.implementation.createHTMLDocument("");
    const body = inert.body;
    body.innerHTML = String(html);
    const result = countElement(body);
    body.textContent = "";
    return result;
  }

  // Words still available under the limit: negative when over it, null when there is no limit.
  function wordsLeft(count, limit) {
    return limit === null || limit === undefined ? null : limit - count;
  }

  window.UPRWordCount = Object.freeze({ countText, countHtml, countElement, wordsLeft });
})();
