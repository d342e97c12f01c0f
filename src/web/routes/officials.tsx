import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import {
  getUnit, listDossiers, listOfficials, recordChoices, recordPost, responsibilityMap, reviewLink, setParentUnit, UNIT_SCHEMATA,
  type CareerEntry, type DossierSummary, type ResponsibilityLink, type ResponsibilityMap, type UnitView,
} from "../../accountability/index.ts";
import { can, type Actor } from "../../core/index.ts";
import { DEFAULT_TERMS, type EntityView } from "../../records/index.ts";
import type { AppEnv, FormData } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { readForm } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/**
 * Officials' pages: the list of people who held posts, an official's career and responsibility
 * map with the analysts' decisions, a unit's place in the hierarchy; and the career panel the
 * record page shows for a person. The services in src/accountability decide who may do what.
 */
export const officialPages = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;
const DONE = new Set(["post", "review", "parent"]);

function field(form: FormData, name: string): string {
  const value = form[name];
  return typeof value === "string" ? value : "";
}

const anyAccountability = (actor: Actor) => ({ kind: "accountability" as const, orgId: actor.orgId });

const TERMS = new Map(Object.values(DEFAULT_TERMS).flat().map((t) => [t.code, t.labels]));

/** A vocabulary term in the page's language (an organisation's own terms show their code). */
export function termText(page: PageContext, code: string): string {
  const labels = TERMS.get(code);
  if (!labels) return code;
  return page.locale === "ug" ? labels.ug : page.locale === "zh-Hans" ? labels["zh-Hans"] : labels.en;
}

function Name({ page, id, name, href }: { page: PageContext; id: string; name: string | null; href?: string }) {
  return (
    <a href={href ?? `/records/${id}`}>
      <bdi>{name ?? page.t("officials.unnamed")}</bdi>
    </a>
  );
}

function Chain({ page, chain }: { page: PageContext; chain: { id: string; name: string | null }[] }) {
  return (
    <span class="chain">
      {chain.map((c, i) => (
        <>
          {i > 0 ? <span aria-hidden="true"> › </span> : null}
          <Name page={page} id={c.id} name={c.name} href={`/units/${c.id}`} />
        </>
      ))}
    </span>
  );
}

function Dates({ page, from, to }: { page: PageContext; from: string | null; to: string | null }) {
  return (
    <span dir="ltr">
      {from ?? page.t("officials.unknownDate")} – {to ?? page.t("officials.openEnd")}
    </span>
  );
}

/** A person's posts as a timeline, oldest first: for the official's page and the record page's panel. */
export function CareerTimeline({ page, entries }: { page: PageContext; entries: CareerEntry[] }) {
  const { t } = page;
  if (entries.length === 0) return <p>{t("officials.career.empty")}</p>;
  return (
    <ol class="timeline career">
      {entries.map((e) => (
        <li>
          <Dates page={page} from={e.start.text} to={e.end.text} />
          {" · "}
          {e.position ? <Name page={page} id={e.position.id} name={e.position.name} /> : <span class="hint">{t("officials.career.postNotShown")}</span>}
          {e.unit ? (
            <>
              {" · "}
              <Name page={page} id={e.unit.id} name={e.unit.name} href={`/units/${e.unit.id}`} />
            </>
          ) : null}
          {e.unitChain.length > 0 ? (
            <span class="hint">
              {" "}
              ({t("officials.career.under")} <Chain page={page} chain={e.unitChain} />)
            </span>
          ) : null}
          {e.position && e.position.country.length + e.position.subnationalArea.length > 0 ? <span class="hint"> · {[...e.position.country.map((c) => c.toUpperCase()), ...e.position.subnationalArea].join(", ")}</span> : null}
          {" · "}
          <a href={`/records/${e.occupancy.id}`}>{t("officials.career.record")}</a>
          {e.sources.length > 0 ? <span class="hint"> · {t("officials.career.sources", { n: String(e.sources.length) })}</span> : null}
        </li>
      ))}
    </ol>
  );
}

/** The record page's hook: a person's career, when they held a post the reader may see. */
export async function careerPanelFor(c: Context<AppEnv>, entity: EntityView): Promise<Child | undefined> {
  const principal = c.var.principal;
  if (entity.schema !== "Person" || !principal || !can(principal.actor, "responsibility.view", anyAccountability(principal.actor))) return undefined;
  const map = await responsibilityMap(c.var.services, c.var.origin, principal.actor, entity.id);
  const page = { t: c.var.t, locale: c.var.locale, principal, csrfToken: c.var.csrfToken, path: new URL(c.req.url).pathname };
  if (map.posts.length === 0 && map.direct.length === 0) return undefined;
  return (
    <section aria-labelledby="career-heading" class="career-panel">
      <h2 id="career-heading">{page.t("officials.career.title")}</h2>
      <CareerTimeline page={page} entries={map.posts} />
      <p>
        <a href={`/officials/${entity.id}`}>{page.t("officials.career.openMap", { direct: String(map.direct.length), command: String(map.command.length) })}</a>
      </p>
    </section>
  );
}

function LinkItem({ page, link, subjectId, mayReview, failed }: { page: PageContext; link: ResponsibilityLink; subjectId: string; mayReview: boolean; failed: FormProblem | undefined }) {
  const { t, locale } = page;
  const dismissed = link.review?.decision === "dismissed";
  return (
    <li class={dismissed ? "link dismissed" : "link"} id={`link-${link.key.replace(":", "-")}`}>
      <h4>
        <Name page={page} id={link.record.id} name={link.record.name ?? t(`officials.kind.${link.kind}`)} />{" "}
        <span class="hint">
          · {t(`officials.kind.${link.kind}`)} · <span dir="ltr">{link.record.date ?? t("officials.unknownDate")}</span>
          {link.record.violations.length > 0 ? <> · {link.record.violations.map((v) => termText(page, v)).join(", ")}</> : null}
          {link.record.restricted ? <> · <strong>{t("officials.restricted")}</strong></> : null}
        </span>
      </h4>
      <p class="why">
        {link.basis === "direct" ? (
          link.via === "officials" ? (
            t("officials.why.officials")
          ) : (
            t("officials.why.named", { role: termText(page, link.role ?? "alleged-perpetrator") })
          )
        ) : (
          <>
            {link.post ? (
              <>
                {t("officials.why.post")} <Name page={page} id={link.post.positionId ?? link.post.occupancyId} name={link.post.positionName} /> (<Dates page={page} from={link.post.start} to={link.post.end} />).{" "}
              </>
            ) : null}
            {t(`officials.why.via.${link.via}`)} <Chain page={page} chain={link.chain} />
            {link.place ? (
              <>
                {" · "}
                {t("officials.why.place")} <Name page={page} id={link.place.id} name={link.place.name} />
              </>
            ) : null}
            {link.overlap ? (
              <>
                {". "}
                {t(`officials.overlap.${link.overlap}`, { from: link.overlapFrom ?? "", to: link.overlapTo ?? "" })}
              </>
            ) : null}
          </>
        )}
      </p>
      <p class="hint">
        {t("officials.sources")}:{" "}
        {link.sources.length === 0
          ? t("officials.noSources")
          : link.sources.map((s, i) => (
              <>
                {i > 0 ? ", " : null}
                <Name page={page} id={s.id} name={s.name} />
              </>
            ))}
        {" · "}
        {t("officials.gravity", { n: String(link.gravity) })}
      </p>
      {link.review ? (
        <p class={dismissed ? "warning" : "notice"}>
          {t(`officials.review.${link.review.decision}`)} — {link.review.actorName ?? ""} · {formatTime(locale, link.review.createdAt)}
          {link.review.reason ? <>: <bdi>{link.review.reason}</bdi></> : null}
        </p>
      ) : null}
      {link.history.length > 0 ? (
        <details>
          <summary>{t("officials.review.history", { n: String(link.history.length) })}</summary>
          <ol>
            {link.history.map((h) => (
              <li>
                {t(`officials.review.${h.decision}`)} · {h.actorName ?? ""} · {formatTime(locale, h.createdAt)}
                {h.reason ? <>: <bdi>{h.reason}</bdi></> : null}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      {mayReview ? (
        <form method="post" action={`/officials/${subjectId}/reviews`} class="review-form">
          <Csrf page={page} />
          <input type="hidden" name="link" value={link.key} />
          <fieldset>
            <legend>{t("officials.review.legend")}</legend>
            <div class="field">
              <label for={`decision-${link.key}`}>{t("officials.review.decision")}</label>
              <select id={`decision-${link.key}`} name="decision">
                {link.review?.decision !== "confirmed" ? <option value="confirmed">{t("officials.review.confirm")}</option> : null}
                {link.review?.decision !== "dismissed" ? <option value="dismissed">{t("officials.review.dismiss")}</option> : null}
                {link.review ? <option value="reopened">{t("officials.review.reopen")}</option> : null}
              </select>
            </div>
            <div class={failed?.errors.reason ? "field has-error" : "field"}>
              <label for={`reason-${link.key}`}>{t("officials.review.reason")}</label>
              {failed?.errors.reason ? <p class="field-error">{failed.errors.reason}</p> : null}
              <textarea id={`reason-${link.key}`} name="reason" rows={2} maxlength={2000} dir="auto"></textarea>
            </div>
            <button type="submit">{t("officials.review.save")}</button>
          </fieldset>
        </form>
      ) : null}
    </li>
  );
}

interface OfficialPageView {
  map: ResponsibilityMap;
  mayRecord: boolean;
  mayReview: boolean;
  mayDraft: boolean;
  dossiers: DossierSummary[];
  units: { id: string; name: string }[];
  sources: { id: string; name: string }[];
  notice: string | null;
  problem?: FormProblem | undefined;
  failedForm?: string | undefined;
  failedLink?: string | undefined;
  postForm?: Record<string, string>;
}

function PostForm({ page, view }: { page: PageContext; view: OfficialPageView }) {
  const { t } = page;
  const failed = view.failedForm === "post" ? view.problem : undefined;
  const value = (name: string) => view.postForm?.[name] ?? "";
  const err = (name: string) => failed?.errors[name];
  const text = (name: string, label: string, hint?: string) => (
    <div class={err(name) ? "field has-error" : "field"}>
      <label for={`f-${name}`}>{label}</label>
      {hint ? <p class="hint">{hint}</p> : null}
      {err(name) ? <p class="field-error" id={`f-${name}-error`}>{err(name)}</p> : null}
      <input id={`f-${name}`} name={name} value={value(name)} dir="auto" aria-invalid={err(name) ? "true" : undefined} />
    </div>
  );
  return (
    <details open={failed !== undefined}>
      <summary>{t("officials.post.add")}</summary>
      <form method="post" action={`/officials/${view.map.subject.id}/posts`} class="wide-form">
        <Csrf page={page} />
        {text("title", t("officials.post.title"), t("officials.post.titleHint"))}
        <div class={err("unit") ? "field has-error" : "field"}>
          <label for="f-unit">{t("officials.post.unit")}</label>
          {err("unit") ? <p class="field-error">{err("unit")}</p> : null}
          <select id="f-unit" name="unit">
            <option value="">{t("officials.post.noUnit")}</option>
            {view.units.map((u) => (
              <option value={u.id} selected={value("unit") === u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </div>
        {text("country", t("officials.post.country"), t("officials.post.countryHint"))}
        {text("subnationalArea", t("officials.post.area"))}
        {text("startDate", t("officials.post.start"), t("officials.post.dateHint"))}
        {text("endDate", t("officials.post.end"), t("officials.post.dateHint"))}
        <div class="field">
          <label for="f-source">{t("officials.post.source")}</label>
          <select id="f-source" name="source">
            <option value="">{t("officials.post.noSource")}</option>
            {view.sources.map((s) => (
              <option value={s.id} selected={value("source") === s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field checkbox">
          <input type="checkbox" id="f-restricted" name="restricted" checked={value("restricted") === "on"} />
          <label for="f-restricted">{t("officials.post.restricted")}</label>
        </div>
        <button type="submit">{t("officials.post.save")}</button>
      </form>
    </details>
  );
}

function OfficialPage(page: PageContext, view: OfficialPageView) {
  const { t } = page;
  const { map } = view;
  const isPerson = map.subject.schema === "Person";
  const name = map.subject.properties.name?.[0] ?? t("officials.unnamed");
  const links = (list: ResponsibilityLink[], empty: string) =>
    list.length === 0 ? (
      <p>{empty}</p>
    ) : (
      <ol class="links">
        {list.map((l) => (
          <LinkItem page={page} link={l} subjectId={map.subject.id} mayReview={view.mayReview} failed={view.failedLink === l.key ? view.problem : undefined} />
        ))}
      </ol>
    );
  return (
    <>
      <h1>
        <bdi>{name}</bdi>
      </h1>
      <Notice text={view.notice} />
      <ErrorSummary page={page} message={view.problem?.message} errors={view.failedForm === "post" ? view.problem?.errors : undefined} />
      <p>
        <a href={`/records/${map.subject.id}`}>{t("officials.openRecord")}</a>
      </p>
      {isPerson ? (
        <section aria-labelledby="career-h">
          <h2 id="career-h">{t("officials.career.title")}</h2>
          <CareerTimeline page={page} entries={map.posts} />
          {view.mayRecord ? <PostForm page={page} view={view} /> : null}
        </section>
      ) : null}
      <section aria-labelledby="direct-h">
        <h2 id="direct-h">{t("officials.direct.title", { n: String(map.direct.length) })}</h2>
        <p class="hint">{t("officials.direct.hint")}</p>
        {links(map.direct, t("officials.direct.empty"))}
      </section>
      <section aria-labelledby="command-h">
        <h2 id="command-h">{t(isPerson ? "officials.command.title" : "officials.command.organisation", { n: String(map.command.length) })}</h2>
        <p class="hint">{t(isPerson ? "officials.command.hint" : "officials.command.organisationHint")}</p>
        {links(map.command, t("officials.command.empty"))}
      </section>
      <section aria-labelledby="dossiers-h">
        <h2 id="dossiers-h">{t("dossiers.title")}</h2>
        {view.dossiers.length === 0 ? (
          <p>{t("dossiers.none")}</p>
        ) : (
          <ul>
            {view.dossiers.map((d) => (
              <li>
                <a href={`/dossiers/${d.id}`}>
                  <bdi>{d.title}</bdi>
                </a>{" "}
                <span class="hint">
                  · <span dir="ltr">{d.reference}</span> · {t(`dossiers.status.${d.status}`)}
                </span>
              </li>
            ))}
          </ul>
        )}
        {view.mayDraft ? (
          <form method="post" action="/dossiers">
            <Csrf page={page} />
            <input type="hidden" name="subject" value={map.subject.id} />
            <button type="submit">{t("dossiers.draft")}</button>
          </form>
        ) : null}
      </section>
    </>
  );
}

async function showOfficial(c: Context<AppEnv>, id: string, extras: { notice?: string | null; problem?: FormProblem; failedForm?: string; failedLink?: string; postForm?: Record<string, string> } = {}) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const map = await responsibilityMap(services, origin, actor, id);
  const mayRecord = map.subject.schema === "Person" && can(actor, "record.create", { kind: "records", orgId: actor.orgId });
  const mayDraft = can(actor, "dossier.write", anyAccountability(actor));
  const view: OfficialPageView = {
    map,
    mayRecord,
    mayReview: can(actor, "responsibility.review", anyAccountability(actor)),
    mayDraft,
    dossiers: await listDossiers(services, origin, actor, { subject: map.subject.id }),
    units: mayRecord ? await recordChoices(services, actor, UNIT_SCHEMATA) : [],
    sources: mayRecord ? await recordChoices(services, actor, ["Source"]) : [],
    notice: extras.notice ?? null,
    problem: extras.problem,
    failedForm: extras.failedForm,
    failedLink: extras.failedLink,
    ...(extras.postForm ? { postForm: extras.postForm } : {}),
  };
  const title = map.subject.properties.name?.[0] ?? c.var.t("officials.unnamed");
  return renderPage(c, title.slice(0, 120), (page) => OfficialPage(page, view), extras.problem?.status ?? 200);
}

officialPages.get("/officials", async (c) => {
  const { actor } = signedIn(c);
  const officials = await listOfficials(c.var.services, c.var.origin, actor);
  return renderPage(c, c.var.t("officials.title"), (page) => (
    <>
      <h1>{page.t("officials.title")}</h1>
      <p class="hint">{page.t("officials.intro")}</p>
      <p>
        <a href="/dossiers">{page.t("dossiers.title")}</a>
      </p>
      {officials.length === 0 ? (
        <p>{page.t("officials.empty")}</p>
      ) : (
        <table>
          <caption class="visually-hidden">{page.t("officials.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{page.t("officials.name")}</th>
              <th scope="col">{page.t("officials.posts")}</th>
            </tr>
          </thead>
          <tbody>
            {officials.map((o) => (
              <tr>
                <td>
                  <Name page={page} id={o.id} name={o.name} href={`/officials/${o.id}`} />
                </td>
                <td>{o.posts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  ));
});

officialPages.get(`/officials/${ID}`, (c) => {
  const done = c.req.query("done");
  return showOfficial(c, c.req.param("id"), { notice: done && DONE.has(done) ? c.var.t(`officials.done.${done}`) : null });
});

const POST_FIELDS = ["title", "unit", "country", "subnationalArea", "startDate", "endDate", "source", "restricted"] as const;

officialPages.post(`/officials/${ID}/posts`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  let postForm: Record<string, string> = {};
  try {
    await recordPost(c.var.services, c.var.origin, actor, id, async () => {
      const form = await readForm(c);
      postForm = Object.fromEntries(POST_FIELDS.map((f) => [f, field(form, f)]));
      const body: Record<string, unknown> = {};
      for (const f of POST_FIELDS) if (f !== "restricted" && postForm[f]!.trim() !== "") body[f] = postForm[f]!.trim();
      if (postForm.restricted === "on") body.restricted = true;
      if (body.title === undefined) body.title = "";
      return body;
    });
  } catch (error) {
    return showOfficial(c, id, { problem: formProblem(c, error), failedForm: "post", postForm });
  }
  throw new Redirect(`/officials/${id}?done=post`);
});

officialPages.post(`/officials/${ID}/reviews`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  let link = "";
  try {
    await reviewLink(c.var.services, c.var.origin, actor, id, async () => {
      const form = await readForm(c);
      link = field(form, "link");
      return { link, decision: field(form, "decision"), reason: field(form, "reason") };
    });
  } catch (error) {
    return showOfficial(c, id, { problem: formProblem(c, error), failedForm: "review", failedLink: link });
  }
  throw new Redirect(`/officials/${id}?done=review#link-${link.replace(":", "-")}`);
});

function UnitPage(page: PageContext, view: UnitView & { mayEdit: boolean; units: { id: string; name: string }[]; notice: string | null; problem?: FormProblem | undefined }) {
  const { t } = page;
  const name = view.unit.properties.name?.[0] ?? t("officials.unnamed");
  return (
    <>
      <h1>
        <bdi>{name}</bdi>
      </h1>
      <Notice text={view.notice} />
      <ErrorSummary page={page} message={view.problem?.message} errors={view.problem?.errors} />
      <p>
        <a href={`/records/${view.unit.id}`}>{t("officials.openRecord")}</a> · <a href={`/officials/${view.unit.id}`}>{t("units.openMap")}</a>
      </p>
      <section aria-labelledby="above-h">
        <h2 id="above-h">{t("units.above")}</h2>
        {view.above.length === 0 ? <p>{t("units.top")}</p> : <Chain page={page} chain={view.above} />}
        {view.mayEdit ? (
          <form method="post" action={`/units/${view.unit.id}/parent`} class="wide-form">
            <Csrf page={page} />
            <input type="hidden" name="revision" value={String(view.unit.revision)} />
            <div class={view.problem?.errors.parent || view.problem?.errors["properties.parentUnit"] ? "field has-error" : "field"}>
              <label for="f-parent">{t("units.parent")}</label>
              <select id="f-parent" name="parent">
                <option value="">{t("units.noParent")}</option>
                {view.units
                  .filter((u) => u.id !== view.unit.id)
                  .map((u) => (
                    <option value={u.id} selected={view.unit.properties.parentUnit?.includes(u.id)}>
                      {u.name}
                    </option>
                  ))}
              </select>
            </div>
            <div class="field">
              <label for="f-reason">{t("units.reason")}</label>
              <input id="f-reason" name="reason" required maxlength={2000} dir="auto" />
            </div>
            <button type="submit">{t("units.save")}</button>
          </form>
        ) : null}
      </section>
      <section aria-labelledby="below-h">
        <h2 id="below-h">{t("units.below", { n: String(view.below.length) })}</h2>
        {view.below.length === 0 ? (
          <p>{t("units.none")}</p>
        ) : (
          <ul>
            {view.below.map((u) => (
              <li>
                <Chain page={page} chain={u.chain.slice(1)} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="places-h">
        <h2 id="places-h">{t("units.places", { n: String(view.places.length) })}</h2>
        {view.places.length === 0 ? (
          <p>{t("units.noPlaces")}</p>
        ) : (
          <ul>
            {view.places.map((p) => (
              <li>
                <Name page={page} id={p.id} name={p.name} /> <span class="hint">({t("units.operatedBy")} <Chain page={page} chain={p.chain.slice(-1)} />)</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

async function showUnit(c: Context<AppEnv>, id: string, extras: { notice?: string | null; problem?: FormProblem } = {}) {
  const { actor } = signedIn(c);
  const view = await getUnit(c.var.services, c.var.origin, actor, id);
  const mayEdit = can(actor, "record.edit", { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false });
  const units = mayEdit ? await recordChoices(c.var.services, actor, UNIT_SCHEMATA) : [];
  const title = view.unit.properties.name?.[0] ?? c.var.t("officials.unnamed");
  return renderPage(c, title.slice(0, 120), (page) => UnitPage(page, { ...view, mayEdit, units, notice: extras.notice ?? null, problem: extras.problem }), extras.problem?.status ?? 200);
}

officialPages.get(`/units/${ID}`, (c) => showUnit(c, c.req.param("id"), { notice: c.req.query("done") === "parent" ? c.var.t("officials.done.parent") : null }));

officialPages.post(`/units/${ID}/parent`, async (c) => {
  const { actor } = signedIn(c);
  const id = c.req.param("id");
  try {
    await setParentUnit(c.var.services, c.var.origin, actor, id, async () => {
      const form = await readForm(c);
      const parent = field(form, "parent");
      return { parent: parent === "" ? null : parent, revision: Number(field(form, "revision")) || 0, reason: field(form, "reason") };
    });
  } catch (error) {
    return showUnit(c, id, { problem: formProblem(c, error) });
  }
  throw new Redirect(`/units/${id}?done=parent`);
});
