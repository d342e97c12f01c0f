import { Hono } from "hono";
import { matchQueries, type MatchResponse, type ScoredRecord } from "../../screening/index.ts";
import type { AppEnv } from "../env.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { readJson } from "../middleware/body.ts";

/**
 * The screening API, shaped as OpenSanctions yente's POST /match/{dataset} so that yente clients
 * can call Vigil. Thin, as yente's routers/match.py: parse, call src/screening, shape the answer.
 */
export const matchRoutes = new Hono<AppEnv>();

function result(dataset: string, threshold: number, r: ScoredRecord) {
  // matchQueries asks for views: every result carries what the caller sees of the record.
  const entity = r.entity!;
  return {
    id: r.id,
    caption: r.caption,
    schema: r.schema,
    properties: entity.properties,
    datasets: [dataset],
    referents: [],
    target: false,
    first_seen: entity.createdAt.toISOString(),
    last_seen: entity.updatedAt.toISOString(),
    last_change: entity.updatedAt.toISOString(),
    score: Number(r.result.score.toFixed(4)),
    features: r.result.features,
    match: r.result.score >= threshold,
    // Not in yente's shape: the reasons behind the score, for the person deciding.
    explanation: r.result.explanation,
  };
}

function yenteShape(dataset: string, answer: MatchResponse) {
  return {
    responses: Object.fromEntries(
      Object.entries(answer.queries).map(([name, q]) => [
        name,
        { status: 200, results: q.matches.results.map((r) => result(dataset, answer.options.threshold, r)), total: { value: q.matches.total, relation: q.matches.truncated ? "gte" : "eq" }, query: q.example },
      ]),
    ),
    matcher: {},
    limit: answer.options.limit,
    threshold: answer.options.threshold,
    algorithm: answer.options.algorithm,
  };
}

matchRoutes.post("/api/v1/match/:dataset", async (c) => {
  const { actor } = requirePrincipal(c);
  const dataset = c.req.param("dataset");
  const answer = await matchQueries(c.var.services, c.var.origin, actor, dataset, c.req.query(), () => readJson(c));
  return c.json(yenteShape(dataset, answer));
});
