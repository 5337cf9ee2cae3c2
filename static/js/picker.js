/*
 * The type-ahead pickers (data-typeahead) work with htmx; without JavaScript they stay hidden
 * and the plain list in <noscript> is used instead, or the search box submits its own GET form
 * (data-picker-search). With JavaScript htmx searches as she types, so Enter in the search box
 * neither reloads the page nor sends the page's form.
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-typeahead]"), function (part) {
      part.hidden = false;
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-picker-search]"), function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
      });
    });
  });
})();
