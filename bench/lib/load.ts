// A typed door to autocannon's programmatic API (it ships no types), reduced to what a benchmark
// row needs: throughput, latency percentiles, and every response that was not the expected one.
import { createRequire } from "node:module";

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number; totalCount: number };
  requests: { total: number };
}

const autocannon = createRequire(import.meta.url)("autocannon") as (options: AutocannonOptions) => Promise<AutocannonResult>;

export interface Load {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses outside 2xx and 3xx, plus connection errors and timeouts. */
  failures: number;
  /** Responses whose status was not the one the scenario expects (a 303 to /login is a 3xx, but a broken benchmark). */
  unexpected: number;
  statuses: Record<string, number>;
}

export async function applyLoad(options: AutocannonOptions & { expectStatus: number }): Promise<Load> {
  const { expectStatus, ...rest } = options;
  const result = await autocannon(rest);
  const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  const outside = Object.entries(statuses).filter(([code]) => !/^[23]\d\d$/.test(code)).reduce((sum, [, n]) => sum + n, 0);
  const other = Object.entries(statuses).filter(([code]) => Number(code) !== expectStatus).reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: outside + result.errors + result.timeouts,
    unexpected: other + result.errors + result.timeouts,
    statuses,
  };
}
