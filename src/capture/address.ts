import { isIPv4, isIPv6 } from "node:net";

/**
 * Which network addresses a web capture may connect to. A capture runs on Vigil's own server, so
 * a page that points it at the server's neighbours (a router's admin page, a database port, a
 * cloud provider's metadata service that hands out credentials) would make Vigil an attacker's
 * way in: server-side request forgery. Only public unicast addresses are reachable by default;
 * an organisation that means to archive its own intranet (or a test server) may allow the
 * private ones, but never the metadata services, the unspecified address or multicast.
 */

/** Why an address is not public; `null` when it is an ordinary public unicast address. */
export type AddressClass =
  | "loopback"
  | "private"
  | "shared"
  | "link-local"
  | "unique-local"
  | "metadata"
  | "unspecified"
  | "multicast"
  | "reserved";

/** What the organisation's setting unlocks; every other class stays refused. */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(["loopback", "private", "shared", "link-local", "unique-local"]);

export function isReachable(cls: AddressClass | null, allowPrivate: boolean): boolean {
  return cls === null || (allowPrivate && PRIVATE_CLASSES.has(cls));
}

interface Range {
  bits: number[];
  prefix: number;
  cls: AddressClass;
}

function v4(text: string, prefix: number, cls: AddressClass): Range {
  return { bits: text.split(".").map(Number), prefix, cls };
}

// RFC 6890 and the IANA IPv4 special-purpose registry; the most specific range is listed first.
const IPV4_RANGES: Range[] = [
  // Cloud metadata services: AWS, GCP, Azure, OpenStack (169.254.169.254), Alibaba (100.100.100.200).
  v4("169.254.169.254", 32, "metadata"),
  v4("100.100.100.200", 32, "metadata"),
  v4("0.0.0.0", 8, "unspecified"), // "this network": 0.0.0.0 reaches the local host on Linux
  v4("10.0.0.0", 8, "private"),
  v4("100.64.0.0", 10, "shared"), // carrier-grade NAT
  v4("127.0.0.0", 8, "loopback"),
  v4("169.254.0.0", 16, "link-local"),
  v4("172.16.0.0", 12, "private"),
  v4("192.0.0.0", 24, "reserved"),
  v4("192.0.2.0", 24, "reserved"), // documentation
  v4("192.88.99.0", 24, "reserved"), // 6to4 relay anycast, deprecated
  v4("192.168.0.0", 16, "private"),
  v4("198.18.0.0", 15, "reserved"), // benchmarking
  v4("198.51.100.0", 24, "reserved"),
  v4("203.0.113.0", 24, "reserved"),
  v4("224.0.0.0", 4, "multicast"),
  v4("240.0.0.0", 4, "reserved"), // includes the broadcast address
];

function matches(bytes: readonly number[], range: Range, width: 8 | 16): boolean {
  let remaining = range.prefix;
  for (let i = 0; remaining > 0; i++) {
    const take = Math.min(width, remaining);
    const mask = ((1 << take) - 1) << (width - take);
    if ((bytes[i]! & mask) !== (range.bits[i]! & mask)) return false;
    remaining -= take;
  }
  return true;
}

function classifyV4(bytes: readonly number[]): AddressClass | null {
  return IPV4_RANGES.find((r) => matches(bytes, r, 8))?.cls ?? null;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail read as two groups, a zone id dropped), or null. */
export function parseIPv6(text: string): number[] | null {
  let address = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!isIPv6(address)) return null;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    address = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const groupsOf = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const halves = address.split("::");
  const left = groupsOf(halves[0]!);
  const right = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return null;
  return [...left, ...new Array<number>(fill).fill(0), ...right];
}

function v6(groups: number[], prefix: number, cls: AddressClass): Range {
  return { bits: groups, prefix, cls };
}

const IPV6_RANGES: Range[] = [
  v6([0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254], 128, "metadata"), // AWS's IPv6 metadata service
  v6([0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified"),
  v6([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"),
  v6([0x0064, 0xff9b, 0x0001, 0, 0, 0, 0, 0], 48, "reserved"), // local-use NAT64
  v6([0x0100, 0, 0, 0, 0, 0, 0, 0], 64, "reserved"), // discard-only
  v6([0x2001, 0x0db8, 0, 0, 0, 0, 0, 0], 32, "reserved"), // documentation
  v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23, "reserved"), // IETF protocol assignments, Teredo among them
  v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "unique-local"),
  v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local"),
  v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "reserved"), // site-local, deprecated
  v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast"),
];

/** IPv4 addresses carried inside IPv6 ones reach the IPv4 host: they are judged as that host. */
function embeddedV4(g: readonly number[]): { bytes: number[]; deprecated: boolean } | null {
  const bytesOf = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return { bytes: bytesOf(g[6]!, g[7]!), deprecated: false }; // ::ffff:a.b.c.d, IPv4-mapped
  if (g[0] === 0x0064 && g[1] === 0xff9b && zero(2, 6)) return { bytes: bytesOf(g[6]!, g[7]!), deprecated: false }; // 64:ff9b::/96, NAT64
  if (g[0] === 0x2002) return { bytes: bytesOf(g[1]!, g[2]!), deprecated: false }; // 2002::/16, 6to4
  if (zero(0, 6)) return { bytes: bytesOf(g[6]!, g[7]!), deprecated: true }; // ::a.b.c.d, IPv4-compatible
  return null;
}

/** Classifies an IPv4 or IPv6 address; throws on anything that is not an address. */
export function classifyAddress(address: string): AddressClass | null {
  if (isIPv4(address)) return classifyV4(address.split(".").map(Number));
  const groups = parseIPv6(address);
  if (!groups) throw new RangeError(`not an IP address: ${address.slice(0, 64)}`);
  // The single addresses (::, ::1, metadata) first: :: and ::1 would otherwise read as IPv4-compatible.
  const exact = IPV6_RANGES.find((r) => r.prefix === 128 && matches(groups, r, 16));
  if (exact) return exact.cls;
  const inner = embeddedV4(groups);
  if (inner) return inner.deprecated ? "reserved" : classifyV4(inner.bytes);
  return IPV6_RANGES.find((r) => matches(groups, r, 16))?.cls ?? null;
}
