// Small enhancements only: every page works without this file.
document.addEventListener("htmx:beforeRequest", (e) => e.target.setAttribute("aria-busy", "true"));
document.addEventListener("htmx:afterRequest", (e) => e.target.removeAttribute("aria-busy"));
