import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAgentApiHandler } from "@serverless-openclaw/gateway";
import type { BlobUrlSigner, ClientPush, Stores } from "@serverless-openclaw/gateway/agent";
import { SignatureV4 } from "@smithy/signature-v4";

/** An IAM principal the stand-in knows: its key pair and the assumed-role ARN IAM would report. */
export interface StandinCaller {
  accessKeyId: string;
  secretAccessKey: string;
  userArn: string;
}

class Sha256 {
  private hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const buf = (d: string | ArrayBuffer | ArrayBufferView) =>
      typeof d === "string"
        ? Buffer.from(d)
        : ArrayBuffer.isView(d)
          ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
          : Buffer.from(d);
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", buf(secret));
    this.update = (data) => {
      this.hash.update(buf(data));
    };
  }
  update: (data: string | ArrayBuffer | ArrayBufferView) => void;
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}

/**
 * API Gateway's HTTP API with IAM authorization, on loopback, in front of the gateway's real agent API
 * handler: it checks each request's SigV4 signature against the key pairs it knows (as IAM does: a
 * wrong key or a tampered request is a 403 before the handler runs) and hands the handler the event
 * AWS would, with the caller's assumed-role ARN in `requestContext.authorizer.iam.userArn`.
 */
export class AgentApiStandin {
  private server?: Server;
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  private readonly handle: ReturnType<typeof createAgentApiHandler>;

  constructor(
    stores: Stores,
    private readonly callers: StandinCaller[],
    options: { clientPush: ClientPush; blobUrls?: BlobUrlSigner; taskRoleName?: string },
  ) {
    this.handle = createAgentApiHandler({
      stores,
      clientPush: options.clientPush,
      ...(options.blobUrls ? { blobUrls: options.blobUrls } : {}),
      logger: { warn: () => {}, error: () => {} },
      ...(options.taskRoleName ? { taskRoleName: options.taskRoleName } : {}),
    });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.serve(req).then(({ status, body }) => {
        this.requests.push({ method: req.method ?? "", path: req.url ?? "", status });
        res.writeHead(status, { "content-type": "application/json" }).end(body);
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return; // never started (a failed set-up): nothing to close, and no close callback would come
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  private async serve(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const caller = await this.authenticate(req, body);
    if (!caller) return { status: 403, body: JSON.stringify({ message: "Forbidden" }) };
    const url = new URL(req.url ?? "/", "http://standin");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const out = await this.handle({
      rawPath: url.pathname,
      requestContext: { http: { method: req.method }, authorizer: { iam: { userArn: caller.userArn } } },
      headers,
      body,
      isBase64Encoded: false,
    });
    return { status: out.statusCode, body: out.body ?? "" };
  }

  /** SigV4, re-computed with the caller's secret over the headers it says it signed. */
  private async authenticate(req: IncomingMessage, body: string): Promise<StandinCaller | undefined> {
    const auth = String(req.headers.authorization ?? "");
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/execute-api\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return undefined;
    const [, keyId, , region, signedHeaders] = m;
    const caller = this.callers.find((c) => c.accessKeyId === keyId);
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    if (!caller || !/^\d{8}T\d{6}Z$/.test(amzDate)) return undefined;
    const signingDate = new Date(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    const headers: Record<string, string> = {};
    for (const name of (signedHeaders ?? "").split(";")) headers[name] = String(req.headers[name] ?? "");
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const signer = new SignatureV4({
      service: "execute-api",
      region: region ?? "",
      credentials: { accessKeyId: caller.accessKeyId, secretAccessKey: caller.secretAccessKey },
      sha256: Sha256,
    });
    const expected = await signer.sign(
      {
        method: req.method ?? "GET",
        protocol: "http:",
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query,
        headers,
        ...(body ? { body } : {}),
      },
      { signingDate },
    );
    return expected.headers.authorization === auth ? caller : undefined;
  }
}
