import { Hono, type Context } from "hono";
import { findSchema, termLabel, type TermView } from "../../records/index.ts";
import { MATCH_CAP, MAX_QUERY_CHARS, requireSearching, searchRecords, snippetHtml, type SearchFacets, type SearchHit, type SearchResult, type SnippetPart } from "../../search/index.ts";
import type { AppEnv } from "../env.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { formProblem, renderPage, signedIn, type FormProblem } from "../render.tsx";
import type { PageContext } from "../pages/layout.tsx";

/**
 * Search: the page (GET /search, a form and links only, no script needed) and the API
 * (GET /api/v1/search). Thin: src/search checks permission, parses, searches and ranks.
 */
export const searchRoutes = new Hono<AppEnv>();

/** Where a result leads: the record's page. */
export const recordHref = (id: string) => `/records/${id}`;

const FACETS = ["schema", "violation", "place", "year", "sensitivity"] as const;
type Facet = (typeof FACETS)[number];

/** The query string as the service reads it: a parameter given once is a value, given more often a list. */
function queryOf(c: Context<AppEnv>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
}

function apiResult(result: SearchResult) {
  const hit = (h: SearchHit) => ({
    id: h.id,
    schema: h.schema,
    caption: h.caption,
    captionLang: h.captionLang,
    title: h.title,
    restricted: h.restricted,
    archived: h.archived,
    score: h.score,
    nameMatch: h.nameMatch,
    snippet: h.snippet ? { property: h.snippet.property, parts: h.snippet.parts, html: snippetHtml(h.snippet) } : null,
  });
  return {
    query: result.query,
    total: { value: result.total, relation: result.relation },
    page: result.page,
    limit: result.limit,
    pages: result.pages,
    results: result.hits.map(hit),
    facets: {
      ...result.facets,
      violation: result.facets.violation.map((v) => ({ value: v.value, count: v.count, labels: v.term?.labels ?? null })),
    },
  };
}

searchRoutes.get("/api/v1/search", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(apiResult(await searchRecords(c.var.services, c.var.origin, actor, queryOf(c))));
});

// ---------------------------------------------------------------------------------------------
// The page

function Marked({ parts }: { parts: SnippetPart[] }) {
  return <>{parts.map((p) => (p.match ? <mark>{p.text}</mark> : p.text))}</>;
}

/** The current search with one filter value added or taken away, back to the first page. */
function toggled(params: URLSearchParams, facet: Facet | "archived", value: string): string {
  const next = new URLSearchParams(params);
  next.delete("page");
  if (facet === "archived") {
    if (value === "exclude") next.delete("archived");
    else next.set("archived", value);
  } else {
    const values = next.getAll(facet);
    next.delete(facet);
    for (const v of values.includes(value) ? values.filter((v) => v !== value) : [...values, value]) next.append(facet, v);
  }
  return `/search?${next.toString()}`;
}

function withPage(params: URLSearchParams, page: number): string {
  const next = new URLSearchParams(params);
  if (page === 1) next.delete("page");
  else next.set("page", String(page));
  return `/search?${next.toString()}`;
}

function schemaLabel(page: PageContext, name: string): string {
  const key = `search.schemata.${name}`;
  const own = page.t(key);
  return own === key ? (findSchema(name)?.label ?? name) : own;
}

interface ShownValue {
  value: string;
  count: number;
  label?: string;
  term?: TermView | null;
}

function facetLabel(page: PageContext, facet: Facet, value: ShownValue): string {
  switch (facet) {
    case "schema":
      return schemaLabel(page, value.value);
    case "violation":
      return value.term ? termLabel(value.term, page.locale) : value.value;
    case "place":
      return value.label ?? value.value;
    case "sensitivity":
      return page.t(`search.sensitivities.${value.value}`);
    default:
      return value.value;
  }
}

function Facets({ page, facets, params }: { page: PageContext; facets: SearchFacets; params: URLSearchParams }) {
  const { t } = page;
  const archived = params.get("archived") ?? "exclude";
  return (
    <aside class="facets" aria-labelledby="facets-title">
      <h2 id="facets-title">{t("search.refine")}</h2>
      {FACETS.map((facet) => {
        const values: ShownValue[] = facets[facet];
        const chosen = params.getAll(facet);
        // A chosen value stays listed, to be taken away, even when no result has it any more.
        const shown: ShownValue[] = [...values, ...chosen.filter((c) => !values.some((v) => v.value === c)).map((c) => ({ value: c, count: 0 }))];
        if (shown.length === 0) return null;
        return (
          <section aria-labelledby={`facet-${facet}`}>
            <h3 id={`facet-${facet}`}>{t(`search.facets.${facet}`)}</h3>
            <ul>
              {shown.map((v) => {
                const on = chosen.includes(v.value);
                return (
                  <li>
                    <a href={toggled(params, facet, v.value)} aria-current={on ? "true" : undefined} class={on ? "chosen" : undefined} dir="auto">
                      <span aria-hidden="true">{on ? "☑ " : "☐ "}</span>
                      {facetLabel(page, facet, v)}
                    </a>{" "}
                    <span class="hint">({v.count})</span>
                    {on ? <span class="visually-hidden"> {t("search.chosen")}</span> : null}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
      <section aria-labelledby="facet-archived">
        <h3 id="facet-archived">{t("search.facets.archived")}</h3>
        <ul>
          {(["exclude", "include", "only"] as const).map((value) => (
            <li>
              <a href={toggled(params, "archived", value)} aria-current={archived === value ? "true" : undefined} class={archived === value ? "chosen" : undefined}>
                <span aria-hidden="true">{archived === value ? "◉ " : "○ "}</span>
                {t(`search.archived.${value}`)}
              </a>
            </li>
          ))}
        </ul>
      </section>
    </aside>
  );
}

function Hit({ page, hit }: { page: PageContext; hit: SearchHit }) {
  const { t } = page;
  return (
    <li class="hit">
      <h3>
        <a href={recordHref(hit.id)} dir="auto" lang={hit.captionLang ?? undefined}>
          <Marked parts={hit.title} />
        </a>
      </h3>
      <p class="hint">
        {schemaLabel(page, hit.schema)}
        {hit.restricted ? ` · ${t("search.restricted")}` : ""}
        {hit.archived ? ` · ${t("search.archivedRecord")}` : ""}
        {hit.nameMatch ? ` · ${t("search.nameMatch", { score: hit.nameMatch.score.toFixed(2) })}` : ""}
      </p>
      {hit.snippet ? (
        <p class="snippet" dir="auto">
          <Marked parts={hit.snippet.parts} />
        </p>
      ) : null}
    </li>
  );
}

function Pages({ page, result, params }: { page: PageContext; result: SearchResult; params: URLSearchParams }) {
  const { t } = page;
  if (result.pages <= 1) return null;
  const around = [...new Set([1, result.page - 2, result.page - 1, result.page, result.page + 1, result.page + 2, result.pages])].filter((n) => n >= 1 && n <= result.pages).sort((a, b) => a - b);
  return (
    <nav aria-label={t("search.pages")} class="pager">
      <ul>
        {result.page > 1 ? (
          <li>
            <a href={withPage(params, result.page - 1)} rel="prev">{t("search.previous")}</a>
          </li>
        ) : null}
        {around.map((n) => (
          <li>{n === result.page ? <span aria-current="page">{n}</span> : <a href={withPage(params, n)}>{n}</a>}</li>
        ))}
        {result.page < result.pages ? (
          <li>
            <a href={withPage(params, result.page + 1)} rel="next">{t("search.next")}</a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

function SearchForm({ page, q, problem, params }: { page: PageContext; q: string; problem?: FormProblem | undefined; params: URLSearchParams }) {
  const { t } = page;
  const error = problem?.errors.q ?? problem?.message;
  // Filters stay with a new query; the page goes back to the first.
  const kept = [...params.entries()].filter(([k]) => k !== "q" && k !== "page");
  return (
    <form method="get" action="/search" role="search" class="search-form">
      <div class={error ? "field has-error" : "field"}>
        <label for="f-q">{t("search.label")}</label>
        <p class="hint" id="f-q-hint">{t("search.hint")}</p>
        {error ? <p class="field-error" id="f-q-error">{error}</p> : null}
        <input id="f-q" name="q" type="search" value={q} maxlength={MAX_QUERY_CHARS} dir="auto" aria-describedby={error ? "f-q-hint f-q-error" : "f-q-hint"} aria-invalid={error ? "true" : undefined} />
      </div>
      {kept.map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit">{t("search.submit")}</button>
    </form>
  );
}

function Results({ page, result, params }: { page: PageContext; result: SearchResult; params: URLSearchParams }) {
  const { t } = page;
  const count = new Intl.NumberFormat(page.locale).format(result.total);
  return (
    <div class="search-results">
      <Facets page={page} facets={result.facets} params={params} />
      <section aria-labelledby="results-title">
        <h2 id="results-title">{t("search.results")}</h2>
        <p role="status">
          {result.total === 0 ? t("search.none") : result.relation === "gte" ? t("search.countAtLeast", { count: new Intl.NumberFormat(page.locale).format(MATCH_CAP) }) : t("search.count", { count })}
        </p>
        {result.relation === "gte" ? <p class="hint">{t("search.refineHint")}</p> : null}
        <ol class="hits" start={(result.page - 1) * result.limit + 1}>
          {result.hits.map((hit) => (
            <Hit page={page} hit={hit} />
          ))}
        </ol>
        <Pages page={page} result={result} params={params} />
      </section>
    </div>
  );
}

searchRoutes.get("/search", async (c) => {
  const principal = signedIn(c);
  await requireSearching(c.var.services, c.var.origin, principal.actor);
  const params = new URL(c.req.url).searchParams;
  const q = params.get("q") ?? "";
  let result: SearchResult | null = null;
  let problem: FormProblem | undefined;
  if (q.trim() !== "") {
    try {
      result = await searchRecords(c.var.services, c.var.origin, principal.actor, queryOf(c));
    } catch (error) {
      problem = formProblem(c, error);
    }
  }
  return renderPage(
    c,
    q.trim() ? c.var.t("search.titleFor", { q: q.slice(0, 80) }) : c.var.t("search.title"),
    (page) => (
      <>
        <h1>{page.t("search.title")}</h1>
        <SearchForm page={page} q={q} problem={problem} params={params} />
        {result ? <Results page={page} result={result} params={params} /> : null}
      </>
    ),
    problem?.status ?? 200,
  );
});
