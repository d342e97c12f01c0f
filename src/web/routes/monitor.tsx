import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import { facilitySilence, listSilence, MAX_SILENCE_PAGE, requireSilenceReading, silenceParams, URGENCIES, type FacilitySilence, type FacilitySilenceMap, type SilenceItem, type SilencePage, type Urgency } from "../../monitor/index.ts";
import { loadVocabularies, termLabel, type TermView } from "../../records/index.ts";
import { basemapAttribution, Basemap, toPixels, viewAround, type View } from "../../map/index.ts";
import { project, unproject, zoomToFit } from "../../../client/map.core.js";
import type { AppEnv } from "../env.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { formProblem, renderPage, signedIn, type FormProblem } from "../render.tsx";
import type { PageContext } from "../pages/layout.tsx";

/**
 * "Who has gone silent": the dashboard and the facility map, pages that work without JavaScript
 * (a table and a GET form; the map an SVG drawn here, each facility a link), and their API. Thin:
 * src/monitor checks permission, parses and queries.
 */
export const monitorRoutes = new Hono<AppEnv>();

const WIDTH = 960;
const HEIGHT = 540;

/** The query string as the services read it: a parameter given once is a value, given more often a list. */
function queryOf(c: Context<AppEnv>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
}

// ---------------------------------------------------------------------------------------------
// The API

function apiItem(item: SilenceItem) {
  return {
    detention: item.detention,
    person: item.person ? { id: item.person.id, name: item.person.name.text, nameLang: item.person.name.lang } : null,
    personHidden: item.personHidden,
    status: item.status ? { code: item.status.code, labels: item.status.term?.labels ?? null, since: item.status.since } : null,
    facility: item.facility ? { id: item.facility.id, name: item.facility.name.text, nameLang: item.facility.name.lang } : null,
    facilityHidden: item.facilityHidden,
    heldSince: item.heldSince,
    lastProofOfLife: item.lastProofOfLife,
    days: item.days,
    window: item.window,
    urgency: item.urgency,
    restricted: item.restricted,
  };
}

monitorRoutes.get("/api/v1/monitor/silence", async (c) => {
  const { actor } = requirePrincipal(c);
  const page = await listSilence(c.var.services, c.var.origin, actor, queryOf(c));
  return c.json({ today: page.today, total: page.total, counts: page.counts, items: page.items.map(apiItem), nextCursor: page.nextCursor });
});

/** The facilities as GeoJSON (RFC 7946): a Point per located facility; the rest with a null geometry. */
function geoJson(map: FacilitySilenceMap) {
  return {
    type: "FeatureCollection",
    today: map.today,
    unplaced: map.unplaced,
    features: map.facilities.map((f) => ({
      type: "Feature",
      id: f.id,
      geometry: f.lat !== null && f.lon !== null ? { type: "Point", coordinates: [f.lon, f.lat] } : null,
      properties: { name: f.name.text, nameLang: f.name.lang, held: f.held, never: f.never, overdue: f.overdue, approaching: f.approaching, longestDays: f.longestDays, level: f.level, href: `/monitor/facilities/${f.id}` },
    })),
  };
}

monitorRoutes.get("/api/v1/monitor/silence/facilities", async (c) => {
  const { actor } = requirePrincipal(c);
  const map = await facilitySilence(c.var.services, c.var.origin, actor, queryOf(c));
  c.header("Content-Type", "application/geo+json; charset=utf-8");
  return c.body(JSON.stringify(geoJson(map)));
});

// ---------------------------------------------------------------------------------------------
// Shared pieces of the pages

function Name({ caption }: { caption: { text: string; lang: string | null } }) {
  return (
    <span lang={caption.lang ?? undefined} dir="auto">
      {caption.text}
    </span>
  );
}

function hrefWith(path: string, params: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) next.delete(k);
    else next.set(k, v);
  }
  const text = next.toString();
  return text ? `${path}?${text}` : path;
}

const FORM_FIELDS = ["name", "minDays", "urgency", "status", "facility"];

function ErrorSummary({ page, problem }: { page: PageContext; problem: FormProblem | undefined }) {
  if (!problem) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1}>
      <h2>{page.t("form.problem")}</h2>
      <p>{problem.message}</p>
      {Object.keys(problem.errors).length > 0 ? (
        <ul>
          {Object.entries(problem.errors).map(([field, message]) => {
            const name = field.split(".")[0]!;
            // Fields of the form link to it; the cursor, the page size and unknown parameters come from the address.
            return <li>{FORM_FIELDS.includes(name) ? <a href={`#s-${name}`}>{page.t(`silence.fields.${name}`)}</a> : name === "_" ? page.t("silence.address") : page.t(`silence.fields.${name}`)}: {message}</li>;
          })}
        </ul>
      ) : null}
    </div>
  );
}

/** The filters, a plain GET form filled from the address as typed (a refused value stays, to be corrected). */
function FilterForm({ page, action, values, statuses, problem }: { page: PageContext; action: string; values: URLSearchParams; statuses: TermView[]; problem: FormProblem | undefined }) {
  const { t, locale } = page;
  const error = (name: string) => problem?.errors[name] ?? Object.entries(problem?.errors ?? {}).find(([k]) => k.startsWith(`${name}.`))?.[1];
  const facilities = values.getAll("facility").filter((f) => f !== "");
  return (
    <form method="get" action={action} class="map-filters">
      <fieldset>
        <legend>{t("silence.filters")}</legend>
        <div class="filters">
          <div class={error("name") ? "field has-error" : "field"}>
            <label for="s-name">{t("silence.fields.name")}</label>
            {error("name") ? <p class="field-error">{error("name")}</p> : null}
            <input id="s-name" name="name" type="search" value={values.get("name") ?? undefined} maxlength={200} dir="auto" />
          </div>
          <div class={error("minDays") ? "field has-error" : "field"}>
            <label for="s-minDays">{t("silence.fields.minDays")}</label>
            {error("minDays") ? <p class="field-error">{error("minDays")}</p> : null}
            <input id="s-minDays" name="minDays" type="number" min="0" max="36500" inputmode="numeric" value={values.get("minDays") ?? undefined} />
          </div>
        </div>
        <fieldset class="inline-choices" id="s-urgency">
          <legend>{t("silence.fields.urgency")}</legend>
          {error("urgency") ? <p class="field-error">{error("urgency")}</p> : null}
          {URGENCIES.map((u) => (
            <span class="field checkbox">
              <input type="checkbox" id={`s-u-${u}`} name="urgency" value={u} checked={values.getAll("urgency").includes(u)} />
              <label for={`s-u-${u}`}>{t(`silence.urgency.${u}`)}</label>
            </span>
          ))}
        </fieldset>
        <details open={values.getAll("status").length > 0 || error("status") !== undefined} id="s-status">
          <summary>{t("silence.fields.status")}</summary>
          {error("status") ? <p class="field-error">{error("status")}</p> : null}
          <ul class="checks">
            {statuses.map((term) => (
              <li class="field checkbox">
                <input type="checkbox" id={`s-st-${term.code}`} name="status" value={term.code} checked={values.getAll("status").includes(term.code)} />
                <label for={`s-st-${term.code}`}>{termLabel(term, locale)}</label>
              </li>
            ))}
          </ul>
        </details>
        {facilities.map((id) => (
          <input type="hidden" name="facility" value={id} />
        ))}
        {facilities.length > 0 ? (
          <p class="hint" id="s-facility">
            {t("silence.facilityFilter", { count: facilities.length })} {error("facility") ? <span class="field-error">{error("facility")}</span> : null}
          </p>
        ) : null}
        <button type="submit">{t("silence.apply")}</button> <a href={action}>{t("silence.clear")}</a>
      </fieldset>
    </form>
  );
}

async function statusTerms(c: Context<AppEnv>, orgId: string): Promise<TermView[]> {
  return (await loadVocabularies(c.var.services.db, orgId)).terms("custody-statuses").filter((term) => !term.retired);
}

function Tabs({ page, path, params }: { page: PageContext; path: string; params: URLSearchParams }) {
  const { t } = page;
  const link = (href: string, label: string) => (
    <li>
      <a href={href} aria-current={href === path ? "page" : undefined}>
        {label}
      </a>
    </li>
  );
  // The filters carry over; the page (cursor, size) does not.
  const keep = new URLSearchParams([...params].filter(([k]) => k !== "cursor" && k !== "limit"));
  const query = keep.toString() ? `?${keep.toString()}` : "";
  return (
    <nav aria-label={t("silence.views")} class="map-nav">
      <ul>
        {link("/monitor", t("silence.listView"))}
        {link("/monitor/map", t("silence.mapView"))}
      </ul>
      {query ? <p class="hint"><a href={`${path === "/monitor" ? "/monitor/map" : "/monitor"}${query}`}>{t("silence.sameFilters")}</a></p> : null}
    </nav>
  );
}

function Shell({ page, path, title, statuses, values, problem, children }: { page: PageContext; path: string; title: string; statuses: TermView[]; values: URLSearchParams; problem: FormProblem | undefined; children?: Child }) {
  return (
    <>
      <link rel="stylesheet" href="/static/map.css" />
      <h1>{title}</h1>
      <p>{page.t(path === "/monitor" ? "silence.intro" : "silence.mapIntro")}</p>
      <Tabs page={page} path={path} params={values} />
      <ErrorSummary page={page} problem={problem} />
      <FilterForm page={page} action={path} values={values} statuses={statuses} problem={problem} />
      {children}
    </>
  );
}

function day(page: PageContext, date: string | null): string {
  if (!date) return "—";
  return new Intl.DateTimeFormat(page.locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${date}T00:00:00Z`));
}

function Urgent({ page, urgency }: { page: PageContext; urgency: Urgency }) {
  return <span class={`urgency urgency-${urgency}`}>{page.t(`silence.urgency.${urgency}`)}</span>;
}

// ---------------------------------------------------------------------------------------------
// The dashboard

function SilenceTable({ page, result }: { page: PageContext; result: SilencePage }) {
  const { t, locale } = page;
  const nf = new Intl.NumberFormat(locale);
  return (
    <table class="silence-table">
      <caption>{t("silence.caption", { today: day(page, result.today) })}</caption>
      <thead>
        <tr>
          <th scope="col">{t("silence.person")}</th>
          <th scope="col">{t("silence.status")}</th>
          <th scope="col">{t("silence.facility")}</th>
          <th scope="col">{t("silence.lastProof")}</th>
          <th scope="col">{t("silence.days")}</th>
          <th scope="col">{t("silence.urgencyColumn")}</th>
        </tr>
      </thead>
      <tbody>
        {result.items.map((item) => (
          <tr>
            <th scope="row">
              {item.person ? (
                <a href={`/records/${item.person.id}`}>
                  <Name caption={item.person.name} />
                </a>
              ) : (
                <span class="hint">{t(item.personHidden ? "silence.personHidden" : "silence.noPerson")}</span>
              )}
              <br />
              <a class="hint" href={`/records/${item.detention}`}>
                {t("silence.detention")}
              </a>
              {item.restricted ? <span class="hint"> · {t("silence.restricted")}</span> : null}
            </th>
            <td>
              {item.status ? (item.status.term ? termLabel(item.status.term, locale) : item.status.code) : <span class="hint">{t("silence.noStatus")}</span>}
              {item.status?.since ? (
                <>
                  <br />
                  <span class="hint">{t("silence.since", { date: day(page, item.status.since) })}</span>
                </>
              ) : null}
            </td>
            <td>
              {item.facility ? (
                <a href={`/records/${item.facility.id}`}>
                  <Name caption={item.facility.name} />
                </a>
              ) : (
                <span class="hint">{t(item.facilityHidden ? "silence.facilityHidden" : "silence.noFacility")}</span>
              )}
            </td>
            <td>{item.lastProofOfLife ? day(page, item.lastProofOfLife) : <strong>{t("silence.never")}</strong>}</td>
            <td>
              {item.days === null ? "—" : item.lastProofOfLife ? nf.format(item.days) : t("silence.heldDays", { days: nf.format(item.days) })}
              <br />
              <span class="hint">{t("silence.window", { days: nf.format(item.window) })}</span>
            </td>
            <td>
              <Urgent page={page} urgency={item.urgency} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Counts({ page, result, params }: { page: PageContext; result: SilencePage; params: URLSearchParams }) {
  const { t, locale } = page;
  const nf = new Intl.NumberFormat(locale);
  return (
    <section aria-labelledby="counts-title">
      <h2 id="counts-title" class="visually-hidden">{t("silence.countsTitle")}</h2>
      <p role="status">{t("silence.total", { count: nf.format(result.total) })}</p>
      <ul class="silence-counts">
        {URGENCIES.map((u) => (
          <li>
            <a href={hrefWith("/monitor", params, { urgency: u, cursor: null })}>
              <Urgent page={page} urgency={u} /> <strong>{nf.format(result.counts[u])}</strong>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Pager({ page, next, params, first }: { page: PageContext; next: string | null; params: URLSearchParams; first: boolean }) {
  const { t } = page;
  if (!next && first) return null;
  return (
    <nav class="pager" aria-label={t("silence.pages")}>
      <ul>
        {!first ? (
          <li>
            <a href={hrefWith("/monitor", params, { cursor: null })}>{t("silence.firstPage")}</a>
          </li>
        ) : null}
        {next ? (
          <li>
            <a href={hrefWith("/monitor", params, { cursor: next })} rel="next">
              {t("silence.nextPage")}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

/** The dashboard's own validation messages (src/monitor/silence*.ts), by their English text: their translations live under silence.errors. */
const OWN_MESSAGES: Record<string, string> = {
  "never, overdue, approaching or recent": "urgency",
  "a whole number of days from 0 to 36500": "minDays",
  [`a whole number from 1 to ${MAX_SILENCE_PAGE}`]: "limit",
  "not a custody status": "status",
  "not a facility you may see": "facility",
};

/** Runs a service for a page: its validation problems are shown on the form (422), anything else thrown. */
async function attempt<T>(c: Context<AppEnv>, run: () => Promise<T>): Promise<{ result: T | null; problem: FormProblem | undefined }> {
  try {
    return { result: await run(), problem: undefined };
  } catch (error) {
    const problem = formProblem(c, error);
    const errors = Object.fromEntries(Object.entries(problem.errors).map(([field, message]) => [field, OWN_MESSAGES[message] ? c.var.t(`silence.errors.${OWN_MESSAGES[message]}`) : message]));
    return { result: null, problem: { ...problem, errors } };
  }
}

monitorRoutes.get("/monitor", async (c) => {
  const { actor } = signedIn(c);
  await requireSilenceReading(c.var.services, c.var.origin, actor);
  const statuses = await statusTerms(c, actor.orgId);
  const params = new URL(c.req.url).searchParams;
  const { result, problem } = await attempt(c, () => listSilence(c.var.services, c.var.origin, actor, queryOf(c)));
  const t = c.var.t;
  return renderPage(
    c,
    t("silence.title"),
    (page) => (
      <Shell page={page} path="/monitor" title={t("silence.title")} statuses={statuses} values={params} problem={problem}>
        {result ? (
          <>
            <Counts page={page} result={result} params={params} />
            {result.items.length === 0 ? <p>{t("silence.none")}</p> : <SilenceTable page={page} result={result} />}
            <Pager page={page} next={result.nextCursor} params={params} first={!result.query.cursor} />
          </>
        ) : null}
      </Shell>
    ),
    problem?.status ?? 200,
  );
});

// ---------------------------------------------------------------------------------------------
// The facility map

function viewOf(located: readonly FacilitySilence[]): View {
  if (located.length === 0) return viewAround(80, 40, 3, WIDTH, HEIGHT);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const f of located) {
    const [x, y] = project(f.lon!, f.lat!);
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const zoom = Math.max(1, Math.floor(Math.min(9, zoomToFit(minX, minY, maxX, maxY, WIDTH * 0.8, HEIGHT * 0.8, 9))));
  const [lon, lat] = unproject((minX + maxX) / 2, (minY + maxY) / 2);
  return viewAround(lon, lat, zoom, WIDTH, HEIGHT);
}

function facilityLabel(page: PageContext, f: FacilitySilence): string {
  const nf = new Intl.NumberFormat(page.locale);
  return page.t("silence.pointLabel", {
    name: f.name.text,
    held: nf.format(f.held),
    overdue: nf.format(f.overdue + f.never),
    level: page.t(`silence.urgency.${f.level}`),
  });
}

function FacilityMap({ page, facilities }: { page: PageContext; facilities: FacilitySilence[] }) {
  const located = facilities.filter((f) => f.lat !== null && f.lon !== null);
  const view = viewOf(located);
  // The least urgent drawn first, so that the most urgent lie on top.
  const drawn = [...located].reverse();
  return (
    <svg class="cluster-map silence-map" viewBox={`0 0 ${view.width} ${view.height}`} role="group" aria-label={page.t("silence.figure")}>
      <Basemap view={view} />
      {drawn.map((f) => {
        const [x, y] = toPixels(view, ...project(f.lon!, f.lat!));
        const r = Math.round(8 + 4 * Math.log10(Math.max(1, f.held)));
        return (
          <a href={`/monitor/facilities/${f.id}`} aria-label={facilityLabel(page, f)}>
            <circle class={`silence-point silence-${f.level}`} cx={x.toFixed(1)} cy={y.toFixed(1)} r={r} />
            <text class="map-count" x={x.toFixed(1)} y={y.toFixed(1)} text-anchor="middle" dominant-baseline="central">
              {f.held > 999 ? `${Math.round(f.held / 1000)}k` : String(f.held)}
            </text>
          </a>
        );
      })}
    </svg>
  );
}

function Legend({ page }: { page: PageContext }) {
  return (
    <ul class="silence-legend" aria-label={page.t("silence.legend")}>
      {URGENCIES.map((u) => (
        <li>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <circle class={`silence-point silence-${u}`} cx="8" cy="8" r="7" />
          </svg>{" "}
          {page.t(`silence.legendLevel.${u}`)}
        </li>
      ))}
    </ul>
  );
}

function FacilityTable({ page, map, params }: { page: PageContext; map: FacilitySilenceMap; params: URLSearchParams }) {
  const { t, locale } = page;
  const nf = new Intl.NumberFormat(locale);
  return (
    <table class="silence-table">
      <caption>{t("silence.facilitiesCaption")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("silence.facility")}</th>
          <th scope="col">{t("silence.held")}</th>
          <th scope="col">{t("silence.overdueColumn")}</th>
          <th scope="col">{t("silence.longest")}</th>
          <th scope="col">{t("silence.urgencyColumn")}</th>
        </tr>
      </thead>
      <tbody>
        {map.facilities.map((f) => (
          <tr>
            <th scope="row">
              <a href={`/monitor/facilities/${f.id}`}>
                <Name caption={f.name} />
              </a>
              {f.lat === null || f.lon === null ? <span class="hint"> · {t("silence.notOnMap")}</span> : null}
            </th>
            <td>
              <a href={hrefWith("/monitor", params, { facility: f.id, cursor: null })}>{nf.format(f.held)}</a>
            </td>
            <td>{nf.format(f.overdue + f.never)}</td>
            <td>{f.never > 0 ? t("silence.never") : f.longestDays === null ? "—" : nf.format(f.longestDays)}</td>
            <td>
              <Urgent page={page} urgency={f.level} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

monitorRoutes.get("/monitor/map", async (c) => {
  const { actor } = signedIn(c);
  await requireSilenceReading(c.var.services, c.var.origin, actor);
  const statuses = await statusTerms(c, actor.orgId);
  const params = new URL(c.req.url).searchParams;
  const { result, problem } = await attempt(c, () => facilitySilence(c.var.services, c.var.origin, actor, queryOf(c)));
  const t = c.var.t;
  return renderPage(
    c,
    t("silence.mapTitle"),
    (page) => {
      const nf = new Intl.NumberFormat(page.locale);
      const keep = result ? silenceParams({ ...result.filter, facility: [] }) : new URLSearchParams();
      return (
        <Shell page={page} path="/monitor/map" title={t("silence.mapTitle")} statuses={statuses} values={params} problem={problem}>
          {result ? (
            <>
              <p role="status">{result.facilities.length === 0 ? t("silence.noFacilities") : t("silence.mapSummary", { facilities: nf.format(result.facilities.length), unplaced: nf.format(result.unplaced) })}</p>
              <figure class="map-figure">
                <div class="map-frame">
                  <FacilityMap page={page} facilities={result.facilities} />
                </div>
                <figcaption>
                  <Legend page={page} />
                  <p class="hint">{t("map.attribution", { source: basemapAttribution() })}</p>
                </figcaption>
              </figure>
              {result.facilities.length > 0 ? <FacilityTable page={page} map={result} params={keep} /> : null}
              <p>
                <a href={`/api/v1/monitor/silence/facilities${keep.toString() ? `?${keep.toString()}` : ""}`} type="application/geo+json">
                  {t("silence.geojson")}
                </a>
              </p>
            </>
          ) : null}
        </Shell>
      );
    },
    problem?.status ?? 200,
  );
});
