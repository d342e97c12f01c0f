/* global crypto, atob, TextEncoder, TextDecoder */
// The court bundle's checks, in plain JavaScript on WebCrypto only, so that the very same code runs
// inlined in the bundle's verify.html (any modern browser, offline, nothing installed) and behind
// `vigil verify BUNDLE.zip` in Node. It reads files through `bundle.read(name)` and judges each
// hash, proof and signature on its own, reporting every check, passed or failed.
//
// Standards: RFC 6962 / RFC 9162 §2.1.3.2 (Merkle inclusion), C2SP tlog-checkpoint and signed-note
// (Ed25519, key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]), and Vigil's plaintext commitment
// SHA-256(label ‖ salt ‖ SHA-256(plaintext)) (docs/evidence-vault.md).

export const BUNDLE_FORMAT = "vigil-court-bundle/1";

const encoder = new TextEncoder();

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(text) {
  if (typeof text !== "string" || !/^([0-9a-f]{2})*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function fromBase64(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equalBytes(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

// RFC 6962 §2.1: leaf hash prefix 0x00, node hash prefix 0x01.
async function leafHash(data) {
  return sha256(concat(new Uint8Array([0]), data));
}

async function nodeHash(left, right) {
  return sha256(concat(new Uint8Array([1]), left, right));
}

/** RFC 9162 §2.1.3.2: does `proof` lead from the leaf hash at `index` to `root` in a tree of `size` leaves? */
export async function verifyInclusion(hash, index, size, proof, root) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = hash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

/** C2SP signed-note with one Ed25519 verifier key `<name>+<hex key ID>+<base64(0x01 ‖ key)>`. */
export async function verifyNote(note, verifierKey) {
  const key = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(String(verifierKey || "").trim());
  if (!key) return { ok: false, detail: "the verifier key is not in the form name+keyid+base64" };
  const [, name, idHex, keyB64] = key;
  const keyBytes = fromBase64(keyB64);
  if (!keyBytes || keyBytes.length !== 33 || keyBytes[0] !== 1) return { ok: false, detail: "the verifier key is not an Ed25519 key" };
  const publicKey = keyBytes.subarray(1);
  const keyId = (await sha256(concat(encoder.encode(name), new Uint8Array([0x0a, 0x01]), publicKey))).subarray(0, 4);
  if (toHex(keyId) !== idHex) return { ok: false, detail: "the verifier key's ID does not match its name and key" };
  const split = note.lastIndexOf("\n\n");
  if (split < 0) return { ok: false, detail: "the checkpoint is not a signed note" };
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split("\n").filter((l) => l.length > 0);
  const imported = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  for (const line of lines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const sig = fromBase64(m[2]);
    if (!sig || sig.length !== 68 || !equalBytes(sig.subarray(0, 4), keyId)) continue;
    if (await crypto.subtle.verify("Ed25519", imported, sig.subarray(4), encoder.encode(text))) return { ok: true, text, name };
    return { ok: false, detail: `the signature by ${name} does not verify: the checkpoint was changed` };
  }
  return { ok: false, detail: `no signature by ${name} on the checkpoint` };
}

/** C2SP tlog-checkpoint body: origin, tree size, base64 root hash. */
function parseCheckpointText(text) {
  const lines = text.split("\n");
  const size = /^(0|[1-9][0-9]{0,15})$/.test(lines[1] || "") ? Number(lines[1]) : NaN;
  const root = fromBase64(lines[2] || "");
  if (!lines[0] || !Number.isSafeInteger(size) || !root || root.length !== 32) return null;
  return { origin: lines[0], size, root };
}

/** Vigil's plaintext commitment: SHA-256(label ‖ salt ‖ plaintext SHA-256), all fixed-length. */
async function commitmentOf(label, saltHex, plaintextSha256Hex) {
  const salt = fromHex(saltHex);
  const digest = fromHex(plaintextSha256Hex);
  if (!salt || salt.length !== 32 || !digest || digest.length !== 32) return null;
  return toHex(await sha256(concat(encoder.encode(label), salt, digest)));
}

function decodeLeaf(bytes) {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
}

/**
 * Checks a bundle. `bundle.read(name)` resolves to the bytes of a file of the bundle, or null when
 * it is absent; `bundle.digest(name)`, when given, to `{ sha256 (hex), size }` of a file read as a
 * stream, or null. Resolves to { ok, manifest, checks: [{ subject, check, ok, detail }] }; `onCheck`
 * sees each check as it is made (the page shows them as they come); `options.key` pins the verifier
 * key the organisation published.
 */
export async function verifyBundle(bundle, onCheck = () => {}, options = {}) {
  const checks = [];
  const report = (subject, check, ok, detail = "") => {
    const entry = { subject, check, ok: Boolean(ok), detail };
    checks.push(entry);
    onCheck(entry);
    return entry.ok;
  };
  const done = (manifest) => ({ ok: checks.length > 0 && checks.every((c) => c.ok), manifest, checks });

  let manifest = null;
  try {
    const manifestBytes = await bundle.read("manifest.json");
    manifest = manifestBytes ? JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(manifestBytes)) : null;
  } catch {
    // Unreadable or not JSON: reported just below.
  }
  if (!report("bundle", "manifest", manifest && manifest.format === BUNDLE_FORMAT && Array.isArray(manifest.exhibits), manifest ? `format ${manifest.format}` : "manifest.json is missing or not JSON")) {
    return done(manifest);
  }

  // The checkpoint: signed by the organisation's ledger key, for the origin the manifest names.
  const ledger = manifest.ledger || {};
  const note = typeof ledger.checkpoint === "string" ? ledger.checkpoint : "";
  const opened = await verifyNote(note, ledger.verifierKey);
  // The key is shown in full: whoever checks compares it with the one the organisation published.
  report("ledger", "checkpoint signature", opened.ok, opened.ok ? `signed by ${ledger.verifierKey}` : opened.detail);
  const checkpoint = opened.ok ? parseCheckpointText(opened.text) : parseCheckpointText(note.split("\n\n")[0] + "\n");
  report("ledger", "checkpoint", checkpoint && checkpoint.origin === ledger.origin && String(ledger.verifierKey).startsWith(`${checkpoint.origin}+`), checkpoint ? `${checkpoint.origin}, ${checkpoint.size} leaves` : "the checkpoint does not parse");
  const root = opened.ok && checkpoint ? checkpoint.root : null;
  // Pinned: the key the organisation published, rather than the one the bundle carries.
  const pinned = typeof options.key === "string" ? options.key.trim() : "";
  if (pinned) report("ledger", "verifier key pinned", ledger.verifierKey === pinned, ledger.verifierKey === pinned ? "the bundle's key is the one given" : `the bundle carries ${ledger.verifierKey || "no key"}`);

  for (const exhibit of manifest.exhibits) {
    const subject = `exhibit ${exhibit.label}`;
    // An exhibit may be GiBs: a reader that can hash as it reads (the command's) says `digest`;
    // the page has no streaming SHA-256 in WebCrypto and reads the file whole.
    let digest = null;
    let problem = "";
    try {
      if (typeof exhibit.path !== "string") digest = null;
      else if (bundle.digest) digest = await bundle.digest(exhibit.path);
      else {
        const file = await bundle.read(exhibit.path);
        digest = file === null ? null : { sha256: toHex(await sha256(file)), size: file.length };
      }
    } catch (error) {
      problem = `: ${error && error.message ? error.message : String(error)}`;
    }
    if (!report(subject, "file present", digest !== null, `${exhibit.path}${problem}`)) continue;
    const fileHash = digest.sha256;
    report(subject, "file SHA-256", fileHash === exhibit.fileSha256 && digest.size === exhibit.fileSize, fileHash);
    if (exhibit.form === "original") {
      report(subject, "original's SHA-256 as received", fileHash === exhibit.plaintextSha256, exhibit.plaintextSha256);
    }
    const commitment = await commitmentOf(manifest.commitmentLabel, exhibit.salt, exhibit.plaintextSha256);
    report(subject, "commitment to the original", commitment !== null && commitment === exhibit.commitment, exhibit.commitment);

    let committed = false;
    let exported = false;
    for (const entry of exhibit.custody || []) {
      const leaf = fromBase64(entry.leaf);
      const event = leaf ? decodeLeaf(leaf) : null;
      const about = event && (event.subject === exhibit.evidence || (event.details && event.details.derivative === exhibit.evidence));
      const proof = Array.isArray(entry.proof) ? entry.proof.map(fromBase64) : [];
      const proven = Boolean(root && leaf && about && proof.every((p) => p && p.length === 32) && (await verifyInclusion(await leafHash(leaf), entry.index, checkpoint.size, proof, root)));
      report(subject, `custody leaf ${entry.index}${event ? ` (${event.kind}, ${event.time})` : ""}`, proven, proven ? "included in the checkpoint" : "not proven in the checkpoint");
      if (proven && event.details && event.details.commitment === exhibit.commitment) committed = true;
      if (proven && event.kind === "exported" && event.details && event.details.bundle === manifest.bundle) exported = true;
    }
    report(subject, "commitment recorded on receipt", committed, committed ? "a proven leaf holds it" : "no proven leaf holds this commitment");
    report(subject, "this export recorded", exported, exported ? "a proven leaf records this bundle" : "no proven leaf records this bundle");
  }
  return done(manifest);
}
