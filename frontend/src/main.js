/* UPR Coalition Hub: the live collaborative editor of a document page (bundled by build.mjs into
 * static/editor/live-editor.js, with live-editor.css). The wire protocol and the schema are those of
 * submissions/live/PROTOCOL.md.
 *
 * DOM contract (rendered by the server; the page also loads static/js/wordcount.js first):
 *
 *   <div id="live-document" data-ws-url="/ws/c/<slug>/documents/<id>/live/" data-document="<id>"
 *        data-user="<user id>" data-user-name="<name>" data-user-colour="#rrggbb">
 *     ... for each text (a section's or an annex's body, the summary):
 *     <div class="live-text" data-room="section-12" data-label="<the editor's accessible name>"
 *          data-numbered="1|0" data-count-key="section-12" data-title="<section title>"
 *          data-editable="1|0">...the server's sanitised HTML (the fallback without JavaScript)...</div>
 *   </div>
 *   <script type="application/json" id="live-editor-strings">{...}</script>
 *       (templates/submissions/partials/live_editor_strings.html: every word of the interface)
 *   <p class="live-status" role="status" aria-live="polite"></p>   connection and offline status
 *   <div class="live-presence"></div>                               who else is here, and where
 *       (both anywhere on the page; created before #live-document when absent)
 *   the count panel of document_body.html (.count-panel, tr[data-part], [data-counted], ...).
 *
 * Each .live-text gets, inside it: its server HTML moved into .live-fallback (shown until the room
 * has synced, or has loaded from IndexedDB when offline), a .live-notice (why it is read-only, a
 * refused change), a .live-toolbar and the editor (.live-mount > .ProseMirror.live-editor).
 * The editor's content comes only from the room's Y.Doc, never from the HTML.
 *
 * window.UPRLiveEditor = {
 *   start(rootElement)      starts on a root like #live-document (done when the bundle runs: on
 *                           DOMContentLoaded, or at once when live-editor-loader.js injects it after the load event);
 *   rooms                   room name -> {doc, editor, awareness} (live getters);
 *   pending()               local changes not yet acknowledged by the server, all rooms;
 *   connected()             the WebSocket is open;
 *   synced()                every room has synced with the server since the last connect;
 *   htmlOf(room)            the room's document as HTML (richtext convention, docToHtml);
 *   insertForTest(room, html)  inserts HTML at the end of a room's text (as a paste would);
 *   docToHtml(pmDoc), transformPastedHtml(html)   the pure functions, for tests;
 *   status()                the status line's text; connectionState() the socket's, for tests.
 * }
 */
import "./styles.css";
import { Editor, Extension } from "@tiptap/core";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import { schemaExtensions } from "./extensions.js";
import { LiveConnection } from "./connection.js";
import { Numbering } from "./numbering.js";
import { Toolbar } from "./toolbar.js";
import { CountPanel } from "./count.js";
import { presenceText } from "./presence.js";
import { openLinkForm, closeLinkForm } from "./popover.js";
import { closeOpenFootnote, footnoteFocusable } from "./footnote.js";
import { docToHtml } from "./html.js";
import { transformPastedHtml } from "./paste.js";
import { loadStrings, t } from "./strings.js";
import { SuggestMode, isSuggesting, setSuggesting, suggestingForced, suggestionsOf } from "./suggest.js";
import { SuggestionsPanel } from "./suggestions_panel.js";
import { startMentions } from "./mentions.js";
import { CommentHighlights, alignMargin, openCommentForm, refreshHighlights, resolveAnchor, threadsIn } from "./comments.js";

const COLOUR = /^#[0-9a-f]{6}$/i;
const SAVING_DELAY = 1000; // "Saving…" shows only when a change waits that long for its ACK
const NUMBER_THROTTLE = 1000; // a changing count is announced at most once a second
const RECONNECT_GRACE = 2000; // a dropped connection shows "Reconnecting…" this long before "offline"

function safeColour(value) {
  return COLOUR.test(String(value || "")) ? String(value) : "#0b5cad";
}

// Black or white, whichever reads better on `colour`.
function textOn(colour) {
  const n = parseInt(colour.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? "#000000" : "#ffffff";
}

function renderCaret(user) {
  const colour = safeColour(user.colour || user.color);
  const caret = document.createElement("span");
  caret.className = "collaboration-carets__caret";
  caret.style.borderColor = colour;
  const label = document.createElement("span");
  label.className = "collaboration-carets__label";
  label.style.backgroundColor = colour;
  label.style.color = textOn(colour);
  label.textContent = String(user.name || "");
  caret.appendChild(label);
  return caret;
}

function renderSelection(user) {
  const colour = safeColour(user.colour || user.color);
  return { nodeName: "span", class: "collaboration-carets__selection", style: "background-color: " + colour + "33" };
}

function webSocketUrl(path) {
  const url = new URL(path || "", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

// The editor's keys beyond the schema's: Ctrl+K (link), Alt+F10 (to the toolbar, as in Word's
// ribbon and most web editors), Ctrl+S (saving is continuous: the browser's "save page" is not wanted).
const LiveKeys = Extension.create({
  name: "liveKeys",
  priority: 1000,
  addOptions() {
    return { openLink: () => false, openComment: () => false, focusToolbar: () => false };
  },
  addKeyboardShortcuts() {
    return {
      "Mod-k": () => this.options.openLink(),
      "Mod-Alt-m": () => this.options.openComment(), // Word's and Google Docs' "new comment"
      "Alt-F10": () => this.options.focusToolbar(),
      "Mod-s": () => true,
    };
  },
});

class LivePage {
  constructor(root) {
    this.root = root;
    this.doc = root.ownerDocument;
    loadStrings(this.doc);
    const data = root.dataset;
    this.userId = data.user || "";
    this.user = { name: data.userName || "", colour: safeColour(data.userColour) };
    this.suggestionsUrl = data.suggestionsUrl || "";
    this.commentsApi = data.commentsApi || "";
    this.activeComment = null;
    this.csrf = data.csrf || "";
    // The coalition's people as this reader may see them named (withheld organisations left out for
    // observers): {user id: "Name (Organisation)"}, for the suggestions' authors.
    const people = this.doc.getElementById("live-people");
    try {
      this.people = people ? JSON.parse(people.textContent || "{}") : {};
    } catch (error) {
      this.people = {};
    }
    this.denied = false;
    this.everOpened = false;
    this.graceTimer = null;
    this.texts = new Map(); // room name -> text
    this.byElement = new Map(); // .live-text element -> text
    this.statusElement = this.findOrCreate("live-status", "p");
    this.statusElement.setAttribute("role", "status");
    this.statusElement.setAttribute("aria-live", "polite");
    this.presenceElement = this.findOrCreate("live-presence", "div");
    this.status = { kind: null, text: "", shownAt: 0, timer: null, savingTimer: null, savingDue: false };
    this.connection = new LiveConnection({
      url: webSocketUrl(data.wsUrl),
      documentId: data.document || "",
      userId: this.userId,
      hooks: {
        onStatus: () => this.renderStatus(),
        onLoaded: (room) => this.onLoaded(room),
        onSynced: (room) => this.show(this.texts.get(room.name)),
        onAccess: (room, mode, message) => this.onAccess(room, mode, message),
        beforeRebuild: (room) => this.beforeRebuild(room),
        afterRebuild: (room, message) => this.afterRebuild(room, message),
        onRoomGone: (room, message) => this.onRoomGone(room, message),
        onPresence: (people) => this.renderPresence(people),
        onDenied: () => this.onDenied(),
        onReview: (what) => {
          if (what === "comments") this.refreshComments();
          this.root.dispatchEvent(new CustomEvent("upr:review", { detail: { what } }));
        },
      },
    });
    this.numbering = new Numbering(() => this.numberedTexts());
    this.counter = new CountPanel(this.doc, (element) => this.liveCount(element));
    const elements = Array.from(root.querySelectorAll(".live-text[data-room]"));
    // The rooms first, and the connection started (IndexedDB's loads and the socket's handshake run
    // while the editors are built below): every answer arrives after this constructor has returned,
    // when every editor exists.
    for (const element of elements) if (element.dataset.room) this.connection.addRoom(element.dataset.room);
    this.connection.start();
    for (const element of elements) this.setUpText(element);
    this.counter.recount();
    this.numbering.renumber();
    this.renderStatus();
    this.mentions = startMentions(this.doc);
  }

  findOrCreate(className, tagName) {
    const found = this.doc.querySelector("." + className);
    if (found) return found;
    const element = this.doc.createElement(tagName);
    element.className = className;
    this.root.parentNode.insertBefore(element, this.root);
    return element;
  }

  // --- the texts ------------------------------------------------------------------------------
  setUpText(element) {
    const name = element.dataset.room;
    if (!name || this.texts.has(name)) return;
    const room = this.connection.addRoom(name);
    const numbered = element.dataset.numbered === "1";
    const text = {
      name, element, room,
      label: element.dataset.label || element.dataset.title || name,
      numbered,
      editable: element.dataset.editable === "1",
      shown: false, gone: false, editor: null, toolbar: null, noticeKind: null, count: null,
      editorId: "live-editor-" + name.replace(/[^\w-]/g, "_"),
    };
    room.writable = text.editable;
    text.suggestOnly = false;
    // The section's threads (server HTML): their passages are highlighted and lined up beside them.
    const sectionId = name.startsWith("section-") ? name.slice("section-".length) : "";
    text.sectionId = sectionId;
    text.threads = threadsIn(sectionId ? this.doc.getElementById("comments-" + sectionId) : null);
    text.threads.version = 1;
    const fallback = this.doc.createElement("div");
    fallback.className = "live-fallback doc-text" + (numbered ? " numbered" : "");
    while (element.firstChild) fallback.appendChild(element.firstChild);
    // A <div>: the text's own paragraphs are numbered by CSS (.doc-text.numbered > p).
    const notice = this.doc.createElement("div");
    notice.className = "live-notice";
    notice.hidden = true;
    const mount = this.doc.createElement("div");
    mount.className = "live-mount";
    mount.hidden = true;
    element.append(fallback, notice, mount);
    element.classList.add("live-started");
    Object.assign(text, { fallback, notice, mount });
    this.texts.set(name, text);
    this.byElement.set(element, text);
    element.addEventListener("focusin", () => this.connection.setFocus(name));
    element.addEventListener("focusout", () => {
      setTimeout(() => {
        const active = this.doc.activeElement;
        if (!active || !active.closest || !active.closest(".live-text")) this.connection.setFocus(null);
      }, 0);
    });
    text.suggestions = new SuggestionsPanel(this.doc, {
      room: name,
      who: (author) => this.personName(author),
      canDecide: () => this.canWrite(text) && !text.suggestOnly,
      decide: (request) => this.decideSuggestions(request),
    });
    element.appendChild(text.suggestions.element);
    this.createEditor(text);
    API.rooms[name] = {
      get doc() {
        return text.room.doc;
      },
      get editor() {
        return text.editor;
      },
      get awareness() {
        return text.room.awareness;
      },
    };
  }

  createEditor(text) {
    const room = text.room;
    const editor = new Editor({
      element: text.mount,
      injectCSS: false,
      editable: this.canWrite(text),
      extensions: [
        ...schemaExtensions({ numbering: this.numbering, host: () => text.element },
          { describe: (author, kind) => t(kind === "insertion" ? "suggested_insertion_by" : "suggested_deletion_by",
            { name: this.personName(author) }) }),
        CommentHighlights.configure({ comments: () => text.threads, active: () => this.activeComment }),
        SuggestMode.configure({
          author: () => this.userId,
          refuse: (reason) => this.setNotice(text, t(reason === "format" ? "suggest_no_format" : "suggest_no_structure"), "suggest"),
        }),
        Collaboration.configure({ document: room.doc, field: "default" }),
        CollaborationCaret.configure({
          provider: { awareness: room.awareness },
          // PROTOCOL.md's {name, colour}; `color` too, the spelling y-prosemirror checks (else it warns).
          user: { name: this.user.name, colour: this.user.colour, color: this.user.colour },
          render: renderCaret,
          selectionRender: renderSelection,
        }),
        LiveKeys.configure({
          openLink: () => openLinkForm(text.editor, text.element),
          openComment: () => this.openComment(text),
          focusToolbar: () => {
            if (!text.toolbar || text.toolbar.element.hidden) return false;
            text.toolbar.focus();
            return true;
          },
        }),
      ],
      editorProps: {
        attributes: {
          id: text.editorId,
          class: "live-editor editable doc-text" + (text.numbered ? " numbered" : ""),
          role: "textbox",
          "aria-multiline": "true",
          "aria-label": text.label,
        },
        transformPastedHTML: (html) => transformPastedHtml(html),
      },
    });
    text.editor = editor;
    editor.view.dom.addEventListener("click", (event) => {
      const passage = event.target.closest && event.target.closest(".comment-passage[data-comment]");
      if (passage) this.showComment(passage.dataset.comment);
    });
    editor.on("transaction", ({ transaction }) => {
      if (!transaction.docChanged) return;
      this.scheduleMargin(text);
      text.count = null;
      this.counter.schedule();
      this.numbering.schedule();
      this.scheduleSuggestions(text);
    });
    const toolbar = new Toolbar(editor, {
      label: text.label,
      controls: text.editorId,
      ui: { openLink: () => openLinkForm(editor, text.element), openComment: () => this.openComment(text) },
    });
    text.toolbar = toolbar;
    text.element.insertBefore(toolbar.element, text.mount);
    this.applyEditable(text);
  }

  destroyEditor(text) {
    closeLinkForm();
    closeOpenFootnote();
    if (text.toolbar) text.toolbar.destroy();
    if (text.editor) text.editor.destroy();
    text.toolbar = null;
    text.editor = null;
    text.mount.textContent = "";
  }

  canWrite(text) {
    return !this.denied && !text.gone && text.editable;
  }

  applyEditable(text) {
    const writable = this.canWrite(text);
    if (text.editor && !text.editor.isDestroyed) {
      // Where this person may only suggest, suggestion mode is on and stays on.
      const forced = suggestingForced(text.editor.state);
      if (text.suggestOnly && !forced) setSuggesting(text.editor, true, true);
      else if (!text.suggestOnly && forced) setSuggesting(text.editor, false, false);
      text.element.classList.toggle("live-suggesting", isSuggesting(text.editor.state));
      if (text.editor.isEditable !== writable) text.editor.setEditable(writable);
      text.editor.view.dom.setAttribute("aria-readonly", writable ? "false" : "true");
      // Readers reach the footnotes with Tab (a read-only text has no caret to get there).
      for (const footnote of text.editor.view.dom.querySelectorAll(".live-footnote")) footnoteFocusable(footnote, !writable);
    }
    if (text.toolbar) {
      text.toolbar.element.hidden = !(writable && text.shown);
      text.toolbar.update();
    }
    if (!writable) closeLinkForm();
    this.scheduleSuggestions(text);
  }

  // --- comments --------------------------------------------------------------------------------
  openComment(text) {
    if (!text.sectionId || !this.commentsApi || !text.editor || text.editor.state.selection.empty) return false;
    return openCommentForm(text.editor, text.element, (payload) => this.postComment(text, payload));
  }

  /** Sends a new comment on a passage; returns the error to show ("" when it was kept). */
  async postComment(text, { text: body, anchor, quote }) {
    try {
      const response = await fetch(this.commentsApi, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": this.csrf, "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ section: Number(text.sectionId), text: body, anchor, quote }),
      });
      if (response.ok) {
        await this.refreshComments();
        return "";
      }
      const answer = await response.json().catch(() => ({}));
      const messages = Object.values(answer).flat().filter((item) => typeof item === "string");
      return messages.join(" ") || t("comment_failed");
    } catch (error) {
      return t("comment_failed");
    }
  }

  /** Fetches the page again and takes its comment lists (the server's HTML, this reader's rights). */
  async refreshComments() {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      const response = await fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const text of this.texts.values()) {
        if (!text.sectionId) continue;
        const id = "comments-" + text.sectionId;
        const current = this.doc.getElementById(id);
        const incoming = fresh.getElementById(id);
        // Not while someone is writing a reply in it: their words would go.
        if (!current || !incoming || current.contains(this.doc.activeElement)) continue;
        current.replaceWith(this.doc.importNode(incoming, true));
        text.threads = threadsIn(this.doc.getElementById(id));
        text.threads.version = Date.now();
        refreshHighlights(text.editor);
        this.scheduleMargin(text);
      }
    } catch (error) {
      // offline: the lists refresh at the next change
    } finally {
      this.refreshing = false;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.refreshComments();
      }
    }
  }

  showComment(id) {
    this.activeComment = id;
    for (const element of this.doc.querySelectorAll("article.comment.comment-active")) element.classList.remove("comment-active");
    const card = this.doc.getElementById("comment-" + id);
    if (card) {
      card.classList.add("comment-active");
      card.scrollIntoView({ block: "nearest" });
    }
    for (const text of this.texts.values()) {
      text.threads.version = (text.threads.version || 0) + 1;
      refreshHighlights(text.editor);
    }
  }

  scheduleMargin(text) {
    if (text.marginDue || !text.sectionId) return;
    text.marginDue = true;
    window.requestAnimationFrame(() => {
      text.marginDue = false;
      if (text.editor && !text.editor.isDestroyed && text.shown) {
        // The highlights again, now that y-prosemirror's mapping has caught up with the change (it is
        // updated after the transaction that made it, so positions resolved during it may be stale).
        if (text.threads.length) {
          text.threads.version = (text.threads.version || 0) + 1;
          refreshHighlights(text.editor);
        }
        alignMargin(text.editor, this.doc.getElementById("comments-" + text.sectionId), text.threads);
      }
    });
  }

  // --- suggestions ------------------------------------------------------------------------------
  personName(author) {
    return this.people[String(author)] || t("someone");
  }

  scheduleSuggestions(text) {
    if (text.suggestionsDue) return;
    text.suggestionsDue = true;
    Promise.resolve().then(() => {
      text.suggestionsDue = false;
      if (text.editor && !text.editor.isDestroyed && text.shown) {
        text.suggestions.render(text.editor.state.doc);
        text.element.classList.toggle("live-suggesting", isSuggesting(text.editor.state));
      }
    });
  }

  /** Asks the server to accept or reject; returns the error to show ("" when done). */
  async decideSuggestions({ room, ids, author, accept }) {
    const body = new URLSearchParams({ room, decision: accept ? "accept" : "reject" });
    for (const id of ids) body.append("id", id);
    if (author) body.set("author", author);
    try {
      const response = await fetch(this.suggestionsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": this.csrf, Accept: "application/json" },
        body,
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) return String(answer.error || t("suggest_failed"));
      return "";
    } catch (error) {
      return t("suggest_failed");
    }
  }

  show(text) {
    if (!text || text.shown || !text.editor) return;
    text.shown = true;
    text.fallback.hidden = true;
    text.mount.hidden = false;
    text.count = null;
    this.applyEditable(text);
    this.counter.schedule();
    this.numbering.schedule();
    this.scheduleSuggestions(text);
    this.scheduleMargin(text);
  }

  fallbackEmpty(text) {
    return text.fallback.textContent.trim() === "" && !text.fallback.querySelector("table, li, .footnote");
  }

  // IndexedDB has loaded: offline, show what it holds (or an empty text when the server had none).
  canShowOffline(text) {
    const room = text.room;
    return room.loaded && (room.hasContent() || this.fallbackEmpty(text));
  }

  onLoaded(room) {
    const text = this.texts.get(room.name);
    if (text && window.navigator.onLine === false && this.canShowOffline(text)) this.show(text);
  }

  setNotice(text, message, kind) {
    text.notice.textContent = message || "";
    text.notice.hidden = !message;
    text.noticeKind = message ? kind : null;
  }

  onAccess(room, mode, message) {
    const text = this.texts.get(room.name);
    if (!text) return;
    text.editable = mode === "write" || mode === "suggest";
    text.suggestOnly = mode === "suggest";
    this.applyEditable(text);
    if (!text.editable || text.suggestOnly) {
      const why = message || t(text.editable ? "suggest_only" : "read_only");
      if (text.noticeKind === null || text.noticeKind === "access") this.setNotice(text, why, "access");
    } else if (text.noticeKind === "access") {
      this.setNotice(text, "", null);
    }
  }

  beforeRebuild(room) {
    const text = this.texts.get(room.name);
    if (!text) return;
    this.destroyEditor(text);
    text.shown = false;
    text.mount.hidden = true;
    text.fallback.hidden = false;
    text.count = null;
  }

  afterRebuild(room, message) {
    const text = this.texts.get(room.name);
    if (!text) return;
    text.editable = room.writable !== false && text.editable;
    this.createEditor(text);
    this.setNotice(text, message || t("refused"), "refused");
    this.counter.schedule();
    this.numbering.schedule();
  }

  onRoomGone(room, message) {
    const text = this.texts.get(room.name);
    if (!text) return;
    text.gone = true;
    this.applyEditable(text);
    text.element.classList.add("live-gone");
    this.setNotice(text, message || t("room_gone"), "gone");
    text.count = null;
    this.counter.schedule();
    this.numbering.schedule();
  }

  onDenied() {
    this.denied = true;
    for (const text of this.texts.values()) this.applyEditable(text);
    closeOpenFootnote();
  }

  // --- counting and numbering -------------------------------------------------------------------
  liveCount(element) {
    const text = this.byElement.get(element);
    if (!text) return null;
    if (text.gone) return { counted: 0, footnotes: 0 };
    if (text.count === null) {
      if (text.shown && text.editor && !text.editor.isDestroyed) {
        const pmDoc = text.editor.state.doc;
        const count = window.UPRWordCount.countHtml(docToHtml(pmDoc));
        // As it would stand with every open suggestion accepted (counted again only when there are).
        const proposed = suggestionsOf(pmDoc).length
          ? window.UPRWordCount.countHtml(docToHtml(pmDoc, "proposed")).counted : count.counted;
        text.count = { counted: count.counted, footnotes: count.footnotes, proposed };
      } else {
        const count = window.UPRWordCount.countElement(text.fallback);
        text.count = { counted: count.counted, footnotes: count.footnotes, proposed: count.counted };
      }
    }
    return text.count;
  }

  numberedTexts() {
    const list = [];
    for (const element of this.root.querySelectorAll(".live-text, .doc-text")) {
      const text = this.byElement.get(element);
      if (text) {
        if (!text.gone) list.push({ element: text.shown ? null : text.fallback, editor: text.shown ? text.editor : null });
      } else if (!element.closest(".live-text")) {
        list.push({ element, editor: null });
      }
    }
    return list;
  }

  // --- status and presence ----------------------------------------------------------------------
  statusNow() {
    const connection = this.connection;
    const n = connection.pending();
    if (this.denied || connection.state === "denied") return { kind: "denied", text: t("no_access") };
    if (connection.isOpen()) {
      if (n > 0) return { kind: "saving", text: t("saving") };
      return connection.synced() ? { kind: "saved", text: t("saved") } : { kind: "connecting", text: t("connecting") };
    }
    if ((connection.state === "connecting" || connection.state === "idle") && !this.everOpened) {
      return { kind: "connecting", text: t("connecting") };
    }
    // A server restart is a blink: "Reconnecting…" first, "offline" only if it lasts.
    const since = Date.now() - (connection.closedAt || 0);
    if (this.everOpened && window.navigator.onLine !== false && since < RECONNECT_GRACE) {
      clearTimeout(this.graceTimer);
      this.graceTimer = setTimeout(() => this.renderStatus(), RECONNECT_GRACE - since + 10);
      return { kind: "reconnecting", text: t("reconnecting") };
    }
    const offline = n === 0 ? t("offline_none") : n === 1 ? t("offline_one") : t("offline_many", { n });
    return { kind: "offline", text: t("status_and", { first: offline, second: t("reconnecting") }) };
  }

  renderStatus() {
    const connection = this.connection;
    if (connection.isOpen()) this.everOpened = true;
    // Texts that loaded from IndexedDB show when the server cannot be reached.
    if (!connection.isOpen() && !["connecting", "idle", "denied"].includes(connection.state)) {
      for (const text of this.texts.values()) if (!text.shown && this.canShowOffline(text)) this.show(text);
    }
    const next = this.statusNow();
    const status = this.status;
    const element = this.statusElement;
    element.dataset.state = next.kind;
    element.dataset.pending = String(connection.pending());
    clearTimeout(status.timer);
    status.timer = null;
    if (next.kind === "saving" && status.kind === "saved" && !status.savingDue) {
      // A keystroke's round trip is not worth announcing: "Saving…" shows after a second only.
      if (status.savingTimer === null) {
        status.savingTimer = setTimeout(() => {
          status.savingTimer = null;
          status.savingDue = true;
          this.renderStatus();
        }, SAVING_DELAY);
      }
      return;
    }
    if (status.savingTimer !== null) {
      clearTimeout(status.savingTimer);
      status.savingTimer = null;
    }
    status.savingDue = false;
    const write = () => {
      status.kind = next.kind;
      status.text = next.text;
      status.shownAt = Date.now();
      if (element.textContent !== next.text) element.textContent = next.text;
    };
    if (next.kind === status.kind && next.text !== status.text) {
      // Only the number changed: at most one announcement a second.
      const wait = status.shownAt + NUMBER_THROTTLE - Date.now();
      if (wait > 0) {
        status.timer = setTimeout(() => this.renderStatus(), wait);
        return;
      }
    }
    write();
  }

  titleOf(roomName) {
    const text = this.texts.get(roomName);
    if (!text) return null;
    return text.element.dataset.title || text.label || null;
  }

  renderPresence(people) {
    const element = this.presenceElement;
    element.textContent = people === null ? "" : presenceText(people, this.userId, (room) => this.titleOf(room));
  }

  // --- for tests ----------------------------------------------------------------------------------
  editorOf(roomName) {
    const text = this.texts.get(roomName);
    if (!text || !text.editor) throw new Error("no editor for room " + roomName);
    return text.editor;
  }
}

let page = null;
const started = new WeakSet();

const API = {
  rooms: {},
  start(root) {
    if (!root || started.has(root)) return page ? page.connection.start() : Promise.resolve();
    started.add(root);
    page = new LivePage(root);
    return page.connection.start();
  },
  pending: () => (page ? page.connection.pending() : 0),
  connected: () => (page ? page.connection.connected() : false),
  synced: () => (page ? page.connection.synced() : false),
  status: () => (page ? page.statusElement.textContent : ""),
  // "idle", "connecting", "open", "closed" or "denied", and the socket's readyState (for tests).
  connectionState: () => (page ? page.connection.state + ":" + (page.connection.ws ? page.connection.ws.readyState : "-") : "idle"),
  htmlOf: (room) => docToHtml(page.editorOf(room).state.doc),
  // The passage each open comment of a room is on now ({id: text}, "" when its words are gone).
  commentPassages: (room) => {
    const text = page.texts.get(room);
    const state = page.editorOf(room).state;
    const out = {};
    for (const thread of text.threads) {
      const range = thread.anchor ? resolveAnchor(state, thread.anchor) : null;
      out[thread.id] = range ? state.doc.textBetween(range.from, range.to, " ", " ") : "";
    }
    return out;
  },
  proposedHtmlOf: (room) => docToHtml(page.editorOf(room).state.doc, "proposed"),
  suggesting: (room) => isSuggesting(page.editorOf(room).state),
  // As the toolbar's toggle: no change where this person may only suggest.
  setSuggesting: (room, on) => !suggestingForced(page.editorOf(room).state) && (setSuggesting(page.editorOf(room), on), true),
  suggestionsOf: (room) => suggestionsOf(page.editorOf(room).state.doc),
  insertForTest: (room, html) => {
    const editor = page.editorOf(room);
    return editor.commands.insertContentAt(editor.state.doc.content.size, html);
  },
  docToHtml,
  transformPastedHtml,
};

window.UPRLiveEditor = API;

function autoStart() {
  const root = document.getElementById("live-document");
  if (root) API.start(root);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoStart);
else autoStart();
