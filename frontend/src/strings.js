/* The user interface's words come from the page: templates/submissions/partials/live_editor_strings.html
 * renders them, translated, as <script type="application/json" id="live-editor-strings">.
 * The English below is only a fallback for a key the page lacks (it should never show). */

const FALLBACK = {
  toolbar: "Formatting: %(label)s",
  paragraph: "Normal text", paragraph_short: "¶",
  heading2: "Heading 2", heading2_short: "H2",
  heading3: "Heading 3", heading3_short: "H3",
  heading4: "Heading 4", heading4_short: "H4",
  bold: "Bold", bold_short: "B",
  italic: "Italic", italic_short: "I",
  underline: "Underline", underline_short: "U",
  bullet_list: "Bulleted list", bullet_list_short: "• List",
  ordered_list: "Numbered list", ordered_list_short: "1. List",
  blockquote: "Block quote", blockquote_short: "Quote",
  link: "Link", link_short: "Link",
  footnote: "Insert a footnote", footnote_short: "Footnote",
  table: "Insert a table", table_short: "Table",
  row_add: "Add a row below", row_add_short: "+ Row",
  column_add: "Add a column to the right", column_add_short: "+ Column",
  row_delete: "Delete the row", row_delete_short: "− Row",
  column_delete: "Delete the column", column_delete_short: "− Column",
  table_delete: "Delete the table", table_delete_short: "Delete table",
  undo: "Undo", undo_short: "Undo",
  redo: "Redo", redo_short: "Redo",
  link_dialog: "Link",
  link_address: "Address of the link (https://… or mailto:…)",
  link_apply: "Apply",
  link_remove: "Remove the link",
  link_invalid: "Only web addresses (http:// or https://) and email addresses (mailto:) can be linked.",
  cancel: "Cancel",
  footnote_number: "Footnote %(n)s",
  footnote_label: "Footnote %(n)s: %(text)s",
  footnote_empty: "(empty)",
  footnote_text: "Text of footnote %(n)s",
  footnote_done: "Done",
  footnote_hint: "Escape or Done returns to the text.",
  connecting: "Connecting…",
  saved: "All changes saved",
  saving: "Saving…",
  offline_one: "offline: 1 change kept on this device",
  offline_many: "offline: %(n)s changes kept on this device",
  offline_none: "Offline: you can keep typing; your changes are kept on this device",
  reconnecting: "Reconnecting…",
  status_and: "%(first)s · %(second)s",
  no_access: "You no longer have access to this document.",
  refused: "Your last change in this section was not kept: you can no longer edit it.",
  room_gone: "This section was deleted.",
  read_only: "You can read this text but not change it.",
  presence: "In this document: %(people)s",
  presence_in: "%(name)s (Section '%(section)s')",
  presence_separator: ", ",
  presence_alone: "Nobody else has this document open.",
  suggest: "Suggest changes",
  suggest_short: "Suggest",
  suggest_only: "You can suggest changes to this text; its editors accept or reject them.",
  suggest_no_structure: "While suggesting you change words only: new paragraphs, line breaks and footnotes are for the editors.",
  suggest_no_format: "While suggesting you change words only: formatting is for the editors.",
  suggest_failed: "The suggestion could not be decided: reload the page and try again.",
  suggested_insertion_by: "Suggested by %(name)s: to insert",
  suggested_deletion_by: "Suggested by %(name)s: to delete",
  suggestions_one: "1 open suggestion",
  suggestions_many: "%(n)s open suggestions",
  suggests_insert: "suggests inserting %(text)s.",
  suggests_delete: "suggests deleting %(text)s.",
  suggests_replace: "suggests replacing %(old)s with %(new)s.",
  accept: "Accept",
  reject: "Reject",
  accept_all_by: "Accept all by %(name)s",
  reject_all_by: "Reject all by %(name)s",
  someone: "A former member",
  comment: "Comment on the selected words",
  comment_short: "Comment",
  comment_dialog: "Comment on “%(quote)s”",
  comment_label: "Your comment",
  comment_mention_hint: "Write @ and a person's name or email address to tell them: they get an email with a link, never the text.",
  comment_send: "Comment",
  comment_empty: "Write the comment first.",
  comment_failed: "The comment could not be sent: check your connection and try again. What you wrote is still here.",
  comment_passage_gone: "The passage this comment was on has been deleted.",
  mention_list: "People to mention",
};

let loaded = null;

export function loadStrings(doc) {
  loaded = {};
  const script = (doc || document).getElementById("live-editor-strings");
  if (script) {
    try {
      const data = JSON.parse(script.textContent);
      if (data && typeof data === "object") loaded = data;
    } catch (error) {
      // a broken catalogue: the fallbacks serve
    }
  }
  return loaded;
}

/** The string `key`, with %(name)s replaced by params[name]. */
export function t(key, params) {
  if (loaded === null) loadStrings();
  let text = typeof loaded[key] === "string" ? loaded[key] : FALLBACK[key] !== undefined ? FALLBACK[key] : key;
  if (params) {
    text = text.replace(/%\((\w+)\)s/g, (whole, name) => (params[name] !== undefined ? String(params[name]) : whole));
  }
  return text;
}

export const FALLBACK_KEYS = Object.keys(FALLBACK);
export const FALLBACK_STRINGS = FALLBACK;
