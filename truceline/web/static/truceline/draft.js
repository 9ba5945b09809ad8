// Autosave for the report form: every 15 seconds after a change, and when the page is hidden,
// the form is posted to the server's draft endpoint. Failures are said, and retried.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = document.getElementById("draft-status");
  var dirty = false;
  var busy = false;

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });

  function save() {
    if (!dirty || busy) return;
    busy = true;
    dirty = false;
    var data = new FormData(form);
    data.delete("files");  // files go with the report itself, not with every autosave
    fetch(form.dataset.autosave, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) {
          form.elements.draft.value = body.id;
          form.elements.revision.value = body.revision;
          status.textContent = body.message;
        } else {
          dirty = true;
          status.textContent = body.error ? body.error.message : status.dataset.offline;
        }
      });
    }).catch(function () {
      dirty = true;
      status.textContent = status.dataset.offline;
    }).then(function () { busy = false; });
  }

  window.setInterval(save, 15000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save();
  });
  form.addEventListener("submit", function () { dirty = false; });
})();
