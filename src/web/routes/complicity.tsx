import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import { complicityOf, listComplicity, MAX_GRAPH_DEPTH, ownershipGraph, recordComplicity, requireComplicityView, type ComplicityFinding, type OwnershipGraph } from "../../accountability/index.ts";
import { can } from "../../core/index.ts";
import { browseRecords, captionsOf, getVocabulary, loadRecord, requireRecordCreation, termLabel, type EntityView, type TermView } from "../../records/index.ts";
import type { AppEnv } from "../env.ts";
import { UUID_PARAM } from "../format.ts";
import { field, readForm } from "../middleware/body.ts";
import { Csrf, ErrorSummary, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";
import { schemaLabel, valueLabel } from "../records/labels.ts";
import { OwnershipSvg } from "./complicity-graph.tsx";

/** The complicity registry: the list with its filters, recording a finding, the ownership graph, and an organisation's panel. */
export const complicityPages = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;
const ORGANISATION_SCHEMATA = ["Organization", "Company", "PublicBody"];

async function complicityTerms(c: Context<AppEnv>): Promise<TermView[]> {
  const { actor } = signedIn(c);
  return (await getVocabulary(c.var.services, c.var.origin, actor, "complicity-types")).terms;
}

async function reliabilityTerms(c: Context<AppEnv>): Promise<TermView[]> {
  const { actor } = signedIn(c);
  return (await getVocabulary(c.var.services, c.var.origin, actor, "reliability")).terms;
}

function typeLabel(page: PageContext, terms: readonly TermView[], code: string): string {
  const term = terms.find((t) => t.code === code);
  return term ? termLabel(term, page.locale) : code;
}

const countryLabel = (page: PageContext, code: string) => valueLabel(page.t, page.locale, new Map(), "Company", "country", code);

/** One finding in a few lines: its types, period, reliability, sources and evidence. */
export function FindingSummary({ page, finding, terms, reliability }: { page: PageContext; finding: ComplicityFinding; terms: readonly TermView[]; reliability: readonly TermView[] }) {
  const { t } = page;
  const period = finding.startDate || finding.endDate ? `${finding.startDate ?? "?"} – ${finding.endDate ?? t("complicity.ongoing")}` : null;
  return (
    <>
      <a href={`/records/${finding.id}`}>{finding.types.map((code) => typeLabel(page, terms, code)).join(", ")}</a>
      {period ? <> · <span dir="ltr">{period}</span></> : null}
      {finding.reliability ? <> · {t("complicity.reliability", { value: typeLabel(page, reliability, finding.reliability) })}</> : null}
      {finding.restricted ? <> · <em>{t("complicity.restricted")}</em></> : null}
      {finding.summary ? <p dir="auto">{finding.summary}</p> : null}
      <p class="hint">
        {finding.sources.length === 0 ? t("complicity.noSources") : (
          <>
            {t("complicity.sources")}{" "}
            {finding.sources.map((s, i) => (
              <>
                {i > 0 ? ", " : ""}
                <a href={`/records/${s.id}`} dir="auto">{s.caption ?? s.id}</a>
              </>
            ))}
          </>
        )}{" "}
        · {t("complicity.evidence", { n: String(finding.evidence) })}
      </p>
    </>
  );
}

complicityPages.get("/complicity", async (c) => {
  const { actor } = signedIn(c);
  const query = { type: c.req.query("type") ?? "", country: c.req.query("country") ?? "", page: c.req.query("page") ?? "1" };
  const registry = await listComplicity(c.var.services, c.var.origin, actor, query);
  const terms = await complicityTerms(c);
  const reliability = await reliabilityTerms(c);
  const pageLink = (n: number) => `/complicity?${new URLSearchParams({ ...(registry.filter.type ? { type: registry.filter.type } : {}), ...(registry.filter.country ? { country: registry.filter.country } : {}), page: String(n) }).toString()}`;
  return renderPage(c, c.var.t("complicity.title"), (page) => {
    const { t } = page;
    return (
      <>
        <h1>{t("complicity.title")}</h1>
        <p>{t("complicity.intro")}</p>
        <p>
          <a href="/suppliers">{t("suppliers.title")}</a>
        </p>
        <form method="get" action="/complicity" class="filters">
          <div class="field">
            <label for="f-type">{t("complicity.type")}</label>
            <select id="f-type" name="type">
              <option value="">{t("complicity.anyType")}</option>
              {terms.filter((term) => !term.retired).map((term) => (
                <option value={term.code} selected={term.code === registry.filter.type}>{termLabel(term, page.locale)}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="f-country">{t("complicity.country")}</label>
            <p class="hint" id="f-country-hint">{t("complicity.countryHint")}</p>
            <input id="f-country" name="country" value={registry.filter.country ?? ""} maxlength={16} dir="ltr" aria-describedby="f-country-hint" />
          </div>
          <button type="submit">{t("complicity.filter")}</button>
        </form>
        {registry.findings.length === 0 ? <p role="status">{t("complicity.none")}</p> : (
          <table>
            <caption>{t("complicity.findings")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("complicity.organisation")}</th>
                <th scope="col">{t("complicity.country")}</th>
                <th scope="col">{t("complicity.finding")}</th>
                <th scope="col">{t("complicity.ownership")}</th>
              </tr>
            </thead>
            <tbody>
              {registry.findings.map((f) => (
                <tr>
                  <td>
                    <a href={`/records/${f.organization.id}`} dir="auto">{f.organization.caption ?? f.organization.id}</a>{" "}
                    <span class="hint">({schemaLabel(t, f.organization.schema)})</span>
                  </td>
                  <td>{f.organization.countries.map((code) => countryLabel(page, code)).join(", ")}</td>
                  <td>
                    <FindingSummary page={page} finding={f} terms={terms} reliability={reliability} />
                  </td>
                  <td>
                    <a href={`/complicity/graph/${f.organization.id}`}>{t("complicity.graphLink")}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <nav aria-label={t("complicity.pages")}>
          {registry.page > 1 ? <a href={pageLink(registry.page - 1)} rel="prev">{t("complicity.previous")}</a> : null}{" "}
          {registry.more ? <a href={pageLink(registry.page + 1)} rel="next">{t("complicity.next")}</a> : null}
        </nav>
      </>
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Recording a finding

interface FindingInput {
  organization: string;
  complicityType: string;
  startDate: string;
  endDate: string;
  reliability: string;
  summary: string;
  source: string;
  sensitivity: string;
  restricted: boolean;
}

/** Without an organisation (or with one the author may not see): the organisations to choose from. */
async function renderChooser(c: Context<AppEnv>, problem?: FormProblem) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const organisations = (await browseRecords(services, origin, actor, { sort: "name", limit: 200 }, ORGANISATION_SCHEMATA)).records;
  const captions = await captionsOf(services, actor, organisations.map((o) => o.id));
  return renderPage(c, c.var.t("complicity.new.title"), (page) => (
    <section class="narrow">
      <h1>{page.t("complicity.new.title")}</h1>
      <ErrorSummary page={page} message={problem?.message} errors={problem?.errors ?? {}} />
      <p>{page.t("complicity.new.choose")}</p>
      <ul>
        {organisations.map((o) => (
          <li>
            <a href={`/complicity/new?organization=${o.id}`} dir="auto">{captions.get(o.id)?.caption ?? o.id}</a>
          </li>
        ))}
      </ul>
    </section>
  ), problem?.status ?? 200);
}

async function renderFindingForm(c: Context<AppEnv>, input: FindingInput, problem?: FormProblem) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  let organization;
  try {
    organization = await loadRecord(services, actor, input.organization);
  } catch (error) {
    return renderChooser(c, problem ?? (input.organization ? formProblem(c, error) : undefined));
  }
  const caption = (await captionsOf(services, actor, [organization.row.id])).get(organization.row.id)?.caption ?? organization.row.id;
  const terms = await complicityTerms(c);
  const reliability = await reliabilityTerms(c);
  const sources = (await browseRecords(services, origin, actor, { sort: "updated", limit: 100 }, ["Source"])).records;
  const sourceCaptions = await captionsOf(services, actor, sources.map((s) => s.id));
  const e = problem?.errors ?? {};
  return renderPage(c, c.var.t("complicity.new.title"), (page) => {
    const { t } = page;
    return (
      <section class="narrow">
        <h1>{t("complicity.new.title")}</h1>
        <p>
          {t("complicity.new.about")} <a href={`/records/${organization.row.id}`} dir="auto">{caption}</a>
        </p>
        <form method="post" action={`/complicity/new?organization=${organization.row.id}`}>
          <Csrf page={page} />
          <ErrorSummary page={page} message={problem?.message} errors={e} />
          <div class={e.complicityType ? "field has-error" : "field"}>
            <label for="f-complicityType">{t("complicity.type")}</label>
            <select id="f-complicityType" name="complicityType" required>
              <option value="">{t("complicity.chooseType")}</option>
              {terms.filter((term) => !term.retired).map((term) => (
                <option value={term.code} selected={term.code === input.complicityType}>{termLabel(term, page.locale)}</option>
              ))}
            </select>
          </div>
          <div class={e.startDate ? "field has-error" : "field"}>
            <label for="f-startDate">{t("complicity.from")}</label>
            <p class="hint" id="f-startDate-hint">{t("complicity.dateHint")}</p>
            <input id="f-startDate" name="startDate" value={input.startDate} dir="ltr" aria-describedby="f-startDate-hint" />
          </div>
          <div class={e.endDate ? "field has-error" : "field"}>
            <label for="f-endDate">{t("complicity.to")}</label>
            <input id="f-endDate" name="endDate" value={input.endDate} dir="ltr" />
          </div>
          <div class="field">
            <label for="f-reliability">{t("complicity.reliabilityLabel")}</label>
            <select id="f-reliability" name="reliability">
              <option value="">—</option>
              {reliability.filter((term) => !term.retired).map((term) => (
                <option value={term.code} selected={term.code === input.reliability}>{termLabel(term, page.locale)}</option>
              ))}
            </select>
          </div>
          <div class={e.source ? "field has-error" : "field"}>
            <label for="f-source">{t("complicity.source")}</label>
            <select id="f-source" name="source">
              <option value="">—</option>
              {sources.map((s) => (
                <option value={s.id} selected={s.id === input.source}>{sourceCaptions.get(s.id)?.caption ?? s.id}</option>
              ))}
            </select>
          </div>
          <div class={e.summary ? "field has-error" : "field"}>
            <label for="f-summary">{t("complicity.summary")}</label>
            <textarea id="f-summary" name="summary" rows={4} dir="auto" maxlength={4000}>{input.summary}</textarea>
          </div>
          <div class="field">
            <label for="f-sensitivity">{t("complicity.sensitivity")}</label>
            <select id="f-sensitivity" name="sensitivity">
              {(["public", "internal", "restricted"] as const).map((s) => (
                <option value={s} selected={s === input.sensitivity}>{t(`records.sensitivityLevel.${s}`)}</option>
              ))}
            </select>
          </div>
          <div class="field">
            <input id="f-restricted" name="restricted" type="checkbox" value="yes" checked={input.restricted} />{" "}
            <label for="f-restricted">{t("complicity.restrictedRecord")}</label>
          </div>
          <button type="submit">{t("complicity.new.submit")}</button>
        </form>
      </section>
    );
  }, problem?.status ?? 200);
}

complicityPages.get("/complicity/new", async (c) => {
  const { actor } = signedIn(c);
  await requireComplicityView(c.var.services, c.var.origin, actor);
  await requireRecordCreation(c.var.services, c.var.origin, actor);
  return renderFindingForm(c, { organization: c.req.query("organization") ?? "", complicityType: "", startDate: "", endDate: "", reliability: "", summary: "", source: "", sensitivity: "internal", restricted: false });
});

complicityPages.post("/complicity/new", async (c) => {
  const { actor } = signedIn(c);
  await requireRecordCreation(c.var.services, c.var.origin, actor);
  const form = await readForm(c);
  const input: FindingInput = {
    organization: c.req.query("organization") ?? "",
    complicityType: field(form, "complicityType"),
    startDate: field(form, "startDate"),
    endDate: field(form, "endDate"),
    reliability: field(form, "reliability"),
    summary: field(form, "summary"),
    source: field(form, "source"),
    sensitivity: field(form, "sensitivity") || "internal",
    restricted: field(form, "restricted") === "yes",
  };
  try {
    const finding = await recordComplicity(c.var.services, c.var.origin, actor, input);
    throw new Redirect(`/records/${finding.id}`);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    return renderFindingForm(c, input, formProblem(c, error));
  }
});

// ---------------------------------------------------------------------------------------------
// The ownership graph

function graphPath(id: string, depth: number): string {
  return `/complicity/graph/${id}?depth=${depth}`;
}

function LinkList({ page, graph }: { page: PageContext; graph: OwnershipGraph }) {
  const { t } = page;
  const names = new Map(graph.nodes.map((n) => [n.id, n.caption ?? n.id]));
  return (
    <section aria-labelledby="graph-links-title" class="graph-text">
      <h2 id="graph-links-title">{t("complicity.graph.links")}</h2>
      {graph.links.length === 0 ? <p>{t("complicity.graph.noLinks")}</p> : (
        <ul>
          {graph.links.map((l) => (
            <li>
              <a href={graphPath(l.from, graph.depth)} dir="auto">{names.get(l.from)}</a>{" "}
              {l.kind === "ownership"
                ? l.percentage ? t("complicity.graph.ownsShare", { share: l.percentage }) : t("complicity.graph.owns")
                : l.role ? t("complicity.graph.directsAs", { role: l.role }) : t("complicity.graph.directs")}{" "}
              <a href={graphPath(l.to, graph.depth)} dir="auto">{names.get(l.to)}</a>
              {l.startDate || l.endDate ? <span class="hint" dir="ltr"> ({l.startDate ?? "?"} – {l.endDate ?? ""})</span> : null}{" "}
              <a href={`/records/${l.id}`} class="hint">{t("complicity.graph.linkRecord")}</a>
            </li>
          ))}
        </ul>
      )}
      <h2>{t("complicity.graph.records")}</h2>
      <ul>
        {graph.nodes.map((n) => (
          <li>
            <a href={graphPath(n.id, graph.depth)} dir="auto" aria-current={n.id === graph.centre ? "true" : undefined}>{n.caption ?? n.id}</a>{" "}
            <span class="hint">
              ({schemaLabel(t, n.schema)}{n.countries.length ? `, ${n.countries.map((code) => countryLabel(page, code)).join(", ")}` : ""}) · {t("complicity.graph.distance", { n: String(n.distance) })}
            </span>
            {n.complicit ? <> · <strong>{t("complicity.graph.complicit")}</strong></> : null} · <a href={`/records/${n.id}`}>{t("complicity.graph.openRecord")}</a>
          </li>
        ))}
      </ul>
    </section>
  );
}

complicityPages.get(`/complicity/graph/${ID}`, async (c) => {
  const { actor } = signedIn(c);
  const depth = c.req.query("depth") ?? "2";
  const graph = await ownershipGraph(c.var.services, c.var.origin, actor, c.req.param("id"), { depth });
  const centre = graph.nodes.find((n) => n.id === graph.centre);
  const title = c.var.t("complicity.graph.title", { name: centre?.caption ?? graph.centre });
  return renderPage(c, title.slice(0, 120), (page) => {
    const { t } = page;
    return (
      <>
        <h1 dir="auto">{title}</h1>
        <p>
          <a href="/complicity">{t("complicity.title")}</a> · <a href={`/records/${graph.centre}`}>{t("complicity.graph.openRecord")}</a>
        </p>
        <form method="get" action={`/complicity/graph/${graph.centre}`}>
          <label for="f-depth">{t("complicity.graph.depth")}</label>{" "}
          <select id="f-depth" name="depth">
            {Array.from({ length: MAX_GRAPH_DEPTH }, (_, i) => i + 1).map((d) => (
              <option value={String(d)} selected={d === graph.depth}>{String(d)}</option>
            ))}
          </select>{" "}
          <button type="submit">{t("complicity.graph.show")}</button>
        </form>
        {graph.truncated ? <p class="notice" role="status">{t("complicity.graph.truncated")}</p> : null}
        <div class="graph-layout">
          <OwnershipSvg page={page} graph={graph} />
          <LinkList page={page} graph={graph} />
        </div>
      </>
    );
  });
});

// ---------------------------------------------------------------------------------------------
// An organisation's panel on its record page

export async function complicityPanelFor(c: Context<AppEnv>, entity: EntityView): Promise<Child | null> {
  if (!ORGANISATION_SCHEMATA.includes(entity.schema) || entity.mergedInto) return null;
  const { actor } = signedIn(c);
  if (!can(actor, "complicity.view", { kind: "records", orgId: actor.orgId })) return null;
  const findings = await complicityOf(c.var.services, c.var.origin, actor, entity.id);
  const terms = await complicityTerms(c);
  const reliability = await reliabilityTerms(c);
  const page: PageContext = { t: c.var.t, locale: c.var.locale, principal: c.var.principal, csrfToken: c.var.csrfToken, path: "" };
  const { t } = page;
  return (
    <section aria-labelledby="complicity-title" id="complicity">
      <h2 id="complicity-title">{t("complicity.panel.title")}</h2>
      {findings.length === 0 ? <p>{t("complicity.panel.none")}</p> : (
        <ul class="links">
          {findings.map((f) => (
            <li>
              <FindingSummary page={page} finding={f} terms={terms} reliability={reliability} />
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href={`/complicity/graph/${entity.id}`}>{t("complicity.graphLink")}</a>
        {can(actor, "record.create", { kind: "records", orgId: actor.orgId }) && entity.archived === null ? (
          <> · <a href={`/complicity/new?organization=${entity.id}`}>{t("complicity.panel.record")}</a></>
        ) : null}
      </p>
    </section>
  );
}
