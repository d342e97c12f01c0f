// The OpenAPI paths of monitoring alerts, their rules, subscriptions, webhooks and feeds, from the
// zod schemas the services parse with.
import { z } from "zod";
import { ALERT_RULES, FeedInputSchema, RuleUpdateSchema, SubscriptionInputSchema, WebhookInputSchema } from "../monitor/index.ts";

type Content = (schema: z.ZodType) => Record<string, unknown>;

const AlertSchema = z.object({
  id: z.uuid(),
  described: z.boolean().meta({ description: "false when the alert is guarded and the caller may not read restricted values of the case: only that it needs attention (rule, status and days are null)" }),
  rule: z.enum(ALERT_RULES).nullable(),
  detention: z.uuid(),
  person: z.uuid().nullable(),
  facility: z.uuid().nullable(),
  status: z.string().nullable().meta({ description: "custody status (custody-statuses vocabulary) when raised" }),
  days: z.number().int().nullable().meta({ description: "silence rule: days since the last proof of life" }),
  fact: z.string().nullable().meta({ description: "what triggered it, part of the alert's unique key: pol:<date>, status:<record>, end:<date>…" }),
  raisedAt: z.string(),
  acknowledged: z.object({ at: z.string(), by: z.uuid().nullable() }).nullable(),
  read: z.boolean().optional().meta({ description: "inbox only: whether the caller opened it" }),
});

const RuleSchema = z.object({ rule: z.enum(ALERT_RULES), enabled: z.boolean(), windowDays: z.number().int().nullable(), updatedAt: z.string().nullable() });
const SubscriptionSchema = z.object({
  id: z.uuid(),
  kind: z.enum(["detention", "person", "facility", "search", "organisation"]),
  target: z.uuid().nullable(),
  label: z.string().nullable(),
  statuses: z.array(z.string()).nullable(),
  rules: z.array(z.string()).nullable(),
  email: z.boolean(),
  createdAt: z.string(),
});
const WebhookSchema = z.object({ id: z.uuid(), url: z.string(), description: z.string().nullable(), createdAt: z.string(), revokedAt: z.string().nullable() });
const FeedSchema = z.object({ id: z.uuid(), title: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });
const DeliverySchema = z.object({
  id: z.uuid(),
  alert: z.uuid(),
  state: z.enum(["queued", "sent", "failed"]).meta({ description: "queued: waiting for its next attempt (retried with backoff); failed: out of attempts" }),
  createdAt: z.string(),
  attempts: z.array(z.object({ attempt: z.number().int(), at: z.string(), status: z.number().int().nullable().meta({ description: "the endpoint's HTTP status; null when it did not answer" }), error: z.string().nullable(), durationMs: z.number().int() })),
});

export function alertPaths(json: Content, jsonInput: Content, problem: Record<string, unknown>) {
  const security = [{ bearer: [] }];
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  const read = { "401": problem, "403": problem, "404": problem };
  const write = { "400": problem, "401": problem, "403": problem, "404": problem, "409": problem, "413": problem, "415": problem, "422": problem };
  return {
    "/api/v1/alerts": {
      get: {
        summary: "The organisation's alerts on cases the caller may know of, newest first",
        security,
        parameters: [
          { name: "state", in: "query", required: false, description: "`open`: not acknowledged", schema: { type: "string", enum: ["open"] } },
          { name: "rule", in: "query", required: false, schema: { type: "string", enum: [...ALERT_RULES] } },
          { name: "cursor", in: "query", required: false, description: "nextCursor of the previous page", schema: { type: "string" } },
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200 } },
        ],
        responses: { "200": { description: "a page of alerts", ...json(z.object({ alerts: z.array(AlertSchema), nextCursor: z.string().nullable() })) }, "401": problem, "403": problem },
      },
    },
    "/api/v1/alerts/inbox": {
      get: { summary: "The caller's inbox: alerts that reached them through their subscriptions", security, responses: { "200": { description: "the inbox", ...json(z.object({ alerts: z.array(AlertSchema) })) }, "401": problem, "403": problem } },
    },
    "/api/v1/alerts/{id}": {
      get: { summary: "One alert (marks it read in the caller's inbox)", security, parameters: [id], responses: { "200": { description: "the alert", ...json(AlertSchema) }, ...read } },
    },
    "/api/v1/alerts/{id}/acknowledge": {
      post: { summary: "Acknowledge an alert (those who document; audited; the first acknowledgement is kept)", security, parameters: [id], responses: { "200": { description: "the alert", ...json(AlertSchema) }, ...read } },
    },
    "/api/v1/alert-rules": {
      get: { summary: "The organisation's alert rules: which run, and the default silence window", security, responses: { "200": { description: "the rules", ...json(z.object({ rules: z.array(RuleSchema) })) }, "401": problem, "403": problem } },
      post: {
        summary: "Turn rules on or off and set the silence window (administrators; audited)",
        description: "windowDays is a whole number of days from 1 to 3650, for the silence rule only; anything else is refused whole with 422 and a message per field (rules.<i>.windowDays). A case's own window (the Detention's silenceDays) overrides it.",
        security,
        requestBody: { required: true, ...jsonInput(RuleUpdateSchema) },
        responses: { "200": { description: "the rules", ...json(z.object({ rules: z.array(RuleSchema) })) }, ...write },
      },
    },
    "/api/v1/subscriptions": {
      get: { summary: "What the caller watches", security, responses: { "200": { description: "the subscriptions", ...json(z.object({ subscriptions: z.array(SubscriptionSchema) })) }, "401": problem, "403": problem } },
      post: {
        summary: "Watch a detention, a person, a facility, a saved search (statuses, rules), or every alert of the organisation (administrators and editors)",
        security,
        requestBody: { required: true, ...jsonInput(SubscriptionInputSchema) },
        responses: { "201": { description: "the subscription", ...json(SubscriptionSchema) }, ...write, "409": { ...problem, description: "already watched" } },
      },
    },
    "/api/v1/subscriptions/{id}": {
      delete: { summary: "Stop watching", security, parameters: [id], responses: { "204": { description: "removed" }, ...read } },
    },
    "/api/v1/webhooks": {
      get: { summary: "The organisation's webhook endpoints (administrators)", security, responses: { "200": { description: "the endpoints", ...json(z.object({ webhooks: z.array(WebhookSchema) })) }, "401": problem, "403": problem } },
      post: {
        summary: "Add an endpoint; the answer carries its signing secret, shown this once",
        description:
          "Every alert is POSTed as JSON with `Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">` and `Vigil-Delivery: <id>` (the same on retries). A guarded alert carries only its id, link and time. An answer other than 2xx, or none within VIGIL_WEBHOOK_TIMEOUT_SECONDS, is retried with backoff.",
        security,
        requestBody: { required: true, ...jsonInput(WebhookInputSchema) },
        responses: { "201": { description: "the endpoint and its secret", ...json(WebhookSchema.extend({ secret: z.string() })) }, ...write },
      },
    },
    "/api/v1/webhooks/{id}/revoke": {
      post: { summary: "Remove an endpoint: nothing more is sent to it", security, parameters: [id], responses: { "200": { description: "the endpoint", ...json(WebhookSchema) }, ...read, "409": problem } },
    },
    "/api/v1/webhooks/{id}/deliveries": {
      get: { summary: "An endpoint's delivery log: each delivery with every attempt's status code and error", security, parameters: [id], responses: { "200": { description: "the log", ...json(z.object({ webhook: WebhookSchema, deliveries: z.array(DeliverySchema) })) }, ...read } },
    },
    "/api/v1/feeds": {
      get: { summary: "The caller's Atom feeds", security, responses: { "200": { description: "the feeds", ...json(z.object({ feeds: z.array(FeedSchema) })) }, "401": problem, "403": problem } },
      post: {
        summary: "Make an Atom feed of the caller's inbox at a secret address, returned this once (only its hash is kept)",
        security,
        requestBody: { required: true, ...jsonInput(FeedInputSchema) },
        responses: { "201": { description: "the feed and its address", ...json(FeedSchema.extend({ url: z.string() })) }, ...write },
      },
    },
    "/api/v1/feeds/{id}/revoke": {
      post: { summary: "Revoke a feed: its address stops answering", security, parameters: [id], responses: { "200": { description: "the feed", ...json(FeedSchema) }, ...read } },
    },
  };
}
