import type { Actor } from "../../src/core/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { createEntity, grantAccess, setArchived, updateEntity } from "../../src/records/index.ts";
import type { TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";

/**
 * A small world for the map's tests: places in East Turkestan with and without coordinates, and
 * incidents there, some of them hidden from a viewer in every way the records allow:
 *
 *   kashgar (39.47, 75.99)   two public incidents (arrest 2017-03, torture "2018?")
 *   urumqiA (43.83, 87.62)   one restricted incident (the viewer is not on its list)
 *   urumqiB (43.83, 87.62)   same spot as urumqiA: one incident, its torture value restricted
 *   aksu    (41.17, 80.26)   one incident whose link to the place is a restricted value; one archived
 *   hidden  (37.11, 79.92)   a restricted place, with one public incident
 *   secretLat (40, 80)       latitude restricted: the viewer cannot place it
 *   offWorld (200, 80)       latitude out of range; one incident
 *   nowhere                  no coordinates; one incident
 *   listed  (44.0, 81.3)     a restricted incident the viewer IS on the list of
 *   undated                  an incident at kashgar with no date
 *   elsewhere's org          an incident at kashgar's coordinates, in another organisation
 */
export interface MapWorld {
  admin: Actor;
  viewer: Actor;
  partner: Actor;
  outsider: Actor;
  ids: Record<string, string>;
}

export async function buildMapWorld(services: TestServices): Promise<MapWorld> {
  const org = await setUpOrganisation(services);
  const { principal } = await sessionFor(services, org.adminEmail);
  const admin = principal.actor;
  const viewer = (await addMember(services, principal, "viewer", "viewer@watch.example")).principal.actor;
  const partner = (await addMember(services, principal, "partner", "partner@watch.example")).principal.actor;
  const other = await addOrganisation(services, "elsewhere");
  const outsider = (await sessionFor(services, other.adminEmail)).principal.actor;
  const ids: Record<string, string> = {};
  const create = async (key: string, actor: Actor, body: Record<string, unknown>) => {
    ids[key] = (await createEntity(services, NO_ORIGIN, actor, body)).id;
    return ids[key]!;
  };
  const place = (key: string, name: string, lat: unknown, lon: unknown, extra: Record<string, unknown> = {}) =>
    create(key, admin, { schema: "Address", ...extra, properties: { name: [name], ...(lat === null ? {} : { latitude: [lat], longitude: [lon] }) } });
  await place("kashgar", "Kashgar city prison", "39.47", "75.99");
  await place("urumqiA", "Urumqi No. 3 detention centre", "43.83", "87.62");
  await place("urumqiB", "Urumqi police station", "43,83", "87.62");
  await place("aksu", "Aksu re-education camp", "41.17", "80.26");
  await place("hidden", "Site near Hotan", "37.11", "79.92", { restricted: true });
  await place("secretLat", "Unmarked compound", { value: "40", sensitivity: "restricted" }, "80");
  await place("offWorld", "Mistyped place", "200", "80");
  await place("nowhere", "A village", null, null);
  await place("listedPlace", "Ghulja detention centre", "44.0", "81.3");

  const incident = (key: string, name: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    create(key, admin, { schema: "Incident", ...extra, properties: { name: [name], ...properties } });
  await incident("arrest", "Arrest of a teacher in Kashgar", { violation: ["arbitrary-arrest"], date: ["2017-03"], place: [ids.kashgar] });
  await incident("torture", "Torture reported in Kashgar prison", { violation: ["torture"], date: ["2018?"], place: [ids.kashgar] });
  await incident("secret", "Restricted incident in Urumqi", { violation: ["enforced-disappearance"], date: ["2019-05-02"], place: [ids.urumqiA] }, { restricted: true });
  await incident("station", "Beating at the police station", { violation: ["arbitrary-detention", { value: "torture", sensitivity: "restricted" }], date: ["2016/2018"], place: [ids.urumqiB] });
  await incident("aksuLink", "Disappearance from Aksu", { violation: ["enforced-disappearance"], date: ["2018-11"], place: [{ value: ids.aksu, sensitivity: "restricted" }] });
  const archived = await incident("archived", "Archived incident at Aksu", { violation: ["torture"], date: ["2018"], place: [ids.aksu] });
  await setArchived(services, NO_ORIGIN, admin, archived, true, { reason: "entered twice" });
  await incident("atHidden", "Detention near Hotan", { violation: ["arbitrary-detention"], date: ["2020"], place: [ids.hidden] });
  await incident("atSecretLat", "Detention at the compound", { violation: ["arbitrary-detention"], date: ["2020-02"], place: [ids.secretLat] });
  await incident("atOffWorld", "Mistyped incident", { violation: ["torture"], date: ["2015"], place: [ids.offWorld] });
  await incident("atNowhere", "Incident in a village", { violation: ["torture"], date: ["2014"], place: [ids.nowhere] });
  const listed = await incident("listed", "Restricted incident the viewer may see", { violation: ["torture"], date: ["2021-XX-XX"], place: [ids.listedPlace] }, { restricted: true });
  await grantAccess(services, NO_ORIGIN, admin, listed, { user: viewer.userId });
  await incident("undated", "Undated incident in Kashgar", { violation: ["arbitrary-arrest"], place: [ids.kashgar] });
  // An edit leaves the earlier statements retracted: only the current place counts.
  const moved = await incident("moved", "Incident moved from Aksu to Kashgar", { violation: ["torture"], date: ["2019"], place: [ids.aksu] });
  await updateEntity(services, NO_ORIGIN, admin, moved, { revision: 1, reason: "the place was wrong", properties: { place: [ids.kashgar] } });

  const theirs = (await createEntity(services, NO_ORIGIN, outsider, { schema: "Address", properties: { name: ["Their Kashgar"], latitude: ["39.47"], longitude: ["75.99"] } })).id;
  ids.theirPlace = theirs;
  ids.theirIncident = (await createEntity(services, NO_ORIGIN, outsider, { schema: "Incident", properties: { name: ["Their incident"], violation: ["torture"], date: ["2018"], place: [theirs] } })).id;
  return { admin, viewer, partner, outsider, ids };
}
