import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Invalid, TooManyRequests, Unauthenticated, VigilError } from "../core/index.ts";
import { DatabaseError } from "../db/index.ts";
import type { AppEnv } from "./env.ts";
import { translateMessage } from "./i18n.ts";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Record<string, string>;
  requestId: string;
}

const TITLES: Record<number, string> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
  429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
};

/** Maps any thrown value to an RFC 9457 problem; unknown errors are logged and told as a bare 500. */
export function toProblem(c: Context<AppEnv>, error: unknown): Problem {
  const requestId = c.var.requestId;
  const t = c.var.t;
  if (error instanceof VigilError) {
    return {
      type: `urn:vigil:problem:${error.code}`,
      title: TITLES[error.status] ?? "Error",
      status: error.status,
      detail: t ? translateMessage(t, error.message) : error.message,
      requestId,
      ...(error instanceof Invalid && Object.keys(error.fields).length
        ? { errors: Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, t ? translateMessage(t, v) : v])) }
        : {}),
    };
  }
  if (error instanceof HTTPException) {
    return { type: "about:blank", title: TITLES[error.status] ?? "Error", status: error.status, detail: t ? translateMessage(t, error.message) : error.message, requestId };
  }
  if (error instanceof DatabaseError && error.code === "23505") {
    return { type: "urn:vigil:problem:conflict", title: TITLES[409]!, status: 409, detail: "this conflicts with an existing record", requestId };
  }
  c.var.services?.log.error({ requestId, err: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) }, "unhandled error");
  return { type: "about:blank", title: TITLES[500]!, status: 500, detail: `something went wrong on our side (request ${requestId})`, requestId };
}

export function problemResponse(c: Context<AppEnv>, problem: Problem, error?: unknown): Response {
  const headers: Record<string, string> = { "Content-Type": "application/problem+json" };
  if (error instanceof TooManyRequests) headers["Retry-After"] = String(error.retryAfterSeconds);
  if (error instanceof Unauthenticated) headers["WWW-Authenticate"] = 'Bearer realm="vigil"';
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, headers);
}
