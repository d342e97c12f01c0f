import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Principal } from "../accounts/index.ts";
import { Forbidden, Invalid, VigilError } from "../core/index.ts";
import type { AppEnv } from "./env.ts";
import { translateMessage } from "./i18n.ts";
import { Layout, type PageContext } from "./pages/layout.tsx";

/** Thrown to send the browser elsewhere; the error handler answers 303 See Other. */
export class Redirect extends Error {
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
  }
}

export function pageContext(c: Context<AppEnv>): PageContext {
  return { t: c.var.t, locale: c.var.locale, principal: c.var.principal, csrfToken: c.var.csrfToken, path: new URL(c.req.url).pathname, alertsUnread: c.var.alertsUnread ?? 0 };
}

export function renderPage(c: Context<AppEnv>, title: string, body: (page: PageContext) => Child, status: ContentfulStatusCode = 200) {
  const page = pageContext(c);
  return c.html(
    <>
      {raw("<!doctype html>")}
      <Layout page={page} title={title}>
        {body(page)}
      </Layout>
    </>,
    status,
  );
}

/** Only a local path may be a return address: no open redirect to another host. */
export function safeNext(value: string | undefined | null): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\") || value.length > 500) return "/";
  return value;
}

/** The signed-in person for a page; anyone else is sent to sign in (or to finish signing in). */
export function signedIn(c: Context<AppEnv>): Principal {
  const principal = c.var.principal;
  if (!principal) {
    const url = new URL(c.req.url);
    throw new Redirect(`/login?next=${encodeURIComponent(safeNext(url.pathname + url.search))}`);
  }
  if (principal.secondFactorPending) throw new Redirect("/login/second-factor");
  // Pages are for people; scripts use the API.
  if (principal.via === "token") throw new Forbidden("API tokens work on the API only");
  return principal;
}

export interface FormProblem {
  status: ContentfulStatusCode;
  message: string;
  errors: Record<string, string>;
}

/** Errors a person can fix on the form are shown on it; everything else goes to the error page. */
export function formProblem(c: Context<AppEnv>, error: unknown): FormProblem {
  if (!(error instanceof VigilError) || error instanceof Forbidden) throw error;
  const t = c.var.t;
  const errors = error instanceof Invalid ? Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, translateMessage(t, v)])) : {};
  return { status: error.status as ContentfulStatusCode, message: translateMessage(t, error.message), errors };
}
