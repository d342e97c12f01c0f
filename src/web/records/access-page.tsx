// The access list of a record: who, besides administrators, may see it while it is restricted,
// directly or through a team; administrators (and editors on the list) grant and revoke.
import type { AccessListView, Assignee, EntityView, TeamView } from "../../records/index.ts";
import { Csrf, ErrorSummary, Notice, type PageContext } from "../pages/layout.tsx";
import type { FormProblem } from "../render.tsx";
import { BackToRecord } from "./entity-page.tsx";

export interface AccessPageView {
  entity: EntityView;
  access: AccessListView;
  members: Assignee[];
  teams: TeamView[];
  notice?: string | null;
  problem?: FormProblem | undefined;
}

function RevokeForm({ page, action, name, value, who }: { page: PageContext; action: string; name: "user" | "team"; value: string; who: string }) {
  return (
    <form method="post" action={action} class="inline">
      <Csrf page={page} />
      <input type="hidden" name={name} value={value} />
      <button type="submit" class="small danger">
        {page.t("records.access.revoke")}
        <span class="visually-hidden"> {who}</span>
      </button>
    </form>
  );
}

export function AccessPage(page: PageContext, view: AccessPageView) {
  const { t } = page;
  const { entity, access } = view;
  const base = `/records/${entity.id}/access`;
  const listed = new Set(access.users.map((u) => u.id));
  const teamsListed = new Set(access.teams.map((team) => team.id));
  const teamName = (id: string) => access.teams.find((team) => team.id === id)?.name ?? "";
  return (
    <>
      <BackToRecord page={page} entity={entity} />
      <h1>{t("records.access.title")}</h1>
      <Notice text={view.notice} />
      <ErrorSummary page={page} message={view.problem?.message} errors={view.problem?.errors} />
      <p>{access.restricted ? t("records.access.restricted") : t("records.access.open")}</p>
      <table>
        <caption>{t("records.access.people")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("records.access.name")}</th>
            <th scope="col">{t("records.access.how")}</th>
            <th scope="col">{t("records.access.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {access.users.map((u) => (
            <tr>
              <td dir="auto">{u.name}</td>
              <td>
                {[u.direct ? t("records.access.direct") : null, ...u.teams.map((id) => t("records.access.throughTeam", { team: teamName(id) }))].filter(Boolean).join(" · ")}
              </td>
              <td>
                {u.direct ? (
                  <RevokeForm page={page} action={`${base}/revoke`} name="user" value={u.id} who={u.name} />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {access.teams.length > 0 ? (
        <table>
          <caption>{t("records.access.teams")}</caption>
          <tbody>
            {access.teams.map((team) => (
              <tr>
                <td dir="auto">{team.name}</td>
                <td>
                  <RevokeForm page={page} action={`${base}/revoke`} name="team" value={team.id} who={team.name} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>{t("records.access.grantTitle")}</h2>
      <form method="post" action={base} class="filters">
        <Csrf page={page} />
        <div class="field">
          <label for="f-grant-user">{t("records.access.member")}</label>
          <select id="f-grant-user" name="user">
            {view.members.filter((m) => !listed.has(m.id)).map((m) => (
              <option value={m.id} dir="auto">
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t("records.access.grant")}</button>
      </form>
      {view.teams.some((team) => !teamsListed.has(team.id)) ? (
        <form method="post" action={base} class="filters">
          <Csrf page={page} />
          <div class="field">
            <label for="f-grant-team">{t("records.access.team")}</label>
            <select id="f-grant-team" name="team">
              {view.teams.filter((team) => !teamsListed.has(team.id)).map((team) => (
                <option value={team.id} dir="auto">
                  {team.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t("records.access.grantTeam")}</button>
        </form>
      ) : null}
      <p class="hint">{t("records.access.hint")}</p>
    </>
  );
}
