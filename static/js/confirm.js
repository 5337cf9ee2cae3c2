/*
 * Asks before an irreversible action. A form, or the submit button that sends it, carries
 * data-confirm="the question"; Cancel sends nothing (neither the form nor its htmx request).
 *
 * Without JavaScript the form holds its own safeguard: a required checkbox in an element with
 * data-confirm-fallback ("Yes, end the case"), which the browser insists on. With JavaScript the
 * dialog asks instead: the checkbox is hidden, and ticked when the answer is yes.
 * A static file, so the Content-Security-Policy (script-src 'self') lets it run.
 */
(function () {
  "use strict";

  function useDialogInstead(root) {
    var fallbacks = root.querySelectorAll ? root.querySelectorAll("[data-confirm-fallback]") : [];
    Array.prototype.forEach.call(fallbacks, function (element) {
      element.hidden = true;
      var box = element.querySelector("input[type=checkbox]");
      if (box) {
        box.required = false;
      }
    });
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var button = event.submitter;
      var question =
        (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (!question) {
        return;
      }
      if (!window.confirm(question)) {
        // Captured at the document: neither the browser nor htmx (listening on the form) sends it.
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      var box = form.querySelector("[data-confirm-fallback] input[type=checkbox]");
      if (box) {
        box.checked = true;
      }
    },
    true
  );

  document.addEventListener("DOMContentLoaded", function () {
    useDialogInstead(document);
  });
  // Parts of a page that htmx swaps in (the stage panel after a move).
  document.addEventListener("htmx:load", function (event) {
    useDialogInstead(event.target);
  });
})();
