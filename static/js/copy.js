/*
 * A button with data-copy="#field" copies the field's text to the clipboard and says so in
 * its data-copied words. Without JavaScript the button stays hidden: the field is selectable.
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
      var field = document.querySelector(button.getAttribute("data-copy"));
      if (!field) {
        return;
      }
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener("click", function () {
        function done() {
          button.textContent = button.getAttribute("data-copied") || label;
          window.setTimeout(function () { button.textContent = label; }, 3000);
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            field.select();
          });
        } else {
          field.select();
          if (document.execCommand("copy")) {
            done();
          }
        }
      });
    });
  });
})();
