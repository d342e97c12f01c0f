import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const positiveInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Every setting Vigil reads from its environment, with its default. Documented in the README. */
const EnvironmentSchema = z.object({
  VIGIL_DATA_DIR: z.string().min(1).default("./vigil-data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  VIGIL_HOST: z.string().min(1).default("127.0.0.1"),
  VIGIL_PORT: positiveInt(1, 65535).default(8080),
  VIGIL_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  VIGIL_TRUST_PROXY: bool.default(false),
  VIGIL_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  VIGIL_SESSION_IDLE_MINUTES: positiveInt(1, 24 * 60).default(30),
  VIGIL_SESSION_MAX_HOURS: positiveInt(1, 24 * 30).default(12),
  VIGIL_APP_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded (openssl rand -base64 32)")
    .optional(),
  VIGIL_MAX_BODY_BYTES: positiveInt(1024, 64 * 1024 * 1024).default(1024 * 1024),
  VIGIL_MAX_UPLOAD_BYTES: positiveInt(1, 2 ** 50).default(4 * 1024 ** 3),
  VIGIL_MAX_IMPORT_BYTES: positiveInt(1, 2 ** 40).default(256 * 1024 ** 2),
  VIGIL_DEFAULT_LOCALE: z.enum(["en", "ug", "zh-Hans"]).default("en"),
  VIGIL_INVITATION_DAYS: positiveInt(1, 60).default(7),
  VIGIL_FAMILY_CODE_DAYS: positiveInt(1, 365).default(30),
  VIGIL_CHROMIUM: z.string().min(1).default("/usr/bin/chromium"),
  VIGIL_CAPTURE_TIMEOUT_SECONDS: positiveInt(1, 3600).default(60),
  VIGIL_CAPTURE_MAX_BYTES: positiveInt(1024, 2 ** 40).default(200 * 1024 ** 2),
  // Alert emails (src/monitor): smtp://user:pass@host:port, or smtps:// for TLS from the first byte.
  VIGIL_SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:$/.test(safeUrl(v)?.protocol ?? ""), "must be an smtp:// or smtps:// URL")
    .optional(),
  VIGIL_MAIL_FROM: z.string().min(3).max(320).default("Vigil <vigil@localhost>"),
  VIGIL_SMTP_TIMEOUT_SECONDS: positiveInt(1, 600).default(30),
  VIGIL_WEBHOOK_TIMEOUT_SECONDS: positiveInt(1, 120).default(10),
});

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

export type Config = {
  dataDir: string;
  databaseUrl: string | undefined;
  host: string;
  port: number;
  publicUrl: string | undefined;
  /** Cookies get Secure and responses get HSTS when Vigil is reached over TLS. */
  behindTls: boolean;
  trustProxy: boolean;
  logLevel: string;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  appKey: Buffer | undefined;
  maxBodyBytes: number;
  /** The largest evidence file one upload may carry; the only route exempt from maxBodyBytes. */
  maxUploadBytes: number;
  /** Largest CSV or FtM file accepted for import. */
  maxImportBytes: number;
  defaultLocale: "en" | "ug" | "zh-Hans";
  invitationDays: number;
  /** How long a family's one-time access code stays valid, in days. */
  familyCodeDays: number;
  /** The Chromium that web captures drive (Debian's by default). */
  chromiumPath: string;
  /** How long one web capture may take to load the page and its resources. */
  captureTimeoutMs: number;
  /** The most a web capture may download, page and resources together. */
  captureMaxBytes: number;
  /** Where alert emails are sent from; undefined sends no email (the deliveries stay queued). Holds a password: never log it. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** How long an SMTP server may take to answer before the delivery is retried later. */
  smtpTimeoutMs: number;
  /** How long a webhook endpoint may take to answer before the delivery is retried later. */
  webhookTimeoutMs: number;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once at start. A bad value stops the start with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvironmentSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  return {
    dataDir: e.VIGIL_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    host: e.VIGIL_HOST,
    port: e.VIGIL_PORT,
    publicUrl: e.VIGIL_PUBLIC_URL,
    behindTls: e.VIGIL_PUBLIC_URL?.startsWith("https:") ?? false,
    trustProxy: e.VIGIL_TRUST_PROXY,
    logLevel: e.VIGIL_LOG_LEVEL,
    sessionIdleMinutes: e.VIGIL_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.VIGIL_SESSION_MAX_HOURS,
    appKey: e.VIGIL_APP_KEY ? Buffer.from(e.VIGIL_APP_KEY, "base64") : undefined,
    maxBodyBytes: e.VIGIL_MAX_BODY_BYTES,
    maxUploadBytes: e.VIGIL_MAX_UPLOAD_BYTES,
    maxImportBytes: e.VIGIL_MAX_IMPORT_BYTES,
    defaultLocale: e.VIGIL_DEFAULT_LOCALE,
    invitationDays: e.VIGIL_INVITATION_DAYS,
    familyCodeDays: e.VIGIL_FAMILY_CODE_DAYS,
    chromiumPath: e.VIGIL_CHROMIUM,
    captureTimeoutMs: e.VIGIL_CAPTURE_TIMEOUT_SECONDS * 1000,
    captureMaxBytes: e.VIGIL_CAPTURE_MAX_BYTES,
    smtpUrl: e.VIGIL_SMTP_URL,
    mailFrom: e.VIGIL_MAIL_FROM,
    smtpTimeoutMs: e.VIGIL_SMTP_TIMEOUT_SECONDS * 1000,
    webhookTimeoutMs: e.VIGIL_WEBHOOK_TIMEOUT_SECONDS * 1000,
  };
}
