import { z } from "zod";
import { cleanText, hasLoneSurrogate, Invalid } from "../core/index.ts";

/** A person's or organisation's name: any script, no deceptive controls, bounded. */
export const nameSchema = z
  .string()
  .refine((v) => !hasLoneSurrogate(v), "contains invalid characters")
  .transform(cleanText)
  .pipe(z.string().min(1, "required").max(200, "at most 200 characters"));

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "at most 254 characters")
  .pipe(z.email("not a valid email address"));

/** Validates input against a schema, turning every problem into a field message. */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.join(".") || "_";
    fields[key] ??= issue.message;
  }
  throw new Invalid("some fields are not valid", fields);
}
