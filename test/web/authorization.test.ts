import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { inviteMember } from "../../src/accounts/index.ts";
import { NO_ORIGIN } from "../../src/context.ts";
import { ROLES, type Role } from "../../src/core/index.ts";
import { createApp } from "../../src/web/app.tsx";
import { databaseTargets, openTestServices, type TestServices } from "../helpers/database.ts";
import { addMember, addOrganisation, sessionFor, setUpOrganisation } from "../helpers/fixtures.ts";
import { Client, csrfFrom } from "../helpers/http.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initVaultKeys, operatorCaller, receiveEvidence, unsealVault } from "../../src/evidence/index.ts";
import { formatX25519Identity, parseX25519Identity } from "../../src/vault/index.ts";
import { createList } from "../../src/screening/index.ts";

/**
 * Every route × every role, plus anonymous and a member of another organisation.
 * A route added to the application without a row here fails the first test.
 *   public  — anyone, signed in or not
 *   member  — anyone signed in to this organisation; anonymous is sent to sign in (401 on the API)
 *   admin   — administrators only; the other roles get 403
 *   reader  — every role but partner; a partner gets 403
 *   documenter — administrators, editors and researchers; viewers and partners get 403
 *   editor  — administrators and editors (access lists); the other roles get 403
 */
type Access = "public" | "member" | "admin" | "reader" | "documenter" | "editor";
const TABLE: Record<string, Access> = {
  "GET /static/:name": "public",
  "GET /healthz": "public",
  "GET /api/v1/openapi.json": "public",
  "GET /api/v1/me": "member",
  "PATCH /api/v1/me": "member",
  "GET /setup": "public",
  "POST /setup": "public",
  "GET /login": "public",
  "POST /login": "public",
  "GET /login/second-factor": "member",
  "POST /login/second-factor": "member",
  "POST /logout": "public",
  "GET /language/:locale": "public",
  "GET /invite/:token": "public",
  "POST /invite/:token": "public",
  "GET /": "member",
  "GET /admin/users": "admin",
  "POST /admin/users/invite": "admin",
  "POST /admin/users/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/role": "admin",
  "POST /admin/users/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/deactivate": "admin",
  "POST /admin/users/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/reactivate": "admin",
  "POST /admin/invitations/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "admin",
  "POST /admin/organisation": "admin",
  "GET /admin/audit": "admin",
  "GET /account": "member",
  "POST /account/password": "member",
  "POST /account/preferences": "member",
  "POST /account/tokens": "member",
  "POST /account/tokens/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "member",
  "POST /account/sessions/revoke-all": "member",
  "GET /account/second-factor": "member",
  "POST /account/second-factor": "member",
  "POST /account/second-factor/disable": "member",
  "POST /account/recovery-codes": "member",
  // Custody ledger: hashes for anyone signed in while the log is private (the default), entries for its admins.
  "GET /ledger/:org/checkpoint": "member",
  "GET /ledger/:org/tile/entries/*": "admin",
  "GET /ledger/:org/tile/*": "member",
  "GET /api/v1/ledger/:org/proof/inclusion": "member",
  "GET /api/v1/ledger/:org/proof/consistency": "member",
  "POST /api/v1/ledger/settings": "admin",
  // Documentation records: an outsider's made-up id is not found; a partner sees none.
  "GET /api/v1/entities": "reader",
  "POST /api/v1/entities": "documenter",
  "GET /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "PATCH /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "documenter",
  "POST /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/archive": "documenter",
  "POST /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/restore": "documenter",
  "GET /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/history": "reader",
  "GET /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revisions/:revision{[0-9]{1,9}}": "reader",
  "GET /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/relationships": "reader",
  "POST /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/merge": "documenter",
  "GET /api/v1/merges/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/merges/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/undo": "documenter",
  "GET /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/access": "editor",
  "POST /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/access": "editor",
  "DELETE /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/access/users/:user{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "editor",
  "DELETE /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/access/teams/:team{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "editor",
  "GET /api/v1/teams": "reader",
  "POST /api/v1/teams": "admin",
  "POST /api/v1/teams/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/members": "admin",
  "DELETE /api/v1/teams/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/members/:user{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "admin",
  "POST /api/v1/bulk": "documenter",
  "GET /api/v1/bulk/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/bulk/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/cancel": "reader",
  // Vocabularies: read by every member but partners, changed by administrators (an outsider changes their own).
  "GET /api/v1/vocabularies": "reader",
  "GET /api/v1/vocabularies/:name{[a-z][a-z-]{1,39}}": "reader",
  "POST /api/v1/vocabularies/:name{[a-z][a-z-]{1,39}}/terms": "admin",
  "PATCH /api/v1/vocabularies/:name{[a-z][a-z-]{1,39}}/terms/:code{[a-z0-9][a-z0-9-]{0,63}}": "admin",
  "GET /admin/vocabularies": "admin",
  "GET /admin/vocabularies/:name{[a-z][a-z-]{1,39}}": "admin",
  "POST /admin/vocabularies/:name{[a-z][a-z-]{1,39}}/terms": "admin",
  "POST /admin/vocabularies/:name{[a-z][a-z-]{1,39}}/terms/:code{[a-z0-9][a-z0-9-]{0,63}}": "admin",
  "POST /admin/vocabularies/:name{[a-z][a-z-]{1,39}}/terms/:code{[a-z0-9][a-z0-9-]{0,63}}/retire": "admin",
  "POST /admin/vocabularies/:name{[a-z][a-z-]{1,39}}/terms/:code{[a-z0-9][a-z0-9-]{0,63}}/reinstate": "admin",
  // Screening: whoever reads records matches names against what they may see.
  "POST /api/v1/match/:dataset": "reader",
  "GET /screening": "reader",
  "POST /screening": "reader",
  "POST /screening/report.csv": "reader",
  // Named lists: every reader screens against them; those who document make and change them.
  // Each organisation has a list named "watchlist" (made below), so an outsider reaches its own.
  "GET /api/v1/lists": "reader",
  "POST /api/v1/lists": "documenter",
  "GET /api/v1/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}": "reader",
  "POST /api/v1/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/members": "documenter",
  "POST /api/v1/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/members/remove": "documenter",
  "POST /api/v1/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/archive": "documenter",
  "POST /api/v1/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/restore": "documenter",
  "GET /lists": "reader",
  "POST /lists": "documenter",
  "GET /lists/:list{[a-z0-9][a-z0-9_-]{0,63}}": "reader",
  "POST /lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/members": "documenter",
  "POST /lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/members/remove": "documenter",
  "POST /lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/archive": "documenter",
  "POST /lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/restore": "documenter",
  // Probable duplicates are reviewed (merged or set aside) by those who document.
  "GET /duplicates": "documenter",
  "POST /duplicates/reject": "documenter",
  "POST /duplicates/merge": "documenter",
  // Search: whoever reads records searches what they may see.
  "GET /search": "reader",
  "GET /api/v1/search": "reader",
  // The map and the timeline: whoever reads records sees those they may see; the basemap is public data.
  "GET /map": "reader",
  "GET /timeline": "reader",
  "GET /map/basemap.json": "public",
  "GET /api/v1/map/points": "reader",
  "GET /api/v1/map/incidents": "reader",
  // Who has gone silent: every role but partner, each row only if its detention is one the caller may see.
  "GET /monitor": "reader",
  "GET /monitor/map": "reader",
  "GET /api/v1/monitor/silence": "reader",
  "GET /api/v1/monitor/silence/facilities": "reader",
  // Records pages: an outsider's made-up id is not found; a partner sees none; access lists are for administrators and editors.
  "GET /records": "reader",
  "GET /records/:type{people|organisations|incidents|places|sources|events|relationships}": "reader",
  "POST /records/bulk": "documenter",
  "GET /records/bulk/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /records/bulk/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/cancel": "reader",
  "GET /records/new": "documenter",
  "POST /records/new": "documenter",
  "GET /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/archive": "documenter",
  "POST /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/restore": "documenter",
  "GET /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/edit": "documenter",
  "POST /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/edit": "documenter",
  "GET /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/history": "reader",
  "GET /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/merge": "documenter",
  "POST /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/merge": "documenter",
  "POST /records/merges/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/undo": "documenter",
  "GET /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/relate": "documenter",
  "POST /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/relate": "documenter",
  "GET /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/access": "editor",
  "POST /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/access": "editor",
  "POST /records/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/access/revoke": "editor",
  // Imports write records (documenters); exports read them (every role but partner); a job is its owner's: another's id is not found.
  "POST /api/v1/imports": "documenter",
  "GET /api/v1/imports": "documenter",
  "GET /api/v1/imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "documenter",
  "POST /api/v1/imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/mapping": "documenter",
  "GET /api/v1/imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/preview": "documenter",
  "GET /api/v1/imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/rejections": "documenter",
  "POST /api/v1/imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/check": "documenter",
  "POST /api/v1/imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/commit": "documenter",
  "POST /api/v1/imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/cancel": "documenter",
  "GET /api/v1/import-mappings": "documenter",
  "POST /api/v1/import-mappings": "documenter",
  "GET /imports": "documenter",
  "POST /imports": "documenter",
  "GET /imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "documenter",
  "POST /imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/mapping": "documenter",
  "POST /imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/check": "documenter",
  "POST /imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/commit": "documenter",
  "POST /imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/cancel": "documenter",
  "POST /api/v1/exports": "reader",
  "GET /api/v1/exports": "reader",
  "GET /api/v1/exports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /api/v1/exports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/file": "reader",
  "POST /api/v1/exports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/cancel": "reader",
  "GET /exports": "reader",
  "POST /exports": "reader",
  "GET /exports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /exports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/download": "reader",
  "POST /exports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/cancel": "reader",
  "GET /api/v1/jobs/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "member",
  "POST /api/v1/jobs/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/cancel": "member",
  // Evidence: an outsider gets 404 for our item; the vault's keys are the administrators'.
  "GET /api/v1/evidence": "reader",
  "POST /api/v1/evidence": "documenter",
  "GET /api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/metadata": "reader",
  "GET /api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/content": "reader",
  "POST /api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/redacted": "documenter",
  "GET /evidence": "reader",
  "POST /evidence": "documenter",
  "GET /evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/download": "reader",
  "GET /evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/preview": "reader",
  "POST /evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/redact": "documenter",
  // Evidence linked to records: both ends are checked (a made-up record is not found); web capture
  // is for those who document, its private-address setting for administrators.
  "GET /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/evidence": "reader",
  "POST /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/evidence": "documenter",
  "POST /api/v1/entities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/evidence-links": "documenter",
  "POST /api/v1/evidence-links/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/unlink": "documenter",
  "GET /api/v1/evidence/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/links": "reader",
  "POST /evidence/to/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "documenter",
  "POST /evidence/links": "documenter",
  "POST /evidence/links/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/unlink": "documenter",
  "GET /captures/new": "documenter",
  "POST /captures": "documenter",
  "GET /captures/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/captures": "documenter",
  "GET /api/v1/captures/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /api/v1/captures/settings": "documenter",
  "POST /api/v1/captures/settings": "admin",
  "GET /admin/capture": "admin",
  "POST /admin/capture": "admin",
  // Detainee monitoring: records underneath, so whoever reads records reads detentions and facilities;
  // those who document add to them; a made-up id (or a record of another kind) is not found.
  "POST /api/v1/detentions": "documenter",
  "GET /api/v1/detentions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/detentions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/statuses": "documenter",
  "POST /api/v1/detentions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/proofs-of-life": "documenter",
  "POST /api/v1/detentions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/treatment-reports": "documenter",
  "GET /api/v1/people/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/detentions": "reader",
  "GET /api/v1/facilities": "reader",
  "GET /api/v1/facilities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /monitor/detentions/new": "documenter",
  "POST /monitor/detentions/new": "documenter",
  "GET /monitor/detentions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /monitor/detentions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/statuses": "documenter",
  "POST /monitor/detentions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/proofs-of-life": "documenter",
  "POST /monitor/detentions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/treatment-reports": "documenter",
  "GET /monitor/facilities": "reader",
  "GET /monitor/facilities/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  // Monitoring alerts: readers see and watch, those who document acknowledge, administrators set rules
  // and webhooks. A made-up alert, subscription, feed or webhook is not found; the feed's secret
  // address is the credential, so it is public (a wrong token is not found).
  "GET /api/v1/alerts": "reader",
  "GET /api/v1/alerts/inbox": "reader",
  "GET /api/v1/alerts/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/alerts/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/acknowledge": "documenter",
  "GET /api/v1/alert-rules": "reader",
  "POST /api/v1/alert-rules": "admin",
  "GET /api/v1/subscriptions": "reader",
  "POST /api/v1/subscriptions": "reader",
  "DELETE /api/v1/subscriptions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /api/v1/webhooks": "admin",
  "POST /api/v1/webhooks": "admin",
  "POST /api/v1/webhooks/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "admin",
  "GET /api/v1/webhooks/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/deliveries": "admin",
  "GET /api/v1/feeds": "reader",
  "POST /api/v1/feeds": "reader",
  "POST /api/v1/feeds/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "reader",
  "GET /feeds/:token{vgf_[A-Za-z0-9_-]{43}}": "public",
  "GET /alerts": "reader",
  "GET /alerts/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /alerts/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/acknowledge": "documenter",
  "GET /alerts/rules": "admin",
  "POST /alerts/rules": "admin",
  "GET /alerts/watch": "reader",
  "POST /alerts/watch": "reader",
  "POST /alerts/watch/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/remove": "reader",
  "POST /alerts/feeds": "reader",
  "POST /alerts/feeds/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "reader",
  "GET /alerts/webhooks": "admin",
  "POST /alerts/webhooks": "admin",
  "POST /alerts/webhooks/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "admin",
  "GET /alerts/webhooks/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "admin",
  // Families (detainee monitoring): every reader sees that cases exist; administrators and editors issue
  // codes, read what families wrote and approve what they are told. The families' own pages need no account.
  "GET /api/v1/family/cases": "reader",
  "POST /api/v1/family/cases": "editor",
  "GET /api/v1/family/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/family/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/codes": "editor",
  "POST /api/v1/family/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "editor",
  "GET /api/v1/family/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/updates": "editor",
  "POST /api/v1/family/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/updates": "editor",
  "POST /api/v1/family/updates/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/approve": "editor",
  "POST /api/v1/family/updates/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/withdraw": "editor",
  "GET /api/v1/family/reports": "editor",
  "GET /api/v1/family/reports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "editor",
  "POST /api/v1/family/reports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/accept": "editor",
  "POST /api/v1/family/reports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/decline": "editor",
  "GET /monitor/families": "reader",
  "POST /monitor/families": "editor",
  "GET /monitor/families/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /monitor/families/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/codes": "editor",
  "POST /monitor/families/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/revoke": "editor",
  "POST /monitor/families/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/updates": "editor",
  "POST /monitor/families/updates/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/approve": "editor",
  "POST /monitor/families/updates/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/withdraw": "editor",
  "GET /monitor/families/reports": "editor",
  "POST /monitor/families/reports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/accept": "editor",
  "POST /monitor/families/reports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/decline": "editor",
  "GET /family": "public",
  "POST /family": "public",
  "GET /family/c/:secret{[A-Za-z0-9_-]{43}}": "public",
  "POST /family/c/:secret{[A-Za-z0-9_-]{43}}/report": "public",
  "GET /admin/vault": "admin",
  "POST /admin/vault/init": "admin",
  "POST /admin/vault/unseal": "admin",
  // Urgent actions: every member but a partner reads them (an action of a restricted detention only
  // who may read it; an outsider's made-up id is not found); administrators and editors generate
  // them, log what was sent and keep the addressees; templates are changed by administrators.
  "GET /urgent-actions": "reader",
  "GET /urgent-actions/new/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "editor",
  "POST /urgent-actions/new/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "editor",
  "GET /urgent-actions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /urgent-actions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/print": "reader",
  "POST /urgent-actions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/regenerate": "editor",
  "POST /urgent-actions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/events": "editor",
  "GET /urgent-actions/addressees": "reader",
  "POST /urgent-actions/addressees": "editor",
  "GET /urgent-actions/addressees/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /urgent-actions/addressees/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "editor",
  "POST /urgent-actions/addressees/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/archive": "editor",
  "GET /urgent-actions/templates": "reader",
  "GET /urgent-actions/templates/:language{en|ug|zh}": "reader",
  "POST /urgent-actions/templates/:language{en|ug|zh}": "admin",
  "GET /api/v1/urgent-actions": "reader",
  "POST /api/v1/urgent-actions": "editor",
  "GET /api/v1/urgent-actions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/urgent-actions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/versions": "editor",
  "POST /api/v1/urgent-actions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/events": "editor",
  "GET /api/v1/urgent-actions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/pdf": "reader",
  "GET /api/v1/urgent-actions/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/email": "reader",
  "GET /api/v1/urgent-addressees": "reader",
  "POST /api/v1/urgent-addressees": "editor",
  "GET /api/v1/urgent-addressees/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "PATCH /api/v1/urgent-addressees/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "editor",
  "POST /api/v1/urgent-addressees/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/archive": "editor",
  "GET /api/v1/urgent-templates": "reader",
  "GET /api/v1/urgent-templates/:language{en|ug|zh}": "reader",
  "POST /api/v1/urgent-templates/:language{en|ug|zh}": "admin",
  "GET /api/v1/urgent-templates/:language{en|ug|zh}/history": "reader",
  "GET /cases": "reader",
  "POST /cases": "editor",
  "GET /cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/parties": "editor",
  "POST /cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/consent": "editor",
  "POST /cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/deadlines": "editor",
  "POST /cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/deadlines/done": "editor",
  "POST /cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/exhibits": "editor",
  "POST /cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/bundle": "editor",
  "GET /api/v1/cases": "reader",
  "POST /api/v1/cases": "editor",
  "GET /api/v1/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/parties": "editor",
  "POST /api/v1/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/consents": "editor",
  "POST /api/v1/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/deadlines": "editor",
  "POST /api/v1/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/deadlines/done": "editor",
  "POST /api/v1/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/exhibits": "editor",
  "POST /api/v1/cases/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/bundles": "editor",
  // Accountability: the complicity registry, the ownership graph and supplier screening.
  "GET /complicity": "reader",
  "GET /complicity/new": "documenter",
  "POST /complicity/new": "documenter",
  "GET /complicity/graph/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /suppliers": "reader",
  "POST /suppliers": "reader",
  "POST /suppliers/report.csv": "reader",
  "GET /api/v1/complicity": "reader",
  "GET /api/v1/complicity/graph/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/suppliers/screen": "reader",
  "GET /sanctions": "reader",
  "POST /sanctions/imports": "editor",
  "GET /sanctions/imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /sanctions/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}": "reader",
  "GET /sanctions/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/entries/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /sanctions/matches": "reader",
  "POST /sanctions/screen": "documenter",
  "GET /sanctions/matches/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /sanctions/matches/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/decision": "documenter",
  "GET /sanctions/gaps": "reader",
  "GET /sanctions/gaps/print": "reader",
  "GET /api/v1/sanctions/lists": "reader",
  "GET /api/v1/sanctions/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}": "reader",
  "GET /api/v1/sanctions/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/entries": "reader",
  "GET /api/v1/sanctions/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/entries/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /api/v1/sanctions/lists/:list{[a-z0-9][a-z0-9_-]{0,63}}/ftm": "reader",
  "POST /api/v1/sanctions/imports": "editor",
  "GET /api/v1/sanctions/imports/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/sanctions/screen": "documenter",
  "GET /api/v1/sanctions/matches": "reader",
  "GET /api/v1/sanctions/matches/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/sanctions/matches/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/decision": "documenter",
  "GET /api/v1/sanctions/status/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "GET /api/v1/sanctions/gaps": "reader",
  // Officials, units and responsibility maps (read by every member but a partner, written by those who
  // document); referral dossiers (drafted and tracked by administrators and editors, read and exported by readers).
  "GET /officials": "reader",
  "GET /officials/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /officials/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/posts": "documenter",
  "POST /officials/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/reviews": "documenter",
  "GET /units/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /units/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/parent": "documenter",
  "GET /api/v1/officials": "reader",
  "GET /api/v1/officials/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/officials/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/posts": "documenter",
  "POST /api/v1/officials/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/reviews": "documenter",
  "GET /api/v1/units/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /api/v1/units/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/parent": "documenter",
  "GET /dossiers": "reader",
  "POST /dossiers": "editor",
  "GET /dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "POST /dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "editor",
  "POST /dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/events": "editor",
  "GET /dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/print": "reader",
  "GET /api/v1/dossiers": "reader",
  "POST /api/v1/dossiers": "editor",
  "GET /api/v1/dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "reader",
  "PATCH /api/v1/dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}": "editor",
  "POST /api/v1/dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/events": "editor",
  "GET /api/v1/dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/pdf": "reader",
  "GET /api/v1/dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/odt": "reader",
  "GET /api/v1/dossiers/:id{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}}/package": "reader",
  // Refused bodies for the admin (no passphrase), so the organisation's key stays the one the callers unseal with.
  "POST /admin/vault/rotate": "admin",
  "POST /admin/vault/export": "admin",
  "POST /admin/vault/secrets": "admin",
  // Last of the vault's rows: it seals the vault, which each caller's run unseals again first.
  "POST /admin/vault/seal": "admin",
};

type Caller = Role | "anonymous" | "outsider";
const ROLES_OF: Partial<Record<Access, readonly Role[]>> = { reader: ["admin", "editor", "researcher", "viewer"], documenter: ["admin", "editor", "researcher"], editor: ["admin", "editor"] };
const CALLERS: Caller[] = ["anonymous", ...ROLES, "outsider"];

for (const target of databaseTargets()) {
  describe(`authorization table on ${target.name}`, () => {
    let services: TestServices;
    const emails = new Map<Caller, string>();
    let targetUserId = "";
    let invitationId = "";
    let evidenceId = "";
    let vaultKey = "";
    before(async () => {
      services = await openTestServices(target, { dataDir: mkdtempSync(join(tmpdir(), "vigil-authz-")) });
      const org = await setUpOrganisation(services);
      emails.set("admin", org.adminEmail);
      const { principal: admin } = await sessionFor(services, org.adminEmail);
      for (const role of ROLES.filter((r) => r !== "admin")) emails.set(role, (await addMember(services, admin, role, `${role}@watch.example`)).principal.user.email);
      targetUserId = (await addMember(services, admin, "viewer", "target@watch.example")).userId;
      invitationId = (await inviteMember(services, NO_ORIGIN, admin, { email: "pending@watch.example", role: "viewer" })).id;
      const other = await addOrganisation(services, "elsewhere");
      emails.set("outsider", other.adminEmail);
      for (const email of [org.adminEmail, other.adminEmail]) await createList(services, NO_ORIGIN, (await sessionFor(services, email)).principal.actor, { name: "watchlist", title: "Watch list" });
      const operator = operatorCaller(org.orgId);
      await initVaultKeys(services, NO_ORIGIN, operator, { passphrase: "the vault passphrase here" }, { logN: 10 });
      await unsealVault(services, NO_ORIGIN, operator, { passphrase: "the vault passphrase here" });
      vaultKey = formatX25519Identity(services.keyring.identity(org.orgId)!);
      evidenceId = (await receiveEvidence(services, NO_ORIGIN, operator, { source: [Buffer.from("a witness statement")], filename: "statement.txt", claimedType: null })).id;
    });
    after(async () => {
      await services.close();
    });

    it("has a row for every route of the application, and no row for a route that is gone", () => {
      const app = createApp(services);
      const routes = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
      const missing = [...routes].filter((r) => !(r in TABLE));
      const stale = Object.keys(TABLE).filter((r) => !routes.has(r));
      assert.deepEqual(missing, [], "routes without a row in the authorization table");
      assert.deepEqual(stale, [], "rows for routes that do not exist");
    });

    // Routes whose made-up record is rightly not found by an allowed caller (and every record route:
    // the id given is a user's, not a record's).
    const NO_SUCH_TOKEN = "00000000-0000-4000-8000-000000000000";
    const NO_SUCH_FAMILY_LINK = "A".repeat(43);
    const EXPECTED_404 = new Set(["/account/tokens/" + NO_SUCH_TOKEN + "/revoke", "/invite/vgi_not-a-real-invitation", "/ledger/watch/tile/entries/*", "/ledger/watch/tile/*", `/family/c/${NO_SUCH_FAMILY_LINK}`, `/family/c/${NO_SUCH_FAMILY_LINK}/report`]);

    // Alert, subscription, feed and webhook ids made up by the table: rightly not found.
    const ALERT_ID_PATHS = /^\/(api\/v1\/(alerts|subscriptions|webhooks|feeds)\/|alerts\/((watch|feeds|webhooks)\/)?)[0-9a-f]{8}-/;

    function concrete(route: string): string {
      const path = route.split(" ")[1]!;
      const id = path.startsWith("/admin/invitations") ? invitationId : path.startsWith("/account/tokens") ? NO_SUCH_TOKEN : /^\/(api\/v1\/)?evidence\//.test(path) ? evidenceId : targetUserId;
      return path
        .replace(/:(user|team)\{[^/]*\{12\}\}/, targetUserId)
        .replace(/:name\{\[a-z\]\[a-z-\]\{1,39\}\}/, "violation-types")
        .replace(/:code\{[^/]*\{0,63\}\}/, "torture")
        .replace(/:revision\{[^/]*\}\}/, "1")
        .replace(/:id\{.*\{12\}\}/, id)
        .replace(/:type\{[^}]*\}/, "people")
        .replace(":name", "vigil.css")
        .replace(":locale", "ug")
        .replace(":org", "watch")
        .replace(":list{[a-z0-9][a-z0-9_-]{0,63}}", "watchlist")
        .replace(/:token\{vgf_[^/]*\}\}/, `vgf_${"A".repeat(43)}`)
        .replace(":language{en|ug|zh}", "ug")
        .replace(":token", "vgi_not-a-real-invitation")
        .replace(/:secret\{.*?\{43\}\}/, NO_SUCH_FAMILY_LINK);
    }

    const BODIES: Record<string, Record<string, string>> = {
      "/admin/users/invite": { email: "new@watch.example", role: "viewer" },
      "/admin/organisation": { requireTotp: "" },
      "/role": { role: "viewer" },
      "/account/preferences": { locale: "" },
      "/admin/vault/init": { passphrase: "an outsider's own vault passphrase", passphraseConfirm: "an outsider's own vault passphrase" },
      "/admin/vault/unseal": { passphrase: "an outsider's own vault passphrase" },
      "/screening": { csv: "name\nIlham Tohti" },
      "/screening/report.csv": { csv: "Ilham Tohti" },
      "/suppliers": { csv: "name\nAcme Trading" },
      "/suppliers/report.csv": { csv: "name\nAcme Trading" },
      "/admin/vocabularies/violation-types/terms": { code: "forced-organ-harvesting", en: "Forced organ harvesting" },
      "/admin/vocabularies/violation-types/terms/torture": { en: "Torture" },
    };

    for (const caller of CALLERS) {
      it(`gives ${caller} exactly what the table allows`, async () => {
        const problems: string[] = [];
        // An earlier caller's run may have sealed the vault (POST /admin/vault/seal).
        const orgId = (await services.db.selectFrom("organisations").select("id").where("slug", "=", "watch").executeTakeFirstOrThrow()).id;
        services.keyring.unseal(orgId, parseX25519Identity(vaultKey));
        for (const [route, access] of Object.entries(TABLE)) {
          const client = Client.for(services);
          const email = emails.get(caller);
          if (email) await client.signIn(email);
          const [method] = route.split(" ");
          const path = concrete(route);
          let res: Response;
          if (method === "GET") res = await client.get(path);
          else if (method === "DELETE") {
            const token = email ? csrfFrom(await (await client.get("/account")).text()) : "";
            res = await client.request(path, { method, headers: { "x-csrf-token": token, origin: "http://vigil.test" } });
          } else if (method === "PATCH") {
            const token = email ? csrfFrom(await (await client.get("/account")).text()) : "";
            res = await client.request(path, { method, body: JSON.stringify({ locale: null }), headers: { "content-type": "application/json", "x-csrf-token": token, origin: "http://vigil.test" } });
          }
          else {
            const source = email ? "/account" : "/login";
            const token = csrfFrom(await (await client.get(source)).text());
            const key = Object.keys(BODIES).find((k) => path.endsWith(k));
            res = await client.post(path, { _csrf: token, ...(key ? BODIES[key] : {}) });
          }
          const location = res.headers.get("location") ?? "";
          const sentToSignIn = (res.status === 303 && location.startsWith("/login")) || res.status === 401;
          const refused = res.status === 403 || res.status === 404;
          if (res.status >= 500) problems.push(`${route}: ${res.status}`);
          if (access === "public") {
            if (res.status === 401 || res.status === 403) problems.push(`${route}: public but ${res.status}`);
          } else if (caller === "anonymous") {
            if (!sentToSignIn) problems.push(`${route}: anonymous got ${res.status} ${location}`);
          } else if (access === "admin" && caller !== "admin") {
            // An outsider's admin is an admin elsewhere: our records must be invisible or refused.
            // A 415 or 422 is their own organisation's route refusing our test body: it got no further.
            const ownOrganisation = res.status < 400 || res.status === 415 || res.status === 422;
            const ok = caller === "outsider" ? refused || (ownOrganisation && !path.includes(targetUserId) && !path.includes(invitationId)) : res.status === 403;
            if (!ok) problems.push(`${route}: ${caller} got ${res.status}`);
          } else if (caller === "outsider" && evidenceId && path.includes(evidenceId)) {
            if (res.status !== 404) problems.push(`${route}: outsider got ${res.status}, not 404`);
          } else if (caller !== "outsider" && ROLES_OF[access] && !ROLES_OF[access].includes(caller)) {
            if (res.status !== 403) problems.push(`${route}: ${caller} got ${res.status}, not 403`);
          } else if (res.status === 404 && !EXPECTED_404.has(path) && !ALERT_ID_PATHS.test(path) && !/^\/(api\/v1\/(entities|merges|bulk|teams|imports|exports|jobs|evidence-links|captures|detentions|people|facilities|urgent-actions|urgent-addressees|cases|officials|units|dossiers)\/|(cases|officials|units|dossiers)\/[0-9a-f]{8}-|urgent-actions\/((new|addressees)\/)?[0-9a-f]{8}-|monitor\/(detentions|facilities)\/|evidence\/(to|links)\b|captures\/[0-9a-f]{8}-|(imports|exports)\/[0-9a-f]{8}-|records\/((merges|bulk)\/)?[0-9a-f]{8}-|api\/v1\/family\/(cases|updates|reports)\/[0-9a-f]{8}-|monitor\/families\/((updates|reports)\/)?[0-9a-f]{8}-|(api\/v1\/)?complicity\/graph\/[0-9a-f]{8}-|(api\/v1\/)?sanctions\/(lists|imports|matches|status)\/)/.test(path)) {
            problems.push(`${route}: ${caller} got 404`);
          } else if (res.status === 401 || res.status === 403 || (sentToSignIn && !route.includes("logout") && !route.includes("revoke-all"))) {
            problems.push(`${route}: ${caller} refused with ${res.status} ${location}`);
          }
        }
        assert.deepEqual(problems, []);
      });
    }

    it("left the target account as the admin's actions set it, and nothing from refused callers", async () => {
      const target = await services.db.selectFrom("memberships").select("role").where("user_id", "=", targetUserId).executeTakeFirstOrThrow();
      assert.equal(target.role, "viewer");
      const invitations = await services.db.selectFrom("invitations").select(["email", "org_id"]).where("email", "=", "new@watch.example").execute();
      assert.ok(invitations.length <= 2, "only the two admins (ours and the outsider in their own organisation) could invite");
    });
  });
}
