import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "./env.ts";

/** Cookie names and attributes in one place. Over TLS the __Host- prefix pins them to this origin. */
function name(c: Context<AppEnv>, base: string): string {
  return c.var.services.config.behindTls ? `__Host-${base}` : base;
}

function attributes(c: Context<AppEnv>) {
  return { path: "/", httpOnly: true, secure: c.var.services.config.behindTls, sameSite: "Strict" as const };
}

export const SESSION_COOKIE = "vigil_session";
export const PRE_SESSION_COOKIE = "vigil_pre";
export const LOCALE_COOKIE = "vigil_lang";

export function readCookie(c: Context<AppEnv>, base: string): string | undefined {
  return getCookie(c, name(c, base));
}

export function writeCookie(c: Context<AppEnv>, base: string, value: string, maxAgeSeconds?: number): void {
  setCookie(c, name(c, base), value, { ...attributes(c), ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}) });
}

export function clearCookie(c: Context<AppEnv>, base: string): void {
  deleteCookie(c, name(c, base), attributes(c));
}
