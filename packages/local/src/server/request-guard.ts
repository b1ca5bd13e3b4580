import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/**
 * Which requests local mode answers, against DNS rebinding and cross-site requests: a web page on
 * another site can make the browser send requests to 127.0.0.1, and a rebound domain name can even
 * read the answers. So the Host header must name this server (the bound address, `localhost`,
 * `127.0.0.1` or `[::1]`), never a domain name someone else controls; and a browser request that
 * carries an Origin must come from the same origin it is sent to. Requests without an Origin (the
 * agent task, curl, the SDKs) are not browser cross-site requests and pass on their Host alone.
 */
export class RequestGuard {
  private readonly names: ReadonlySet<string>;

  constructor(
    /** The address the server is bound to (`--host`, default 127.0.0.1). */
    private readonly boundHost: string,
  ) {
    this.names = new Set(["localhost", "127.0.0.1", "[::1]", bracket(boundHost).toLowerCase()]);
  }

  /** Why a request is refused, or undefined when it may go on. */
  refusal(req: Pick<IncomingMessage, "headers">): string | undefined {
    const host = req.headers.host;
    if (!host || !this.hostAllowed(host)) {
      return `Host ${JSON.stringify(host ?? "")} is not this server: local mode answers only at 127.0.0.1, localhost, [::1] or its --host address`;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host.toLowerCase()}`) {
      return `Origin ${JSON.stringify(origin)} is not this server's: local mode accepts browser requests from its own pages only`;
    }
    return undefined;
  }

  hostAllowed(hostHeader: string): boolean {
    const name = hostName(hostHeader.toLowerCase());
    if (name === undefined) return false;
    if (this.names.has(name)) return true;
    // Bound to every interface (--host 0.0.0.0 or ::): the LAN reaches it by IP address. An address
    // literal cannot be rebound the way a domain name can, so any IP address is accepted then.
    return isWildcard(this.boundHost) && isIP(name.replace(/^\[|\]$/g, "")) !== 0;
  }
}

/** `name` of `name:port` / `[v6]:port`; undefined when the header is malformed. */
function hostName(host: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  return match?.[1];
}

function bracket(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}
