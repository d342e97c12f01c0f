import { Hono, type Context } from "hono";
import { initVaultKeys, personCaller, sealVault, unsealVault, vaultStatus, type VaultStatus } from "../../evidence/index.ts";
import type { AppEnv } from "../env.ts";
import { field, fields, readForm } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Field, Notice, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/** The organisation's keys: create them, unseal and seal the vault. Administrators only (the services decide). */
export const vaultPages = new Hono<AppEnv>();

function VaultPage(page: PageContext, status: VaultStatus, notice: string | null, problem?: FormProblem) {
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
      {status.recipient ? (
        <p>
          {t("vault.recipient")}: <code dir="ltr">{status.recipient}</code>
        </p>
      ) : null}
      {!status.hasKeys ? (
        <form method="post" action="/admin/vault/init">
          <Csrf page={page} />
          <h2>{t("vault.initTitle")}</h2>
          <Field name="passphrase" type="password" label={t("vault.newPassphrase")} hint={t("vault.newPassphraseHint")} error={e.passphrase} autocomplete="new-password" required />
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
          <button type="submit">{t("vault.unseal")}</button>
        </form>
      ) : (
        <form method="post" action="/admin/vault/seal">
          <Csrf page={page} />
          <button type="submit" class="danger">
            {t("vault.seal")}
          </button>
        </form>
      )}
    </>
  );
}

const DONE = new Set(["created", "unsealed", "sealed"]);

async function vaultView(c: Context<AppEnv>, status: 200 | 400 | 404 | 409 | 422 | 429 = 200, problem?: FormProblem) {
  const principal = signedIn(c);
  const state = await vaultStatus(c.var.services, c.var.origin, personCaller(principal));
  const done = c.req.query("done");
  const notice = done && DONE.has(done) ? c.var.t(`vault.done.${done}`) : null;
  return renderPage(c, c.var.t("vault.title"), (page) => VaultPage(page, state, notice, problem), status);
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
  return vaultAction(c, async () => void (await initVaultKeys(c.var.services, c.var.origin, personCaller(principal), { passphrase: field(form, "passphrase") })), "created");
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
