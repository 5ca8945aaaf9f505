/* Asks before a form with data-confirm="question" is sent (in place of an inline onsubmit=, which
 * the Content-Security-Policy refuses). A button outside the form (form="...") submits it too:
 * the submit event is the form's either way. */
"use strict";

document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});
