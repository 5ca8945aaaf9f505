/* Small popovers next to the text (the footnote editor, the link form): positioned from JS through
 * element.style (the Content-Security-Policy refuses style attributes in HTML, not the CSSOM). */
import { t } from "./strings.js";
import { normaliseUrl } from "./urls.js";
import { stopCapturing } from "./undo.js";

/** Places `popover` (absolutely positioned in `host`) just below `anchor` (a DOMRect). */
export function placePopover(popover, host, anchor) {
  const box = host.getBoundingClientRect();
  const top = anchor.bottom - box.top + 6;
  const width = popover.offsetWidth;
  const left = Math.max(0, Math.min(anchor.left - box.left, box.width - width));
  popover.style.top = Math.round(top) + "px";
  popover.style.left = Math.round(left) + "px";
}

/** Calls `callback` when the pointer goes down outside `elements`; returns the remover. */
export function onOutsidePointer(elements, callback) {
  const listener = (event) => {
    if (!elements.some((element) => element && element.contains(event.target))) callback();
  };
  document.addEventListener("mousedown", listener, true);
  return () => document.removeEventListener("mousedown", listener, true);
}

let dialogCount = 0;

/** A popover dialog (a `tag` element: "form" or "div") titled by its first paragraph:
 * {dialog, title, id}, where `id` is unique on the page, to name the dialog's fields after. */
export function popoverDialog(tag, className, titleText) {
  dialogCount += 1;
  const id = className + "-" + dialogCount;
  const dialog = document.createElement(tag);
  dialog.className = "live-popover " + className;
  dialog.setAttribute("role", "dialog");
  const title = document.createElement("p");
  title.className = "live-popover-title";
  title.id = id + "-title";
  title.textContent = titleText;
  dialog.setAttribute("aria-labelledby", title.id);
  return { dialog, title, id };
}

/** A button of a popover's row of buttons. */
export function popoverButton(text, type, action) {
  const element = document.createElement("button");
  element.type = type;
  element.className = "live-popover-button";
  element.textContent = text;
  if (action) element.addEventListener("click", action);
  return element;
}

/* Shows `form` in `host` under the editor's selection as the one open form of `slot` ({current}), and
 * returns its close(): Escape and a click outside close it too (Escape gives the text its focus back).
 * The link form and the comment form share it. */
export function showUnderSelection(form, editor, host, slot) {
  let removeOutside = () => {};
  function close() {
    if (slot.current !== close) return;
    slot.current = null;
    removeOutside();
    form.remove();
  }
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
      editor.view.focus();
    }
  });
  host.appendChild(form);
  slot.current = close;
  const { from, to } = editor.state.selection;
  const start = editor.view.coordsAtPos(from);
  const end = editor.view.coordsAtPos(to);
  placePopover(form, host, { left: start.left, bottom: Math.max(start.bottom, end.bottom) });
  removeOutside = onOutsidePointer([form], close);
  return close;
}

const linkForm = { current: null };

export function closeLinkForm() {
  if (linkForm.current) linkForm.current();
}

/** The link form: a small dialog under the selection, never window.prompt. */
export function openLinkForm(editor, host) {
  if (!editor.isEditable) return false;
  closeLinkForm();
  let close = () => {}; // showUnderSelection gives it once the form is shown
  const current = editor.getAttributes("link").href || "";
  const { dialog: form, title, id } = popoverDialog("form", "live-link-form", t("link_dialog"));
  form.noValidate = true;
  const label = document.createElement("label");
  label.htmlFor = id + "-input";
  label.textContent = t("link_address");
  const input = document.createElement("input");
  input.type = "text";
  input.inputMode = "url";
  input.id = label.htmlFor;
  input.autocomplete = "off";
  input.spellcheck = false;
  input.value = current;
  const error = document.createElement("p");
  error.className = "live-popover-error";
  error.id = id + "-error";
  error.setAttribute("aria-live", "assertive");
  const buttons = document.createElement("div");
  buttons.className = "live-popover-buttons";
  const button = (text, type, action) => buttons.appendChild(popoverButton(text, type, action));
  button(t("link_apply"), "submit");
  if (current) {
    button(t("link_remove"), "button", () => {
      close();
      editor.view.focus();
      editor.chain().focus().extendMarkRange("link").unsetLink().run();
    });
  }
  button(t("cancel"), "button", () => {
    close();
    editor.view.focus();
  });
  form.append(title, label, input, error, buttons);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const href = normaliseUrl(input.value);
    if (!href) {
      error.textContent = t("link_invalid");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", error.id);
      input.focus();
      return;
    }
    close();
    editor.view.focus(); // at once: TipTap's focus() waits a frame, and the next keystroke would be lost
    stopCapturing(editor);
    const { empty } = editor.state.selection;
    if (empty && !editor.isActive("link")) {
      editor.chain().focus().insertContent({ type: "text", text: href, marks: [{ type: "link", attrs: { href } }] }).run();
    } else {
      editor.chain().focus().extendMarkRange("link").setLink({ href }).run();
    }
    stopCapturing(editor);
  });

  close = showUnderSelection(form, editor, host, linkForm);
  input.focus();
  input.select();
  return true;
}
