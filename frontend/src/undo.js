/* Undo steps as in Word: a formatting command, a paste, a link or a footnote is one step of its
 * own, never merged with the typing just before or after it (y-undo merges changes less than
 * 500 ms apart). Each person undoes only their own changes (y-undo tracks local changes only). */
import { Extension } from "@tiptap/core";
import { Plugin } from "@tiptap/pm/state";
import { yUndoPluginKey } from "@tiptap/y-tiptap";

export function stopCapturing(editor) {
  const state = editor && !editor.isDestroyed ? yUndoPluginKey.getState(editor.state) : null;
  if (state && state.undoManager) state.undoManager.stopCapturing();
}

/** Runs `command` as an undo step of its own. */
export function asStep(editor, command) {
  stopCapturing(editor);
  const result = command();
  stopCapturing(editor);
  return result;
}

const UNDO_KEYS = new Set(["z", "y", "Z", "Y"]);

export const SeparateSteps = Extension.create({
  name: "separateSteps",
  addProseMirrorPlugins() {
    const editor = this.editor;
    return [
      new Plugin({
        props: {
          handleKeyDown(view, event) {
            if ((event.ctrlKey || event.metaKey) && !UNDO_KEYS.has(event.key) && event.key.length === 1) {
              stopCapturing(editor);
              setTimeout(() => stopCapturing(editor), 0);
            }
            return false;
          },
          handlePaste() {
            stopCapturing(editor);
            setTimeout(() => stopCapturing(editor), 0);
            return false;
          },
        },
      }),
    ];
  },
});
