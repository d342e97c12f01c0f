import { open } from "node:fs/promises";
import { WARCRecord, WARCSerializer } from "warcio";
import { VERSION } from "../version.ts";
import type { CapturedPage, Exchange, Header } from "./browser.ts";

/**
 * Writes a capture as a WARC 1.1 file (ISO 28500): a warcinfo record, then for each HTTP exchange
 * the page made a `request` record and its `response` record (WARC-Concurrent-To each other),
 * with the headers and bodies the browser saw, digests computed by warcio (SHA-256), and the
 * address connected to. Records are not compressed: the file is encrypted in the vault, and
 * stays readable by any WARC tool once decrypted.
 *
 * The browser hands over bodies decoded (gzip, br and chunking undone), so the headers that
 * described the encoding on the wire no longer describe the payload: they are kept under
 * X-Archive-Orig-<name>, as web archives do, and a Content-Length that matches the payload is set.
 */

const ENCODING_HEADERS = new Set(["content-encoding", "transfer-encoding", "content-length"]);

/** The response headers as they describe the stored payload, the originals kept beside them. */
export function payloadHeaders(headers: readonly Header[], body: Buffer): Header[] {
  const encoded = headers.some(([n, v]) => (n.toLowerCase() === "content-encoding" && v.trim().toLowerCase() !== "identity") || n.toLowerCase() === "transfer-encoding");
  if (!encoded) return [...headers];
  const out: Header[] = headers.map(([n, v]) => (ENCODING_HEADERS.has(n.toLowerCase()) ? [`X-Archive-Orig-${n}`, v] : [n, v]));
  out.push(["Content-Length", String(body.length)]);
  return out;
}

function warcDate(date: Date): string {
  return date.toISOString();
}

async function* bytesOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}

function requestTarget(url: string): string {
  const u = new URL(url);
  return `${u.pathname || "/"}${u.search}`;
}

async function exchangeRecords(exchange: Exchange): Promise<WARCRecord[]> {
  const date = warcDate(exchange.time);
  const response = await WARCRecord.create(
    {
      url: exchange.url,
      date,
      type: "response",
      warcVersion: "WARC/1.1",
      statusline: `${exchange.httpVersion} ${exchange.status} ${exchange.statusText}`.trim(),
      httpHeaders: payloadHeaders(exchange.responseHeaders, exchange.body ?? Buffer.alloc(0)),
      warcHeaders: {
        ...(exchange.ipAddress ? { "WARC-IP-Address": exchange.ipAddress } : {}),
        // The browser could not hand over this body: the record has the headers only.
        ...(exchange.body === null ? { "WARC-Truncated": "unspecified" } : {}),
      },
    },
    bytesOf(exchange.body ?? Buffer.alloc(0)),
  );
  const responseId = response.warcHeaders.headers.get("WARC-Record-ID")!;
  const request = await WARCRecord.create(
    {
      url: exchange.url,
      date,
      type: "request",
      warcVersion: "WARC/1.1",
      statusline: `${exchange.method} ${requestTarget(exchange.url)} ${exchange.httpVersion}`,
      httpHeaders: exchange.requestHeaders,
      warcHeaders: { "WARC-Concurrent-To": responseId, ...(exchange.ipAddress ? { "WARC-IP-Address": exchange.ipAddress } : {}) },
    },
    bytesOf(exchange.requestBody ?? Buffer.alloc(0)),
  );
  return [response, request];
}

/** Writes the WARC to `path` (a new file, mode 0600) and returns its size in bytes. */
export async function writeWarc(page: CapturedPage, path: string, filename: string): Promise<number> {
  const out = await open(path, "wx", 0o600);
  let size = 0;
  const write = async (record: WARCRecord) => {
    for await (const chunk of new WARCSerializer(record, { gzip: false })) {
      await out.write(chunk);
      size += chunk.length;
    }
  };
  try {
    await write(
      await WARCRecord.createWARCInfo(
        { filename, warcVersion: "WARC/1.1", date: warcDate(page.capturedAt) },
        {
          software: `Vigil ${VERSION} (warcio.js), ${page.browserVersion.startsWith("Chrom") ? "" : "Chromium "}${page.browserVersion}`,
          format: "WARC File Format 1.1",
          conformsTo: "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
          "http-header-user-agent": page.userAgent,
          description: `capture of ${page.requestedUrl}`,
        },
      ),
    );
    for (const exchange of page.exchanges) for (const record of await exchangeRecords(exchange)) await write(record);
  } finally {
    await out.close();
  }
  return size;
}
