/* The word count panel (templates/submissions/document_body.html: .count-panel, tr[data-part],
 * [data-counted], [data-footnotes], #words-total, #words-left-text, data-limit, data-left-text,
 * data-over-text), kept up to date on every change, local or remote, with window.UPRWordCount
 * (static/js/wordcount.js: the server's rules). The same rules as the former editor.js: a part
 * counts every element marked data-count-key with its key (a live text counts its Y.Doc's HTML in
 * the richtext convention, or its server HTML until it has synced), plus its title when its text
 * has words, plus [data-count-extra] elements (the key words); footnotes never count toward the
 * limit; annexes have no row, so they never count. */

export class CountPanel {
  /** `liveCount(element)` returns {counted, footnotes} for a live text's element, or null. */
  constructor(doc, liveCount) {
    this.doc = doc;
    this.liveCount = liveCount;
    this.panel = doc.querySelector(".count-panel");
    this.timer = null;
  }

  schedule() {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.recount();
    }, 30);
  }

  partCount(key) {
    const counter = window.UPRWordCount;
    let counted = 0;
    let footnotes = 0;
    for (const element of this.doc.querySelectorAll("[data-count-key]")) {
      if (element.dataset.countKey !== key) continue;
      let count = this.liveCount(element);
      if (count === null) {
        if (element.hidden) continue;
        count = counter.countElement(element);
      }
      counted += count.counted;
      footnotes += count.footnotes;
      // An empty section's title does not count (as on the server).
      if (count.counted && element.dataset.title) counted += counter.countText(element.dataset.title);
    }
    for (const element of this.doc.querySelectorAll("[data-count-extra]")) {
      if (element.dataset.countExtra === key) counted += counter.countElement(element).counted;
    }
    return { counted, footnotes };
  }

  recount() {
    const panel = this.panel;
    if (!panel || !window.UPRWordCount) return;
    let total = 0;
    for (const row of panel.querySelectorAll("tr[data-part]")) {
      const count = this.partCount(row.dataset.part);
      const counted = row.querySelector("[data-counted]");
      const notes = row.querySelector("[data-footnotes]");
      if (counted) counted.textContent = String(count.counted);
      if (notes) notes.textContent = String(count.footnotes);
      total += count.counted;
    }
    const totalElement = this.doc.getElementById("words-total");
    if (totalElement) totalElement.textContent = String(total);
    const limit = parseInt(panel.dataset.limit, 10);
    const leftText = this.doc.getElementById("words-left-text");
    if (!isNaN(limit)) {
      const over = total > limit;
      panel.classList.toggle("over", over);
      const text = over ? panel.dataset.overText : panel.dataset.leftText;
      if (leftText && text) leftText.textContent = text.replace("%s", String(over ? total - limit : limit - total));
    }
  }
}
