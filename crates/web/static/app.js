// Small enhancements only: every page works without this file.
document.addEventListener("htmx:beforeRequest", (e) => e.target.setAttribute("aria-busy", "true"));
document.addEventListener("htmx:afterRequest", (e) => e.target.removeAttribute("aria-busy"));
// A print button where a page is a form to print (the development record sheet).
document.addEventListener("click", (e) => {
  if (e.target.closest("[data-print]")) window.print();
});
