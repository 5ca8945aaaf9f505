/* UPR Coalition Hub: loads the live editor (live-editor.js) without holding the document page up.
 * Built by build.mjs into static/editor/live-editor-loader.js (a few hundred bytes).
 *
 * The editor's bundle is 175 KB compressed: four seconds on a 400 kbit/s line. The page's HTML
 * already holds the text of every section, so it is readable at once; loaded as a deferred script,
 * the bundle held back DOMContentLoaded (and with it htmx and every other script of the page) and the
 * load event until it had arrived. So the page loads this instead, which fetches the bundle once the
 * page has loaded, with the whole line for itself, and meanwhile says in the status line that the
 * editor is loading (or that it could not be loaded). benchmarks/slow_line.py measures both.
 *
 *   <script src=".../live-editor-loader.js" data-editor=".../live-editor.js"
 *           data-loading="Loading the editor…" data-failed="The editor could not be loaded…" defer>
 *
 * Until the bundle runs, window.UPRLiveEditor is a stand-in that is neither connected nor synced
 * (what the tests and benchmarks wait on); the bundle replaces it with the real API (main.js).
 */
(function () {
  const script = document.currentScript;
  if (!script || !script.dataset.editor || window.UPRLiveEditor) return;
  const data = script.dataset;
  const statusElement = () => document.querySelector(".live-status");
  const say = (text, state) => {
    const element = statusElement();
    if (element && text) {
      element.textContent = text;
      element.dataset.state = state;
    }
  };
  window.UPRLiveEditor = {
    loading: true,
    rooms: {},
    pending: () => 0,
    connected: () => false,
    synced: () => false,
    status: () => (statusElement() ? statusElement().textContent : ""),
    connectionState: () => "idle:-",
  };
  const load = () => {
    const tag = document.createElement("script");
    tag.src = data.editor;
    tag.async = true;
    tag.addEventListener("error", () => say(data.failed, "failed"));
    document.head.appendChild(tag);
  };
  say(data.loading, "loading");
  if (document.readyState === "complete") load();
  else window.addEventListener("load", load, { once: true });
})();
