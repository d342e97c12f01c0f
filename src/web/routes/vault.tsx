import { Hono, type Context } from "hono";
import { Invalid } from "../../core/index.ts";
import {
  exportSealedIdentity,
  initVaultKeys,
  moveSecretValues,
  personCaller,
  rotateVaultKeys,
  sealVault,
  unsealVault,
  vaultStatus,
  type SealPlan,
  type VaultStatus,
} from "../../evidence/index.ts";
import type { AppEnv, FormData } from "../env.ts";
import { formatTime } from "../format.ts";
import { field, fields, readForm } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Field, Notice, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/**
 * The organisation's keys: create them (one passphrase, or k of n key-holders each with their
 * own), unseal and seal, rotate, export for offline custody, move secret values onto the vault
 * key, and the latest key events. Administrators only (the services decide).
 */
export const vaultPages = new Hono<AppEnv>();

const DEFAULT_HOLDER_ROWS = 3;
const MAX_HOLDER_ROWS = 20;

/** How many key-holder rows the forms offer: more on request (?holders=N), so no script is needed. */
function holderRows(c: Context<AppEnv>): number {
  const asked = Number(c.req.query("holders"));
  return Number.isInteger(asked) && asked >= 2 ? Math.min(asked, MAX_HOLDER_ROWS) : DEFAULT_HOLDER_ROWS;
}

/**
 * The protection chosen in a form: one passphrase typed twice, or k of the key-holders listed,
 * each passphrase typed twice. A mistyped new passphrase would lose the key, so mismatches are refused here.
 */
function planFrom(form: FormData): SealPlan {
  if (field(form, "mode") === "shares") {
    const names = fields(form, "holderName");
    const passphrases = fields(form, "holderPassphrase");
    const confirmations = fields(form, "holderConfirm");
    const errors: Record<string, string> = {};
    const holders = names
      .map((name, i) => ({ name: name.trim(), passphrase: passphrases[i] ?? "", confirm: confirmations[i] ?? "" }))
      .filter((h) => h.name !== "" || h.passphrase !== "");
    for (const h of holders) if (h.passphrase !== h.confirm) errors[`passphrase.${h.name}`] = "the passphrases do not match";
    if (Object.keys(errors).length) throw new Invalid("some fields are not valid", errors);
    const threshold = Number(field(form, "threshold"));
    return { threshold, holders: holders.map(({ name, passphrase }) => ({ name, passphrase })) };
  }
  const passphrase = field(form, "passphrase");
  if (passphrase !== field(form, "passphraseConfirm")) throw new Invalid("some fields are not valid", { passphrase: "the passphrases do not match" });
  return { passphrase };
}

/** Choose one passphrase, or split the key among key-holders: the same fields for creating keys and rotating them. */
function PlanFields({ page, prefix, rows, errors }: { page: PageContext; prefix: string; rows: number; errors: Record<string, string> }) {
  const { t } = page;
  const holderErrors = Object.entries(errors).filter(([k]) => k.startsWith("passphrase."));
  return (
    <>
      <fieldset>
        <legend>{t("vault.plan.legend")}</legend>
        <div class="choice">
          <input type="radio" id={`${prefix}-mode-passphrase`} name="mode" value="passphrase" checked />
          <label for={`${prefix}-mode-passphrase`}>{t("vault.plan.passphrase")}</label>
        </div>
        <div class="choice">
          <input type="radio" id={`${prefix}-mode-shares`} name="mode" value="shares" />
          <label for={`${prefix}-mode-shares`}>{t("vault.plan.shares")}</label>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("vault.plan.passphraseLegend")}</legend>
        <Field name="passphrase" type="password" label={t("vault.newPassphrase")} hint={t("vault.newPassphraseHint")} error={errors.passphrase} autocomplete="new-password" />
        <Field name="passphraseConfirm" type="password" label={t("vault.plan.confirm")} autocomplete="new-password" />
      </fieldset>
      <fieldset>
        <legend>{t("vault.plan.sharesLegend")}</legend>
        <p class="hint">{t("vault.plan.sharesHint")}</p>
        <Field name="threshold" type="number" inputmode="numeric" label={t("vault.plan.threshold")} hint={t("vault.plan.thresholdHint")} error={errors.threshold} value="2" />
        {errors.holders ? <p class="field-error">{errors.holders}</p> : null}
        {holderErrors.map(([k, v]) => (
          <p class="field-error">{t("vault.plan.holderError", { name: k.slice("passphrase.".length), error: v })}</p>
        ))}
        <table class="holders">
          <caption>{t("vault.plan.holdersCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("vault.plan.holderName")}</th>
              <th scope="col">{t("vault.plan.holderPassphrase")}</th>
              <th scope="col">{t("vault.plan.holderConfirm")}</th>
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: rows }, (_, i) => (
              <tr>
                <td>
                  <input id={`${prefix}-holder-${i}`} name="holderName" type="text" dir="auto" maxlength={100} autocomplete="off" aria-label={t("vault.plan.holderNameN", { n: String(i + 1) })} />
                </td>
                <td>
                  <input name="holderPassphrase" type="password" autocomplete="new-password" aria-label={t("vault.plan.holderPassphraseN", { n: String(i + 1) })} />
                </td>
                <td>
                  <input name="holderConfirm" type="password" autocomplete="new-password" aria-label={t("vault.plan.holderConfirmN", { n: String(i + 1) })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows < MAX_HOLDER_ROWS ? (
          <p>
            <a href={`/admin/vault?holders=${Math.min(rows + 3, MAX_HOLDER_ROWS)}#${prefix}`}>{t("vault.plan.moreHolders")}</a>
          </p>
        ) : null}
      </fieldset>
    </>
  );
}

function Facts({ page, status }: { page: PageContext; status: VaultStatus }) {
  const { t, locale } = page;
  return (
    <dl class="facts">
      <dt>{t("vault.recipient")}</dt>
      <dd dir="ltr">
        <code>{status.recipient}</code>
      </dd>
      <dt>{t("vault.protection")}</dt>
      <dd id="vault-protection">
        {status.mode === "shares" ? t("vault.protectionShares", { k: String(status.threshold ?? 0), n: String(status.holders.length) }) : t("vault.protectionPassphrase")}
        {status.mode === "shares" ? (
          <ul class="holder-list">
            {status.holders.map((h) => (
              <li dir="auto">{h}</li>
            ))}
          </ul>
        ) : null}
      </dd>
      <dt>{t("vault.generation")}</dt>
      <dd>{String(status.generation ?? 1)}</dd>
      <dt>{t("vault.created")}</dt>
      <dd>{status.createdAt ? formatTime(locale, status.createdAt) : "—"}</dd>
      <dt>{t("vault.rotated")}</dt>
      <dd>{status.rotatedAt ? formatTime(locale, status.rotatedAt) : t("vault.never")}</dd>
      <dt>{t("vault.exported")}</dt>
      <dd id="vault-exported">{status.lastExport ? t("vault.exportedBy", { when: formatTime(locale, status.lastExport.at), who: status.lastExport.by ?? "—" }) : t("vault.neverExported")}</dd>
    </dl>
  );
}

function RecentEvents({ page, status }: { page: PageContext; status: VaultStatus }) {
  const { t, locale } = page;
  if (status.recentEvents.length === 0) return null;
  return (
    <table class="key-events">
      <caption>{t("vault.events.caption")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("vault.events.when")}</th>
          <th scope="col">{t("vault.events.what")}</th>
          <th scope="col">{t("vault.events.outcome")}</th>
          <th scope="col">{t("vault.events.who")}</th>
        </tr>
      </thead>
      <tbody>
        {status.recentEvents.map((e) => (
          <tr>
            <td>{formatTime(locale, e.at)}</td>
            <td>{t(`vault.events.action.${e.action}`)}</td>
            <td class={`outcome-${e.outcome}`}>{t(`vault.events.result.${e.outcome}`)}</td>
            <td dir="auto">{e.by ?? "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VaultPage(page: PageContext, status: VaultStatus, rows: number, notice: string | null, problem?: FormProblem) {
  const { t } = page;
  const e = problem?.errors ?? {};
  return (
    <>
      <h1>{t("vault.title")}</h1>
      <Notice text={notice} />
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      <p id="vault-state" class={status.sealed ? "state-sealed" : "state-unsealed"}>
        <strong>{!status.hasKeys ? t("vault.noKeys") : status.sealed ? t("vault.sealed") : t("vault.unsealed")}</strong>
      </p>
      <p>{t("vault.explain")}</p>
      {status.hasKeys ? <Facts page={page} status={status} /> : null}
      {!status.hasKeys ? (
        <form method="post" action="/admin/vault/init" id="init">
          <Csrf page={page} />
          <h2>{t("vault.initTitle")}</h2>
          <PlanFields page={page} prefix="init" rows={rows} errors={e} />
          <button type="submit">{t("vault.init")}</button>
        </form>
      ) : status.sealed ? (
        <form method="post" action="/admin/vault/unseal">
          <Csrf page={page} />
          <h2>{t("vault.unsealTitle")}</h2>
          {status.mode === "passphrase" ? (
            <Field name="passphrase" type="password" label={t("vault.passphrase")} error={e.passphrase} autocomplete="off" required />
          ) : (
            <>
              <p>{t("vault.sharesHint", { n: String(status.threshold ?? 0) })}</p>
              {status.holders.map((holder, i) => (
                <div class="field">
                  <input type="hidden" name="holder" value={holder} />
                  <label for={`f-share-${i}`}>{t("vault.holderPassphrase", { name: holder })}</label>
                  <input id={`f-share-${i}`} type="password" name="sharePassphrase" autocomplete="off" />
                </div>
              ))}
              {e.shares ? <p class="field-error">{e.shares}</p> : null}
            </>
          )}
          <p class="hint">{t("vault.throttleHint")}</p>
          <button type="submit">{t("vault.unseal")}</button>
        </form>
      ) : (
        <>
          <form method="post" action="/admin/vault/seal">
            <Csrf page={page} />
            <button type="submit" class="danger">
              {t("vault.seal")}
            </button>
          </form>
          <form method="post" action="/admin/vault/rotate" id="rotate">
            <Csrf page={page} />
            <h2>{t("vault.rotateTitle")}</h2>
            <p>{t("vault.rotateExplain")}</p>
            <PlanFields page={page} prefix="rotate" rows={rows} errors={e} />
            <button type="submit">{t("vault.rotate")}</button>
          </form>
          <form method="post" action="/admin/vault/export" id="export">
            <Csrf page={page} />
            <h2>{t("vault.exportTitle")}</h2>
            <p>{t("vault.exportExplain")}</p>
            <Field name="exportPassphrase" type="password" label={t("vault.exportPassphrase")} hint={t("vault.newPassphraseHint")} error={e.exportPassphrase} autocomplete="new-password" required />
            <Field name="exportConfirm" type="password" label={t("vault.plan.confirm")} autocomplete="new-password" required />
            <button type="submit">{t("vault.export")}</button>
          </form>
        </>
      )}
      {status.hasKeys && status.appKeySecrets > 0 ? (
        <form method="post" action="/admin/vault/secrets" id="secrets">
          <Csrf page={page} />
          <h2>{t("vault.secretsTitle")}</h2>
          <p>{t("vault.secretsExplain", { n: String(status.appKeySecrets) })}</p>
          <button type="submit">{t("vault.secretsMove")}</button>
        </form>
      ) : null}
      <RecentEvents page={page} status={status} />
    </>
  );
}

const DONE = new Set(["created", "unsealed", "sealed", "rotated", "moved"]);

async function vaultView(c: Context<AppEnv>, status: 200 | 400 | 404 | 409 | 422 | 429 | 503 = 200, problem?: FormProblem) {
  const principal = signedIn(c);
  const state = await vaultStatus(c.var.services, c.var.origin, personCaller(principal));
  const done = c.req.query("done");
  const notice = done && DONE.has(done) ? c.var.t(`vault.done.${done}`) : null;
  return renderPage(c, c.var.t("vault.title"), (page) => VaultPage(page, state, holderRows(c), notice, problem), status);
}

async function vaultAction(c: Context<AppEnv>, run: () => Promise<void>, done: string) {
  try {
    await run();
  } catch (error) {
    const problem = formProblem(c, error);
    return vaultView(c, problem.status as 422, problem);
  }
  throw new Redirect(`/admin/vault?done=${done}`);
}

vaultPages.get("/admin/vault", (c) => vaultView(c));

vaultPages.post("/admin/vault/init", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  return vaultAction(c, async () => void (await initVaultKeys(c.var.services, c.var.origin, personCaller(principal), planFrom(form))), "created");
});

vaultPages.post("/admin/vault/unseal", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  const holders = fields(form, "holder");
  const passphrases = fields(form, "sharePassphrase");
  const input = holders.length ? { shares: holders.map((holder, i) => ({ holder, passphrase: passphrases[i] ?? "" })) } : { passphrase: field(form, "passphrase") };
  return vaultAction(c, () => unsealVault(c.var.services, c.var.origin, personCaller(principal), input), "unsealed");
});

vaultPages.post("/admin/vault/seal", async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  return vaultAction(c, () => sealVault(c.var.services, c.var.origin, personCaller(principal)), "sealed");
});

vaultPages.post("/admin/vault/rotate", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  return vaultAction(c, async () => void (await rotateVaultKeys(c.var.services, c.var.origin, personCaller(principal), planFrom(form))), "rotated");
});

vaultPages.post("/admin/vault/secrets", async (c) => {
  const principal = signedIn(c);
  await readForm(c);
  return vaultAction(c, async () => void (await moveSecretValues(c.var.services, c.var.origin, personCaller(principal))), "moved");
});

/** The identity as a download, sealed under the passphrase given here: `age -d` opens it offline. */
vaultPages.post("/admin/vault/export", async (c) => {
  const principal = signedIn(c);
  const form = await readForm(c);
  let exported: { file: string };
  try {
    const passphrase = field(form, "exportPassphrase");
    if (passphrase !== field(form, "exportConfirm")) throw new Invalid("some fields are not valid", { exportPassphrase: "the passphrases do not match" });
    exported = await exportSealedIdentity(c.var.services, c.var.origin, personCaller(principal), passphrase);
  } catch (error) {
    const problem = formProblem(c, error);
    if (problem.errors.passphrase) problem.errors = { exportPassphrase: problem.errors.passphrase };
    return vaultView(c, problem.status as 422, problem);
  }
  const slug = principal.org.slug.replace(/[^a-z0-9-]/g, "");
  return new Response(exported.file, {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Disposition": `attachment; filename="vigil-${slug}-identity.age"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
