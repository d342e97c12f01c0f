import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv, FormData } from "../env.ts";

export type { FormData };

export class BadRequest extends HTTPException {}

function bad(status: 400 | 413 | 415, message: string): never {
  throw new BadRequest(status, { message });
}

/** The raw request body, within the size limit (declared or counted as it arrives). */
export async function readBytes(c: Context<AppEnv>): Promise<Buffer> {
  const limit = c.var.services.config.maxBodyBytes;
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > limit) bad(413, `the request body is larger than ${limit} bytes`);
  const body = c.req.raw.body;
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    // Counted as it arrives, so a body without a Content-Length cannot exceed the limit either.
    if (size > limit) bad(413, `the request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readText(c: Context<AppEnv>): Promise<string> {
  const bytes = await readBytes(c);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    bad(400, "the request body is not valid UTF-8");
  }
}

function mediaType(c: Context<AppEnv>): string {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

// decodeURIComponent throws on percent-escapes that are not UTF-8 (%FF), unlike URLSearchParams,
// which would quietly substitute U+FFFD and store a corrupted name.
function decodeComponent(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    bad(400, "the form contains text that is not valid UTF-8");
  }
}


/** Reads an HTML form (application/x-www-form-urlencoded), strictly. Repeated fields become arrays. */
export async function readForm(c: Context<AppEnv>): Promise<FormData> {
  const cached = c.get("form");
  if (cached) return cached;
  if (mediaType(c) !== "application/x-www-form-urlencoded") bad(415, "forms must be sent as application/x-www-form-urlencoded");
  const text = await readText(c);
  const form: FormData = {};
  if (!text) return form;
  const pairs = text.split("&");
  if (pairs.length > 1000) bad(413, "the form has too many fields");
  for (const pair of pairs) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq < 0 ? "" : pair.slice(eq + 1));
    const prior = form[key];
    form[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  c.set("form", form);
  return form;
}

/** Reads a JSON request body, strictly: right media type, valid UTF-8, within the size limit. */
export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const type = mediaType(c);
  if (type !== "application/json" && !type.endsWith("+json")) bad(415, "send the body as application/json");
  const text = await readText(c);
  try {
    return JSON.parse(text);
  } catch {
    bad(400, "the request body is not valid JSON");
  }
}

export function field(form: FormData, name: string): string {
  const value = form[name];
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

export function fields(form: FormData, name: string): string[] {
  const value = form[name];
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}
