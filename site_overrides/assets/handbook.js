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
