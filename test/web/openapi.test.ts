import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createApp } from "../../src/web/app.tsx";
import { openApiDocument } from "../../src/web/openapi.ts";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";

/** A Hono route path as an OpenAPI path: `:id{[0-9a-f]{8}-…}` and `:org` become `{id}` and `{org}`. */
function openApiPath(path: string): string {
  let out = "";
  for (let i = 0; i < path.length; i++) {
    if (path[i] !== ":") {
      out += path[i];
      continue;
    }
    const name = /^[A-Za-z_]+/.exec(path.slice(i + 1))![0];
    out += `{${name}}`;
    i += name.length;
    if (path[i + 1] === "{") {
      // Skip the parameter's pattern, whose own quantifiers nest braces.
      let depth = 0;
      do {
        i++;
        if (path[i] === "{") depth++;
        else if (path[i] === "}") depth--;
      } while (depth > 0);
    }
  }
  return out;
}

// The routes are the same whatever the database: one target is enough.
const target = databaseTargets()[0]!;

describe("the OpenAPI document", () => {
  let services: TestServices;
  before(async () => {
    services = await openTestServices(target);
  });
  after(async () => {
    await services.close();
  });

  it("turns route patterns into OpenAPI paths", () => {
    assert.equal(openApiPath("/api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}}/content"), "/api/v1/evidence/{id}/content");
    assert.equal(openApiPath("/api/v1/ledger/:org/proof/inclusion"), "/api/v1/ledger/{org}/proof/inclusion");
  });

  it("describes every /api/v1 route of the application, method by method", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const routes = createApp(services).routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/v1/"));
    assert.ok(routes.length > 20, "the application's API routes were found");
    const missing = routes.map((r) => `${r.method} ${openApiPath(r.path)}`).filter((route) => {
      const [method, path] = route.split(" ") as [string, string];
      return !doc.paths[path]?.[method.toLowerCase()];
    });
    assert.deepEqual([...new Set(missing)], [], "API routes missing from the OpenAPI document");
  });

  it("describes the custody log's C2SP tiles and checkpoint beside the API", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    for (const path of ["/ledger/{org}/checkpoint", "/ledger/{org}/tile/{level}/{index}", "/ledger/{org}/tile/entries/{index}"]) assert.ok(doc.paths[path]?.get, path);
  });
});
