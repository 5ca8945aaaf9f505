/* The document editor: turns each form.rich-editor (which works without JavaScript as an HTML
 * textarea) into a formatted editor that
 *  - saves in place and never overwrites someone else's save silently (the server answers 409
 *    with their version; both stay on screen to merge),
 *  - keeps what you typed in this browser (localStorage) until a save succeeds,
 *  - counts words as you type with the same rules as the server (wordcount.js), per part and in
 *    total, against the document's limit.
 * The server sanitises every save; this file trusts nothing it sends.
 */
"use strict";

(function () {
  const panel = document.querySelector(".count-panel");

  function storageKey(form) {
    return "upr-unsaved:" + location.pathname + ":" + form.dataset.key;
  }

  function say(form, text) {
    form.querySelector(".editor-status").textContent = text;
  }

  // --- counting -------------------------------------------------------------------------------
  function partCount(key) {
    let counted = 0;
    let footnotes = 0;
    document.querySelectorAll('[data-count-key="' + key + '"]').forEach(function (el) {
      if (el.hidden) return;
      const c = window.UPRWordCount.countElement(el);
      counted += c.counted;
      footnotes += c.footnotes;
      if (!c.counted) return; // an empty section's title does not count (as on the server)
      const form = el.closest("form.rich-editor");
      const title = form ? form.querySelector(".part-title") : null;
      if (title) counted += window.UPRWordCount.countText(title.value);
      else if (el.dataset.title) counted += window.UPRWordCount.countText(el.dataset.title);
    });
    document.querySelectorAll('[data-count-extra="' + key + '"]').forEach(function (el) {
      counted += window.UPRWordCount.countElement(el).counted;
    });
    return { counted: counted, footnotes: footnotes };
  }

  function recount() {
    if (!panel || !window.UPRWordCount) return;
    let total = 0;
    panel.querySelectorAll("tr[data-part]").forEach(function (row) {
      const c = partCount(row.dataset.part);
      row.querySelector("[data-counted]").textContent = String(c.counted);
      row.querySelector("[data-footnotes]").textContent = String(c.footnotes);
      total += c.counted;
    });
    document.getElementById("words-total").textContent = String(total);
    const limit = parseInt(panel.dataset.limit, 10);
    if (!isNaN(limit)) {
      const over = total > limit;
      panel.classList.toggle("over", over);
      const text = over ? panel.dataset.overText : panel.dataset.leftText;
      document.getElementById("words-left-text").textContent = text.replace("%s", String(over ? total - limit : limit - total));
    }
  }

  // --- formatting -----------------------------------------------------------------------------
  function escapeText(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function run(command, button, editable) {
    editable.focus();
    if (command === "heading") {
      const block = document.queryCommandValue("formatBlock").toLowerCase();
      document.execCommand("formatBlock", false, block === "h3" ? "p" : "h3");
    } else if (command === "link") {
      const url = window.prompt(button.dataset.prompt, "https://");
      if (url && /^(https?:|mailto:)/i.test(url.trim())) document.execCommand("createLink", false, url.trim());
    } else if (command === "footnote") {
      const text = window.prompt(button.dataset.prompt, "");
      if (text && text.trim()) {
        document.execCommand("insertHTML", false, '<span class="footnote">' + escapeText(text.trim()) + "</span>&#8203;");
      }
    } else {
      document.execCommand(command, false, null);
    }
    editable.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // --- saving ---------------------------------------------------------------------------------
  function save(form) {
    const editable = form.querySelector(".editable");
    const textarea = form.querySelector("textarea[name=body]");
    textarea.value = editable.innerHTML;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(form, form.dataset.savingText || "…");
    return fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: { error: response.statusText } }; });
    }).then(function (answer) {
      const data = answer.data;
      if (answer.status === 200) {
        form.querySelector("input[name=base_version]").value = data.version;
        form.dataset.version = data.version;
        if (editable.innerHTML !== data.body) editable.innerHTML = data.body;
        localStorage.removeItem(storageKey(form));
        form.querySelector(".conflict").hidden = true;
        say(form, (form.dataset.savedText || "Saved, version %s").replace("%s", data.version));
        recount();
      } else if (answer.status === 409) {
        const conflict = form.querySelector(".conflict");
        conflict.querySelector(".theirs").innerHTML = data.body;
        conflict.querySelector(".conflict-by").textContent = data.updated_by ? "(" + data.updated_by + ")" : "";
        conflict.dataset.version = data.version;
        conflict.dataset.body = data.body;
        conflict.hidden = false;
        say(form, data.error);
        conflict.querySelector("button").focus();
      } else {
        say(form, data.error || String(answer.status));
      }
    }).catch(function () {
      say(form, form.dataset.offlineText || "Not saved: no connection. Your text is kept in this browser.");
    }).finally(function () {
      button.disabled = false;
    });
  }

  function setUp(form) {
    const editable = form.querySelector(".editable");
    const source = form.querySelector(".html-source");
    const toolbar = form.querySelector(".toolbar");
    const conflict = form.querySelector(".conflict");
    const banner = form.querySelector(".restore-banner");
    // The text travels once, in the textarea (the form's no-JavaScript fallback); sanitised by the server.
    editable.innerHTML = form.querySelector("textarea[name=body]").value;
    editable.hidden = false;
    editable.contentEditable = "true";
    toolbar.hidden = false;
    source.hidden = true;
    document.execCommand("defaultParagraphSeparator", false, "p");

    toolbar.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the selection
    toolbar.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-command]");
      if (button) run(button.dataset.command, button, editable);
    });

    function remember() {
      const title = form.querySelector(".part-title");
      localStorage.setItem(storageKey(form), JSON.stringify({
        html: editable.innerHTML, title: title ? title.value : null,
        base: form.querySelector("input[name=base_version]").value, at: new Date().toISOString(),
      }));
    }
    form.addEventListener("input", function () { remember(); recount(); });

    // Text typed earlier in this browser and never saved: offer it back, never apply it silently.
    const kept = JSON.parse(localStorage.getItem(storageKey(form)) || "null");
    if (kept && kept.html !== editable.innerHTML) {
      banner.hidden = false;
      banner.addEventListener("click", function (event) {
        const action = event.target.dataset.action;
        if (action === "restore") {
          editable.innerHTML = kept.html;
          const title = form.querySelector(".part-title");
          if (title && kept.title !== null) title.value = kept.title;
          recount();
        } else if (action === "discard") {
          localStorage.removeItem(storageKey(form));
        } else {
          return;
        }
        banner.hidden = true;
      });
    } else if (kept) {
      localStorage.removeItem(storageKey(form));
    }

    conflict.addEventListener("click", function (event) {
      const action = event.target.dataset.action;
      if (!action) return;
      form.querySelector("input[name=base_version]").value = conflict.dataset.version;
      if (action === "take-theirs") {
        remember();  // mine stays in this browser, offered back on the next visit
        editable.innerHTML = conflict.dataset.body;
        conflict.hidden = true;
        recount();
      } else if (action === "keep-mine") {
        save(form);
      }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save(form);
    });
    editable.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") {
        event.preventDefault();
        save(form);
      }
    });
  }

  document.querySelectorAll("form.rich-editor").forEach(setUp);
  recount();
})();
