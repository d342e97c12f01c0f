import { readFileSync } from "node:fs";
import { Hono } from "hono";
import type { AppEnv } from "./env.ts";

const CLIENT_DIR = new URL("../../client/", import.meta.url);

const ASSETS: Record<string, string> = {
  "vigil.css": "text/css; charset=utf-8",
  "vigil.js": "text/javascript; charset=utf-8",
  "favicon.svg": "image/svg+xml",
  // The map page's scripts (ES modules: the worker imports the core as the page does) and styles.
  "map.js": "text/javascript; charset=utf-8",
  "map.core.js": "text/javascript; charset=utf-8",
  "map.worker.js": "text/javascript; charset=utf-8",
  "map.css": "text/css; charset=utf-8",
  // An urgent action's document, on screen, printed and in its PDF.
  "urgent.css": "text/css; charset=utf-8",
  // A referral dossier's printable page and its PDF.
  "dossier.css": "text/css; charset=utf-8",
};

// Read once at start: a handful of small files, served from memory, nothing from another host.
const files = new Map(Object.entries(ASSETS).map(([name, type]) => [name, { body: readFileSync(new URL(name, CLIENT_DIR)), type }]));

export const staticAssets = new Hono<AppEnv>();

staticAssets.get("/static/:name", (c) => {
  const file = files.get(c.req.param("name"));
  if (!file) return c.notFound();
  return c.body(new Uint8Array(file.body), 200, { "Content-Type": file.type, "Cache-Control": "public, max-age=3600" });
});
