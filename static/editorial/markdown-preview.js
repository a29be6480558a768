/* Live Markdown preview and citation picker for editors (Django admin only). */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
  }

  function setUp(editor) {
    if (editor.dataset.ready) return;
    editor.dataset.ready = "1";
    var source = editor.querySelector("textarea");
    var preview = editor.querySelector(".markdown-preview");
    var search = editor.querySelector(".citation-search");
    var options = editor.querySelector("datalist");
    var insert = editor.querySelector(".citation-insert");

    var render = debounce(function () {
      var body = new URLSearchParams({ text: source.value });
      fetch(editor.dataset.previewUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.text() : ""; })
        // The server renders and sanitizes exactly as the public page does.
        .then(function (html) { preview.innerHTML = html; });
    }, 300);

    var lookUp = debounce(function () {
      var url = editor.dataset.citationsUrl + "?q=" + encodeURIComponent(search.value);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          options.replaceChildren();
          data.results.forEach(function (citation) {
            var option = document.createElement("option");
            option.value = citation.key;
            option.textContent = citation.label;
            options.appendChild(option);
          });
        });
    }, 200);

    insert.addEventListener("click", function () {
      var key = search.value.trim();
      if (!key) return;
      var marker = " [@" + key + "]";
      var at = source.selectionEnd || source.value.length;
      source.value = source.value.slice(0, at) + marker + source.value.slice(at);
      source.focus();
      source.setSelectionRange(at + marker.length, at + marker.length);
      search.value = "";
      render();
    });
    source.addEventListener("input", render);
    search.addEventListener("input", lookUp);
    render();
  }

  function setUpAll() {
    document.querySelectorAll(".markdown-editor").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", setUpAll);
  // Inline forms added with "Add another" get editors too.
  document.addEventListener("formset:added", setUpAll);
})();
