/* The footnote: an inline atom node holding its own text (PROTOCOL.md). In the text it shows as a
 * superscript number (numbering.js numbers them across the page); activating it (click, or Enter or
 * Space when it is selected) opens a popover with a nested ProseMirror editor on the footnote's own
 * content, as in ProseMirror's footnote example: the inner view's steps are dispatched into the outer
 * editor as a transaction on the footnote node's content (so they reach the Y.Doc, and y-undo), and
 * the outer changes (someone else's typing, an undo) update the inner view. Being an atom, the caret
 * steps over it: typing after a footnote lands in the paragraph, never inside the footnote. */
import { Node } from "@tiptap/core";
import { EditorState, NodeSelection, Plugin, TextSelection } from "@tiptap/pm/state";
import { EditorView } from "@tiptap/pm/view";
import { StepMap } from "@tiptap/pm/transform";
import { keymap } from "@tiptap/pm/keymap";
import { baseKeymap, toggleMark } from "@tiptap/pm/commands";
import { t } from "./strings.js";
import { transformPastedHtml } from "./paste.js";
import { placePopover, onOutsidePointer } from "./popover.js";
import { stopCapturing } from "./undo.js";

const views = new WeakMap(); // a footnote's DOM → its FootnoteView
let openView = null; // one footnote popover at a time, page-wide
let popoverCount = 0;

/** A footnote in a read-only text is a tab stop of its own (Enter or Space opens it). */
export function footnoteFocusable(dom, focusable) {
  if (focusable) dom.setAttribute("tabindex", "0");
  else dom.removeAttribute("tabindex");
}

export function footnoteViewOf(dom) {
  return dom ? views.get(dom) || null : null;
}

export class FootnoteView {
  constructor(node, outerView, getPos, editor, options) {
    this.node = node;
    this.outerView = outerView;
    this.getPos = getPos;
    this.editor = editor;
    this.options = options;
    this.number = null;
    this.popover = null;
    this.innerView = null;
    this.dom = document.createElement("span");
    this.dom.className = "live-footnote";
    this.dom.setAttribute("role", "doc-noteref");
    this.sup = document.createElement("sup");
    this.sup.setAttribute("aria-hidden", "true");
    this.dom.appendChild(this.sup);
    this.dom.addEventListener("click", (event) => {
      event.preventDefault();
      this.open();
    });
    this.dom.addEventListener("keydown", (event) => {
      // Only when the footnote itself has the focus (a read-only text); in an editable text the
      // editor's Enter and Space open the selected footnote.
      if (event.target === this.dom && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        this.open();
      }
    });
    footnoteFocusable(this.dom, !editor.isEditable);
    views.set(this.dom, this);
    this.refreshLabel();
    if (options.numbering) options.numbering.register(this);
  }

  text() {
    return this.node.textContent.replace(/\s+/g, " ").trim();
  }

  setNumber(n) {
    if (n === this.number) return;
    this.number = n;
    this.sup.textContent = String(n);
    this.refreshLabel();
  }

  refreshLabel() {
    const n = this.number === null ? "" : this.number;
    const text = this.text();
    this.dom.setAttribute("aria-label", t("footnote_label", { n, text: text || t("footnote_empty") }));
    this.dom.title = text;
    if (this.popover) {
      this.popover.querySelector(".live-popover-title").textContent = t("footnote_number", { n });
      this.innerView.dom.setAttribute("aria-label", t("footnote_text", { n }));
    }
  }

  // --- ProseMirror's NodeView interface ---------------------------------------------------------
  update(node) {
    if (!node.sameMarkup(this.node)) return false;
    this.node = node;
    if (this.innerView) {
      const state = this.innerView.state;
      const start = node.content.findDiffStart(state.doc.content);
      if (start !== null && start !== undefined) {
        let { a: endA, b: endB } = node.content.findDiffEnd(state.doc.content);
        const overlap = start - Math.min(endA, endB);
        if (overlap > 0) {
          endA += overlap;
          endB += overlap;
        }
        this.innerView.dispatch(state.tr.replace(start, endB, node.slice(start, endA)).setMeta("fromOutside", true));
      }
      this.innerView.setProps({ editable: () => this.editor.isEditable });
      this.place();
    }
    this.refreshLabel();
    return true;
  }

  selectNode() {
    this.dom.classList.add("ProseMirror-selectednode");
  }

  deselectNode() {
    this.dom.classList.remove("ProseMirror-selectednode");
  }

  stopEvent() {
    return false;
  }

  ignoreMutation() {
    return true;
  }

  destroy() {
    this.close({ destroying: true });
    if (this.options.numbering) this.options.numbering.unregister(this);
  }

  // --- the popover --------------------------------------------------------------------------------
  open() {
    if (this.popover) {
      this.innerView.focus();
      return;
    }
    if (openView && openView !== this) openView.close({});
    openView = this;
    stopCapturing(this.editor);
    const host = this.options.host ? this.options.host(this.editor) : this.outerView.dom.parentNode;
    popoverCount += 1;
    const titleId = "live-footnote-title-" + popoverCount;
    const popover = document.createElement("div");
    popover.className = "live-popover live-footnote-popover";
    popover.setAttribute("role", "dialog");
    popover.setAttribute("aria-labelledby", titleId);
    const title = document.createElement("p");
    title.className = "live-popover-title";
    title.id = titleId;
    title.textContent = t("footnote_number", { n: this.number === null ? "" : this.number });
    const mount = document.createElement("div");
    mount.className = "live-footnote-mount";
    const hint = document.createElement("p");
    hint.className = "live-popover-hint";
    hint.textContent = t("footnote_hint");
    const done = document.createElement("button");
    done.type = "button";
    done.className = "live-popover-button";
    done.textContent = t("footnote_done");
    done.addEventListener("click", () => this.close({ returnFocus: true }));
    popover.append(title, mount, hint, done);
    popover.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.close({ returnFocus: true });
      }
    });
    host.appendChild(popover);
    this.popover = popover;
    this.host = host;

    const schema = this.node.type.schema;
    const outer = this.editor;
    const mark = (name) => (schema.marks[name] ? toggleMark(schema.marks[name]) : () => false);
    this.innerView = new EditorView(mount, {
      state: EditorState.create({
        doc: this.node,
        plugins: [
          keymap({
            "Mod-z": () => outer.commands.undo(),
            "Mod-y": () => outer.commands.redo(),
            "Shift-Mod-z": () => outer.commands.redo(),
            "Mod-b": mark("bold"),
            "Mod-i": mark("italic"),
            "Mod-u": mark("underline"),
            Enter: () => {
              this.close({ returnFocus: true });
              return true;
            },
            "Shift-Enter": () => true,
          }),
          keymap(baseKeymap),
        ],
      }),
      editable: () => outer.isEditable,
      attributes: {
        class: "live-footnote-text",
        role: "textbox",
        "aria-multiline": "false",
        "aria-label": t("footnote_text", { n: this.number === null ? "" : this.number }),
      },
      transformPastedHTML: (html) => transformPastedHtml(html),
      dispatchTransaction: (tr) => this.dispatchInner(tr),
    });
    this.removeOutside = onOutsidePointer([popover, this.dom], () => this.close({}));
    this.place();
    const view = this.innerView;
    view.dispatch(view.state.tr.setSelection(TextSelection.atEnd(view.state.doc)).setMeta("fromOutside", true));
    view.focus();
  }

  place() {
    if (this.popover) placePopover(this.popover, this.host, this.dom.getBoundingClientRect());
  }

  dispatchInner(tr) {
    const { state, transactions } = this.innerView.state.applyTransaction(tr);
    this.innerView.updateState(state);
    if (tr.getMeta("fromOutside")) return;
    const pos = this.getPos();
    if (typeof pos !== "number") return;
    const outerTr = this.outerView.state.tr;
    const offsetMap = StepMap.offset(pos + 1);
    for (const transaction of transactions) {
      for (const step of transaction.steps) {
        const mapped = step.map(offsetMap);
        if (mapped) outerTr.step(mapped);
      }
    }
    if (outerTr.docChanged) this.outerView.dispatch(outerTr);
  }

  /** Closes the popover; `returnFocus` puts the caret back in the text, just after the footnote.
   * A footnote left empty is removed (unless the view is being destroyed). */
  close({ returnFocus = false, destroying = false } = {}) {
    if (!this.popover) return;
    if (openView === this) openView = null;
    if (!destroying) stopCapturing(this.editor);
    const hadFocus = this.popover.contains(document.activeElement);
    this.removeOutside();
    this.innerView.destroy();
    this.innerView = null;
    this.popover.remove();
    this.popover = null;
    if (destroying) return;
    const pos = this.getPos();
    if (typeof pos !== "number") return;
    const view = this.outerView;
    const node = view.state.doc.nodeAt(pos);
    if (node && node.type.name === "footnote" && node.content.size === 0 && this.editor.isEditable) {
      const tr = view.state.tr.delete(pos, pos + node.nodeSize);
      tr.setSelection(TextSelection.near(tr.doc.resolve(pos)));
      view.dispatch(tr);
    } else if (returnFocus || hadFocus) {
      const after = Math.min(pos + (node ? node.nodeSize : 1), view.state.doc.content.size);
      view.dispatch(view.state.tr.setSelection(TextSelection.near(view.state.doc.resolve(after))));
    }
    if (returnFocus || hadFocus) {
      if (this.editor.isEditable) view.focus();
      else this.dom.focus(); // a read-only text: back to the footnote itself
    }
  }
}

/** Inserts an empty footnote just after the caret (or the selection) and opens it. */
export function insertFootnote(editor) {
  if (!editor || !editor.isEditable) return false;
  const { state, view } = editor;
  const type = state.schema.nodes.footnote;
  const footnote = type.create();
  const { selection } = state;
  const $to = selection.$to;
  const tr = state.tr;
  let pos;
  if ($to.parent.inlineContent && $to.parent.canReplaceWith($to.index(), $to.index(), type)) {
    pos = selection.to;
    tr.insert(pos, footnote);
  } else {
    tr.replaceSelectionWith(footnote, false);
    pos = tr.selection.from - footnote.nodeSize;
    if (tr.doc.nodeAt(pos) === null || tr.doc.nodeAt(pos).type !== type) return false;
  }
  tr.setSelection(TextSelection.create(tr.doc, pos + footnote.nodeSize));
  stopCapturing(editor);
  view.dispatch(tr.scrollIntoView());
  const footnoteView = footnoteViewOf(view.nodeDOM(pos));
  if (footnoteView) footnoteView.open();
  return true;
}

/** Opens the footnote selected as a node (Enter or Space on it). */
export function openSelectedFootnote(editor) {
  const { selection } = editor.state;
  if (!(selection instanceof NodeSelection) || selection.node.type.name !== "footnote") return false;
  const footnoteView = footnoteViewOf(editor.view.nodeDOM(selection.from));
  if (!footnoteView) return false;
  footnoteView.open();
  return true;
}

export function closeOpenFootnote() {
  if (openView) openView.close({});
}

export const Footnote = Node.create({
  name: "footnote",
  group: "inline",
  inline: true,
  atom: true,
  content: "text*",
  marks: "bold italic underline link",
  selectable: true,
  draggable: true,

  addOptions() {
    return { numbering: null, host: null };
  },

  parseHTML() {
    return [{ tag: "span.footnote", priority: 60 }];
  },

  renderHTML() {
    return ["span", { class: "footnote" }, 0];
  },

  addNodeView() {
    return ({ node, view, getPos, editor }) => new FootnoteView(node, view, getPos, editor, this.options);
  },

  // Typing while a footnote is selected (the arrow keys select it on their way) writes after it,
  // as in Word: a footnote is never replaced by a keystroke.
  addProseMirrorPlugins() {
    return [
      new Plugin({
        props: {
          handleTextInput(view, from, to, text) {
            const { selection } = view.state;
            if (!(selection instanceof NodeSelection) || selection.node.type.name !== "footnote") return false;
            const tr = view.state.tr.insertText(text, selection.to);
            tr.setSelection(TextSelection.create(tr.doc, selection.to + text.length));
            view.dispatch(tr.scrollIntoView());
            return true;
          },
        },
      }),
    ];
  },

  addKeyboardShortcuts() {
    return {
      "Mod-Alt-f": () => insertFootnote(this.editor),
      Enter: () => openSelectedFootnote(this.editor),
      Space: () => openSelectedFootnote(this.editor),
    };
  },
});
