/*
 * A tap that htmx sends (a POST) but that never arrives (no signal in a stairwell) or that the
 * server answers with an error (a fault, an expired session) says so: "Not saved". Without this
 * htmx shows nothing, and the button looks as if it had worked. The words are the page's,
 * translated (templates/base.html: data-htmx-offline and data-htmx-failed on <body>). The next
 * POST that succeeds, or a tap on the message, takes it away (not a count the page fetched by
 * itself meanwhile). A retry is safe: the forms carry a once-key.
 * A static file, so the Content-Security-Policy (script-src 'self') lets it run.
 */
(function () {
  "use strict";
  var box = null;

  function show(text) {
    if (!text) {
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.className = "htmx-alert notice notice-error";
      box.setAttribute("role", "alert");
      box.addEventListener("click", hide);
      document.body.appendChild(box);
    }
    box.textContent = text;
    box.hidden = false;
  }

  function hide() {
    if (box) {
      box.hidden = true;
    }
  }

  // What a person sent (a knock, a form), not what the page fetched by itself (a count, a
  // search as she types): only that can be "not saved".
  function sent(event) {
    var config = event.detail && event.detail.requestConfig;
    return Boolean(config && config.verb && config.verb.toLowerCase() !== "get");
  }

  function offline(event) {
    if (sent(event)) {
      show(document.body.getAttribute("data-htmx-offline"));
    }
  }

  document.addEventListener("htmx:sendError", offline);
  document.addEventListener("htmx:timeout", offline);
  document.addEventListener("htmx:responseError", function (event) {
    if (!sent(event)) {
      return;
    }
    var xhr = event.detail.xhr;
    var failed = document.body.getAttribute("data-htmx-failed") || "";
    show(failed.replace("{status}", xhr ? String(xhr.status) : ""));
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful && sent(event)) {
      hide();
    }
  });
})();
