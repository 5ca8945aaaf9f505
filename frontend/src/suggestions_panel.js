/* The list of a text's open suggestions, under it: who suggests what, and for the text's editors
 * Accept / Reject for each, and for all of one person's at once. Deciding goes through the server
 * (POST to #live-document's data-suggestions-url: it checks the right, writes the result as a
 * change of its own and keeps it in the history); the result arrives back through the socket like
 * anyone's change, so the list is rebuilt from the document each time it changes. */
import { t } from "./strings.js";
import { suggestionsOf } from "./suggest.js";

const QUOTE_MAX = 120;

function quoted(text) {
  const clean = text.replace(/\u200b/g, "").trim();
  return "“" + (clean.length > QUOTE_MAX ? clean.slice(0, QUOTE_MAX - 1) + "…" : clean) + "”";
}

export class SuggestionsPanel {
  /** `who(author)` names a person; `canDecide()` says whether this person edits the text;
   * `decide({ids, author, accept})` returns a promise of an error message ("" when done). */
  constructor(doc, { room, who, canDecide, decide }) {
    this.doc = doc;
    this.room = room;
    this.who = who;
    this.canDecide = canDecide;
    this.decide = decide;
    this.element = doc.createElement("section");
    this.element.className = "live-suggestions";
    this.element.hidden = true;
    this.heading = doc.createElement("h3");
    this.heading.className = "h4";
    this.list = doc.createElement("ul");
    this.bulk = doc.createElement("p");
    this.bulk.className = "live-suggestions-bulk";
    this.message = doc.createElement("p");
    this.message.className = "live-suggestions-message";
    this.message.setAttribute("role", "status");
    this.element.append(this.heading, this.list, this.bulk, this.message);
    this.element.addEventListener("click", (event) => this.onClick(event));
    this.signature = "";
    this.busy = false;
  }

  button(label, data) {
    const button = this.doc.createElement("button");
    button.type = "button";
    button.className = "link";
    button.textContent = label;
    Object.assign(button.dataset, data);
    return button;
  }

  /** Rebuilds the list from the editor's document (nothing is touched when it did not change). */
  render(pmDoc) {
    const found = suggestionsOf(pmDoc);
    const canDecide = this.canDecide();
    const signature = JSON.stringify([found, canDecide]);
    if (signature === this.signature) return;
    this.signature = signature;
    this.element.hidden = found.length === 0;
    this.heading.textContent = found.length === 1 ? t("suggestions_one") : t("suggestions_many", { n: found.length });
    this.list.textContent = "";
    const byAuthor = new Map();
    for (const suggestion of found) {
      byAuthor.set(suggestion.author, (byAuthor.get(suggestion.author) || 0) + 1);
      const item = this.doc.createElement("li");
      item.dataset.suggestion = suggestion.id;
      const inserted = suggestion.inserted.replace(/\u200b/g, "").trim();
      const deleted = suggestion.deleted.replace(/\u200b/g, "").trim();
      let what;
      if (inserted && deleted) what = t("suggests_replace", { old: quoted(deleted), new: quoted(inserted) });
      else if (inserted) what = t("suggests_insert", { text: quoted(inserted) });
      else what = t("suggests_delete", { text: quoted(deleted) });
      const who = this.doc.createElement("strong");
      who.textContent = this.who(suggestion.author);
      item.append(who, " " + what + " ");
      if (canDecide) {
        // Each button says which suggestion it decides (a screen reader lists them out of context).
        const accept = this.button(t("accept"), { ids: suggestion.id, accept: "1" });
        const reject = this.button(t("reject"), { ids: suggestion.id, accept: "0" });
        accept.setAttribute("aria-label", t("accept") + ": " + who.textContent + " " + what);
        reject.setAttribute("aria-label", t("reject") + ": " + who.textContent + " " + what);
        item.append(accept, " ", reject);
      }
      this.list.appendChild(item);
    }
    this.bulk.textContent = "";
    if (canDecide) {
      for (const [author, n] of byAuthor) {
        if (n < 2) continue;
        const name = this.who(author);
        this.bulk.append(this.button(t("accept_all_by", { name }), { author, accept: "1" }), " ",
          this.button(t("reject_all_by", { name }), { author, accept: "0" }), " ");
      }
    }
    this.bulk.hidden = this.bulk.childElementCount === 0;
  }

  async onClick(event) {
    const button = event.target.closest("button[data-accept]");
    if (!button || this.busy) return;
    this.busy = true;
    this.message.textContent = "";
    try {
      const error = await this.decide({
        room: this.room,
        ids: button.dataset.ids ? [button.dataset.ids] : [],
        author: button.dataset.author || "",
        accept: button.dataset.accept === "1",
      });
      this.message.textContent = error;
    } finally {
      this.busy = false;
    }
  }

  destroy() {
    this.element.remove();
  }
}
