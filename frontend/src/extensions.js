/* The schema of PROTOCOL.md, as TipTap extensions. Node and mark names, attributes and content
 * expressions are the contract with the server (yhtml.py reads and writes the same Y.XmlFragment):
 * change them only together with PROTOCOL.md. */
import { Extension } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Heading from "@tiptap/extension-heading";
import { OrderedList } from "@tiptap/extension-list";
import Link from "@tiptap/extension-link";
import { Table, TableRow, TableHeader, TableCell } from "@tiptap/extension-table";
import { Footnote } from "./footnote.js";
import { SeparateSteps } from "./undo.js";
import { Insertion, Deletion } from "./suggest.js";

import { SAFE_URL } from "./urls.js";

export { SAFE_URL };

// Cells keep colspan, rowspan and colwidth only (no `align`, which PROTOCOL.md does not know).
const cellAttributes = {
  colspan: { default: 1 },
  rowspan: { default: 1 },
  colwidth: {
    default: null,
    parseHTML: (element) => {
      const value = element.getAttribute("colwidth");
      const widths = value && value.split(",").map((width) => parseInt(width, 10));
      return widths && widths.every((width) => width > 0) ? widths : null;
    },
  },
};

const SchemaTableCell = TableCell.extend({ addAttributes: () => cellAttributes });
const SchemaTableHeader = TableHeader.extend({ addAttributes: () => cellAttributes });

// orderedList: `start` only (TipTap 3 adds `type`, which PROTOCOL.md does not know).
const SchemaOrderedList = OrderedList.extend({
  addAttributes() {
    return {
      start: {
        default: 1,
        parseHTML: (element) => (element.hasAttribute("start") ? parseInt(element.getAttribute("start") || "", 10) || 1 : 1),
      },
    };
  },
});

// Headings 2 to 4; Word's Ctrl+Alt+1..3 make them (the page's own titles are <h1>/<h2>).
const SchemaHeading = Heading.extend({
  addKeyboardShortcuts() {
    return {
      "Mod-Alt-1": () => this.editor.commands.toggleHeading({ level: 2 }),
      "Mod-Alt-2": () => this.editor.commands.toggleHeading({ level: 3 }),
      "Mod-Alt-3": () => this.editor.commands.toggleHeading({ level: 4 }),
    };
  },
}).configure({ levels: [2, 3, 4] });

// link: only `href` is stored (PROTOCOL.md reads nothing else); http, https and mailto only.
const SchemaLink = Link.extend({
  // Typing just after a link does not lengthen it (as in Word).
  inclusive() {
    return false;
  },
  addAttributes() {
    return {
      href: { default: null, parseHTML: (element) => element.getAttribute("href") },
    };
  },
}).configure({
  openOnClick: false,
  autolink: true,
  linkOnPaste: true,
  defaultProtocol: "https",
  protocols: [],
  HTMLAttributes: { rel: "noopener noreferrer", target: null, class: null },
  isAllowedUri: (url) => SAFE_URL.test(String(url || "").trim()),
});

// Word's Ctrl+Shift+L for bullets (TipTap's Ctrl+Shift+8 stays).
const WordShortcuts = Extension.create({
  name: "wordShortcuts",
  addKeyboardShortcuts() {
    return {
      "Mod-Shift-l": () => this.editor.commands.toggleBulletList(),
      "Mod-Shift-L": () => this.editor.commands.toggleBulletList(),
    };
  },
});

/** The schema's extensions; `footnote` configures the footnote node's view (see footnote.js),
 * `suggestions` the suggestion marks' ({describe(author, kind)}: their tooltip). */
export function schemaExtensions(footnote, suggestions) {
  return [
    StarterKit.configure({
      code: false,
      codeBlock: false,
      strike: false,
      horizontalRule: false,
      undoRedo: false, // Collaboration's y-undo: each person undoes their own changes only
      heading: false,
      orderedList: false,
      link: false,
      trailingNode: false, // two people would each add the trailing paragraph
    }),
    SchemaHeading,
    SchemaOrderedList,
    SchemaLink,
    Table.configure({ resizable: false, allowTableNodeSelection: false }),
    TableRow,
    SchemaTableHeader,
    SchemaTableCell,
    Footnote.configure(footnote || {}),
    WordShortcuts,
    SeparateSteps,
    Insertion.configure(suggestions || {}),
    Deletion.configure(suggestions || {}),
  ];
}
