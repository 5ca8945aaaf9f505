/* Comments anchored to a passage (the server side: submissions/services/comments.py).
 *
 * A passage is kept as two Yjs relative positions (Y.encodeRelativePosition, in base64): they name
 * CRDT items, not offsets, so a comment stays on its words whatever anyone types before or inside
 * them. Each names a character of the passage itself, its first (`start`) and its last (`end`):
 * y-prosemirror makes positions that stick to the character BEFORE them, so `start` is the position
 * after the first character and `end` the position after the last. Anchoring to the passage's own
 * characters (not to its neighbours) keeps words typed just before or just after it out of it. When
 * its words are all deleted the passage resolves to nothing and the comment says so, keeping the
 * words it was on (its quote, from the server).
 *
 * The threads themselves are the server's HTML (templates/submissions/partials/comments.html, one
 * <article class="comment" data-anchor-start data-anchor-end> each): this module highlights their
 * passages in the editor, lines them up in a margin beside the text on wide screens, and fetches
 * them again when the socket says they changed. */
import { Extension } from "@tiptap/core";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from "@tiptap/y-tiptap";
import * as Y from "yjs";
import { fromBase64, toBase64 } from "lib0/buffer";
import { t } from "./strings.js";
import { popoverButton, popoverDialog, showUnderSelection } from "./popover.js";

const highlightKey = new PluginKey("commentHighlights");
const QUOTE_MAX = 2000;

function binding(state) {
  const sync = ySyncPluginKey.getState(state);
  return sync && sync.binding ? sync : null;
}

/** The anchor of the passage [from, to) of the editor's document: {start, end} in base64. */
export function anchorOf(editor, from, to) {
  const sync = binding(editor.state);
  if (!sync || to <= from) return null;
  const encode = (pos) => toBase64(Y.encodeRelativePosition(absolutePositionToRelativePosition(pos, sync.type, sync.binding.mapping)));
  return { start: encode(from + 1), end: encode(to) };
}

function deleted(doc, relative) {
  if (!relative.item) return false;
  try {
    return Y.getItem(doc.store, relative.item).deleted;
  } catch (error) {
    return true; // an item this document never had
  }
}

/** Where an anchor's passage is now: {from, to}, or null when its words are gone. */
export function resolveAnchor(state, anchor) {
  const sync = binding(state);
  if (!sync || !anchor || !anchor.start || !anchor.end) return null;
  try {
    const start = Y.decodeRelativePosition(fromBase64(anchor.start));
    const end = Y.decodeRelativePosition(fromBase64(anchor.end));
    const at = (relative) => relativePositionToAbsolutePosition(sync.doc, sync.type, relative, sync.binding.mapping);
    let from = at(start);
    const to = at(end);
    if (from === null || to === null) return null;
    // After its first character, unless that character was deleted (then where it was).
    if (!deleted(sync.doc, start)) from -= 1;
    if (to <= from || to > state.doc.content.size) return null;
    return state.doc.textBetween(from, to, " ", " ").trim() ? { from, to } : null;
  } catch (error) {
    return null; // an anchor this document cannot read (another room's, or damaged): no highlight
  }
}

/** The highlights of the open comments' passages. `comments()` gives [{id, anchor}] of this text. */
export const CommentHighlights = Extension.create({
  name: "commentHighlights",
  addOptions() {
    return { comments: () => [], active: () => null };
  },
  addProseMirrorPlugins() {
    const options = this.options;
    let cache = { doc: null, version: -1, set: DecorationSet.empty };
    return [new Plugin({
      key: highlightKey,
      props: {
        decorations(state) {
          const list = options.comments();
          const version = list.version || 0;
          if (cache.doc === state.doc && cache.version === version) return cache.set;
          const decorations = [];
          for (const comment of list) {
            const range = resolveAnchor(state, comment.anchor);
            comment.range = range;
            if (!range) continue;
            decorations.push(Decoration.inline(range.from, range.to, {
              class: "comment-passage" + (options.active() === comment.id ? " comment-passage-active" : ""),
              "data-comment": comment.id,
            }));
          }
          cache = { doc: state.doc, version, set: DecorationSet.create(state.doc, decorations) };
          return cache.set;
        },
      },
    })];
  },
});

/** Tells the highlights that the comments (or the active one) changed. */
export function refreshHighlights(editor) {
  if (editor && !editor.isDestroyed) editor.view.dispatch(editor.state.tr.setMeta(highlightKey, true));
}

const commentForm = { current: null };

export function closeCommentForm() {
  if (commentForm.current) commentForm.current();
}

/** The comment form under the selection: `send({text, anchor, quote})` returns a promise of an
 * error message ("" when the comment was kept). */
export function openCommentForm(editor, host, send) {
  closeCommentForm();
  let close = () => {}; // showUnderSelection gives it once the form is shown
  const { from, to } = editor.state.selection;
  const anchor = anchorOf(editor, from, to);
  if (!anchor) return false;
  const quote = editor.state.doc.textBetween(from, to, " ", " ").replace(/\s+/g, " ").trim().slice(0, QUOTE_MAX);
  if (!quote) return false;
  const { dialog: form, title, id } = popoverDialog("form", "live-comment-form",
    t("comment_dialog", { quote: quote.length > 80 ? quote.slice(0, 79) + "…" : quote }));
  const label = document.createElement("label");
  label.htmlFor = id + "-input";
  label.textContent = t("comment_label");
  const input = document.createElement("textarea");
  input.id = label.htmlFor;
  input.rows = 3;
  input.maxLength = 5000;
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.id = id + "-hint";
  hint.textContent = t("comment_mention_hint");
  input.setAttribute("aria-describedby", hint.id);
  const error = document.createElement("p");
  error.className = "live-popover-error";
  error.setAttribute("aria-live", "assertive");
  const buttons = document.createElement("div");
  buttons.className = "live-popover-buttons";
  const sendButton = popoverButton(t("comment_send"), "submit");
  const cancel = popoverButton(t("cancel"), "button");
  buttons.append(sendButton, cancel);
  form.append(title, label, input, hint, error, buttons);

  cancel.addEventListener("click", () => {
    close();
    editor.view.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      error.textContent = t("comment_empty");
      input.focus();
      return;
    }
    sendButton.disabled = true;
    const problem = await send({ text, anchor, quote });
    sendButton.disabled = false;
    if (problem) {
      error.textContent = problem; // what was typed stays in the form
      return;
    }
    close();
    editor.view.focus();
  });
  close = showUnderSelection(form, editor, host, commentForm);
  input.focus();
  return true;
}

/** The threads of one section, read from the server's HTML: [{id, anchor, element}], open ones only. */
export function threadsIn(container) {
  const list = [];
  if (!container) return list;
  for (const element of container.querySelectorAll("article.comment[data-comment]")) {
    if (element.dataset.resolved === "1") continue;
    const start = element.dataset.anchorStart;
    const end = element.dataset.anchorEnd;
    list.push({ id: element.dataset.comment, anchor: start && end ? { start, end } : null, element, range: null });
  }
  return list;
}

/** Lines the threads of a section up beside their passages (wide screens: the margin is a column of
 * its own; narrow ones keep the list under the text, in order, and this does nothing). Each card
 * moves down to its passage's height, never above the card before it. */
export function alignMargin(editor, container, threads) {
  if (!container || !editor || editor.isDestroyed) return;
  const wide = getComputedStyle(container).getPropertyValue("--comment-margin").trim() === "1";
  for (const thread of threads) thread.element.style.marginTop = "";
  for (const thread of threads) {
    const gone = thread.anchor !== null && thread.range === null;
    thread.element.classList.toggle("comment-passage-gone", gone);
    let note = thread.element.querySelector(".comment-gone-note");
    if (gone && !note) {
      note = document.createElement("p");
      note.className = "comment-gone-note muted";
      note.textContent = t("comment_passage_gone");
      thread.element.prepend(note);
    } else if (!gone && note) {
      note.remove();
    }
  }
  if (!wide) return;
  const anchored = threads.filter((thread) => thread.range).sort((a, b) => a.range.from - b.range.from);
  let floor = -Infinity;
  for (const thread of anchored) {
    const passageTop = editor.view.coordsAtPos(thread.range.from).top;
    const cardTop = thread.element.getBoundingClientRect().top;
    const shift = Math.max(0, Math.max(passageTop, floor) - cardTop);
    if (shift > 0) thread.element.style.marginTop = Math.round(shift) + "px";
    floor = thread.element.getBoundingClientRect().bottom + 8;
  }
}
