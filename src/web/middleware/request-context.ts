import { randomUUID } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { MiddlewareHandler } from "hono";
import type { Services } from "../../context.ts";
import type { AppEnv } from "../env.ts";

const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

function clientAddress(c: Parameters<MiddlewareHandler<AppEnv>>[0], trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/** Gives each request an id, its origin for the audit trail, and one log line when it ends. */
export function requestContext(services: Services): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = services.config.trustProxy ? c.req.header("x-request-id") : undefined;
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    c.set("services", services);
    c.set("requestId", requestId);
    c.set("origin", { requestId, ip: clientAddress(c, services.config.trustProxy), userAgent: c.req.header("user-agent") ?? null });
    c.set("principal", null);
    const started = performance.now();
    await next();
    c.header("X-Request-Id", requestId);
    // The route pattern, never the path: paths carry invitation tokens.
    services.log.info(
      { requestId, method: c.req.method, route: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - started) },
      "request",
    );
  };
}
