import { Hono, type Context } from "hono";
import { can } from "../../core/index.ts";
import {
  addListMembers, createList, getList, listLists, removeListMembers, setListArchived, type ListSummary, type ListView,
} from "../../screening/index.ts";
import type { AppEnv } from "../env.ts";
import { formatTime } from "../format.ts";
import { requirePrincipal } from "../middleware/auth.ts";
import { field, readForm, readJson } from "../middleware/body.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import { formProblem, Redirect, renderPage, signedIn, type FormProblem } from "../render.tsx";

/**
 * Named lists to screen against (`POST /api/v1/match/{list}`), over JSON and as pages. Thin:
 * src/screening checks permission first, then reads the body (passed lazily for that reason).
 */
export const listRoutes = new Hono<AppEnv>();

const LIST = ":list{[a-z0-9][a-z0-9_-]{0,63}}";

function summaryJson(l: ListSummary) {
  return { id: l.id, name: l.name, title: l.title, createdAt: l.createdAt.toISOString(), archived: l.archived ? { at: l.archived.at.toISOString(), reason: l.archived.reason } : null, members: l.members };
}

function listJson(l: ListView) {
  return { ...summaryJson(l), entries: l.entries.map((e) => ({ id: e.id, schema: e.schema, caption: e.caption, addedAt: e.addedAt.toISOString() })) };
}

// ——— API ———

listRoutes.get("/api/v1/lists", async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json({ lists: (await listLists(c.var.services, c.var.origin, actor)).map(summaryJson) });
});

listRoutes.post("/api/v1/lists", async (c) => {
  const { actor } = requirePrincipal(c);
  const created = await createList(c.var.services, c.var.origin, actor, () => readJson(c));
  c.header("Location", `/api/v1/lists/${created.name}`);
  return c.json(summaryJson(created), 201);
});

listRoutes.get(`/api/v1/lists/${LIST}`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(listJson(await getList(c.var.services, c.var.origin, actor, c.req.param("list"))));
});

listRoutes.post(`/api/v1/lists/${LIST}/members`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(listJson(await addListMembers(c.var.services, c.var.origin, actor, c.req.param("list"), () => readJson(c))));
});

listRoutes.post(`/api/v1/lists/${LIST}/members/remove`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(listJson(await removeListMembers(c.var.services, c.var.origin, actor, c.req.param("list"), () => readJson(c))));
});

listRoutes.post(`/api/v1/lists/${LIST}/archive`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(summaryJson(await setListArchived(c.var.services, c.var.origin, actor, c.req.param("list"), true, () => readJson(c))));
});

listRoutes.post(`/api/v1/lists/${LIST}/restore`, async (c) => {
  const { actor } = requirePrincipal(c);
  return c.json(summaryJson(await setListArchived(c.var.services, c.var.origin, actor, c.req.param("list"), false, () => readJson(c))));
});

// ——— Pages ———

const DONE = new Set(["created", "added", "removed", "archived", "restored"]);

function canManage(page: PageContext): boolean {
  const actor = page.principal?.actor;
  return !!actor && can(actor, "names.manage-lists", { kind: "records", orgId: actor.orgId });
}

function ListsPage({ page, lists, input, problem }: { page: PageContext; lists: ListSummary[]; input: { name: string; title: string }; problem?: FormProblem | undefined }) {
  const { t } = page;
  const e = problem?.errors ?? {};
  return (
    <>
      <h1>{t("lists.title")}</h1>
      <p>{t("lists.intro")}</p>
      {lists.length === 0 ? (
        <p>{t("lists.none")}</p>
      ) : (
        <table>
          <caption>{t("lists.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("lists.name")}</th>
              <th scope="col">{t("lists.listTitle")}</th>
              <th scope="col">{t("lists.members")}</th>
              <th scope="col">{t("lists.status")}</th>
            </tr>
          </thead>
          <tbody>
            {lists.map((l) => (
              <tr>
                <td dir="ltr">
                  <a href={`/lists/${l.name}`}>{l.name}</a>
                </td>
                <td dir="auto">{l.title}</td>
                <td>{l.members}</td>
                <td>{l.archived ? t("lists.archived") : t("lists.active")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canManage(page) ? (
        <section aria-labelledby="new-list">
          <h2 id="new-list">{t("lists.create")}</h2>
          <form method="post" action="/lists">
            <Csrf page={page} />
            <ErrorSummary page={page} message={problem?.message} errors={e} />
            <div class={e.name ? "field has-error" : "field"}>
              <label for="f-name">{t("lists.name")}</label>
              <p class="hint" id="f-name-hint">{t("lists.nameHint")}</p>
              <input id="f-name" name="name" value={input.name} dir="ltr" required maxlength={64} aria-describedby="f-name-hint" />
            </div>
            <div class={e.title ? "field has-error" : "field"}>
              <label for="f-title">{t("lists.listTitle")}</label>
              <input id="f-title" name="title" value={input.title} dir="auto" required maxlength={200} />
            </div>
            <button type="submit">{t("lists.createButton")}</button>
          </form>
        </section>
      ) : null}
    </>
  );
}

interface ListPageInput {
  ids: string;
  reason: string;
}

function MembersTable({ page, list, selectable }: { page: PageContext; list: ListView; selectable: boolean }) {
  const { t, locale } = page;
  return (
    <table>
      <caption>{t("lists.membersCaption")}</caption>
      <thead>
        <tr>
          {selectable ? <th scope="col">{t("lists.select")}</th> : null}
          <th scope="col">{t("lists.record")}</th>
          <th scope="col">{t("lists.schema")}</th>
          <th scope="col">{t("lists.added")}</th>
        </tr>
      </thead>
      <tbody>
        {list.entries.map((m, i) => (
          <tr>
            {selectable ? (
              <td>
                <input type="checkbox" name="ids" value={m.id} id={`m-${i}`} />
                <label for={`m-${i}`} class="visually-hidden">{m.caption}</label>
              </td>
            ) : null}
            <td>
              <span dir="auto">{m.caption}</span> <code>{m.id}</code>
            </td>
            <td>{m.schema}</td>
            <td>{formatTime(locale, m.addedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ListPage({ page, list, input, notice, problem }: { page: PageContext; list: ListView; input: ListPageInput; notice: string | null; problem?: FormProblem | undefined }) {
  const { t, locale } = page;
  const e = problem?.errors ?? {};
  const manage = canManage(page);
  const base = `/lists/${list.name}`;
  return (
    <>
      <h1 dir="auto">{list.title}</h1>
      <p>
        <a href="/lists">{t("lists.title")}</a> · {t("lists.screenWith")} <code dir="ltr">POST /api/v1/match/{list.name}</code>
      </p>
      <Notice text={notice} />
      <ErrorSummary page={page} message={problem?.message} errors={e} />
      <p>
        {t("lists.count", { n: String(list.members) })} {list.archived ? t("lists.archivedOn", { at: formatTime(locale, list.archived.at), reason: list.archived.reason }) : null}
      </p>
      {list.entries.length > 0 && manage ? (
        <form method="post" action={`${base}/members/remove`}>
          <Csrf page={page} />
          <MembersTable page={page} list={list} selectable />
          <div class={e.reason ? "field has-error" : "field"}>
            <label for="f-remove-reason">{t("lists.removeReason")}</label>
            <input id="f-remove-reason" name="reason" dir="auto" maxlength={2000} />
          </div>
          <button type="submit">{t("lists.remove")}</button>
        </form>
      ) : list.entries.length > 0 ? (
        <MembersTable page={page} list={list} selectable={false} />
      ) : null}
      {manage && !list.archived ? (
        <section aria-labelledby="add-members">
          <h2 id="add-members">{t("lists.add")}</h2>
          <form method="post" action={`${base}/members`}>
            <Csrf page={page} />
            <div class={e.ids || Object.keys(e).some((k) => k.startsWith("ids.")) ? "field has-error" : "field"}>
              <label for="f-ids">{t("lists.ids")}</label>
              <p class="hint" id="f-ids-hint">{t("lists.idsHint")}</p>
              <textarea id="f-ids" name="ids" rows={4} dir="ltr" aria-describedby="f-ids-hint">{input.ids}</textarea>
            </div>
            <button type="submit">{t("lists.addButton")}</button>
          </form>
        </section>
      ) : null}
      {manage ? (
        <section aria-labelledby="archive-list">
          <h2 id="archive-list">{list.archived ? t("lists.restore") : t("lists.archive")}</h2>
          <form method="post" action={`${base}/${list.archived ? "restore" : "archive"}`}>
            <Csrf page={page} />
            <div class="field">
              <label for="f-archive-reason">{t("lists.reason")}</label>
              <input id="f-archive-reason" name="reason" dir="auto" required maxlength={2000} />
            </div>
            <button type="submit">{list.archived ? t("lists.restoreButton") : t("lists.archiveButton")}</button>
          </form>
        </section>
      ) : null}
    </>
  );
}

async function showLists(c: Context<AppEnv>, input = { name: "", title: "" }, problem?: FormProblem) {
  const lists = await listLists(c.var.services, c.var.origin, signedIn(c).actor);
  return renderPage(c, c.var.t("lists.title"), (page) => <ListsPage page={page} lists={lists} input={input} problem={problem} />, problem?.status ?? 200);
}

async function showList(c: Context<AppEnv>, input: ListPageInput = { ids: "", reason: "" }, problem?: FormProblem) {
  const list = await getList(c.var.services, c.var.origin, signedIn(c).actor, c.req.param("list") ?? "");
  const done = c.req.query("done");
  const notice = !problem && done && DONE.has(done) ? c.var.t(`lists.done.${done}`) : null;
  return renderPage(c, list.title, (page) => <ListPage page={page} list={list} input={input} notice={notice} problem={problem} />, problem?.status ?? 200);
}

/** Record ids typed or pasted one per line (or separated by spaces or commas). */
function idsOf(text: string | string[]): string[] {
  return (Array.isArray(text) ? text : [text]).flatMap((t) => t.split(/[\s,;]+/)).map((t) => t.trim().toLowerCase()).filter((t) => t !== "");
}

listRoutes.get("/lists", async (c) => showLists(c));

listRoutes.post("/lists", async (c) => {
  const { actor } = signedIn(c);
  let input = { name: "", title: "" };
  try {
    const created = await createList(c.var.services, c.var.origin, actor, async () => {
      const form = await readForm(c);
      input = { name: field(form, "name"), title: field(form, "title") };
      return input;
    });
    throw new Redirect(`/lists/${created.name}?done=created`);
  } catch (error) {
    if (error instanceof Redirect) throw error;
    return showLists(c, input, formProblem(c, error));
  }
});

listRoutes.get(`/lists/${LIST}`, async (c) => showList(c));

/** Runs a change from a list's page: on success back to it with a notice, on a fixable error the page again. */
async function changeList(c: Context<AppEnv>, done: string, change: (read: () => Promise<Record<string, unknown>>) => Promise<unknown>) {
  signedIn(c);
  let input: ListPageInput = { ids: "", reason: "" };
  try {
    await change(async () => {
      const form = await readForm(c);
      input = { ids: field(form, "ids"), reason: field(form, "reason") };
      return { form, ids: idsOf(form.ids ?? ""), reason: field(form, "reason") };
    });
  } catch (error) {
    return showList(c, input, formProblem(c, error));
  }
  throw new Redirect(`/lists/${c.req.param("list")}?done=${done}`);
}

listRoutes.post(`/lists/${LIST}/members`, async (c) =>
  changeList(c, "added", (read) => addListMembers(c.var.services, c.var.origin, signedIn(c).actor, c.req.param("list"), async () => ({ ids: (await read()).ids }))),
);

listRoutes.post(`/lists/${LIST}/members/remove`, async (c) =>
  changeList(c, "removed", (read) =>
    removeListMembers(c.var.services, c.var.origin, signedIn(c).actor, c.req.param("list"), async () => {
      const { ids, reason } = await read();
      return { ids, reason };
    }),
  ),
);

listRoutes.post(`/lists/${LIST}/archive`, async (c) =>
  changeList(c, "archived", (read) => setListArchived(c.var.services, c.var.origin, signedIn(c).actor, c.req.param("list"), true, async () => ({ reason: (await read()).reason }))),
);

listRoutes.post(`/lists/${LIST}/restore`, async (c) =>
  changeList(c, "restored", (read) => setListArchived(c.var.services, c.var.origin, signedIn(c).actor, c.req.param("list"), false, async () => ({ reason: (await read()).reason }))),
);
