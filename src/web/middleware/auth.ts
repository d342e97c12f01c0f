import type { Context, MiddlewareHandler } from "hono";
import { principalFromBearer, principalFromSession, type Principal } from "../../accounts/index.ts";
import { Unauthenticated } from "../../core/index.ts";
import type { AppEnv } from "../env.ts";
import { clearCookie, readCookie, SESSION_COOKIE } from "../cookies.ts";

/** Resolves the caller from `Authorization: Bearer` or the session cookie. Deciding what it may do is the services' job. */
export function resolvePrincipal(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const services = c.var.services;
    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const match = /^Bearer ([A-Za-z0-9_-]{1,100})$/.exec(authorization);
      const principal = match ? await principalFromBearer(services, match[1]!) : null;
      // A bad token is an error, never a silent fall-back to anonymous.
      if (!principal) throw new Unauthenticated("the bearer token is not valid, has expired or was revoked");
      c.set("principal", principal);
      return next();
    }
    const cookie = readCookie(c, SESSION_COOKIE);
    if (cookie) {
      const principal = await principalFromSession(services, cookie);
      if (principal) c.set("principal", principal);
      else clearCookie(c, SESSION_COOKIE);
    }
    return next();
  };
}

/** The signed-in caller, second factor complete; throws Unauthenticated otherwise. */
export function requirePrincipal(c: Context<AppEnv>): Principal {
  const principal = c.var.principal;
  if (!principal || principal.secondFactorPending) throw new Unauthenticated();
  return principal;
}
