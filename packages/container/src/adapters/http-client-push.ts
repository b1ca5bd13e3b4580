import type { ClientPush } from "@serverless-openclaw/gateway/ports";

/**
 * ClientPush over plain HTTP to a Management-API-shaped endpoint (`POST/DELETE
 * <endpoint>/@connections/<id>`), as the local server serves it, presenting the local token in
 * `x-local-token`. On AWS the SDK client (ApiGatewayClientPush) is used instead, because those calls
 * must be SigV4-signed.
 */
export class HttpClientPush implements ClientPush {
  constructor(
    private readonly endpoint: string,
    private readonly token?: string,
  ) {}

  private url(connectionId: string): string {
    return `${this.endpoint.replace(/\/$/, "")}/@connections/${encodeURIComponent(connectionId)}`;
  }

  private headers(): Record<string, string> {
    return {
      "content-type": "application/json",
      ...(this.token ? { "x-local-token": this.token } : {}),
    };
  }

  async send(connectionId: string, event: object): Promise<boolean> {
    const res = await fetch(this.url(connectionId), {
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
    const res = await fetch(this.url(connectionId), { method: "DELETE", headers: this.headers() });
    await res.body?.cancel();
  }
}
