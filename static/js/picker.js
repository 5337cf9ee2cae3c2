/*
 * The type-ahead pickers (data-typeahead) work with htmx; without JavaScript they stay hidden
 * and the plain list in <noscript> is used instead.
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-typeahead]"), function (part) {
      part.hidden = false;
    });
  });
})();
