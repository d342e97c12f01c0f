import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env.ts";
import { PRE_SESSION_COOKIE, readCookie, writeCookie } from "../cookies.ts";
import { field, readForm } from "./body.ts";

/**
 * Synchroniser tokens bound to the session: HMAC(key, session id). A token from another session,
 * or from a session that has ended, does not verify. Before sign-in the token is bound to a random
 * pre-session cookie instead. SameSite=Strict cookies and an Origin check add two more layers.
 */
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

const keys = new WeakMap<Buffer, Buffer>();
function csrfKey(appKey: Buffer): Buffer {
  let key = keys.get(appKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", appKey, Buffer.alloc(0), "vigil/csrf/v1", 32));
    keys.set(appKey, key);
  }
  return key;
}

function tokenFor(c: Context<AppEnv>, binding: string): string {
  return createHmac("sha256", csrfKey(c.var.services.appKey)).update(binding).digest("base64url");
}

function binding(c: Context<AppEnv>, createIfMissing: boolean): string | null {
  const principal = c.var.principal;
  if (principal?.sessionId) return `session:${principal.sessionId}`;
  let pre = readCookie(c, PRE_SESSION_COOKIE);
  if (!pre || !/^[A-Za-z0-9_-]{43}$/.test(pre)) {
    if (!createIfMissing) return null;
    pre = randomBytes(32).toString("base64url");
    writeCookie(c, PRE_SESSION_COOKIE, pre);
  }
  return `pre:${pre}`;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function sameOrigin(c: Context<AppEnv>): boolean {
  const origin = c.req.header("origin");
  if (!origin || origin === "null") return origin !== "null";
  const host = c.req.header("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Issues the token for this response's forms, and checks it on every state-changing request made with cookies. */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const unsafe = UNSAFE.has(c.req.method);
    const bearer = c.var.principal?.via === "token";
    // An API call with no session cookie carries no ambient authority to abuse: it is refused
    // later for want of credentials. Pages (sign-in included) and cookie-borne API calls are checked.
    const ambient = c.var.principal?.via === "session" || !new URL(c.req.url).pathname.startsWith("/api/");
    if (unsafe && !bearer && ambient) {
      if (!sameOrigin(c)) throw new HTTPException(403, { message: "cross-site request refused" });
      const bound = binding(c, false);
      const sent = c.req.header(CSRF_HEADER) ?? (await formToken(c));
      const expected = bound ? Buffer.from(tokenFor(c, bound)) : null;
      if (!expected || !sent || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), expected)) {
        throw new HTTPException(403, { message: "the form has expired or did not come from Vigil: reload the page and try again" });
      }
    }
    c.set("csrfToken", bearer ? "" : tokenFor(c, binding(c, true)!));
    await next();
  };
}

/** Renews the token after sign-in or sign-out changes what it is bound to. */
export function refreshCsrfToken(c: Context<AppEnv>): void {
  c.set("csrfToken", tokenFor(c, binding(c, true)!));
}

// Reads `_csrf` from a urlencoded form; the form is parsed once and kept for the handler. A
// multipart form (an evidence upload, streamed to disk) carries it in its action URL instead, so
// that the check needs no read of a body that may be gigabytes long.
async function formToken(c: Context<AppEnv>): Promise<string | null> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "multipart/form-data") return c.req.query(CSRF_FIELD) ?? null;
  if (type !== "application/x-www-form-urlencoded") return null;
  return field(await readForm(c), CSRF_FIELD) || null;
}
