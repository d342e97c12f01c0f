import { Hono, type Context } from "hono";
import { Readable } from "node:stream";
import {
  addDeadline, addExhibit, addParty, bundleTextFor, completeDeadline, CONSENT_SCOPES, createLegalCase, exportCourtBundle, getCaseFile, listLegalCases, PARTY_ROLES, recordConsent,
  BUNDLE_MODES, BUNDLE_PURPOSES, ConsentMissing, ExhibitMissing, type CaseFile, type ConsentEntry, type CourtBundle,
} from "../../accountability/index.ts";
import { can } from "../../core/index.ts";
import { loadVocabularies } from "../../records/index.ts";
import type { AppEnv, FormData } from "../env.ts";
import { formatSize, formatTime, UUID_PARAM } from "../format.ts";
import { direction } from "../i18n.ts";
import { field, fields, readForm } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Field, Notice, type PageContext } from "../pages/layout.tsx";
import { Select } from "../records/parts.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/**
 * Legal cases' pages: the list with a form for a new case, and one case's file — its record, its
 * plaintiffs and witnesses with their consent history, deadlines, exhibits from the vault, the
 * bundles made, and the form that exports a court bundle (the ZIP is the answer to that form).
 * Every form works without script; the services in src/accountability decide who may do what.
 */
export const casePages = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

function formValue(form: FormData): Record<string, string> {
  return Object.fromEntries(Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? v.join("\n") : v]));
}

async function forumOptions(c: Context<AppEnv>, page: { t: PageContext["t"] }, orgId: string) {
  const terms = (await loadVocabularies(c.var.services.db, orgId)).terms("legal-forums").filter((term) => !term.retired);
  return [{ value: "", label: page.t("cases.form.chooseForum") }, ...terms.map((term) => ({ value: term.code, label: term.labels[c.var.locale] ?? term.labels.en ?? term.code }))];
}

async function listPage(c: Context<AppEnv>, extras: { problem?: FormProblem; value?: Record<string, string> } = {}) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const cases = await listLegalCases(services, origin, actor);
  const mayCreate = can(actor, "case.manage", { kind: "record", orgId: actor.orgId, restricted: false, onAccessList: false });
  const options = await forumOptions(c, { t: c.var.t }, actor.orgId);
  const label = new Map(options.map((o) => [o.value, o.label]));
  const v = extras.value ?? {};
  return renderPage(
    c,
    c.var.t("cases.title"),
    (page) => (
      <section>
        <h1>{page.t("cases.title")}</h1>
        <p>{page.t("cases.intro")}</p>
        {cases.length === 0 ? (
          <p>{page.t("cases.none")}</p>
        ) : (
          <table class="records">
            <thead>
              <tr>
                <th scope="col">{page.t("cases.field.name")}</th>
                <th scope="col">{page.t("cases.field.forum")}</th>
                <th scope="col">{page.t("cases.field.court")}</th>
                <th scope="col">{page.t("cases.field.caseNumber")}</th>
              </tr>
            </thead>
            <tbody>
              {cases.map((k) => (
                <tr>
                  <td>
                    <a href={`/cases/${k.id}`}>
                      <bdi>{k.name ?? "—"}</bdi>
                    </a>
                  </td>
                  <td>{k.forum ? (label.get(k.forum) ?? k.forum) : "—"}</td>
                  <td>
                    <bdi>{k.court ?? ""}</bdi>
                  </td>
                  <td>
                    <bdi>{k.caseNumber ?? ""}</bdi>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {mayCreate ? (
          <form method="post" action="/cases" class="narrow">
            <h2>{page.t("cases.new")}</h2>
            <Csrf page={page} />
            <ErrorSummary page={page} message={extras.problem?.message} errors={extras.problem?.errors} />
            <Field name="name" label={page.t("cases.field.name")} value={v.name ?? ""} error={extras.problem?.errors.name} required />
            <Select id="f-forum" name="forum" label={page.t("cases.field.forum")} value={v.forum} options={options} error={extras.problem?.errors["properties.forum.0"] ?? extras.problem?.errors.forum} />
            <Field name="court" label={page.t("cases.field.court")} value={v.court ?? ""} error={extras.problem?.errors.court} />
            <Field name="jurisdiction" label={page.t("cases.field.jurisdiction")} value={v.jurisdiction ?? ""} error={extras.problem?.errors.jurisdiction} />
            <Field name="caseNumber" label={page.t("cases.field.caseNumber")} value={v.caseNumber ?? ""} error={extras.problem?.errors.caseNumber} />
            <div class="field">
              <label for="f-claims">{page.t("cases.field.claims")}</label>
              <p class="hint" id="f-claims-hint">
                {page.t("cases.hint.onePerLine")}
              </p>
              <textarea id="f-claims" name="claims" rows={3} dir="auto" aria-describedby="f-claims-hint">
                {v.claims ?? ""}
              </textarea>
            </div>
            <div class="field">
              <label for="f-defendants">{page.t("cases.field.defendants")}</label>
              <p class="hint" id="f-defendants-hint">
                {page.t("cases.hint.defendants")}
              </p>
              <textarea id="f-defendants" name="defendants" rows={2} dir="ltr" aria-describedby="f-defendants-hint">
                {v.defendants ?? ""}
              </textarea>
            </div>
            <button type="submit">{page.t("cases.create")}</button>
          </form>
        ) : null}
      </section>
    ),
    extras.problem?.status ?? 200,
  );
}

casePages.get("/cases", (c) => listPage(c));

casePages.post("/cases", async (c) => {
  const { actor } = signedIn(c);
  let value: Record<string, string> = {};
  try {
    const created = await createLegalCase(c.var.services, c.var.origin, actor, async () => {
      const form = await readForm(c);
      value = formValue(form);
      const optional = (name: string) => (field(form, name) ? field(form, name) : undefined);
      return { name: field(form, "name"), forum: field(form, "forum"), court: optional("court"), jurisdiction: optional("jurisdiction"), caseNumber: optional("caseNumber"), claims: field(form, "claims"), defendants: field(form, "defendants") };
    });
    throw new Redirect(`/cases/${created.id}`);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    return listPage(c, { problem: formProblem(c, error), value });
  }
});

function consentText(page: PageContext, entry: ConsentEntry | null): string {
  if (!entry) return page.t("cases.consent.none");
  const when = formatTime(page.locale, entry.effectiveAt);
  return entry.kind === "given" ? page.t("cases.consent.givenOn", { when }) : page.t("cases.consent.withdrawnOn", { when });
}

async function casePage(c: Context<AppEnv>, id: string, extras: { problem?: FormProblem; form?: string } = {}) {
  const { actor } = signedIn(c);
  const { services, origin } = c.var;
  const file: CaseFile = await getCaseFile(services, origin, actor, id);
  const options = await forumOptions(c, { t: c.var.t }, actor.orgId);
  const first = (p: string) => file.record.properties[p]?.[0] ?? null;
  const done = c.req.query("done");
  const problemFor = (form: string) => (extras.form === form ? extras.problem : undefined);
  const partyOptions = (page: PageContext, none: boolean) => [...(none ? [{ value: "", label: page.t("cases.exhibit.noParty") }] : []), ...file.parties.map((p) => ({ value: p.id, label: `${p.label} (${page.t(`cases.role.${p.role}`)})` }))];
  return renderPage(
    c,
    first("name") ?? c.var.t("cases.title"),
    (page) => (
      <section>
        <p>
          <a href="/cases">{page.t("cases.back")}</a>
        </p>
        <h1>
          <bdi>{first("name") ?? "—"}</bdi>
        </h1>
        <Notice text={done ? page.t(`cases.done.${done}`) : null} />
        {extras.problem && !extras.form ? <ErrorSummary page={page} message={extras.problem.message} errors={extras.problem.errors} /> : null}
        <dl class="facts">
          <dt>{page.t("cases.field.forum")}</dt>
          <dd>{options.find((o) => o.value === first("forum"))?.label ?? first("forum")}</dd>
          {first("court") ? (
            <>
              <dt>{page.t("cases.field.court")}</dt>
              <dd>
                <bdi>{first("court")}</bdi>
              </dd>
            </>
          ) : null}
          {first("caseNumber") ? (
            <>
              <dt>{page.t("cases.field.caseNumber")}</dt>
              <dd>
                <bdi>{first("caseNumber")}</bdi>
              </dd>
            </>
          ) : null}
          <dt>{page.t("cases.field.claims")}</dt>
          <dd>
            <ul>
              {(file.record.properties.claims ?? []).map((claim) => (
                <li>
                  <bdi>{claim}</bdi>
                </li>
              ))}
            </ul>
          </dd>
          <dt>{page.t("cases.field.defendants")}</dt>
          <dd>
            <ul>
              {file.defendants.map((d) => (
                <li>
                  <a href={`/records/${d.id}`}>
                    <bdi>{d.name ?? page.t("records.notShown")}</bdi>
                  </a>
                </li>
              ))}
            </ul>
          </dd>
        </dl>
        <p>
          <a href={`/records/${id}`}>{page.t("cases.editRecord")}</a>
        </p>

        <h2 id="parties">{page.t("cases.parties")}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{page.t("cases.party.label")}</th>
              <th scope="col">{page.t("cases.party.role")}</th>
              <th scope="col">{page.t("cases.party.person")}</th>
              {CONSENT_SCOPES.map((scope) => (
                <th scope="col">{page.t(`cases.scope.${scope}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {file.parties.map((p) => (
              <tr data-party={p.label}>
                <td>{p.label}</td>
                <td>{page.t(`cases.role.${p.role}`)}</td>
                <td>
                  <a href={`/records/${p.personId}`}>
                    <bdi>{p.personName ?? page.t("records.notShown")}</bdi>
                  </a>
                </td>
                {CONSENT_SCOPES.map((scope) => (
                  <td data-consent={scope}>{consentText(page, p.consent[scope])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {file.parties.some((p) => p.history.length > 0) ? (
          <details>
            <summary>{page.t("cases.consent.history")}</summary>
            <ol>
              {file.parties.flatMap((p) =>
                p.history.map((h) => (
                  <li>
                    {p.label} — {page.t(`cases.scope.${h.scope}`)} — {page.t(`cases.consent.${h.kind}`)} {formatTime(page.locale, h.effectiveAt)} ({page.t("cases.consent.recorded", { when: formatTime(page.locale, h.recordedAt) })}){h.note ? <>: <bdi>{h.note}</bdi></> : null}
                  </li>
                )),
              )}
            </ol>
          </details>
        ) : null}
        {file.mayManage ? (
          <div class="columns">
            <form method="post" action={`/cases/${id}/parties`} class="narrow">
              <h3>{page.t("cases.party.add")}</h3>
              <Csrf page={page} />
              <ErrorSummary page={page} message={problemFor("party")?.message} errors={problemFor("party")?.errors} />
              <Field name="person" label={page.t("cases.party.personId")} hint={page.t("cases.hint.personId")} dir="ltr" error={problemFor("party")?.errors.person} />
              <Select id="f-role" name="role" label={page.t("cases.party.role")} value="witness" options={PARTY_ROLES.map((r) => ({ value: r, label: page.t(`cases.role.${r}`) }))} />
              <Field name="label" label={page.t("cases.party.label")} hint={page.t("cases.hint.partyLabel")} error={problemFor("party")?.errors.label} />
              <button type="submit">{page.t("cases.party.add")}</button>
            </form>
            {file.parties.length > 0 ? (
              <form method="post" action={`/cases/${id}/consent`} class="narrow">
                <h3>{page.t("cases.consent.record")}</h3>
                <Csrf page={page} />
                <ErrorSummary page={page} message={problemFor("consent")?.message} errors={problemFor("consent")?.errors} />
                <Select id="f-consent-party" name="party" label={page.t("cases.party.label")} value={undefined} options={partyOptions(page, false)} />
                <Select id="f-scope" name="scope" label={page.t("cases.consent.scope")} value={undefined} options={CONSENT_SCOPES.map((s) => ({ value: s, label: page.t(`cases.scope.${s}`) }))} />
                <Select id="f-kind" name="kind" label={page.t("cases.consent.kind")} value="given" options={["given", "withdrawn"].map((k) => ({ value: k, label: page.t(`cases.consent.${k}`) }))} />
                <Field name="effectiveAt" type="date" label={page.t("cases.consent.effectiveAt")} error={problemFor("consent")?.errors.effectiveAt} />
                <Field name="note" label={page.t("cases.consent.note")} hint={page.t("cases.hint.consentNote")} error={problemFor("consent")?.errors.note} />
                <button type="submit">{page.t("cases.consent.record")}</button>
              </form>
            ) : null}
          </div>
        ) : null}

        <h2 id="deadlines">{page.t("cases.deadlines")}</h2>
        <ul>
          {file.deadlines.map((d) => (
            <li>
              <time datetime={d.dueOn}>{d.dueOn}</time> — <bdi>{d.title}</bdi> {d.doneAt ? `(${page.t("cases.deadline.done")})` : null}
              {file.mayManage && !d.doneAt ? (
                <form method="post" action={`/cases/${id}/deadlines/done`} class="inline">
                  <Csrf page={page} />
                  <input type="hidden" name="deadline" value={d.id} />
                  <button type="submit">{page.t("cases.deadline.markDone")}</button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
        {file.mayManage ? (
          <form method="post" action={`/cases/${id}/deadlines`} class="narrow">
            <Csrf page={page} />
            <ErrorSummary page={page} message={problemFor("deadline")?.message} errors={problemFor("deadline")?.errors} />
            <Field name="dueOn" type="date" label={page.t("cases.deadline.dueOn")} error={problemFor("deadline")?.errors.dueOn} />
            <Field name="title" label={page.t("cases.deadline.title")} error={problemFor("deadline")?.errors.title} />
            <button type="submit">{page.t("cases.deadline.add")}</button>
          </form>
        ) : null}

        <h2 id="exhibits">{page.t("cases.exhibits")}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{page.t("cases.exhibit.label")}</th>
              <th scope="col">{page.t("cases.exhibit.description")}</th>
              <th scope="col">{page.t("cases.exhibit.party")}</th>
              <th scope="col">{page.t("cases.exhibit.file")}</th>
            </tr>
          </thead>
          <tbody>
            {file.exhibits.map((x) => (
              <tr>
                <td>{x.label}</td>
                <td>
                  <bdi>{x.description}</bdi>
                </td>
                <td>{x.partyLabel ?? "—"}</td>
                <td>
                  <a href={`/evidence/${x.evidenceId}`}>{x.evidence ? `${x.evidence.mediaType}, ${formatSize(page.locale, x.evidence.size)}` : x.evidenceId}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {file.mayManage ? (
          <form method="post" action={`/cases/${id}/exhibits`} class="narrow">
            <h3>{page.t("cases.exhibit.add")}</h3>
            <Csrf page={page} />
            <ErrorSummary page={page} message={problemFor("exhibit")?.message} errors={problemFor("exhibit")?.errors} />
            <Field name="evidence" label={page.t("cases.exhibit.evidenceId")} hint={page.t("cases.hint.evidenceId")} dir="ltr" error={problemFor("exhibit")?.errors.evidence} />
            <Field name="label" label={page.t("cases.exhibit.label")} hint={page.t("cases.hint.exhibitLabel")} dir="ltr" error={problemFor("exhibit")?.errors.label} />
            <Field name="description" label={page.t("cases.exhibit.description")} error={problemFor("exhibit")?.errors.description} />
            <Select id="f-exhibit-party" name="party" label={page.t("cases.exhibit.party")} hint={page.t("cases.hint.exhibitParty")} value="" options={partyOptions(page, true)} error={problemFor("exhibit")?.errors.party} />
            <button type="submit">{page.t("cases.exhibit.add")}</button>
          </form>
        ) : null}

        <h2 id="bundles">{page.t("cases.bundles")}</h2>
        {file.bundles.length === 0 ? (
          <p>{page.t("cases.bundle.none")}</p>
        ) : (
          <ul>
            {file.bundles.map((b) => (
              <li>
                {formatTime(page.locale, b.createdAt)} — {page.t(`cases.bundle.purpose.${b.purpose}`)}, {page.t(`cases.bundle.mode.${b.mode}`)}, {page.t("cases.bundle.count", { n: b.exhibitIds.length })} ({page.t("cases.bundle.ledgerIndex", { n: b.ledgerIndex })})
              </li>
            ))}
          </ul>
        )}
        {file.mayExport && file.exhibits.length > 0 ? (
          <form method="post" action={`/cases/${id}/bundle`} class="narrow" id="bundle-form">
            <h3>{page.t("cases.bundle.export")}</h3>
            <p class="hint">{page.t("cases.bundle.intro")}</p>
            <Csrf page={page} />
            <ErrorSummary page={page} message={problemFor("bundle")?.message} errors={problemFor("bundle")?.errors} />
            <fieldset>
              <legend>{page.t("cases.exhibits")}</legend>
              {file.exhibits.map((x) => (
                <label class="checkbox">
                  <input type="checkbox" name="exhibits" value={x.id} id={`f-exhibit-${x.label}`} checked /> {x.label}
                </label>
              ))}
            </fieldset>
            <Select id="f-purpose" name="purpose" label={page.t("cases.bundle.purposeLabel")} value="court" options={BUNDLE_PURPOSES.map((p) => ({ value: p, label: page.t(`cases.bundle.purpose.${p}`) }))} />
            <Select id="f-mode" name="mode" label={page.t("cases.bundle.modeLabel")} value="decrypted" options={BUNDLE_MODES.map((m) => ({ value: m, label: page.t(`cases.bundle.mode.${m}`) }))} />
            <Field name="recipient" label={page.t("cases.bundle.recipient")} hint={page.t("cases.hint.recipient")} dir="ltr" error={problemFor("bundle")?.errors.recipient} />
            <button type="submit">{page.t("cases.bundle.export")}</button>
          </form>
        ) : null}
      </section>
    ),
    extras.problem?.status ?? 200,
  );
}

casePages.get(`/cases/${ID}`, (c) => casePage(c, c.req.param("id")));

/** A form on the case's page: the service's answer, or the page again with the problem beside that form. */
function caseForm(path: string, form: string, run: (c: Context<AppEnv>, id: string, data: FormData) => Promise<unknown>) {
  casePages.post(`/cases/${ID}/${path}`, async (c) => {
    signedIn(c);
    const id = c.req.param("id");
    try {
      await run(c, id, await readForm(c));
    } catch (error) {
      return casePage(c, id, { problem: formProblem(c, error), form });
    }
    throw new Redirect(`/cases/${id}?done=${form}#${form === "consent" ? "parties" : `${form}s`}`);
  });
}

caseForm("parties", "party", (c, id, f) => addParty(c.var.services, c.var.origin, signedIn(c).actor, id, { person: field(f, "person"), role: field(f, "role"), label: field(f, "label") }));
caseForm("consent", "consent", (c, id, f) =>
  recordConsent(c.var.services, c.var.origin, signedIn(c).actor, id, { party: field(f, "party"), scope: field(f, "scope"), kind: field(f, "kind"), effectiveAt: field(f, "effectiveAt"), note: field(f, "note") }),
);
caseForm("deadlines", "deadline", (c, id, f) => addDeadline(c.var.services, c.var.origin, signedIn(c).actor, id, { dueOn: field(f, "dueOn"), title: field(f, "title") }));
caseForm("deadlines/done", "deadline", (c, id, f) => completeDeadline(c.var.services, c.var.origin, signedIn(c).actor, id, { deadline: field(f, "deadline") }));
caseForm("exhibits", "exhibit", (c, id, f) => {
  const principal = signedIn(c);
  return addExhibit(c.var.services, c.var.origin, principal.actor, principal.user.pseudonym, id, { evidence: field(f, "evidence"), label: field(f, "label"), description: field(f, "description"), party: field(f, "party") });
});

// The bundle is the answer to the form: a ZIP streamed as it is made, never kept on the server.
casePages.post(`/cases/${ID}/bundle`, async (c) => {
  const principal = signedIn(c);
  const id = c.req.param("id");
  let bundle;
  try {
    const f = await readForm(c);
    bundle = await exportCourtBundle(
      c.var.services,
      c.var.origin,
      principal.actor,
      principal.user.pseudonym,
      id,
      { exhibits: fields(f, "exhibits"), purpose: field(f, "purpose"), mode: field(f, "mode"), recipient: field(f, "recipient") },
      bundleTextFor(c.var.t, c.var.locale, direction(c.var.locale)),
    );
  } catch (error) {
    return casePage(c, id, { problem: bundleProblem(c, error), form: "bundle" });
  }
  return zipResponse(bundle);
});

/** A refused export in the reader's language, one line per exhibit that may not leave. */
function bundleProblem(c: Context<AppEnv>, error: unknown): FormProblem {
  const problem = formProblem(c, error);
  const t = c.var.t;
  if (error instanceof ConsentMissing) {
    const errors = Object.fromEntries(error.missing.map((m) => [`exhibit-${m.exhibit}`, t(`cases.bundle.missing.${m.state}`, { exhibit: m.exhibit, party: m.party, scope: t(`cases.scope.${m.scope}`) })]));
    return { ...problem, message: t("cases.bundle.consentMissing"), errors };
  }
  if (error instanceof ExhibitMissing) return { ...problem, message: t("cases.bundle.exhibitMissing", { exhibits: error.exhibits.join(", ") }) };
  return problem;
}

export function zipResponse(bundle: CourtBundle): Response {
  return new Response(Readable.toWeb(bundle.stream) as ReadableStream<Uint8Array>, {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${bundle.fileName}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
