// Opened from a folder (file://), a browser lets no page start the search worker, so Material
// hides its search box and search would just be missing. Keep the box and say why it is off.
// (Everything else works from a folder: the links point at each page's index.html.)
if (location.protocol === "file:") {
  document.documentElement.classList.add("hb-from-folder");
  document.querySelectorAll('[data-md-component="search"]').forEach(function (search) {
    search.style.setProperty("display", "block", "important");
    search.querySelectorAll(".md-search__input").forEach(function (input) {
      input.disabled = true;
      input.placeholder = "Search works on the web server";
      input.title = "Search works on the web server, not from a folder";
    });
    // Shown under the box on a phone, where the search button opens it full width.
    search.querySelectorAll(".md-search-result__meta").forEach(function (meta) {
      meta.textContent =
        "Search works on the web server, not from a folder. Use the navigation, or Ctrl+F to find words on a page.";
    });
  });
}
