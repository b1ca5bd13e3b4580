import type { ClientPush } from "@serverless-openclaw/gateway/agent";

export interface HttpClientPushOptions {
  /** The path segment before the connection id: `@connections` (local server) or `connections` (AWS agent API). */
  path?: string;
  /** Defaults to the global fetch; on AWS a SigV4-signing fetch (sigv4.ts). */
  fetch?: typeof fetch;
}

/**
 * ClientPush over HTTP to the gateway, which pushes only to the task's own user's browser connections:
 * local mode's Management-API-shaped endpoint (`POST/DELETE <endpoint>/@connections/<id>`, with the
 * task's token in `x-local-token`), or on AWS the agent API (`<endpoint>/connections/<id>`, SigV4-signed
 * by the task role). The task role itself cannot reach any browser connection.
 */
export class HttpClientPush implements ClientPush {
  private readonly fetch: typeof fetch;
  constructor(
    private readonly endpoint: string,
    private readonly token?: string,
    private readonly options: HttpClientPushOptions = {},
  ) {
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  private url(connectionId: string): string {
    const path = this.options.path ?? "@connections";
    return `${this.endpoint.replace(/\/$/, "")}/${path}/${encodeURIComponent(connectionId)}`;
  }

  private headers(): Record<string, string> {
    return {
      "content-type": "application/json",
      ...(this.token ? { "x-local-token": this.token } : {}),
    };
  }

  async send(connectionId: string, event: object): Promise<boolean> {
    const res = await this.fetch(this.url(connectionId), {
      method: "POST",
      headers: this.headers(),
      body: JSON.stringify(event),
    });
    await res.body?.cancel();
    if (res.status === 410 || res.status === 404) return false;
    if (!res.ok) throw new Error(`push to ${connectionId} failed: HTTP ${res.status}`);
    return true;
  }

  async disconnect(connectionId: string): Promise<void> {
    const res = await this.fetch(this.url(connectionId), { method: "DELETE", headers: this.headers() });
    await res.body?.cancel();
  }
}
