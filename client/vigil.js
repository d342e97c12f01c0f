// Progressive enhancement only: every page works without this file (Tor Browser's safest level).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Bring a form's error summary into view and focus, so screen readers announce it.
  const summary = document.querySelector(".error-summary");
  if (summary instanceof HTMLElement) summary.focus();
  // One click selects a value shown once (a new token, an invitation link) for copying.
  for (const input of document.querySelectorAll("input.copy")) {
    input.addEventListener("focus", () => input.select());
  }
});
