/* Footnote numbers: live, in document order across every text of the page (sections, summary and
 * annexes, as the Word export numbers them). A text whose editor is not shown yet (its room has
 * not synced) counts the footnotes of its server-rendered HTML; so does a text that is not live. */

export function footnotePositions(doc) {
  const positions = [];
  doc.descendants((node, pos) => {
    if (node.type.name === "footnote") positions.push(pos);
    return !node.isAtom;
  });
  return positions;
}

export class Numbering {
  /** `texts()` lists, in document order, {element, editor or null} for every text of the page. */
  constructor(texts) {
    this.texts = texts;
    this.views = new Set();
    this.scheduled = false;
  }

  register(view) {
    this.views.add(view);
    this.schedule();
  }

  unregister(view) {
    this.views.delete(view);
    this.schedule();
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    Promise.resolve().then(() => {
      this.scheduled = false;
      this.renumber();
    });
  }

  renumber() {
    const byEditor = new Map();
    for (const view of this.views) {
      if (!byEditor.has(view.editor)) byEditor.set(view.editor, []);
      byEditor.get(view.editor).push(view);
    }
    let offset = 0;
    for (const text of this.texts()) {
      const editor = text.editor;
      if (editor && !editor.isDestroyed) {
        const positions = footnotePositions(editor.state.doc);
        const index = new Map(positions.map((pos, i) => [pos, i]));
        for (const view of byEditor.get(editor) || []) {
          let pos;
          try {
            pos = view.getPos();
          } catch (error) {
            pos = undefined;
          }
          if (typeof pos === "number" && index.has(pos)) view.setNumber(offset + index.get(pos) + 1);
        }
        offset += positions.length;
      } else if (text.element) {
        offset += text.element.querySelectorAll(".footnote").length;
      }
    }
  }
}
