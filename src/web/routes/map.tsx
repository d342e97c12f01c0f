import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import { parseInput } from "../../accounts/index.ts";
import { loadVocabularies, SENSITIVITIES, termLabel, type TermView } from "../../records/index.ts";
import {
  basemapAttribution, clientBasemap, collectPoints, filterOf, filterParams, findRegion, listIncidents, listIncidentsAt, mapPoints, MapPageSchema, regionAt, requireMapReading,
  timeline, worldScale, ClusterMap, viewAround, type DrawnCluster, type Caption, type IncidentItem, type IncidentPage, type MapFilter, type MapPageQuery, type PlaceRow, type Region, type View,
} from "../../map/index.ts";
import { buildClusterIndex, clustersIn, isOneSpot, MAX_CLUSTER_ZOOM, project, unproject, zoomToFit } from "../../../client/map.core.js";
import type { AppEnv } from "../env.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { formProblem, renderPage, signedIn, type FormProblem } from "../render.tsx";
import type { PageContext } from "../pages/layout.tsx";

/**
 * The incident map and the timeline: pages that work without JavaScript (the map is an SVG drawn
 * here, its clusters links; a table of incidents by region beside it), enhanced by client/map.js
 * with a canvas it can pan and zoom; and the API the canvas reads. Thin: src/map checks permission,
 * parses and queries.
 */
export const mapRoutes = new Hono<AppEnv>();

/** The SVG's size in its own units; CSS scales it to the page. */
const WIDTH = 960;
const HEIGHT = 540;
const CLUSTER_RADIUS = 44;
/** Regions listed in the table; the rest are summed in its last line. */
const REGION_ROWS = 100;

const recordHref = (id: string) => `/records/${id}`;

/** The query string as the services read it: a parameter given once is a value, given more often a list. */
function queryOf(c: Context<AppEnv>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
}

// ---------------------------------------------------------------------------------------------
// The API

const PRECISION = 100_000;

/**
 * GET /api/v1/map/points: every place with coordinates the caller may see, with its matching
 * incidents, as one flat array [lat, lon, n, …] in hundred-thousandths of a degree, written batch
 * by batch as the database gives them (gzip when the client accepts it).
 */
mapRoutes.get("/api/v1/map/points", async (c) => {
  const { actor } = requirePrincipal(c);
  const { filter, batches } = await mapPoints(c.var.services, c.var.origin, actor, queryOf(c));
  const encoder = new TextEncoder();
  let first = true;
  let places = 0;
  let incidents = 0;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`{"kind":${JSON.stringify(filter.kind)},"precision":${PRECISION},"points":[`));
    },
    async pull(controller) {
      if (done) return;
      const next = await batches.next();
      if (next.done) {
        done = true;
        controller.enqueue(encoder.encode(`],"places":${places},"incidents":${incidents}}`));
        controller.close();
        return;
      }
      let chunk = "";
      for (const p of next.value) {
        chunk += `${first ? "" : ","}${Math.round(p.lat * PRECISION)},${Math.round(p.lon * PRECISION)},${p.n}`;
        first = false;
        places++;
        incidents += p.n;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  const gzip = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
  c.header("Content-Type", "application/json; charset=utf-8");
  c.header("Vary", "Accept-Encoding");
  if (gzip) c.header("Content-Encoding", "gzip");
  return c.body(gzip ? body.pipeThrough(new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>) : body);
});

function apiItem(item: IncidentItem) {
  return {
    id: item.id,
    caption: item.caption.text,
    captionLang: item.caption.lang,
    dates: item.dates,
    earliest: item.earliest,
    latest: item.latest,
    violations: item.violations.map((v) => ({ code: v.code, labels: v.term?.labels ?? null })),
    restricted: item.restricted,
    places: item.places.map((p) => ({ id: p.id, caption: p.caption.text, captionLang: p.caption.lang, lat: p.lat, lon: p.lon })),
  };
}

/** GET /api/v1/map/incidents?bbox=w,s,e,n: what is at one spot or in one cluster, a page at a time. */
mapRoutes.get("/api/v1/map/incidents", async (c) => {
  const { actor } = requirePrincipal(c);
  const page = await listIncidents(c.var.services, c.var.origin, actor, queryOf(c));
  return c.json({ incidents: page.items.map(apiItem), nextCursor: page.nextCursor });
});

/** The basemap the canvas draws: Natural Earth's countries and regions, public, cached by its hash. */
mapRoutes.get("/map/basemap.json", (c) => {
  const basemap = clientBasemap();
  c.header("ETag", basemap.etag);
  c.header("Cache-Control", "public, max-age=86400");
  c.header("Vary", "Accept-Encoding");
  if (c.req.header("if-none-match") === basemap.etag) return c.body(null, 304);
  c.header("Content-Type", "application/json; charset=utf-8");
  if (/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
    c.header("Content-Encoding", "gzip");
    return c.body(new Uint8Array(basemap.gzip));
  }
  return c.body(new Uint8Array(basemap.json));
});

// ---------------------------------------------------------------------------------------------
// Shared pieces of the pages

function Name({ caption }: { caption: Caption }) {
  return (
    <span lang={caption.lang ?? undefined} dir="auto">
      {caption.text}
    </span>
  );
}

function Dates({ page, item }: { page: PageContext; item: IncidentItem }) {
  if (item.dates.length === 0) return <>{page.t("map.noDate")}</>;
  return (
    <>
      {item.dates.map((d, i) => (
        <>
          {i > 0 ? ", " : ""}
          <bdi>{d.value}</bdi>
        </>
      ))}
    </>
  );
}

function IncidentList({ page, items, start }: { page: PageContext; items: IncidentItem[]; start?: number }) {
  const { t, locale } = page;
  return (
    <ol class="incident-list" start={start}>
      {items.map((item) => (
        <li>
          <a href={recordHref(item.id)}>
            <Name caption={item.caption} />
          </a>
          {item.restricted ? <span class="hint"> · {t("map.restricted")}</span> : null}
          <br />
          <span class="hint">
            <Dates page={page} item={item} />
            {item.violations.length > 0 ? ` · ${item.violations.map((v) => (v.term ? termLabel(v.term, locale) : v.code)).join(", ")}` : ""}
            {item.places.length > 0 ? (
              <>
                {" · "}
                {item.places.map((p, i) => (
                  <>
                    {i > 0 ? ", " : ""}
                    <a href={recordHref(p.id)}>
                      <Name caption={p.caption} />
                    </a>
                  </>
                ))}
              </>
            ) : null}
          </span>
        </li>
      ))}
    </ol>
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

/** The filters, as a plain GET form, filled from the address as typed (a refused value stays, to be corrected). */
function FilterForm({ page, action, values, terms, problem, kinds }: { page: PageContext; action: string; values: URLSearchParams; terms: TermView[]; problem?: FormProblem | undefined; kinds: boolean }) {
  const { t, locale } = page;
  const error = (name: string) => problem?.errors[name] ?? Object.entries(problem?.errors ?? {}).find(([k]) => k.startsWith(`${name}.`))?.[1];
  const chosen = (name: "violation" | "sensitivity", value: string) => values.getAll(name).includes(value);
  const places = values.getAll("place").filter((p) => p !== "");
  const DateField = ({ name, value }: { name: "from" | "to"; value: string | undefined }) => (
    <div class={error(name) ? "field has-error" : "field"}>
      <label for={`f-${name}`}>{t(`map.${name}`)}</label>
      {error(name) ? <p class="field-error" id={`f-${name}-error`}>{error(name)}</p> : null}
      <input id={`f-${name}`} name={name} type="text" value={value} maxlength={64} dir="ltr" aria-describedby={error(name) ? `f-dates-hint f-${name}-error` : "f-dates-hint"} aria-invalid={error(name) ? "true" : undefined} />
    </div>
  );
  return (
    <form method="get" action={action} class="map-filters">
      <fieldset>
        <legend>{t("map.filters")}</legend>
        <div class="filters">
          {kinds ? (
            <div class="field">
              <label for="f-kind">{t("map.kind")}</label>
              <select id="f-kind" name="kind">
                {(["incidents", "places"] as const).map((k) => (
                  <option value={k} selected={(values.get("kind") ?? "incidents") === k}>
                    {t(`map.kinds.${k}`)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <DateField name="from" value={values.get("from") ?? undefined} />
          <DateField name="to" value={values.get("to") ?? undefined} />
        </div>
        <p class="hint" id="f-dates-hint">{t("map.dateHint")}</p>
        <details open={values.getAll("violation").length > 0 || error("violation") !== undefined}>
          <summary>{t("map.violations")}</summary>
          {error("violation") ? <p class="field-error">{error("violation")}</p> : null}
          <ul class="checks">
            {terms.map((term) => (
              <li class="field checkbox">
                <input type="checkbox" id={`f-v-${term.code}`} name="violation" value={term.code} checked={chosen("violation", term.code)} />
                <label for={`f-v-${term.code}`}>{termLabel(term, locale)}</label>
              </li>
            ))}
          </ul>
        </details>
        <fieldset class="inline-choices">
          <legend>{t("map.sensitivity")}</legend>
          {error("sensitivity") ? <p class="field-error">{error("sensitivity")}</p> : null}
          {SENSITIVITIES.map((s) => (
            <span class="field checkbox">
              <input type="checkbox" id={`f-s-${s}`} name="sensitivity" value={s} checked={chosen("sensitivity", s)} />
              <label for={`f-s-${s}`}>{t(`map.sensitivities.${s}`)}</label>
            </span>
          ))}
        </fieldset>
        {places.map((id) => (
          <input type="hidden" name="place" value={id} />
        ))}
        {places.length > 0 ? <p class="hint">{t("map.placeFilter", { count: places.length })}</p> : null}
        <button type="submit">{t("map.apply")}</button> <a href={action}>{t("map.clear")}</a>
      </fieldset>
    </form>
  );
}

async function violationTerms(c: Context<AppEnv>, orgId: string): Promise<TermView[]> {
  return (await loadVocabularies(c.var.services.db, orgId)).terms("violation-types").filter((term) => !term.retired);
}

/** Validation problems shown on the form; the page answers 422 and shows nothing else wrong. */
function parsePage<T>(c: Context<AppEnv>, parse: () => T): { query: T | null; problem?: FormProblem } {
  try {
    return { query: parse() };
  } catch (error) {
    return { query: null, problem: formProblem(c, error) };
  }
}

// ---------------------------------------------------------------------------------------------
// The map page

/** The view: asked for, or fitted to the points, or the whole world. */
function viewOf(query: MapPageQuery, points: readonly PlaceRow[]): View {
  if (query.lat !== undefined && query.lon !== undefined) return viewAround(query.lon, query.lat, query.z ?? 4, WIDTH, HEIGHT);
  if (points.length > 0) {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const p of points) {
      const [x, y] = project(p.lon, p.lat);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    const zoom = query.z ?? Math.floor(Math.min(10, zoomToFit(minX, minY, maxX, maxY, WIDTH * 0.8, HEIGHT * 0.8, MAX_CLUSTER_ZOOM)));
    const [lon, lat] = unproject((minX + maxX) / 2, (minY + maxY) / 2);
    return viewAround(lon, lat, zoom, WIDTH, HEIGHT);
  }
  return viewAround(60, 25, query.z ?? 1, WIDTH, HEIGHT);
}

function centreOf(view: View): [number, number] {
  const scale = worldScale(view.zoom);
  return unproject(view.x + view.width / 2 / scale, view.y + view.height / 2 / scale);
}

/** Link parameters for a view centred on a point at a zoom, rounded so that links stay short. */
function viewParams(lon: number, lat: number, zoom: number): Record<string, string> {
  const clampedLat = Math.max(-85, Math.min(85, lat));
  const wrappedLon = Math.max(-180, Math.min(180, lon));
  return { lat: clampedLat.toFixed(4), lon: wrappedLon.toFixed(4), z: String(Math.max(0, Math.min(MAX_CLUSTER_ZOOM, Math.round(zoom)))) };
}

function clustersOf(page: PageContext, view: View, points: readonly PlaceRow[], params: URLSearchParams, kind: MapFilter["kind"]): DrawnCluster[] {
  if (points.length === 0) return [];
  const xs = new Float64Array(points.length);
  const ys = new Float64Array(points.length);
  const ns = new Float64Array(points.length);
  points.forEach((p, i) => {
    [xs[i], ys[i]] = project(p.lon, p.lat);
    // The places layer counts places; the incidents layer counts incidents.
    ns[i] = kind === "places" ? 1 : p.n;
  });
  const zoom = Math.floor(view.zoom);
  const level = buildClusterIndex(xs, ys, ns, { radius: CLUSTER_RADIUS, maxZoom: zoom, minZoom: zoom }).levels[zoom]!;
  const scale = worldScale(view.zoom);
  const margin = CLUSTER_RADIUS / scale;
  const inView = clustersIn(level, view.x - margin, view.y - margin, view.x + view.width / scale + margin, view.y + view.height / scale + margin);
  const lonLat = (x: number, y: number) => unproject(x, y);
  return inView.map((i) => {
    const [west, north] = lonLat(level.minX[i]!, level.minY[i]!);
    const [east, south] = lonLat(level.maxX[i]!, level.maxY[i]!);
    const weight = level.weight[i]!;
    const places = level.count[i]!;
    const deeper = !isOneSpot(level, i) && zoom < MAX_CLUSTER_ZOOM && places > 1;
    let href: string;
    if (deeper) {
      const fit = Math.min(MAX_CLUSTER_ZOOM, Math.max(zoom + 1, Math.floor(zoomToFit(level.minX[i]!, level.minY[i]!, level.maxX[i]!, level.maxY[i]!, WIDTH * 0.7, HEIGHT * 0.7, MAX_CLUSTER_ZOOM))));
      const [lon, lat] = lonLat(level.x[i]!, level.y[i]!);
      href = hrefWith("/map", params, { ...viewParams(lon, lat, fit), bbox: null, region: null, cursor: null });
    } else {
      // A spot's box, a hair wider than its points, whose incidents are listed below the map.
      const pad = 0.00001;
      const box = [west - pad, south - pad, east + pad, north + pad].map((v) => v.toFixed(5)).join(",");
      const [lon, lat] = centreOf(view);
      href = `${hrefWith("/map", params, { ...viewParams(lon, lat, view.zoom), bbox: box, region: null, cursor: null })}#here`;
    }
    const counts = { count: weight, places };
    const label = kind === "places" ? page.t(deeper ? "map.placesZoom" : "map.placesList", counts) : page.t(deeper ? "map.clusterZoom" : "map.clusterList", counts);
    const [x, y] = [(level.x[i]! - view.x) * scale, (level.y[i]! - view.y) * scale];
    return { x, y, weight, places, href, label };
  });
}

interface RegionCount {
  region: Region | null;
  incidents: number;
  places: string[];
}

function byRegion(points: readonly PlaceRow[]): RegionCount[] {
  const counts = new Map<string, RegionCount>();
  for (const p of points) {
    const region = regionAt(p.lon, p.lat);
    const key = region?.id ?? "";
    const entry = counts.get(key) ?? counts.set(key, { region, incidents: 0, places: [] }).get(key)!;
    entry.incidents += p.n;
    entry.places.push(p.id);
  }
  return [...counts.values()].sort((a, b) => b.incidents - a.incidents || b.places.length - a.places.length || (a.region?.name ?? "~").localeCompare(b.region?.name ?? "~"));
}

function regionName(region: Region, locale: string): Caption {
  if (locale === "zh-Hans" && region.names.zh) return { text: region.names.zh, lang: "zh-Hans" };
  return { text: region.name, lang: "en" };
}

const countryNames = new Map<string, Intl.DisplayNames>();
function countryName(code: string, locale: string): string {
  let names = countryNames.get(locale);
  if (!names) countryNames.set(locale, (names = new Intl.DisplayNames([locale], { type: "region", fallback: "code" })));
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

function RegionTable({ page, regions, params, kind }: { page: PageContext; regions: RegionCount[]; params: URLSearchParams; kind: MapFilter["kind"] }) {
  const { t, locale } = page;
  const nf = new Intl.NumberFormat(locale);
  const shown = regions.slice(0, REGION_ROWS);
  return (
    <section aria-labelledby="regions-title">
      <h2 id="regions-title">{t(kind === "places" ? "map.regionsPlaces" : "map.regions")}</h2>
      {regions.length > REGION_ROWS ? <p class="hint">{t("map.regionsMore", { count: REGION_ROWS })}</p> : null}
      <table class="region-table">
        <thead>
          <tr>
            <th scope="col">{t("map.region")}</th>
            <th scope="col">{t("map.country")}</th>
            {kind === "incidents" ? <th scope="col">{t("map.incidents")}</th> : null}
            <th scope="col">{t("map.places")}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr>
              <th scope="row">
                {r.region ? (
                  <a href={`${hrefWith("/map", params, { region: r.region.id, bbox: null, cursor: null })}#here`}>
                    <Name caption={regionName(r.region, locale)} />
                  </a>
                ) : (
                  t("map.outside")
                )}
              </th>
              <td>{r.region ? countryName(r.region.country, locale) : "—"}</td>
              {kind === "incidents" ? <td>{nf.format(r.incidents)}</td> : null}
              <td>{nf.format(r.places.length)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function MapNavigation({ page, view, params }: { page: PageContext; view: View; params: URLSearchParams }) {
  const { t } = page;
  const [lon, lat] = centreOf(view);
  const scale = worldScale(view.zoom);
  // Half a view in each direction, in world coordinates, back to degrees.
  const move = (dx: number, dy: number) => {
    const [x, y] = project(lon, lat);
    const [toLon, toLat] = unproject(x + (dx * view.width) / 2 / scale, Math.max(0, Math.min(1, y + (dy * view.height) / 2 / scale)));
    return hrefWith("/map", params, viewParams(toLon, toLat, view.zoom));
  };
  const link = (href: string, label: string, enabled = true) => <li>{enabled ? <a href={href}>{label}</a> : <span aria-disabled="true">{label}</span>}</li>;
  return (
    <nav aria-label={t("map.navigation")} class="map-nav">
      <ul>
        {link(hrefWith("/map", params, viewParams(lon, lat, view.zoom + 1)), t("map.zoomIn"), view.zoom < MAX_CLUSTER_ZOOM)}
        {link(hrefWith("/map", params, viewParams(lon, lat, view.zoom - 1)), t("map.zoomOut"), view.zoom > 0)}
        {link(move(0, -1), t("map.north"))}
        {link(move(0, 1), t("map.south"))}
        {link(move(-1, 0), t("map.west"))}
        {link(move(1, 0), t("map.east"))}
        {link(hrefWith("/map", params, { lat: null, lon: null, z: null }), t("map.fit"))}
      </ul>
    </nav>
  );
}

function Pager({ page, next, href, first }: { page: PageContext; next: string | null; href: (cursor: string | null) => string; first: boolean }) {
  const { t } = page;
  if (!next && first) return null;
  return (
    <nav class="pager" aria-label={t("map.pages")}>
      <ul>
        {!first ? (
          <li>
            <a href={href(null)}>{t("map.firstPage")}</a>
          </li>
        ) : null}
        {next ? (
          <li>
            <a href={href(next)} rel="next">
              {t("map.nextPage")}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

mapRoutes.get("/map", async (c) => {
  const principal = signedIn(c);
  const actor = principal.actor;
  await requireMapReading(c.var.services, c.var.origin, actor);
  const terms = await violationTerms(c, actor.orgId);
  const { query, problem } = parsePage(c, () => parseInput(MapPageSchema, queryOf(c)));
  const t = c.var.t;
  const params = new URL(c.req.url).searchParams;
  if (!query) {
    return renderPage(c, t("map.title"), (page) => <MapShell page={page} terms={terms} values={params} problem={problem} />, problem!.status);
  }
  const filter = filterOf(query);
  const region = query.region ? findRegion(query.region) : null;
  if (query.region && !region) {
    const missing: FormProblem = { status: 422, message: t("messages.not a region of the basemap"), errors: { region: t("messages.not a region of the basemap") } };
    return renderPage(c, t("map.title"), (page) => <MapShell page={page} terms={terms} values={params} problem={missing} />, 422);
  }
  const points = await collectPoints(c.var.services, actor, filter);
  const view = viewOf(query, points);
  const regions = byRegion(points);
  let here: { title: string; page: IncidentPage } | null = null;
  try {
    if (query.bbox) here = { title: t("map.here"), page: await listIncidentsAt(c.var.services, actor, filter, { box: query.bbox }, query.cursor, 50) };
    else if (region) {
      const places = regions.find((r) => r.region?.id === region.id)?.places ?? [];
      here = { title: t("map.hereRegion", { region: regionName(region, c.var.locale).text }), page: await listIncidentsAt(c.var.services, actor, filter, { places }, query.cursor, 50) };
    }
  } catch (error) {
    const listProblem = formProblem(c, error);
    return renderPage(c, t("map.title"), (page) => <MapShell page={page} terms={terms} values={params} problem={listProblem} />, listProblem.status);
  }
  const total = points.reduce((sum, p) => sum + p.n, 0);
  const pointsUrl = `/api/v1/map/points${filterParams(filter).size > 0 ? `?${filterParams(filter).toString()}` : ""}`;
  return renderPage(c, t("map.title"), (page) => {
    const nf = new Intl.NumberFormat(page.locale);
    const title = t("map.figure");
    return (
      <MapShell page={page} terms={terms} values={params}>
        <p role="status">
          {points.length === 0 ? t("map.none") : filter.kind === "places" ? t("map.summaryPlaces", { places: nf.format(points.length) }) : t("map.summary", { incidents: nf.format(total), places: nf.format(points.length) })}
        </p>
        <figure class="map-figure">
          <div
            id="incident-map"
            class="map-frame"
            data-points={pointsUrl}
            data-list={`/api/v1/map/incidents${filterParams(filter).size > 0 ? `?${filterParams(filter).toString()}` : ""}`}
            data-kind={filter.kind}
            data-view={JSON.stringify(centreOf(view).concat(view.zoom))}
            data-labels={JSON.stringify({
              canvas: t("map.canvas"),
              shown: t("map.shown"),
              zoomIn: t("map.zoomIn"),
              zoomOut: t("map.zoomOut"),
              close: t("map.close"),
              loading: t("map.loading"),
              failed: t("map.failed"),
              listTitle: t("map.here"),
              none: t("map.hereNone"),
              more: t("map.nextPage"),
              noDate: t("map.noDate"),
              restricted: t("map.restricted"),
              cluster: t(filter.kind === "places" ? "map.placesZoom" : "map.clusterZoom"),
              spot: t(filter.kind === "places" ? "map.placesList" : "map.clusterList"),
            })}
          >
            <ClusterMap view={view} clusters={clustersOf(page, view, points, params, filter.kind)} title={title} />
          </div>
          <figcaption>
            <MapNavigation page={page} view={view} params={params} />
            <p class="hint">{t("map.attribution", { source: basemapAttribution() })}</p>
          </figcaption>
        </figure>
        {here ? (
          <section id="here" aria-labelledby="here-title">
            <h2 id="here-title">{here.title}</h2>
            {here.page.items.length === 0 ? <p>{t("map.hereNone")}</p> : <IncidentList page={page} items={here.page.items} />}
            <Pager page={page} next={here.page.nextCursor} first={!query.cursor} href={(cursor) => `${hrefWith("/map", params, { cursor })}#here`} />
          </section>
        ) : null}
        {points.length > 0 ? <RegionTable page={page} regions={regions} params={params} kind={filter.kind} /> : null}
        <p>
          <a href={`/timeline${filterParams({ ...filter, kind: "incidents" }).size > 0 ? `?${filterParams({ ...filter, kind: "incidents" }).toString()}` : ""}`}>{t("map.toTimeline")}</a>
        </p>
      </MapShell>
    );
  });
});

function MapShell({ page, terms, values, problem, children }: { page: PageContext; terms: TermView[]; values: URLSearchParams; problem?: FormProblem | undefined; children?: Child }) {
  const { t } = page;
  return (
    <>
      <link rel="stylesheet" href="/static/map.css" />
      <h1>{t("map.title")}</h1>
      <p>{t("map.intro")}</p>
      {problem ? (
        <div class="error-summary" role="alert" tabindex={-1}>
          <h2>{t("form.problem")}</h2>
          <p>{problem.message}</p>
        </div>
      ) : null}
      <FilterForm page={page} action="/map" values={values} terms={terms} problem={problem} kinds={true} />
      {children}
      <script type="module" src="/static/map.js"></script>
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// The timeline

interface Group {
  key: string;
  year: string | null;
  heading: string;
  items: IncidentItem[];
}

const DAY = 86_400_000;

function dayOf(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

/** Groups by year, then by month when the date names one; a date spanning months or years is grouped by where it starts. */
function groupsOf(page: PageContext, items: IncidentItem[]): Group[] {
  const { t, locale } = page;
  const month = new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", timeZone: "UTC" });
  const groups: Group[] = [];
  for (const item of items) {
    let key: string;
    let heading: string;
    let year: string | null;
    if (!item.earliest || !item.latest) {
      key = "undated";
      heading = t("timeline.undated");
      year = null;
    } else {
      year = item.earliest.slice(0, 4);
      if (item.earliest.slice(0, 7) === item.latest.slice(0, 7)) {
        key = item.earliest.slice(0, 7);
        heading = month.format(new Date(dayOf(item.earliest)));
      } else if (item.earliest.slice(0, 4) === item.latest.slice(0, 4)) {
        key = `${year}`;
        heading = t("timeline.yearOnly", { year });
      } else {
        key = `${year}/${item.latest.slice(0, 4)}`;
        heading = t("timeline.spanning", { from: year, to: item.latest.slice(0, 4) });
      }
    }
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.items.push(item);
    else groups.push({ key, year, heading, items: [item] });
  }
  return groups;
}

/**
 * An incident's dates as a bar over its year (or years): an exact day is a tick, "2017?" the whole
 * year, "2016/2018" three years. Geometry only (x, width): the CSP allows no style attributes.
 */
function RangeBar({ item }: { item: IncidentItem }) {
  if (!item.earliest || !item.latest) return null;
  const startYear = Number(item.earliest.slice(0, 4));
  const endYear = Number(item.latest.slice(0, 4));
  const from = Date.UTC(startYear, 0, 1);
  const to = Date.UTC(endYear + 1, 0, 1);
  const span = (to - from) / DAY;
  const x = ((dayOf(item.earliest) - from) / DAY / span) * 1000;
  const width = Math.max(4, (((dayOf(item.latest) - dayOf(item.earliest)) / DAY + 1) / span) * 1000);
  return (
    <svg class="range-bar" viewBox="0 0 1000 12" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <rect class="range-axis" x="0" y="5" width="1000" height="2" />
      {Array.from({ length: endYear - startYear }, (_, k) => {
        const tick = ((Date.UTC(startYear + k + 1, 0, 1) - from) / DAY / span) * 1000;
        return <rect class="range-year" x={tick.toFixed(1)} y="0" width="2" height="12" />;
      })}
      <rect class={item.earliest === item.latest ? "range-day" : "range-span"} x={x.toFixed(1)} y="2" width={width.toFixed(1)} height="8" />
    </svg>
  );
}

function dateRangeText(page: PageContext, earliest: string, latest: string): string {
  const day = new Intl.DateTimeFormat(page.locale, { dateStyle: "long", timeZone: "UTC" });
  const a = day.format(new Date(dayOf(earliest)));
  if (earliest === latest) return page.t("timeline.exact", { day: a });
  return page.t("timeline.range", { earliest: a, latest: day.format(new Date(dayOf(latest))) });
}

mapRoutes.get("/timeline", async (c) => {
  const principal = signedIn(c);
  const actor = principal.actor;
  await requireMapReading(c.var.services, c.var.origin, actor);
  const terms = await violationTerms(c, actor.orgId);
  const t = c.var.t;
  const { query: result, problem } = await (async () => {
    try {
      return { query: await timeline(c.var.services, c.var.origin, actor, queryOf(c)), problem: undefined };
    } catch (error) {
      return { query: null, problem: formProblem(c, error) };
    }
  })();
  const params = new URL(c.req.url).searchParams;
  return renderPage(
    c,
    t("timeline.title"),
    (page) => {
      const filter = result ? filterOf(result.query) : null;
      return (
        <>
          <link rel="stylesheet" href="/static/map.css" />
          <h1>{t("timeline.title")}</h1>
          <p>{t("timeline.intro")}</p>
          {problem ? (
            <div class="error-summary" role="alert" tabindex={-1}>
              <h2>{t("form.problem")}</h2>
              <p>{problem.message}</p>
            </div>
          ) : null}
          <FilterForm page={page} action="/timeline" values={params} terms={terms} problem={problem} kinds={false} />
          {result ? (
            <>
              {result.items.length === 0 ? <p role="status">{t("timeline.none")}</p> : null}
              {groupsOf(page, result.items).map((group, index, all) => {
                const newYear = index === 0 || all[index - 1]!.year !== group.year;
                return (
                  <section class="timeline-group" aria-labelledby={`g-${index}`}>
                    {group.year === null ? (
                      <h2 id={`g-${index}`}>{group.heading}</h2>
                    ) : (
                      <>
                        {newYear ? <h2 class="timeline-year">{group.year}</h2> : null}
                        <h3 id={`g-${index}`}>{group.heading}</h3>
                      </>
                    )}
                    <ol class="timeline">
                      {group.items.map((item) => (
                        <li>
                          <RangeBar item={item} />
                          <p>
                            <a href={recordHref(item.id)}>
                              <Name caption={item.caption} />
                            </a>
                            {item.restricted ? <span class="hint"> · {t("map.restricted")}</span> : null}
                          </p>
                          <p class="hint">
                            <Dates page={page} item={item} />
                            {item.earliest && item.latest ? ` — ${dateRangeText(page, item.earliest, item.latest)}` : ""}
                            {item.violations.length > 0 ? ` · ${item.violations.map((v) => (v.term ? termLabel(v.term, page.locale) : v.code)).join(", ")}` : ""}
                            {item.places.length > 0 ? (
                              <>
                                {" · "}
                                {item.places.map((p, i) => (
                                  <>
                                    {i > 0 ? ", " : ""}
                                    <a href={recordHref(p.id)}>
                                      <Name caption={p.caption} />
                                    </a>
                                  </>
                                ))}
                              </>
                            ) : null}
                          </p>
                        </li>
                      ))}
                    </ol>
                  </section>
                );
              })}
              <Pager page={page} next={result.nextCursor} first={!result.query.cursor} href={(cursor) => hrefWith("/timeline", params, { cursor })} />
              <p>
                <a href={`/map${filter && filterParams(filter).size > 0 ? `?${filterParams(filter).toString()}` : ""}`}>{t("timeline.toMap")}</a>
              </p>
            </>
          ) : null}
        </>
      );
    },
    problem?.status ?? 200,
  );
});
