import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { CaptureRefused, resolveReachable, Unreachable, type ReachPolicy, type Resolver } from "./target.ts";

/**
 * The only way out for the capture's Chromium: a forward proxy on the loopback interface, for the
 * life of one capture. Every connection the page makes (the page itself, each redirect, each
 * image, script, stylesheet, XHR, WebSocket) arrives here with a host name; the proxy resolves
 * it itself, checks every address (src/capture/target.ts) and connects to the address it
 * checked, so a DNS answer that changes between the check and the connection (rebinding) cannot
 * slip a private address through. Chromium resolves nothing itself, and is told to send even
 * loopback requests here.
 *
 * It also counts the bytes that come back, and stops everything once the capture's limit is
 * passed. Plain HTTP requests are forwarded as they are; HTTPS goes through CONNECT tunnels that
 * the proxy cannot read (the page's content is taken from the browser, not from here).
 */

export interface Refusal {
  /** The URL (plain HTTP) or host:port (a tunnel) refused. */
  target: string;
  reason: string;
  /** The refusal itself: a CaptureRefused (policy) or an Unreachable (a name that does not resolve). */
  error: CaptureRefused | Unreachable | null;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "te", "trailer", "upgrade"]);

export class CaptureProxy {
  readonly refusals: Refusal[] = [];
  /** The address each host was reached at, for the WARC's WARC-IP-Address. */
  readonly addresses = new Map<string, string>();
  received = 0;
  /** Set once the limit is passed; every connection is then cut. */
  overLimit = false;
  readonly #server: Server;
  readonly #sockets = new Set<Duplex>();
  readonly #policy: ReachPolicy;
  readonly #limit: number;
  readonly #resolve: Resolver | undefined;
  readonly #onLimit: () => void;
  /** Proxy credentials: only the capture's own browser may use the proxy while it runs. */
  readonly username = "vigil";
  readonly password = randomBytes(18).toString("base64url");

  constructor(options: { policy: ReachPolicy; limit: number; onLimit: () => void; resolve?: Resolver }) {
    this.#policy = options.policy;
    this.#limit = options.limit;
    this.#onLimit = options.onLimit;
    this.#resolve = options.resolve;
    this.#server = createServer((req, res) => void this.#forward(req, res));
    this.#server.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.#tunnel(req, socket, head));
    // Plain-text WebSocket upgrades through a proxy come as CONNECT; an upgrade here is not ours to pass.
    this.#server.on("upgrade", (_req: IncomingMessage, socket: Duplex) => socket.destroy());
    this.#server.on("connection", (socket: Socket) => this.#track(socket));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Cuts every connection and stops listening. */
  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Duplex): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    // A socket reset by the browser or the site is an ordinary end, not a crash of the proxy.
    socket.on("error", () => socket.destroy());
  }

  #count(bytes: number): void {
    this.received += bytes;
    if (this.received > this.#limit && !this.overLimit) {
      this.overLimit = true;
      for (const socket of this.#sockets) socket.destroy();
      this.#onLimit();
    }
  }

  #authorised(req: IncomingMessage): boolean {
    const header = req.headers["proxy-authorization"] ?? "";
    const expected = Buffer.from(`Basic ${Buffer.from(`${this.username}:${this.password}`).toString("base64")}`);
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Resolves and checks the host; the connection then goes to exactly the address checked. */
  async #reach(host: string, port: number, target: string): Promise<string | null> {
    try {
      const [address] = await resolveReachable(host, port, this.#policy, this.#resolve);
      this.addresses.set(host, address!);
      return address!;
    } catch (error) {
      this.refusals.push({ target, reason: error instanceof Error ? error.message : String(error), error: error instanceof CaptureRefused || error instanceof Unreachable ? error : null });
      return null;
    }
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#authorised(req)) {
      res.writeHead(407, { "Proxy-Authenticate": 'Basic realm="vigil-capture"', Connection: "close" }).end();
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? "");
    } catch {
      res.writeHead(400, { Connection: "close" }).end();
      return;
    }
    if (url.protocol !== "http:") {
      this.refusals.push({ target: url.href.slice(0, 500), reason: `the scheme ${url.protocol} is not captured`, error: new CaptureRefused("only http and https pages can be captured", "scheme", url.protocol) });
      req.socket.destroy();
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = url.port ? Number(url.port) : 80;
    const address = await this.#reach(host, port, url.href.slice(0, 500));
    // Refused: no answer at all, so the browser reports a failed load rather than a page from us.
    if (!address) return void req.socket.destroy();
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    const upstream = httpRequest({
      host: address,
      port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, host: url.host },
      agent: false,
    });
    upstream.on("socket", (socket) => this.#track(socket));
    upstream.on("response", (answer) => {
      const raw: string[] = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(answer.rawHeaders[i]!.toLowerCase())) raw.push(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, raw);
      answer.on("data", (chunk: Buffer) => this.#count(chunk.length));
      answer.pipe(res);
    });
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  }

  async #tunnel(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.#track(socket);
    if (!this.#authorised(req)) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="vigil-capture"\r\nConnection: close\r\n\r\n');
      return;
    }
    const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(req.url ?? "");
    if (!match) return void socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    const host = match[1]!;
    const port = Number(match[2]);
    const address = await this.#reach(host, port, `${host}:${port}`);
    if (!address) return void socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
    const upstream = connect({ host: address, port });
    this.#track(upstream);
    upstream.once("connect", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.on("data", (chunk: Buffer) => this.#count(chunk.length));
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    upstream.on("close", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
  }
}
