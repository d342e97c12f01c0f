/* global document, DecompressionStream, Response, TextDecoder, LABELS, verifyBundle */
// The page side of verify.html: reads the bundle the user chooses — the ZIP itself, or the folder
// it was extracted to (a file:// page cannot fetch its sibling files) — and runs verifyBundle on
// it, listing each check as it is made. Inlined into verify.html after verify-bundle.js.

function u16(view, at) {
  return view.getUint16(at, true);
}

function u32(view, at) {
  return view.getUint32(at, true);
}

function u64(view, at) {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

/** Reads the ZIP's central directory (ZIP64 included) and returns a reader over its entries. */
async function zipReader(file) {
  const tailSize = Math.min(file.size, 65557 + 20);
  const tail = new DataView(await file.slice(file.size - tailSize).arrayBuffer());
  let eocd = -1;
  for (let i = tailSize - 22; i >= 0; i--) {
    if (u32(tail, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("not a ZIP file");
  let count = u16(tail, eocd + 10);
  let dirSize = u32(tail, eocd + 12);
  let dirOffset = u32(tail, eocd + 16);
  if (eocd >= 20 && u32(tail, eocd - 20) === 0x07064b50) {
    const at = u64(tail, eocd - 20 + 8);
    const z64 = new DataView(await file.slice(at, at + 56).arrayBuffer());
    if (u32(z64, 0) === 0x06064b50) {
      count = u64(z64, 32);
      dirSize = u64(z64, 40);
      dirOffset = u64(z64, 48);
    }
  }
  const dir = new DataView(await file.slice(dirOffset, dirOffset + dirSize).arrayBuffer());
  const entries = new Map();
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (u32(dir, at) !== 0x02014b50) throw new Error("the ZIP's directory is damaged");
    const method = u16(dir, at + 10);
    let compressed = u32(dir, at + 20);
    let size = u32(dir, at + 24);
    const nameLength = u16(dir, at + 28);
    const extraLength = u16(dir, at + 30);
    const commentLength = u16(dir, at + 32);
    let offset = u32(dir, at + 42);
    const name = new TextDecoder().decode(new Uint8Array(dir.buffer, dir.byteOffset + at + 46, nameLength));
    // ZIP64 extended information: the fields that overflowed, in this order.
    let x = at + 46 + nameLength;
    const end = x + extraLength;
    while (x + 4 <= end) {
      const id = u16(dir, x);
      const length = u16(dir, x + 2);
      if (id === 0x0001) {
        let y = x + 4;
        if (size === 0xffffffff) {
          size = u64(dir, y);
          y += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = u64(dir, y);
          y += 8;
        }
        if (offset === 0xffffffff) offset = u64(dir, y);
      }
      x += 4 + length;
    }
    entries.set(name, { method, compressed, size, offset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return {
    async read(name) {
      const entry = entries.get(name);
      if (!entry) return null;
      const local = new DataView(await file.slice(entry.offset, entry.offset + 30).arrayBuffer());
      if (u32(local, 0) !== 0x04034b50) throw new Error(`the ZIP entry ${name} is damaged`);
      const start = entry.offset + 30 + u16(local, 26) + u16(local, 28);
      const data = file.slice(start, start + entry.compressed);
      if (entry.method === 0) return new Uint8Array(await data.arrayBuffer());
      if (entry.method === 8) return new Uint8Array(await new Response(data.stream().pipeThrough(new DecompressionStream("deflate-raw"))).arrayBuffer());
      throw new Error(`the ZIP entry ${name} uses an unknown compression method`);
    },
  };
}

/** The files of a chosen folder, by their path below the folder itself. */
function folderReader(files) {
  const byPath = new Map();
  for (const file of files) {
    const path = (file.webkitRelativePath || file.name).split("/").slice(1).join("/") || file.name;
    byPath.set(path, file);
  }
  return {
    async read(name) {
      const file = byPath.get(name);
      return file ? new Uint8Array(await file.arrayBuffer()) : null;
    },
  };
}

function text(tag, content, className) {
  const element = document.createElement(tag);
  element.textContent = content;
  if (className) element.className = className;
  return element;
}

async function run(reader) {
  const list = document.getElementById("checks");
  const summary = document.getElementById("summary");
  list.replaceChildren();
  summary.textContent = LABELS.checking;
  summary.className = "";
  try {
    const key = document.getElementById("key").value;
    const result = await verifyBundle(reader, (check) => {
      const row = document.createElement("tr");
      row.className = check.ok ? "pass" : "fail";
      row.dataset.check = check.ok ? "pass" : "fail";
      row.append(text("td", check.ok ? LABELS.passed : LABELS.failed, "status"), text("td", check.subject), text("td", check.check), text("td", check.detail, "detail"));
      list.append(row);
    }, { key });
    const failed = result.checks.filter((c) => !c.ok).length;
    summary.textContent = result.ok ? LABELS.allPassed.replace("{n}", String(result.checks.length)) : LABELS.someFailed.replace("{n}", String(failed));
    summary.className = result.ok ? "pass" : "fail";
    summary.dataset.result = result.ok ? "pass" : "fail";
  } catch (error) {
    summary.textContent = `${LABELS.unreadable} ${error && error.message ? error.message : String(error)}`;
    summary.className = "fail";
    summary.dataset.result = "fail";
  }
}

document.getElementById("zip").addEventListener("change", (event) => {
  const file = event.target.files && event.target.files[0];
  if (file) zipReader(file).then(run, (error) => run({ read: () => Promise.reject(error) }));
});
document.getElementById("folder").addEventListener("change", (event) => {
  if (event.target.files && event.target.files.length > 0) run(folderReader(event.target.files));
});
