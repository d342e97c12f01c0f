import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";

// No inline script or style anywhere: everything comes from /static on this origin.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CSP);
    // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on our own form posts,
    // which the CSRF check must refuse. Other hosts still receive no referrer.
    c.header("Referrer-Policy", "same-origin");
    c.header("X-Content-Type-Options", "nosniff");
    c.header("X-Frame-Options", "DENY");
    c.header("Cross-Origin-Opener-Policy", "same-origin");
    c.header("Cross-Origin-Resource-Policy", "same-origin");
    c.header("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
    if (c.var.services.config.behindTls) c.header("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  };
}
