/* The word count panel (templates/submissions/document_body.html: .count-panel, tr[data-part],
 * [data-counted], [data-footnotes], #words-total, #words-left-text, data-limit, data-left-text,
 * data-over-text), kept up to date on every change, local or remote, with window.UPRWordCount
 * (static/js/wordcount.js: the server's rules). The same rules as the former editor.js: a part
 * counts every element marked data-count-key with its key (a live text counts its Y.Doc's HTML in
 * the richtext convention, or its server HTML until it has synced), plus its title when its text
 * has words, plus [data-count-extra] elements (the key words); footnotes never count toward the
 * limit; annexes have no row, so they never count.
 *
 * Beside the count, as the text would stand with every open suggestion accepted: #words-proposed
 * (its text from the panel's data-proposed-text, hidden when there is no suggestion). A section's
 * budget: the row's data-budget; past it, the row gets .over-budget and its [data-budget-over] the
 * panel's data-budget-over-text (writing is never blocked). */

/* Figures are written the page's language's way (5,630; 5 630; 5630), as the server first wrote them
 * (upr/numbers.py: the same rule, checked against this Intl in tests/test_languages.py). */
const numberFormat = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 0 });
const grouped = (n) => numberFormat.format(n);

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
    let proposed = 0;
    for (const element of this.doc.querySelectorAll("[data-count-key]")) {
      if (element.dataset.countKey !== key) continue;
      let count = this.liveCount(element);
      if (count === null) {
        if (element.hidden) continue;
        count = counter.countElement(element);
      }
      const title = element.dataset.title ? counter.countText(element.dataset.title) : 0;
      const withProposals = count.proposed === undefined ? count.counted : count.proposed;
      counted += count.counted;
      footnotes += count.footnotes;
      proposed += withProposals;
      // An empty section's title does not count (as on the server).
      if (count.counted) counted += title;
      if (withProposals) proposed += title;
    }
    for (const element of this.doc.querySelectorAll("[data-count-extra]")) {
      if (element.dataset.countExtra !== key) continue;
      const extra = counter.countElement(element).counted;
      counted += extra;
      proposed += extra;
    }
    return { counted, footnotes, proposed };
  }

  budget(row, counted) {
    const budget = parseInt(row.dataset.budget, 10);
    const over = !isNaN(budget) && counted > budget;
    row.classList.toggle("over-budget", over);
    const note = row.querySelector("[data-budget-over]");
    const text = this.panel.dataset.budgetOverText;
    if (note) note.textContent = over && text ? text.replace("%s", grouped(counted - budget)) : "";
  }

  recount() {
    const panel = this.panel;
    if (!panel || !window.UPRWordCount) return;
    let total = 0;
    let proposedTotal = 0;
    for (const row of panel.querySelectorAll("tr[data-part]")) {
      const count = this.partCount(row.dataset.part);
      const counted = row.querySelector("[data-counted]");
      const notes = row.querySelector("[data-footnotes]");
      if (counted) counted.textContent = grouped(count.counted);
      if (notes) notes.textContent = grouped(count.footnotes);
      total += count.counted;
      proposedTotal += count.proposed;
      this.budget(row, count.counted);
    }
    const totalElement = this.doc.getElementById("words-total");
    if (totalElement) totalElement.textContent = grouped(total);
    const proposedElement = this.doc.getElementById("words-proposed");
    if (proposedElement && panel.dataset.proposedText) {
      proposedElement.hidden = proposedTotal === total;
      proposedElement.textContent = panel.dataset.proposedText.replace("%s", grouped(proposedTotal));
    }
    const limit = parseInt(panel.dataset.limit, 10);
    const leftText = this.doc.getElementById("words-left-text");
    if (!isNaN(limit)) {
      const over = total > limit;
      panel.classList.toggle("over", over);
      const text = over ? panel.dataset.overText : panel.dataset.leftText;
      if (leftText && text) leftText.textContent = text.replace("%s", grouped(over ? total - limit : limit - total));
    }
  }
}
