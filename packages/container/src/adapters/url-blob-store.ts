import type { BlobStore } from "@serverless-openclaw/gateway/agent";

/**
 * The task's blobs on AWS: the state archive and its checkpoints can be far larger than an API
 * Gateway or Lambda payload, so their bytes go straight to S3 over a presigned URL that the gateway
 * signs for one key of this user's prefix (`POST <agent API>/blob-url`), valid for minutes. Listing
 * and deleting stay on the store RPC (`rpc`), which scopes them the same way.
 */
export class UrlBlobStore implements BlobStore {
  constructor(
    private readonly endpoint: string,
    private readonly rpc: BlobStore,
    /** The agent API's fetch (SigV4-signed); the presigned URLs themselves are fetched unsigned. */
    private readonly signedFetch: typeof fetch,
    private readonly plainFetch: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  private async url(key: string, method: "GET" | "PUT"): Promise<string> {
    const res = await this.signedFetch(`${this.endpoint.replace(/\/$/, "")}/blob-url`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key, method }),
    });
    const body = (await res.json().catch(() => undefined)) as
      | { url?: unknown; error?: { code?: string; message?: string } }
      | undefined;
    if (!res.ok || typeof body?.url !== "string") {
      const reason = body?.error?.message ?? `HTTP ${res.status}`;
      throw new Error(`The gateway refused a ${method} URL for ${key}: ${reason}`);
    }
    return body.url;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const res = await this.plainFetch(await this.url(key, "GET"));
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw new Error(`Reading ${key} failed: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const res = await this.plainFetch(await this.url(key, "PUT"), {
      method: "PUT",
      body: new Blob([body as Uint8Array<ArrayBuffer>]),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`Writing ${key} failed: HTTP ${res.status}`);
  }

  delete(key: string): Promise<void> {
    return this.rpc.delete(key);
  }

  list(prefix: string): Promise<string[]> {
    return this.rpc.list(prefix);
  }
}
