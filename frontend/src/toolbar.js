/* The formatting toolbar of one editor: role="toolbar", one tab stop (roving tabindex: arrow keys,
 * Home and End move between the buttons; Escape goes back to the text), every button labelled
 * (aria-label, and aria-pressed where it toggles). Its buttons keep the editor's selection: the
 * mouse down on them does not take the focus from the text. */
import { t } from "./strings.js";
import { insertFootnote } from "./footnote.js";
import { asStep } from "./undo.js";
import { isSuggesting, setSuggesting, suggestingForced } from "./suggest.js";


/* A button's name holds the words it shows (WCAG 2.5.3, label in name: a person using speech input says
 * what they see): "H2" is named "H2 (Heading 2)". A single letter (B, I, U) or a mark is a symbol of its
 * name, not words, and keeps the plain name ("Bold"). */
function nameWithWhatIsShown(shown, name) {
  const words = shown.trim();
  if (words.length < 2 || !/[\p{L}\p{N}]{2}|\p{N}/u.test(words) || name.toLowerCase().includes(words.toLowerCase())) return name;
  return `${words} (${name})`;
}

// What stays usable while suggesting (the rest changes more than words: see suggest.js).
const WHILE_SUGGESTING = new Set(["suggest", "comment", "undo", "redo"]);

const chain = (editor) => editor.chain().focus();

const GROUPS = [
  [
    { key: "suggest", run: (e) => setSuggesting(e, !isSuggesting(e.state)), can: (e) => !suggestingForced(e.state),
      pressed: (e) => isSuggesting(e.state) },
    { key: "comment", keys: "Control+Alt+M", run: (e, ui) => ui.openComment(), can: (e) => !e.state.selection.empty },
  ],
  [
    { key: "paragraph", keys: "Control+Alt+0", run: (e) => chain(e).setParagraph().run(),
      can: () => true, pressed: (e) => e.isActive("paragraph") },
    { key: "heading2", keys: "Control+Alt+1", run: (e) => chain(e).toggleHeading({ level: 2 }).run(),
      can: (e) => e.can().toggleHeading({ level: 2 }), pressed: (e) => e.isActive("heading", { level: 2 }) },
    { key: "heading3", keys: "Control+Alt+2", run: (e) => chain(e).toggleHeading({ level: 3 }).run(),
      can: (e) => e.can().toggleHeading({ level: 3 }), pressed: (e) => e.isActive("heading", { level: 3 }) },
    { key: "heading4", keys: "Control+Alt+3", run: (e) => chain(e).toggleHeading({ level: 4 }).run(),
      can: (e) => e.can().toggleHeading({ level: 4 }), pressed: (e) => e.isActive("heading", { level: 4 }) },
  ],
  [
    { key: "bold", keys: "Control+B", run: (e) => chain(e).toggleBold().run(), can: (e) => e.can().toggleBold(),
      pressed: (e) => e.isActive("bold") },
    { key: "italic", keys: "Control+I", run: (e) => chain(e).toggleItalic().run(), can: (e) => e.can().toggleItalic(),
      pressed: (e) => e.isActive("italic") },
    { key: "underline", keys: "Control+U", run: (e) => chain(e).toggleUnderline().run(),
      can: (e) => e.can().toggleUnderline(), pressed: (e) => e.isActive("underline") },
  ],
  [
    { key: "bullet_list", keys: "Control+Shift+L", run: (e) => chain(e).toggleBulletList().run(),
      can: (e) => e.can().toggleBulletList(), pressed: (e) => e.isActive("bulletList") },
    { key: "ordered_list", keys: "Control+Shift+7", run: (e) => chain(e).toggleOrderedList().run(),
      can: (e) => e.can().toggleOrderedList(), pressed: (e) => e.isActive("orderedList") },
    { key: "blockquote", keys: "Control+Shift+B", run: (e) => chain(e).toggleBlockquote().run(),
      can: (e) => e.can().toggleBlockquote(), pressed: (e) => e.isActive("blockquote") },
  ],
  [
    { key: "link", keys: "Control+K", run: (e, ui) => ui.openLink(), can: () => true, pressed: (e) => e.isActive("link") },
    { key: "footnote", keys: "Control+Alt+F", run: (e) => insertFootnote(e),
      can: (e) => e.can().insertContent({ type: "footnote" }) },
    { key: "table", run: (e) => chain(e).insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(),
      can: (e) => !e.isActive("table") && e.can().insertTable({ rows: 3, cols: 3, withHeaderRow: true }) },
  ],
  [
    { key: "row_add", inTable: true, run: (e) => chain(e).addRowAfter().run(), can: (e) => e.can().addRowAfter() },
    { key: "column_add", inTable: true, run: (e) => chain(e).addColumnAfter().run(), can: (e) => e.can().addColumnAfter() },
    { key: "row_delete", inTable: true, run: (e) => chain(e).deleteRow().run(), can: (e) => e.can().deleteRow() },
    { key: "column_delete", inTable: true, run: (e) => chain(e).deleteColumn().run(), can: (e) => e.can().deleteColumn() },
    { key: "table_delete", inTable: true, run: (e) => chain(e).deleteTable().run(), can: (e) => e.can().deleteTable() },
  ],
  [
    { key: "undo", keys: "Control+Z", run: (e) => chain(e).undo().run(), can: (e) => e.can().undo() },
    { key: "redo", keys: "Control+Y Control+Shift+Z", run: (e) => chain(e).redo().run(), can: (e) => e.can().redo() },
  ],
];

export class Toolbar {
  /** `ui.openLink()` opens the link form; `label` names the text (the toolbar's aria-label says which). */
  constructor(editor, { label, controls, ui }) {
    this.editor = editor;
    this.ui = ui;
    this.element = document.createElement("div");
    this.element.className = "live-toolbar";
    this.element.setAttribute("role", "toolbar");
    this.element.setAttribute("aria-label", t("toolbar", { label }));
    if (controls) this.element.setAttribute("aria-controls", controls);
    this.buttons = [];
    GROUPS.forEach((group, index) => {
      if (index > 0) {
        const separator = document.createElement("span");
        separator.className = "live-toolbar-separator";
        separator.setAttribute("aria-hidden", "true");
        if (group[0].inTable) separator.dataset.inTable = "1";
        this.element.appendChild(separator);
      }
      for (const spec of group) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "live-toolbar-button live-toolbar-" + spec.key.replace(/_/g, "-");
        button.dataset.command = spec.key;
        button.tabIndex = -1;
        const shown = t(spec.key + "_short");
        button.textContent = shown;
        button.setAttribute("aria-label", nameWithWhatIsShown(shown, t(spec.key)));
        button.title = t(spec.key);
        if (spec.keys) button.setAttribute("aria-keyshortcuts", spec.keys);
        if (spec.pressed) button.setAttribute("aria-pressed", "false");
        this.element.appendChild(button);
        this.buttons.push({ spec, button });
      }
    });
    this.buttons[0].button.tabIndex = 0;
    this.element.addEventListener("mousedown", (event) => {
      if (event.target.closest("button")) event.preventDefault(); // keep the text's selection
    });
    this.element.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      const entry = this.buttons.find((item) => item.button === button);
      this.setCurrent(button);
      if (!entry || button.getAttribute("aria-disabled") === "true" || !this.editor.isEditable) return;
      // The focus goes back at once (TipTap's focus() waits a frame: a keystroke could be lost).
      if (entry.spec.key !== "link" && entry.spec.key !== "comment") this.editor.view.focus();
      const run = () => entry.spec.run(this.editor, this.ui);
      if (WHILE_SUGGESTING.has(entry.spec.key)) run();
      else asStep(this.editor, run);
    });
    this.element.addEventListener("keydown", (event) => this.onKeydown(event));
    this.scheduled = false;
    const schedule = () => this.schedule();
    editor.on("transaction", schedule);
    editor.on("selectionUpdate", schedule);
    editor.on("focus", schedule);
    this.unbind = () => {
      editor.off("transaction", schedule);
      editor.off("selectionUpdate", schedule);
      editor.off("focus", schedule);
    };
    this.update();
  }

  visibleButtons() {
    return this.buttons.map((item) => item.button).filter((button) => !button.hidden);
  }

  setCurrent(button) {
    for (const item of this.buttons) item.button.tabIndex = item.button === button ? 0 : -1;
  }

  focus() {
    const current = this.visibleButtons().find((button) => button.tabIndex === 0) || this.visibleButtons()[0];
    if (current) {
      this.setCurrent(current);
      current.focus();
    }
  }

  onKeydown(event) {
    const buttons = this.visibleButtons();
    const index = buttons.indexOf(document.activeElement);
    let next = null;
    switch (event.key) {
      case "ArrowRight":
      case "ArrowDown":
        next = buttons[(index + 1) % buttons.length];
        break;
      case "ArrowLeft":
      case "ArrowUp":
        next = buttons[(index - 1 + buttons.length) % buttons.length];
        break;
      case "Home":
        next = buttons[0];
        break;
      case "End":
        next = buttons[buttons.length - 1];
        break;
      case "Escape":
        event.preventDefault();
        this.editor.view.focus();
        return;
      default:
        return;
    }
    event.preventDefault();
    if (next) {
      this.setCurrent(next);
      next.focus();
    }
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    Promise.resolve().then(() => {
      this.scheduled = false;
      if (!this.editor.isDestroyed) this.update();
    });
  }

  update() {
    const editor = this.editor;
    const inTable = editor.isActive("table");
    const suggesting = isSuggesting(editor.state);
    for (const { spec, button } of this.buttons) {
      if (spec.inTable) button.hidden = !inTable;
      let enabled = false;
      try {
        enabled = editor.isEditable && (!suggesting || WHILE_SUGGESTING.has(spec.key)) && !!spec.can(editor);
      } catch (error) {
        enabled = false;
      }
      button.setAttribute("aria-disabled", enabled ? "false" : "true");
      if (spec.pressed) button.setAttribute("aria-pressed", spec.pressed(editor) ? "true" : "false");
    }
    for (const separator of this.element.querySelectorAll("[data-in-table]")) separator.hidden = !inTable;
    // The tab stop never stays on a hidden button.
    const current = this.buttons.find((item) => item.button.tabIndex === 0);
    if (!current || current.button.hidden) this.setCurrent(this.visibleButtons()[0]);
  }

  destroy() {
    this.unbind();
    this.element.remove();
  }
}
