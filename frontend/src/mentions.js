/* "@" in a comment: as one types @ and the first letters of a name, a list of the coalition's people
 * whose names match opens under the field (a listbox: arrow keys move, Enter or Tab choose, Escape
 * closes); choosing writes "@Full Name ", which the server recognises (services/comments.py). The
 * names come from the page (#live-mention-names, names only). Works on every comment field of the
 * page, those the server renders and the editor's popover alike, by listening on the document. */
import { t } from "./strings.js";

const MAX_SHOWN = 6;
const QUERY = /(^|\s)@([^@\n]{0,40})$/;

export class MentionSuggestions {
  constructor(doc, names) {
    this.doc = doc;
    this.names = names;
    this.field = null;
    this.active = 0;
    this.matches = [];
    this.list = doc.createElement("ul");
    this.list.className = "mention-list";
    this.list.id = "mention-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", t("mention_list"));
    this.list.hidden = true;
    this.list.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault(); // keep the focus in the field
      this.choose(Number(option.dataset.index));
    });
    doc.body.appendChild(this.list);
    doc.addEventListener("input", (event) => this.onInput(event.target));
    doc.addEventListener("keydown", (event) => this.onKeydown(event), true);
    doc.addEventListener("focusout", (event) => {
      if (event.target === this.field) this.close();
    });
  }

  commentField(element) {
    return element instanceof HTMLTextAreaElement && !!element.closest(".comments, .live-comment-form");
  }

  onInput(element) {
    if (!this.names.length || !this.commentField(element)) return;
    const before = element.value.slice(0, element.selectionStart);
    const found = QUERY.exec(before);
    if (!found) {
      this.close();
      return;
    }
    const query = found[2].toLocaleLowerCase();
    const starts = this.names.filter((name) => name.toLocaleLowerCase().startsWith(query));
    const contains = this.names.filter((name) => !starts.includes(name) && name.toLocaleLowerCase().includes(query));
    this.matches = starts.concat(contains).slice(0, MAX_SHOWN);
    if (!this.matches.length) {
      this.close();
      return;
    }
    this.field = element;
    this.query = found[2];
    this.active = 0;
    this.render();
  }

  render() {
    this.list.textContent = "";
    this.matches.forEach((name, index) => {
      const option = this.doc.createElement("li");
      option.id = "mention-option-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", index === this.active ? "true" : "false");
      option.dataset.index = String(index);
      option.textContent = name;
      this.list.appendChild(option);
    });
    const box = this.field.getBoundingClientRect();
    this.list.style.top = Math.round(box.bottom + window.scrollY + 2) + "px";
    this.list.style.left = Math.round(box.left + window.scrollX) + "px";
    this.list.hidden = false;
    this.field.setAttribute("aria-autocomplete", "list");
    this.field.setAttribute("aria-controls", this.list.id);
    this.field.setAttribute("aria-expanded", "true");
    this.field.setAttribute("aria-activedescendant", "mention-option-" + this.active);
  }

  onKeydown(event) {
    if (this.list.hidden || event.target !== this.field) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      this.active = (this.active + (event.key === "ArrowDown" ? 1 : this.matches.length - 1)) % this.matches.length;
      this.render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      this.choose(this.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // the popover stays open
      this.close();
    }
  }

  choose(index) {
    const field = this.field;
    const name = this.matches[index];
    if (!field || name === undefined) return;
    const caret = field.selectionStart;
    const start = caret - this.query.length;
    field.value = field.value.slice(0, start) + name + " " + field.value.slice(caret);
    const after = start + name.length + 1;
    field.setSelectionRange(after, after);
    this.close();
    field.focus();
  }

  close() {
    this.list.hidden = true;
    if (this.field) {
      this.field.setAttribute("aria-expanded", "false");
      this.field.removeAttribute("aria-activedescendant");
    }
    this.field = null;
  }
}

/** Starts the suggestions on the page when it lists names (members and above). */
export function startMentions(doc) {
  const script = doc.getElementById("live-mention-names");
  let names = [];
  try {
    names = script ? JSON.parse(script.textContent || "[]") : [];
  } catch (error) {
    names = [];
  }
  return Array.isArray(names) && names.length ? new MentionSuggestions(doc, names.map(String)) : null;
}
