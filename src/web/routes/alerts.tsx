import { Hono, type Context } from "hono";
import { can, Forbidden } from "../../core/index.ts";
import {
  acknowledgeAlert, ALERT_RULES, createFeed, createWebhook, getAlert, inbox, listAlerts, listFeeds, listRules, listSubscriptions, listWebhooks, readFeed, revokeFeed, revokeWebhook,
  subscribe, unsubscribe, updateRules, webhookDeliveries,
  type AlertRule, type AlertView, type DeliveryLogEntry, type FeedView, type RuleSetting, type SubscriptionView, type WebhookView,
} from "../../monitor/index.ts";
import type { AppEnv } from "../env.ts";
import { formatTime, UUID_PARAM } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { field, fields, readForm, readJson } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/**
 * Monitoring alerts and their notifications, over JSON and as pages. Thin: src/monitor checks
 * permission first, then reads the body (passed lazily for that reason).
 */
export const alertRoutes = new Hono<AppEnv>();

const ID = `:id{${UUID_PARAM}}`;

function alertJson(a: AlertView) {
  return {
    id: a.id, described: a.described, rule: a.rule, detention: a.detentionId, person: a.personId, facility: a.facilityId, status: a.status, days: a.days, fact: a.fact,
    raisedAt: a.raisedAt.toISOString(), acknowledged: a.acknowledged ? { at: a.acknowledged.at.toISOString(), by: a.acknowledged.by } : null,
    ...(a.read === undefined ? {} : { read: a.read }),
  };
}
const ruleJson = (r: RuleSetting) => ({ rule: r.rule, enabled: r.enabled, windowDays: r.windowDays, updatedAt: r.updatedAt?.toISOString() ?? null });
const subscriptionJson = (s: SubscriptionView) => ({ id: s.id, kind: s.kind, target: s.target, label: s.label, statuses: s.statuses, rules: s.rules, email: s.email, createdAt: s.createdAt.toISOString() });
const webhookJson = (w: WebhookView) => ({ id: w.id, url: w.url, description: w.description, createdAt: w.createdAt.toISOString(), revokedAt: w.revokedAt?.toISOString() ?? null });
const feedJson = (f: FeedView) => ({ id: f.id, title: f.title, createdAt: f.createdAt.toISOString(), revokedAt: f.revokedAt?.toISOString() ?? null });
const deliveryJson = (d: DeliveryLogEntry) => ({
  id: d.id, alert: d.alertId, state: d.state, createdAt: d.createdAt.toISOString(),
  attempts: d.attempts.map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), status: a.status, error: a.error, durationMs: a.durationMs })),
});

function isRule(value: string | undefined): value is AlertRule {
  return (ALERT_RULES as readonly string[]).includes(value ?? "");
}

// ——— API ———

alertRoutes.get("/api/v1/alerts", async (c) => {
  const { actor } = requirePrincipal(c);
  const rule = c.req.query("rule");
  const limit = Number(c.req.query("limit") ?? "50");
  const page = await listAlerts(c.var.services, c.var.origin, actor, {
    open: c.req.query("state") === "open",
    ...(isRule(rule) ? { rule } : {}),
    ...(c.req.query("cursor") ? { before: c.req.query("cursor")! } : {}),
    limit: Number.isFinite(limit) ? limit : 50,
  });
  return c.json({ alerts: page.alerts.map(alertJson), nextCursor: page.nextCursor });
});

alertRoutes.get("/api/v1/alerts/inbox", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ alerts: (await inbox(c.var.services, c.var.origin, actor)).map(alertJson) });
});

alertRoutes.get(`/api/v1/alerts/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(alertJson(await getAlert(c.var.services, c.var.origin, actor, c.req.param("id"))));
});

alertRoutes.post(`/api/v1/alerts/${ID}/acknowledge`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(alertJson(await acknowledgeAlert(c.var.services, c.var.origin, actor, c.req.param("id"))));
});

alertRoutes.get("/api/v1/alert-rules", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ rules: (await listRules(c.var.services, c.var.origin, actor)).map(ruleJson) });
});

alertRoutes.post("/api/v1/alert-rules", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ rules: (await updateRules(c.var.services, c.var.origin, actor, () => readJson(c))).map(ruleJson) });
});

alertRoutes.get("/api/v1/subscriptions", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ subscriptions: (await listSubscriptions(c.var.services, c.var.origin, actor)).map(subscriptionJson) });
});

alertRoutes.post("/api/v1/subscriptions", async (c) => {
  const { actor } = requirePrincipal(c);
  const created = await subscribe(c.var.services, c.var.origin, actor, () => readJson(c));
  return c.json(subscriptionJson(created), 201);
});

alertRoutes.delete(`/api/v1/subscriptions/${ID}`, async (c) => {
  const { actor } = requirePrincipal(c);
  await unsubscribe(c.var.services, c.var.origin, actor, c.req.param("id"));
  return c.body(null, 204);
});

alertRoutes.get("/api/v1/webhooks", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ webhooks: (await listWebhooks(c.var.services, c.var.origin, actor)).map(webhookJson) });
});

alertRoutes.post("/api/v1/webhooks", async (c) => {
  const { actor } = requirePrincipal(c);
  const created = await createWebhook(c.var.services, c.var.origin, actor, () => readJson(c));
  return c.json({ ...webhookJson(created), secret: created.secret }, 201);
});

alertRoutes.post(`/api/v1/webhooks/${ID}/revoke`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(webhookJson(await revokeWebhook(c.var.services, c.var.origin, actor, c.req.param("id"))));
});

alertRoutes.get(`/api/v1/webhooks/${ID}/deliveries`, async (c) => {
  const { actor } = requirePrincipal(c);
  const log = await webhookDeliveries(c.var.services, c.var.origin, actor, c.req.param("id"));
  return c.json({ webhook: webhookJson(log.webhook), deliveries: log.deliveries.map(deliveryJson) });
});

alertRoutes.get("/api/v1/feeds", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ feeds: (await listFeeds(c.var.services, c.var.origin, actor)).map(feedJson) });
});

alertRoutes.post("/api/v1/feeds", async (c) => {
  const { actor } = requirePrincipal(c);
  const created = await createFeed(c.var.services, c.var.origin, actor, () => readJson(c));
  return c.json({ ...feedJson(created), url: new URL(created.path, c.req.url).toString() }, 201);
});

alertRoutes.post(`/api/v1/feeds/${ID}/revoke`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(feedJson(await revokeFeed(c.var.services, c.var.origin, actor, c.req.param("id"))));
});

// The secret address itself: no session (feed readers have none); the token is the credential.
alertRoutes.get("/feeds/:token{vgf_[A-Za-z0-9_-]{43}}", async (c) => {
  const body = await readFeed(c.var.services, c.req.param("token"));
  c.header("Cache-Control", "private, no-store");
  c.header("Referrer-Policy", "no-referrer");
  return c.body(body, 200, { "content-type": "application/atom+xml; charset=utf-8" });
});

// ——— Pages ———

function canDo(page: PageContext, action: "alert.acknowledge" | "alert.configure" | "alert.subscribe-organisation"): boolean {
  const actor = page.principal?.actor;
  return !!actor && can(actor, action, { kind: "alerts", orgId: actor.orgId });
}

function AlertSummary({ page, alert }: { page: PageContext; alert: AlertView }) {
  const { t } = page;
  if (!alert.described) return <span>{t("alerts.needsAttention")}</span>;
  const rule = t(`alerts.rule.${alert.rule}`);
  return (
    <span>
      {rule}
      {alert.days !== null ? ` · ${t("alerts.daysSilent", { n: String(alert.days) })}` : ""}
      {alert.status ? ` · ${alert.status}` : ""}
    </span>
  );
}

function AlertsTable({ page, alerts, caption }: { page: PageContext; alerts: AlertView[]; caption: string }) {
  const { t, locale } = page;
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t("alerts.raised")}</th>
          <th scope="col">{t("alerts.what")}</th>
          <th scope="col">{t("alerts.case")}</th>
          <th scope="col">{t("alerts.state")}</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr>
            <td>
              <a href={`/alerts/${a.id}`}>{formatTime(locale, a.raisedAt)}</a>
            </td>
            <td>
              {a.read === false ? <strong>{t("alerts.unread")} </strong> : null}
              <AlertSummary page={page} alert={a} />
            </td>
            <td>
              <a href={`/records/${a.detentionId}`}>{t("alerts.openCase")}</a>
            </td>
            <td>{a.acknowledged ? t("alerts.acknowledged") : t("alerts.open")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SubNav({ page }: { page: PageContext }) {
  const { t } = page;
  return (
    <p>
      <a href="/alerts">{t("alerts.title")}</a> · <a href="/alerts/watch">{t("alerts.watch.title")}</a>
      {canDo(page, "alert.configure") ? (
        <>
          {" "}· <a href="/alerts/rules">{t("alerts.rules.title")}</a> · <a href="/alerts/webhooks">{t("alerts.webhooks.title")}</a>
        </>
      ) : null}
    </p>
  );
}

alertRoutes.get("/alerts", async (c) => {
  const { actor } = signedIn(c);
  const open = c.req.query("state") !== "all";
  const [mine, all] = await Promise.all([inbox(c.var.services, c.var.origin, actor), listAlerts(c.var.services, c.var.origin, actor, { open })]);
  return renderPage(c, c.var.t("alerts.title"), (page) => (
    <>
      <h1>{page.t("alerts.title")}</h1>
      <SubNav page={page} />
      <h2>{page.t("alerts.inbox")}</h2>
      {mine.length === 0 ? <p>{page.t("alerts.inboxEmpty")}</p> : <AlertsTable page={page} alerts={mine} caption={page.t("alerts.inbox")} />}
      <h2>{page.t("alerts.organisation")}</h2>
      <p>
        {open ? <a href="/alerts?state=all">{page.t("alerts.showAll")}</a> : <a href="/alerts">{page.t("alerts.showOpen")}</a>}
      </p>
      {all.alerts.length === 0 ? <p>{page.t("alerts.none")}</p> : <AlertsTable page={page} alerts={all.alerts} caption={page.t("alerts.organisation")} />}
    </>
  ));
});

alertRoutes.get(`/alerts/${ID}`, async (c) => {
  const { actor } = signedIn(c);
  const alert = await getAlert(c.var.services, c.var.origin, actor, c.req.param("id"));
  const notice = c.req.query("done") === "acknowledged" ? c.var.t("alerts.done.acknowledged") : null;
  return renderPage(c, c.var.t("alerts.alertTitle"), (page) => (
    <>
      <h1>{page.t("alerts.alertTitle")}</h1>
      <SubNav page={page} />
      <Notice text={notice} />
      <dl>
        <dt>{page.t("alerts.what")}</dt>
        <dd>
          <AlertSummary page={page} alert={alert} />
        </dd>
        <dt>{page.t("alerts.raised")}</dt>
        <dd>{formatTime(page.locale, alert.raisedAt)}</dd>
        <dt>{page.t("alerts.case")}</dt>
        <dd>
          <a href={`/records/${alert.detentionId}`}>{page.t("alerts.openCase")}</a>
          {alert.personId ? (
            <>
              {" "}· <a href={`/records/${alert.personId}`}>{page.t("alerts.openPerson")}</a>
            </>
          ) : null}
        </dd>
        <dt>{page.t("alerts.state")}</dt>
        <dd>{alert.acknowledged ? page.t("alerts.acknowledgedOn", { at: formatTime(page.locale, alert.acknowledged.at) }) : page.t("alerts.open")}</dd>
      </dl>
      {!alert.acknowledged && canDo(page, "alert.acknowledge") ? (
        <form method="post" action={`/alerts/${alert.id}/acknowledge`}>
          <Csrf page={page} />
          <button type="submit">{page.t("alerts.acknowledge")}</button>
        </form>
      ) : null}
    </>
  ));
});

alertRoutes.post(`/alerts/${ID}/acknowledge`, async (c) => {
  const { actor } = signedIn(c);
  await acknowledgeAlert(c.var.services, c.var.origin, actor, c.req.param("id"));
  throw new Redirect(`/alerts/${c.req.param("id")}?done=acknowledged`);
});

// Rules (administrators).

function RulesPage({ page, rules, problem }: { page: PageContext; rules: RuleSetting[]; problem?: FormProblem | undefined }) {
  const { t } = page;
  const e = problem?.errors ?? {};
  const windowError = Object.entries(e).find(([k]) => k.endsWith("windowDays"))?.[1];
  const silence = rules.find((r) => r.rule === "silence")!;
  return (
    <>
      <h1>{t("alerts.rules.title")}</h1>
      <SubNav page={page} />
      <p>{t("alerts.rules.intro")}</p>
      <form method="post" action="/alerts/rules">
        <Csrf page={page} />
        <ErrorSummary page={page} message={problem?.message} errors={windowError ? { windowDays: windowError } : {}} />
        <fieldset>
          <legend>{t("alerts.rules.enabled")}</legend>
          {rules.map((r) => (
            <div class="field">
              <input type="checkbox" id={`f-rule-${r.rule}`} name="enabled" value={r.rule} checked={r.enabled} />
              <label for={`f-rule-${r.rule}`}>{t(`alerts.rule.${r.rule}`)}</label>
            </div>
          ))}
        </fieldset>
        <div class={windowError ? "field has-error" : "field"}>
          <label for="f-windowDays">{t("alerts.rules.window")}</label>
          <p class="hint" id="f-windowDays-hint">{t("alerts.rules.windowHint")}</p>
          {windowError ? <p class="field-error">{windowError}</p> : null}
          <input id="f-windowDays" name="windowDays" inputmode="numeric" value={String(silence.windowDays ?? "")} required aria-describedby="f-windowDays-hint" aria-invalid={windowError ? "true" : undefined} />
        </div>
        <button type="submit">{t("alerts.rules.save")}</button>
      </form>
    </>
  );
}

/** The service's window messages, in the reader's language. */
function windowMessage(t: PageContext["t"], message: string): string {
  if (/at least/.test(message)) return t("alerts.rules.tooShort");
  if (/at most/.test(message)) return t("alerts.rules.tooLong");
  return t("alerts.rules.notWhole");
}

alertRoutes.get("/alerts/rules", async (c) => {
  const { actor } = signedIn(c);
  if (!can(actor, "alert.configure", { kind: "alerts", orgId: actor.orgId })) throw new Forbidden();
  const rules = await listRules(c.var.services, c.var.origin, actor);
  const notice = c.req.query("done") === "saved" ? c.var.t("alerts.rules.saved") : null;
  return renderPage(c, c.var.t("alerts.rules.title"), (page) => (
    <>
      <Notice text={notice} />
      <RulesPage page={page} rules={rules} />
    </>
  ));
});

alertRoutes.post("/alerts/rules", async (c) => {
  const { actor } = signedIn(c);
  try {
    await updateRules(c.var.services, c.var.origin, actor, async () => {
      const form = await readForm(c);
      const enabled = new Set(fields(form, "enabled"));
      return { rules: ALERT_RULES.map((rule) => ({ rule, enabled: enabled.has(rule), ...(rule === "silence" ? { windowDays: field(form, "windowDays") } : {}) })) };
    });
  } catch (error) {
    const problem = formProblem(c, error);
    const t = c.var.t;
    problem.errors = Object.fromEntries(Object.entries(problem.errors).map(([k, v]) => [k, k.endsWith("windowDays") ? windowMessage(t, v) : v]));
    problem.message = t("alerts.rules.invalid");
    const rules = await listRules(c.var.services, c.var.origin, actor);
    return renderPage(c, t("alerts.rules.title"), (page) => <RulesPage page={page} rules={rules} problem={problem} />, problem.status);
  }
  throw new Redirect("/alerts/rules?done=saved");
});

// Watching: subscriptions and feeds (every reader, for themself).

function WatchPage({ page, subscriptions, feeds, newFeedUrl, problem }: { page: PageContext; subscriptions: SubscriptionView[]; feeds: FeedView[]; newFeedUrl?: string | undefined; problem?: FormProblem | undefined }) {
  const { t, locale } = page;
  const e = problem?.errors ?? {};
  return (
    <>
      <h1>{t("alerts.watch.title")}</h1>
      <SubNav page={page} />
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      {subscriptions.length === 0 ? (
        <p>{t("alerts.watch.none")}</p>
      ) : (
        <table>
          <caption>{t("alerts.watch.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("alerts.watch.kind")}</th>
              <th scope="col">{t("alerts.watch.target")}</th>
              <th scope="col">{t("alerts.watch.email")}</th>
              <th scope="col">{t("alerts.watch.remove")}</th>
            </tr>
          </thead>
          <tbody>
            {subscriptions.map((s) => (
              <tr>
                <td>{t(`alerts.watch.kinds.${s.kind}`)}</td>
                <td>{s.target ? <a href={`/records/${s.target}`}>{s.target}</a> : s.label ? <span dir="auto">{s.label}</span> : "—"}</td>
                <td>{s.email ? t("alerts.yes") : t("alerts.no")}</td>
                <td>
                  <form method="post" action={`/alerts/watch/${s.id}/remove`}>
                    <Csrf page={page} />
                    <button type="submit">{t("alerts.watch.remove")}</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section aria-labelledby="watch-new">
        <h2 id="watch-new">{t("alerts.watch.add")}</h2>
        <form method="post" action="/alerts/watch">
          <Csrf page={page} />
          <div class={e.kind ? "field has-error" : "field"}>
            <label for="f-kind">{t("alerts.watch.kind")}</label>
            <select id="f-kind" name="kind">
              {(["detention", "person", "facility", "search", ...(canDo(page, "alert.subscribe-organisation") ? ["organisation"] : [])] as const).map((k) => (
                <option value={k}>{t(`alerts.watch.kinds.${k}`)}</option>
              ))}
            </select>
          </div>
          <div class={e.target ? "field has-error" : "field"}>
            <label for="f-target">{t("alerts.watch.target")}</label>
            <p class="hint" id="f-target-hint">{t("alerts.watch.targetHint")}</p>
            {e.target ? <p class="field-error">{e.target}</p> : null}
            <input id="f-target" name="target" dir="ltr" aria-describedby="f-target-hint" />
          </div>
          <div class={e.label ? "field has-error" : "field"}>
            <label for="f-label">{t("alerts.watch.label")}</label>
            <input id="f-label" name="label" dir="auto" maxlength={200} />
          </div>
          <fieldset>
            <legend>{t("alerts.watch.rules")}</legend>
            {ALERT_RULES.map((r) => (
              <div class="field">
                <input type="checkbox" id={`f-watch-${r}`} name="rules" value={r} />
                <label for={`f-watch-${r}`}>{t(`alerts.rule.${r}`)}</label>
              </div>
            ))}
          </fieldset>
          <div class="field">
            <input type="checkbox" id="f-email" name="email" value="yes" checked />
            <label for="f-email">{t("alerts.watch.byEmail")}</label>
          </div>
          <button type="submit">{t("alerts.watch.addButton")}</button>
        </form>
      </section>
      <section aria-labelledby="feeds">
        <h2 id="feeds">{t("alerts.feeds.title")}</h2>
        <p>{t("alerts.feeds.intro")}</p>
        {newFeedUrl ? (
          <p class="notice" role="status">
            {t("alerts.feeds.once")} <code dir="ltr">{newFeedUrl}</code>
          </p>
        ) : null}
        <ul>
          {feeds.map((f) => (
            <li>
              <span dir="auto">{f.title}</span> · {formatTime(locale, f.createdAt)} ·{" "}
              {f.revokedAt ? (
                t("alerts.feeds.revoked")
              ) : (
                <form method="post" action={`/alerts/feeds/${f.id}/revoke`} class="inline">
                  <Csrf page={page} />
                  <button type="submit">{t("alerts.feeds.revoke")}</button>
                </form>
              )}
            </li>
          ))}
        </ul>
        <form method="post" action="/alerts/feeds">
          <Csrf page={page} />
          <div class={e.title ? "field has-error" : "field"}>
            <label for="f-title">{t("alerts.feeds.name")}</label>
            <input id="f-title" name="title" dir="auto" required maxlength={200} />
          </div>
          <button type="submit">{t("alerts.feeds.create")}</button>
        </form>
      </section>
    </>
  );
}

async function showWatch(c: Context<AppEnv>, problem?: FormProblem, newFeedUrl?: string) {
  const { actor } = signedIn(c);
  const [subscriptions, feeds] = await Promise.all([listSubscriptions(c.var.services, c.var.origin, actor), listFeeds(c.var.services, c.var.origin, actor)]);
  return renderPage(c, c.var.t("alerts.watch.title"), (page) => <WatchPage page={page} subscriptions={subscriptions} feeds={feeds} newFeedUrl={newFeedUrl} problem={problem} />, problem?.status ?? 200);
}

alertRoutes.get("/alerts/watch", (c) => showWatch(c));

alertRoutes.post("/alerts/watch", async (c) => {
  const { actor } = signedIn(c);
  try {
    await subscribe(c.var.services, c.var.origin, actor, async () => {
      const form = await readForm(c);
      const kind = field(form, "kind");
      const target = field(form, "target").trim().toLowerCase();
      const label = field(form, "label").trim();
      const rules = fields(form, "rules");
      return { kind, ...(target ? { target } : {}), ...(label ? { label } : {}), ...(rules.length ? { rules } : {}), email: field(form, "email") === "yes" };
    });
  } catch (error) {
    return showWatch(c, formProblem(c, error));
  }
  throw new Redirect("/alerts/watch");
});

alertRoutes.post(`/alerts/watch/${ID}/remove`, async (c) => {
  const { actor } = signedIn(c);
  await unsubscribe(c.var.services, c.var.origin, actor, c.req.param("id"));
  throw new Redirect("/alerts/watch");
});

alertRoutes.post("/alerts/feeds", async (c) => {
  const { actor } = signedIn(c);
  try {
    const created = await createFeed(c.var.services, c.var.origin, actor, async () => ({ title: field(await readForm(c), "title") }));
    return showWatch(c, undefined, new URL(created.path, c.req.url).toString());
  } catch (error) {
    return showWatch(c, formProblem(c, error));
  }
});

alertRoutes.post(`/alerts/feeds/${ID}/revoke`, async (c) => {
  const { actor } = signedIn(c);
  await revokeFeed(c.var.services, c.var.origin, actor, c.req.param("id"));
  throw new Redirect("/alerts/watch");
});

// Webhooks (administrators): endpoints, the secret shown once, and each endpoint's delivery log.

function WebhooksPage({ page, hooks, created, problem }: { page: PageContext; hooks: WebhookView[]; created?: { url: string; secret: string } | undefined; problem?: FormProblem | undefined }) {
  const { t, locale } = page;
  const e = problem?.errors ?? {};
  return (
    <>
      <h1>{t("alerts.webhooks.title")}</h1>
      <SubNav page={page} />
      <p>{t("alerts.webhooks.intro")}</p>
      {created ? (
        <div class="notice" role="status">
          <p>{t("alerts.webhooks.secretOnce")}</p>
          <p>
            <code dir="ltr">{created.secret}</code>
          </p>
        </div>
      ) : null}
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      {hooks.length === 0 ? (
        <p>{t("alerts.webhooks.none")}</p>
      ) : (
        <table>
          <caption>{t("alerts.webhooks.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("alerts.webhooks.url")}</th>
              <th scope="col">{t("alerts.webhooks.created")}</th>
              <th scope="col">{t("alerts.state")}</th>
            </tr>
          </thead>
          <tbody>
            {hooks.map((h) => (
              <tr>
                <td dir="ltr">
                  <a href={`/alerts/webhooks/${h.id}`}>{h.url}</a>
                </td>
                <td>{formatTime(locale, h.createdAt)}</td>
                <td>
                  {h.revokedAt ? (
                    t("alerts.webhooks.revoked")
                  ) : (
                    <form method="post" action={`/alerts/webhooks/${h.id}/revoke`}>
                      <Csrf page={page} />
                      <button type="submit">{t("alerts.webhooks.revoke")}</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section aria-labelledby="new-hook">
        <h2 id="new-hook">{t("alerts.webhooks.add")}</h2>
        <form method="post" action="/alerts/webhooks">
          <Csrf page={page} />
          <div class={e.url ? "field has-error" : "field"}>
            <label for="f-url">{t("alerts.webhooks.url")}</label>
            {e.url ? <p class="field-error">{e.url}</p> : null}
            <input id="f-url" name="url" type="url" dir="ltr" required maxlength={2000} />
          </div>
          <div class="field">
            <label for="f-description">{t("alerts.webhooks.description")}</label>
            <input id="f-description" name="description" dir="auto" maxlength={500} />
          </div>
          <button type="submit">{t("alerts.webhooks.addButton")}</button>
        </form>
      </section>
    </>
  );
}

async function showWebhooks(c: Context<AppEnv>, problem?: FormProblem, created?: { url: string; secret: string }) {
  const { actor } = signedIn(c);
  const hooks = await listWebhooks(c.var.services, c.var.origin, actor);
  return renderPage(c, c.var.t("alerts.webhooks.title"), (page) => <WebhooksPage page={page} hooks={hooks} created={created} problem={problem} />, problem?.status ?? 200);
}

alertRoutes.get("/alerts/webhooks", (c) => showWebhooks(c));

alertRoutes.post("/alerts/webhooks", async (c) => {
  const { actor } = signedIn(c);
  try {
    const created = await createWebhook(c.var.services, c.var.origin, actor, async () => {
      const form = await readForm(c);
      const description = field(form, "description").trim();
      return { url: field(form, "url"), ...(description ? { description } : {}) };
    });
    return showWebhooks(c, undefined, { url: created.url, secret: created.secret });
  } catch (error) {
    return showWebhooks(c, formProblem(c, error));
  }
});

alertRoutes.post(`/alerts/webhooks/${ID}/revoke`, async (c) => {
  const { actor } = signedIn(c);
  await revokeWebhook(c.var.services, c.var.origin, actor, c.req.param("id"));
  throw new Redirect("/alerts/webhooks");
});

alertRoutes.get(`/alerts/webhooks/${ID}`, async (c) => {
  const { actor } = signedIn(c);
  const log = await webhookDeliveries(c.var.services, c.var.origin, actor, c.req.param("id"));
  return renderPage(c, c.var.t("alerts.webhooks.log"), (page) => (
    <>
      <h1>{page.t("alerts.webhooks.log")}</h1>
      <SubNav page={page} />
      <p dir="ltr">
        <code>{log.webhook.url}</code>
      </p>
      {log.deliveries.length === 0 ? (
        <p>{page.t("alerts.webhooks.noDeliveries")}</p>
      ) : (
        <table>
          <caption>{page.t("alerts.webhooks.log")}</caption>
          <thead>
            <tr>
              <th scope="col">{page.t("alerts.webhooks.attemptAt")}</th>
              <th scope="col">{page.t("alerts.webhooks.alert")}</th>
              <th scope="col">{page.t("alerts.webhooks.status")}</th>
              <th scope="col">{page.t("alerts.webhooks.error")}</th>
              <th scope="col">{page.t("alerts.state")}</th>
            </tr>
          </thead>
          <tbody>
            {log.deliveries.flatMap((d) =>
              (d.attempts.length ? d.attempts : [null]).map((a) => (
                <tr>
                  <td>{a ? formatTime(page.locale, a.at) : formatTime(page.locale, d.createdAt)}</td>
                  <td>
                    <a href={`/alerts/${d.alertId}`}>{d.alertId.slice(0, 8)}</a>
                  </td>
                  <td>{a?.status ?? "—"}</td>
                  <td dir="ltr">{a?.error ?? ""}</td>
                  <td>{page.t(`alerts.delivery.${d.state}`)}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
    </>
  ));
});
