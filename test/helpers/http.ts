import type { Hono } from "hono";
import { createApp } from "../../src/web/app.tsx";
import type { AppEnv } from "../../src/web/env.ts";
import type { TestServices } from "./database.ts";
import { PASSWORD } from "./fixtures.ts";

/** A tiny cookie-keeping browser over `app.request`, enough to walk forms as a person would. */
export class Client {
  cookies = new Map<string, string>();
  constructor(readonly app: Hono<AppEnv>) {}

  static for(services: TestServices): Client {
    return new Client(createApp(services));
  }

  async request(path: string, init: Omit<RequestInit, "headers"> & { headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { host: "vigil.test", ...(init.headers ?? {}) };
    if (this.cookies.size && !("cookie" in headers)) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await this.app.request(`http://vigil.test${path}`, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request(path, { headers });
  }

  /** Fetches the page, takes its form token, and posts the form, as a browser does. */
  async submit(formPage: string, action: string, fields: Record<string, string | string[]>, extra: Record<string, string> = {}): Promise<Response> {
    const page = await this.get(formPage);
    const html = await page.text();
    const token = /name="_csrf" value="([^"]*)"/.exec(html)?.[1];
    if (token === undefined) throw new Error(`no form token on ${formPage} (status ${page.status})`);
    return this.post(action, { _csrf: token, ...fields }, extra);
  }

  post(action: string, fields: Record<string, string | string[]>, extra: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
    return this.request(action, {
      method: "POST",
      body: body.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://vigil.test", ...extra },
    });
  }

  async signIn(email: string, password = PASSWORD): Promise<Response> {
    const res = await this.submit("/login", "/login", { email, password });
    if (res.status !== 303) throw new Error(`sign-in failed for ${email}: ${res.status}`);
    return res;
  }
}

export function csrfFrom(html: string): string {
  const token = /name="_csrf" value="([^"]*)"/.exec(html)?.[1];
  if (!token) throw new Error("no form token");
  return token;
}
