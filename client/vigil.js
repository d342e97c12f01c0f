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

// Records: the search boxes of the merge and relationship pages search as one types, replacing the
// candidates with those of the same page fetched with the words typed (the form still works on its own).
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-live-search]")) {
    const target = document.getElementById(form.getAttribute("data-live-search"));
    const input = form.querySelector("input[name=q]");
    if (!(form instanceof window.HTMLFormElement) || !target || !(input instanceof window.HTMLInputElement)) continue;
    let timer = 0;
    let latest = 0;
    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(async () => {
        if (input.value.trim().length < 2) return;
        const url = new URL(form.action, document.baseURI);
        for (const [name, value] of new window.FormData(form)) url.searchParams.set(name, String(value));
        const asked = ++latest;
        try {
          const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
          if (!response.ok || asked !== latest) return;
          const found = new window.DOMParser().parseFromString(await response.text(), "text/html").getElementById(target.id);
          if (found && asked === latest) target.replaceChildren(...found.childNodes);
          for (const kept of document.querySelectorAll("form[method=post] input[type=hidden][name=q]")) kept.value = input.value;
        } catch {
          // The search button still works.
        }
      }, 300);
    });
  }

  // A list's "tick all" box, made here because without a script it could not do anything.
  const table = document.querySelector("table.records[data-tick-all]");
  const head = table?.querySelector("thead th");
  if (table && head && table.querySelector("input[name=ids]")) {
    const box = document.createElement("input");
    box.type = "checkbox";
    box.id = "tick-all";
    const label = document.createElement("label");
    label.htmlFor = "tick-all";
    label.className = "visually-hidden";
    label.textContent = table.getAttribute("data-tick-all");
    head.replaceChildren(box, label);
    box.addEventListener("change", () => {
      for (const item of table.querySelectorAll("input[name=ids]")) item.checked = box.checked;
    });
  }
});

// An upload form with data-upload-progress sends its file with XMLHttpRequest, to show how much has
// been sent on the named <progress>, then goes where the server answered (the import's own page,
// which follows the import itself). Without a script the form posts as usual.
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-upload-progress]")) {
    const bar = document.getElementById(form.getAttribute("data-upload-progress"));
    if (!(form instanceof window.HTMLFormElement) || !(bar instanceof window.HTMLProgressElement)) continue;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const request = new window.XMLHttpRequest();
      request.open("POST", form.action);
      bar.hidden = false;
      request.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      request.addEventListener("load", () => {
        if (request.responseURL && request.responseURL !== form.action) window.location.assign(request.responseURL);
        else {
          document.open();
          document.write(request.responseText);
          document.close();
        }
      });
      request.addEventListener("error", () => form.submit());
      request.send(new window.FormData(form));
    });
  }
});
