/* Suggestion mode (track changes): PROTOCOL.md "Suggestions", submissions/live/suggestions.py.
 *
 * While suggesting, typing inserts text with the `insertion` mark and deleting puts the `deletion`
 * mark on the text instead of removing it (deleting one's own suggested text removes it for real);
 * both marks carry {id, author}. A person's continuous typing or deleting shares one id: one
 * suggestion to accept or reject. Only words are suggested: new paragraphs, line breaks, footnotes
 * and formatting are not (y-prosemirror keeps no marks on inline nodes, and the server accepts from
 * a suggester nothing that changes the text as it stands), so every other change is filtered out.
 *
 * Remote changes and per-person undo arrive through y-prosemirror's sync plugin (its meta says
 * isChangeOrigin) and always pass. */
import { Extension, Mark } from "@tiptap/core";
import { Plugin, PluginKey, TextSelection } from "@tiptap/pm/state";
import { ySyncPluginKey } from "@tiptap/y-tiptap";

export const suggestKey = new PluginKey("suggest");
const OURS = "upr-suggestion"; // the meta of the transactions this module makes

function suggestionMark(name, tag) {
  return Mark.create({
    name,
    inclusive: false,
    excludes: "insertion deletion",
    addOptions() {
      return { describe: () => "" };
    },
    addAttributes() {
      return {
        id: { default: null, parseHTML: (element) => element.getAttribute("data-suggestion") },
        author: { default: null, parseHTML: (element) => element.getAttribute("data-author") },
      };
    },
    parseHTML() {
      return [{ tag: tag + "[data-suggestion]" }];
    },
    renderHTML({ mark }) {
      return [tag, {
        class: "suggestion suggestion-" + name,
        "data-suggestion": mark.attrs.id,
        "data-author": mark.attrs.author,
        title: this.options.describe(mark.attrs.author, name),
      }, 0];
    },
  });
}

export const Insertion = suggestionMark("insertion", "ins");
export const Deletion = suggestionMark("deletion", "del");

export function isSuggesting(state) {
  const plugin = suggestKey.getState(state);
  return !!(plugin && (plugin.on || plugin.forced));
}

export function suggestingForced(state) {
  const plugin = suggestKey.getState(state);
  return !!(plugin && plugin.forced);
}

function newId(author) {
  return author + "-" + Date.now().toString(36) + Math.random().toString(36).slice(2, 7);
}

function suggestionAt(node, type, author) {
  if (!node || !node.isText) return null;
  const mark = type.isInSet(node.marks);
  return mark && String(mark.attrs.author) === String(author) ? mark.attrs.id : null;
}

/** Marks [from, to) as proposed for deletion (one's own suggested insertions there are deleted). */
function markDeleted(tr, from, to, author) {
  const { insertion, deletion } = tr.doc.type.schema.marks;
  const $from = tr.doc.resolve(from);
  const $to = tr.doc.resolve(to);
  const id = suggestionAt($from.nodeBefore, deletion, author) || suggestionAt($to.nodeAfter, deletion, author) || newId(author);
  const ranges = [];
  tr.doc.nodesBetween(from, to, (node, pos) => {
    if (!node.isText) return true;
    const start = Math.max(pos, from);
    const end = Math.min(pos + node.nodeSize, to);
    if (start >= end) return false;
    const own = insertion.isInSet(node.marks);
    if (own && String(own.attrs.author) === String(author)) ranges.push({ start, end, remove: true });
    else if (!own && !deletion.isInSet(node.marks)) ranges.push({ start, end, remove: false });
    // Someone else's suggested insertion is left to its author and the editors.
    return false;
  });
  for (const range of ranges.reverse()) {
    if (range.remove) tr.delete(range.start, range.end);
    else tr.addMark(range.start, range.end, deletion.create({ id, author: String(author) }));
  }
}

function textMarks(state, $pos) {
  const { insertion, deletion } = state.schema.marks;
  const marks = state.storedMarks || $pos.marks();
  return marks.filter((mark) => mark.type !== insertion && mark.type !== deletion);
}

/** Proposes `text` in place of [from, to). */
export function suggestText(state, from, to, text, author) {
  const tr = state.tr;
  if (from < to) markDeleted(tr, from, to, author);
  const at = tr.mapping.map(to);
  const $at = tr.doc.resolve(at);
  if (!$at.parent.inlineContent) return null;
  const { insertion } = state.schema.marks;
  // Typing on after one's own insertion, or in place of what one just proposed to delete (a
  // replacement), continues that suggestion.
  const { deletion } = state.schema.marks;
  const id = suggestionAt($at.nodeBefore, insertion, author) || suggestionAt($at.nodeBefore, deletion, author)
    || suggestionAt($at.nodeAfter, deletion, author) || newId(author);
  const marks = textMarks(state, $at).concat(insertion.create({ id, author: String(author) }));
  tr.insert(at, state.schema.text(text, marks));
  tr.setSelection(TextSelection.create(tr.doc, at + text.length));
  return tr.setMeta(OURS, true).scrollIntoView();
}

/** Backspace (dir -1) or Delete (dir 1) while suggesting: the selection, or the next character
 * that is not already proposed for deletion, within its paragraph (paragraphs are not joined). */
export function suggestDelete(state, dir, author) {
  const { selection } = state;
  const { deletion } = state.schema.marks;
  const tr = state.tr;
  if (!selection.empty) {
    markDeleted(tr, selection.from, selection.to, author);
    tr.setSelection(TextSelection.create(tr.doc, tr.mapping.map(dir < 0 ? selection.from : selection.to, dir < 0 ? -1 : 1)));
    return tr.setMeta(OURS, true);
  }
  const $pos = selection.$from;
  let pos = $pos.pos;
  const start = $pos.start();
  const end = $pos.end();
  // Step over what is already proposed for deletion, and over footnotes and line breaks.
  for (;;) {
    if (dir < 0 ? pos <= start : pos >= end) {
      tr.setSelection(TextSelection.create(tr.doc, pos));
      return tr.setMeta(OURS, true);
    }
    const node = dir < 0 ? state.doc.resolve(pos).nodeBefore : state.doc.resolve(pos).nodeAfter;
    if (node && node.isText && !deletion.isInSet(node.marks)) break;
    pos += dir * (node && node.isText ? 1 : node ? node.nodeSize : 1);
  }
  const from = dir < 0 ? pos - 1 : pos;
  const to = dir < 0 ? pos : pos + 1;
  markDeleted(tr, from, to, author);
  tr.setSelection(TextSelection.create(tr.doc, dir < 0 ? tr.mapping.map(from, -1) : tr.mapping.map(to, 1)));
  return tr.setMeta(OURS, true);
}

function remote(tr) {
  const meta = tr.getMeta(ySyncPluginKey);
  return !!(meta && meta.isChangeOrigin);
}

/** The extension: `author()` is the person's user id; `refuse(reason)` tells them why a change
 * was not made ("structure" for a paragraph, line break or footnote; "format" for formatting). */
export const SuggestMode = Extension.create({
  name: "suggestMode",
  // Before every other key handler (the schema's Backspace commands would otherwise try, and fail
  // through the filter, to delete the character for real).
  priority: 10000,
  addOptions() {
    return { author: () => "", refuse: () => {} };
  },
  addProseMirrorPlugins() {
    const options = this.options;
    const run = (view, tr) => {
      if (tr) view.dispatch(tr);
      return true;
    };
    return [new Plugin({
      key: suggestKey,
      state: {
        init: () => ({ on: false, forced: false }),
        apply(tr, value) {
          const meta = tr.getMeta(suggestKey);
          return meta ? { ...value, ...meta } : value;
        },
      },
      filterTransaction(tr, state) {
        if (!tr.docChanged || !isSuggesting(state) || tr.getMeta(OURS) || remote(tr)) return true;
        options.refuse(tr.steps.some((step) => step.jsonID === "addMark" || step.jsonID === "removeMark") ? "format" : "structure");
        return false;
      },
      props: {
        // A typed character is taken at its keypress, before the browser puts it in the page: the
        // browser's own insertion would be read back from the page a moment later, and a remote
        // change arriving in between could take that keystroke with it. (Input methods and phone
        // keyboards, which send no keypress, come through handleTextInput.)
        handleKeyPress(view, event) {
          if (!isSuggesting(view.state) || event.ctrlKey || event.metaKey || event.altKey) return false;
          const text = event.key && event.key.length === 1 ? event.key : event.charCode ? String.fromCharCode(event.charCode) : "";
          if (!text || text === "\r" || text === "\n") return false;
          const { from, to } = view.state.selection;
          return run(view, suggestText(view.state, from, to, text, options.author()));
        },
        handleTextInput(view, from, to, text) {
          if (!isSuggesting(view.state)) return false;
          return run(view, suggestText(view.state, from, to, text, options.author()));
        },
        handleKeyDown(view, event) {
          if (!isSuggesting(view.state)) return false;
          if (event.key === "Backspace" || event.key === "Delete") {
            event.preventDefault();
            return run(view, suggestDelete(view.state, event.key === "Backspace" ? -1 : 1, options.author()));
          }
          if (event.key === "Enter") {
            options.refuse("structure");
            return true;
          }
          return false;
        },
        handlePaste(view, event, slice) {
          if (!isSuggesting(view.state)) return false;
          const text = slice.content.textBetween(0, slice.content.size, " ", " ").replace(/\s+/g, " ");
          if (!text) return true;
          const { from, to } = view.state.selection;
          return run(view, suggestText(view.state, from, to, text, options.author()));
        },
        handleDrop(view) {
          return isSuggesting(view.state);
        },
      },
    })];
  },
});

/** Turns suggestion mode on or off for this editor (`forced`: on, and it cannot be turned off). */
export function setSuggesting(editor, on, forced = false) {
  editor.view.dispatch(editor.state.tr.setMeta(suggestKey, { on: on || forced, forced }));
}

/** The open suggestions of a ProseMirror document, in order: [{id, author, inserted, deleted}]. */
export function suggestionsOf(doc) {
  const found = new Map();
  doc.descendants((node) => {
    if (!node.isText) return true;
    for (const mark of node.marks) {
      if (mark.type.name !== "insertion" && mark.type.name !== "deletion") continue;
      let entry = found.get(mark.attrs.id);
      if (!entry) {
        entry = { id: mark.attrs.id, author: String(mark.attrs.author), inserted: "", deleted: "" };
        found.set(mark.attrs.id, entry);
      }
      if (mark.type.name === "insertion") entry.inserted += node.text;
      else entry.deleted += node.text;
    }
    return false;
  });
  return [...found.values()];
}
