// Printing: write the full address after each link to another page of the handbook, since
// paper cannot be clicked. External, mailto: and tel: links are handled by the print CSS alone.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("article a[href]").forEach(function (link) {
    var href = link.getAttribute("href");
    if (/^(#|[a-z]+:)/i.test(href) || link.classList.contains("headerlink")) return;
    // Links name a page's index.html so that the site also works from a folder; on a web
    // server the page's own address, its folder, is the one to write down.
    var address = link.href;
    if (location.protocol !== "file:") address = address.replace(/\/index\.html(?=[?#]|$)/, "/");
    link.setAttribute("data-hb-href", address);
  });
});

// Search (issue 25). A result opens its rule with the searched words marked: Material marks
// them on the whole page (the address's ?h=), so every "customer" on it would be marked. Only
// the rule that answered (the address's #anchor) keeps its marks.
(function () {
  if (!new URLSearchParams(location.search).get("h") || !location.hash) return;
  var rule = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!rule) return;
  function unmark() {
    document.querySelectorAll("mark[data-md-highlight]").forEach(function (mark) {
      if (!rule.contains(mark)) mark.replaceWith(document.createTextNode(mark.textContent));
    });
  }
  new MutationObserver(unmark).observe(document.body, { childList: true, subtree: true });
  unmark();
})();

// When no rule answers, the search worker offers what to try instead as results
// (assets/search-worker.js, nothingFound); the count above them says so rather than
// "3 matching documents".
(function () {
  var meta = document.querySelector(".md-search-result__meta");
  var list = document.querySelector(".md-search-result__list");
  if (!meta || !list) return;
  var SAID = "No matching rule: try these";
  function retitle() {
    if (list.querySelector(".hb-no-answer") && meta.textContent !== SAID) meta.textContent = SAID;
  }
  new MutationObserver(retitle).observe(meta, { childList: true, characterData: true, subtree: true });
  new MutationObserver(retitle).observe(list, { childList: true, subtree: true });
})();
