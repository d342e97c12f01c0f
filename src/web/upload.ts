// Reading an uploaded file as a stream: the raw body of an API request, or the one file of a
// multipart form with the fields that come before it. Nothing here holds the file in memory.
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import busboy from "busboy";
import type { Context } from "hono";
import { Invalid } from "../core/index.ts";
import type { AppEnv } from "./env.ts";

export function mediaTypeOf(c: Context<AppEnv>): string {
  return (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

export function declaredLength(c: Context<AppEnv>): number | null {
  const value = c.req.header("content-length");
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * The request body as a Node stream: the socket's own under the Node server (it pauses the client
 * when we fall behind), the Web stream elsewhere (app.request in tests).
 */
export function requestBodyStream(c: Context<AppEnv>): Readable | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && !c.req.raw.bodyUsed) return incoming;
  const body = c.req.raw.body;
  return body ? Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>, { highWaterMark: 1 << 20 }) : null;
}

export interface UploadedFile {
  source: Readable;
  filename: string | null;
  /** The multipart form's text fields that came before the file. */
  fields: Record<string, string>;
}

/** The one file of a multipart form, handed over as it arrives; put the form's other fields before the file input. */
export function multipartUpload(c: Context<AppEnv>, body: Readable): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { "content-type": c.req.header("content-type") ?? "" }, limits: { files: 1, fields: 20, fieldSize: 4096 } });
    } catch {
      reject(new Invalid("the form is not valid multipart/form-data", { file: "choose a file" }));
      return;
    }
    const fields: Record<string, string> = {};
    let found = false;
    parser.on("field", (name, value) => {
      if (!(name in fields)) fields[name] = value;
    });
    parser.on("file", (_name, stream, info) => {
      found = true;
      resolve({ source: stream, filename: info.filename || null, fields: { ...fields } });
    });
    parser.on("error", (error) => reject(new Invalid(`the form could not be read: ${error instanceof Error ? error.message : String(error)}`, { file: "send the form again" })));
    parser.on("close", () => {
      if (!found) reject(new Invalid("some fields are not valid", { file: "choose a file" }));
    });
    body.pipe(parser);
  });
}
