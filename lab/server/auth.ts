// Token and Origin checks that guard every route and the kernel WebSocket.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Accepts requests that carry the lab's token and come from the lab's own origin. */
export class Guard {
  readonly cookieName: string;

  constructor(
    private readonly token: string,
    private readonly port: number,
  ) {
    this.cookieName = `paramlab-token-${port}`;
  }

  /** Returns the token source of a request, or undefined when no valid token is present. */
  tokenSource(req: IncomingMessage, url: URL): "header" | "query" | "cookie" | undefined {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^token\s+(\S+)$/i.exec(header.trim());
      if (match !== null && this.matches(match[1])) return "header";
    }
    const query = url.searchParams.get("token");
    if (query !== null && this.matches(query)) return "query";
    const cookie = parseCookies(req.headers.cookie ?? "")[this.cookieName];
    if (cookie !== undefined && this.matches(cookie)) return "cookie";
    return undefined;
  }

  /**
   * Checks Host and Origin. Host must name this lab on the loopback interface, which stops DNS
   * rebinding. Origin, when present, must be the lab's own, which stops other web pages from
   * driving the lab. Node clients send no Origin, so it is optional.
   */
  originProblem(req: IncomingMessage): string | undefined {
    const host = req.headers.host ?? "";
    if (!this.allowedHosts().includes(host)) return `Host ${JSON.stringify(host)} is not this lab (expected 127.0.0.1:${this.port})`;
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    if (!this.allowedHosts().some((allowed) => origin === `http://${allowed}`)) {
      return `Origin ${JSON.stringify(origin)} is not this lab's origin http://127.0.0.1:${this.port}`;
    }
    return undefined;
  }

  /** Returns the Set-Cookie value that lets a browser reach the lab after one token login. */
  cookieHeader(): string {
    return `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`;
  }

  private allowedHosts(): string[] {
    return [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
  }

  private matches(candidate: string): boolean {
    const expected = Buffer.from(this.token);
    const actual = Buffer.from(candidate);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}

export function parseCookies(header: string): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    cookies[part.slice(0, index).trim()] = part.slice(index + 1).trim();
  }
  return cookies;
}
