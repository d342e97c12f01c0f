import { z } from "zod";

export const SENSITIVITIES = ["public", "internal", "restricted", "secret"] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

const MAX_VALUE = 65_000;

/** One value: a plain string (FtM's shape), or a value with its language, script, source and weight. */
export const StatementInputSchema = z.union([
  z.string().max(MAX_VALUE, `at most ${MAX_VALUE} characters`),
  z.strictObject({
    value: z.string().max(MAX_VALUE, `at most ${MAX_VALUE} characters`),
    lang: z.string().regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, "a language tag such as ug, zh-Hans or en").optional(),
    script: z.string().regex(/^[A-Z][a-z]{3}$/, "an ISO 15924 script code such as Arab, Latn, Cyrl or Hans").optional(),
    source: z.uuid("the id of a Source record").optional(),
    confidence: z.number().min(0).max(1).optional(),
    sensitivity: z.enum(SENSITIVITIES).optional(),
  }),
  /** Keeps an existing statement as it is (on update): how a value one was not shown stays. */
  z.strictObject({ statement: z.uuid() }),
]);
export type StatementInput = z.infer<typeof StatementInputSchema>;

const PropertiesSchema = z
  .record(z.string().regex(/^[a-z][A-Za-z0-9]{0,63}$/, "not a property name"), z.array(StatementInputSchema).max(200, "at most 200 values"))
  .refine((p) => Object.keys(p).length <= 200, "at most 200 properties");

export const ReasonSchema = z.string().trim().min(1, "say why").max(2000, "at most 2000 characters");

export const EntityCreateSchema = z.strictObject({
  schema: z.string().max(64),
  properties: PropertiesSchema,
  restricted: z.boolean().optional(),
  reason: ReasonSchema.optional(),
});
export type EntityCreate = z.infer<typeof EntityCreateSchema>;

export const EntityUpdateSchema = z.strictObject({
  /** The revision the caller edited: if the record has moved on since, the update is refused. */
  revision: z.number().int().min(1),
  reason: ReasonSchema,
  /** Each property named here gets exactly these values; properties not named are left alone. */
  properties: PropertiesSchema.optional(),
  /** Statements to withdraw by id, whatever their property. */
  retract: z.array(z.uuid()).max(1000).optional(),
  restricted: z.boolean().optional(),
});
export type EntityUpdate = z.infer<typeof EntityUpdateSchema>;

export const ArchiveSchema = z.strictObject({
  reason: ReasonSchema,
  /** The revision the caller saw: when given, a record changed since is refused (409). */
  revision: z.number().int().min(1).optional(),
});

/** A tag: a short label of letters, digits, spaces, hyphens and underscores, in any script; compared case-insensitively. */
export const TagSchema = z
  .string()
  .max(200, "at most 64 characters")
  .transform((v) => v.normalize("NFC").trim().replace(/\s+/g, " ").toLowerCase())
  .pipe(z.string().min(1, "is empty").max(64, "at most 64 characters").regex(/^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N} _-]*$/u, "letters, digits, spaces, hyphens and underscores only"));

const CursorSchema = z.string().max(200);

export const EntityListSchema = z.strictObject({
  schema: z.string().max(64).optional(),
  archived: z.enum(["exclude", "include", "only"]).default("exclude"),
  tag: TagSchema.optional(),
  /** "me", or a user's id. */
  assignee: z.union([z.literal("me"), z.uuid()]).optional(),
  cursor: CursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type EntityListFilter = z.infer<typeof EntityListSchema>;

export const HistoryQuerySchema = z.strictObject({
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(1).optional(),
});
