// Bundles src/main.js into ../static/editor/live-editor.js (and its CSS into live-editor.css):
// one minified IIFE for es2020 browsers, nothing loaded from elsewhere at run time; and src/loader.js
// into live-editor-loader.js, what the document page loads (it fetches live-editor.js once the page
// has loaded: see loader.js for why). The output is
// reproducible byte for byte: no timestamps, no absolute paths, no source map.
// UPR_EDITOR_OUTDIR writes elsewhere (tests/test_editor_bundle.py compares that build with the
// committed one).
//
// The bundled packages' licence notices (all MIT: their copyright lines and the licence text, which
// the MIT licence asks to keep with every copy) are appended to the script as one comment, built from
// the packages that really end up in the bundle, sorted, so the output stays reproducible.
import * as esbuild from "esbuild";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

const options = {
  absWorkingDir: here,
  entryPoints: { "live-editor": "src/main.js" },
  outdir: process.env.UPR_EDITOR_OUTDIR || join("..", "static", "editor"),
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  platform: "browser",
  legalComments: "eof",
  sourcemap: false,
  metafile: true,
  charset: "ascii",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
};

// The package directory of a bundled file ("node_modules/@tiptap/core/dist/index.js" -> "@tiptap/core").
function packageOf(input) {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1] : null;
}

function notices(inputs) {
  const packages = [...new Set(Object.keys(inputs).map(packageOf).filter(Boolean))].sort();
  const lines = [];
  let mitText = null;
  for (const name of packages) {
    const root = join(here, "node_modules", name);
    const meta = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const file = readdirSync(root).filter((entry) => /^licen[cs]e/i.test(entry)).sort()[0];
    const text = file ? readFileSync(join(root, file), "utf8") : "";
    const copyright = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => /^copyright\b/i.test(line));
    lines.push(`${meta.name} ${meta.version} (${meta.license}): ${copyright.join("; ") || "see its package"}`);
    if (mitText === null && meta.license === "MIT" && /Permission is hereby granted/.test(text)) {
      mitText = text.slice(text.indexOf("Permission is hereby granted")).trim();
    }
  }
  const body = ["Bundled packages:", ...lines, "", "The MIT License:", ...(mitText || "").split(/\r?\n/)];
  return "/*! " + body.map((line) => line.replace(/\*\//g, "* /")).join("\n * ") + "\n */";
}

// First pass: which packages end up in the bundle. Second: the bundle, with their notices.
const probe = await esbuild.build({ ...options, write: false });
const output = Object.values(probe.metafile.outputs).find((entry) => entry.entryPoint);
const result = await esbuild.build({ ...options, footer: { js: notices(output.inputs) } });
// The loader: our own few lines, no package in it (so no notices).
const loader = await esbuild.build({ ...options, entryPoints: { "live-editor-loader": "src/loader.js" } });

if (!existsSync(options.outdir)) throw new Error("no output written");
for (const [file, entry] of [...Object.entries(result.metafile.outputs), ...Object.entries(loader.metafile.outputs)]) {
  console.log(`${file}: ${entry.bytes} bytes`);
}
