// Printing: write the full address after each link to another page of the handbook, since
// paper cannot be clicked. External, mailto: and tel: links are handled by the print CSS alone.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("article a[href]").forEach(function (link) {
    var href = link.getAttribute("href");
    if (/^(#|[a-z]+:)/i.test(href) || link.classList.contains("headerlink")) return;
    link.setAttribute("data-hb-href", link.href);
  });
});
