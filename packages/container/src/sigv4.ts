import { createHash, createHmac } from "node:crypto";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";

/** SHA-256 (or HMAC-SHA-256 when given a secret) in the shape SignatureV4 expects, from node:crypto. */
class NodeSha256 {
  private hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error("reset is not supported");
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The region of an `https://<api-id>.execute-api.<region>.amazonaws.com/…` endpoint. */
export function regionOf(url: URL, fallback: string | undefined): string {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname);
  const region = match?.[1] ?? fallback;
  if (!region) throw new Error(`cannot tell the AWS region of ${url.hostname}; set AWS_REGION`);
  return region;
}

type Credentials = ConstructorParameters<typeof SignatureV4>[0]["credentials"];

/**
 * SigV4 headers for one `execute-api` request (the `host` header is signed, and left out of what is
 * returned: the HTTP client sets it).
 */
async function signExecuteApi(
  url: URL,
  request: {
    method: string;
    credentials: Credentials;
    region?: string;
    headers: Record<string, string>;
    body?: string;
    /** The scheme signed, when it is not the URL's own (a WebSocket upgrade is signed as https). */
    protocol?: string;
  },
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: "execute-api",
    region: regionOf(url, request.region),
    credentials: request.credentials,
    sha256: NodeSha256,
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    query[key] = value;
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: request.protocol ?? url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { host: url.host, ...request.headers },
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) {
    if (name.toLowerCase() !== "host") sent[name] = String(value);
  }
  return sent;
}

/**
 * Signs the WebSocket `$connect` of the agent API with the task role (IAM authorization), so
 * only the tasks of this deployment can connect. Returns the headers to send with the upgrade.
 */
export function createConnectSigner(options: { region?: string } = {}) {
  const credentials = defaultProvider();
  return async (wsUrl: string): Promise<Record<string, string>> =>
    signExecuteApi(new URL(wsUrl), {
      method: "GET",
      credentials,
      region: options.region,
      headers: {},
      protocol: "https:",
    });
}

export interface SignedFetchOptions {
  region?: string;
  /** Headers sent (and signed) with every request, e.g. the user the task serves. */
  headers?: Record<string, string>;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Defaults to the SDK's chain (on ECS: the task role's credentials). */
  credentials?: Credentials;
}

/**
 * A fetch that signs every request with SigV4 for `execute-api` (the agent's IAM-authorized HTTP API
 * on AWS). Bodies must be strings (JSON), which is all the agent API takes.
 */
export function createSignedFetch(options: SignedFetchOptions = {}): typeof fetch {
  const credentials = options.credentials ?? defaultProvider();
  const doFetch = options.fetch ?? fetch;
  return async (input, init = {}) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const headers: Record<string, string> = { ...options.headers };
    new Headers(init.headers).forEach((value, name) => {
      if (name !== "authorization") headers[name] = value;
    });
    if (init.body !== undefined && init.body !== null && typeof init.body !== "string")
      throw new Error("createSignedFetch: only string bodies are signed");
    const sent = await signExecuteApi(url, {
      method: init.method ?? "GET",
      credentials,
      region: options.region,
      headers,
      ...(typeof init.body === "string" ? { body: init.body } : {}),
    });
    return doFetch(url, { ...init, headers: sent });
  };
}
