import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Invalid, VigilError } from "../core/index.ts";
import { classifyAddress, isReachable, type AddressClass } from "./address.ts";

/** What a capture may reach: public addresses, private ones too if the organisation allows it, never Vigil itself. */
export interface ReachPolicy {
  allowPrivate: boolean;
  /** "address:port" pairs that are Vigil's own listening sockets: never fetched, whatever the setting. */
  forbidden: ReadonlySet<string>;
}

/** Why a capture was refused: a scheme, credentials in the address, Vigil itself, or the class of an address. */
export type RefusalReason = "scheme" | "credentials" | "self" | "redirect-scheme" | AddressClass;

/** A capture asked to reach something it may not. `host` names what was refused; `viaRedirect` when the page led there. */
export class CaptureRefused extends VigilError {
  readonly status = 422;
  readonly code = "capture-refused";
  constructor(
    message: string,
    readonly reason: RefusalReason,
    readonly host: string | null = null,
    readonly viaRedirect = false,
  ) {
    super(message);
  }
}

/** Address classes an administrator's setting unlocks: the message says so. */
export function unlockable(reason: RefusalReason): boolean {
  return isReachable(reason as AddressClass, true) && !isReachable(reason as AddressClass, false);
}

export const MAX_URL_LENGTH = 4096;

/**
 * Parses what a person typed as the address to capture. Only http and https; no user name or
 * password in the address (they would be sent to the site and kept in the WARC); a host is
 * required. The WHATWG parser has already turned numeric forms such as 0x7f.1 or 2130706433 into
 * dotted IPv4, so the address checks see what the browser would connect to.
 */
export function parseCaptureUrl(input: string): URL {
  const text = input.trim();
  if (text.length === 0) throw new Invalid("some fields are not valid", { url: "give the address of the page" });
  if (text.length > MAX_URL_LENGTH) throw new Invalid("some fields are not valid", { url: `at most ${MAX_URL_LENGTH} characters` });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Invalid("some fields are not valid", { url: "not a web address: it starts with https:// or http://" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CaptureRefused("only http and https pages can be captured", "scheme", url.protocol.replace(/:$/, ""));
  }
  if (url.username || url.password) throw new CaptureRefused("an address with a user name or password cannot be captured", "credentials");
  if (!url.hostname) throw new Invalid("some fields are not valid", { url: "the address has no host" });
  url.hash = "";
  return url;
}

/** The host of a URL as an address or a name: brackets taken off IPv6 literals. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

export function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

const DESCRIPTION: Record<AddressClass, string> = {
  loopback: "a loopback address",
  private: "a private address",
  shared: "a carrier-grade NAT address",
  "link-local": "a link-local address",
  "unique-local": "a unique local IPv6 address",
  metadata: "a cloud metadata service",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  reserved: "a reserved address",
};

/** Refuses one address the policy does not reach. */
export function checkAddress(host: string, address: string, port: number, policy: ReachPolicy): void {
  const cls = classifyAddress(address);
  if (!isReachable(cls, policy.allowPrivate)) {
    const shown = host === address ? address : `${host} (${address})`;
    throw new CaptureRefused(`${shown} is ${DESCRIPTION[cls!]}, which captures may not reach${unlockable(cls!) ? " unless an administrator allows private addresses" : ""}`, cls!, shown);
  }
  if (policy.forbidden.has(`${address}:${port}`)) throw new CaptureRefused(`${host}:${port} is Vigil itself, which captures never fetch`, "self", `${host}:${port}`);
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/** A name that does not resolve, or a resolver that failed: the page cannot be reached. */
export class Unreachable extends VigilError {
  readonly status = 422;
  readonly code = "capture-unreachable";
  constructor(
    message: string,
    readonly host: string,
  ) {
    super(message);
  }
}

/**
 * Resolves a host ourselves and checks EVERY address it has: a name with one public and one
 * private address is refused, since the connection could go to either. Returns the addresses
 * in the resolver's order; the caller connects only to one of these (no second lookup for an
 * attacker's DNS server to answer differently).
 */
export async function resolveReachable(host: string, port: number, policy: ReachPolicy, resolve: Resolver = systemResolver): Promise<string[]> {
  if (isIP(host)) {
    checkAddress(host, host, port, policy);
    return [host];
  }
  let answers: { address: string }[];
  try {
    answers = await resolve(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new Unreachable(code === "ENOTFOUND" || code === "ENODATA" ? `${host} does not exist (no such name in DNS)` : `${host} could not be resolved (${code || "DNS error"})`, host);
  }
  if (answers.length === 0) throw new Unreachable(`${host} does not exist (no such name in DNS)`, host);
  for (const answer of answers) checkAddress(host, answer.address, port, policy);
  return answers.map((a) => a.address);
}
