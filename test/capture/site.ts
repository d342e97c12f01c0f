import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

/**
 * A small web site on 127.0.0.1 for the capture tests: a page behind a redirect, with an image,
 * a gzip-compressed stylesheet, a publication date and response headers to find again in the
 * WARC; and the bad cases (a redirect to file://, one to a cloud metadata address, a page that
 * never answers, one too large, a 404).
 */

// A 1×1 transparent PNG, written out by hand.
export const PIXEL_PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);
export const STYLESHEET = "body { color: #123456; font-family: serif }\n";
export const PAGE_TITLE = "Report on the detention of Ilham Tohti";
export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${PAGE_TITLE}</title>
<meta property="article:published_time" content="2024-03-05T10:00:00+08:00">
<link rel="stylesheet" href="/style.css"></head>
<body><h1>Witnesses describe the camp</h1>
<p>Seven witnesses saw the transfer at dawn.</p>
<img src="/pixel.png" alt="a pixel">
</body></html>`;

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export interface Site {
  url(path: string): string;
  close(): Promise<void>;
}

export async function startSite(): Promise<Site> {
  const server: Server = createServer((req, res) => {
    switch (req.url) {
      case "/start":
        res.writeHead(302, { Location: "/page" }).end();
        return;
      case "/page":
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "X-Witness-Header": "kept", "Set-Cookie": "seen=1; Path=/" }).end(PAGE_HTML);
        return;
      case "/style.css":
        res.writeHead(200, { "Content-Type": "text/css", "Content-Encoding": "gzip" }).end(gzipSync(STYLESHEET));
        return;
      case "/pixel.png":
        res.writeHead(200, { "Content-Type": "image/png" }).end(PIXEL_PNG);
        return;
      case "/to-file":
        res.writeHead(302, { Location: "file:///etc/passwd" }).end();
        return;
      case "/to-metadata":
        res.writeHead(302, { Location: "http://169.254.169.254/latest/meta-data/" }).end();
        return;
      case "/hangs":
        // Never answers: the capture's time limit must end it.
        return;
      case "/heavy":
        res.writeHead(200, { "Content-Type": "text/html" }).end('<!doctype html><title>heavy</title><img src="/heavy.bin" alt="">');
        return;
      case "/heavy.bin":
        res.writeHead(200, { "Content-Type": "application/octet-stream" }).end(Buffer.alloc(400_000, 7));
        return;
      default:
        res.writeHead(404, { "Content-Type": "text/html" }).end("<!doctype html><title>Not here</title><p>This post was removed.</p>");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
