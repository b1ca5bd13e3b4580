import { createHash, createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Redactor } from "@serverless-openclaw/shared";
import { until } from "@serverless-openclaw/testkit/until";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { AgentSocket } from "../../src/agent-socket";
import { createJsonLogger } from "../../src/logger";
import { createConnectSigner, regionOf } from "../../src/sigv4";

/**
 * The agent task's IAM-signed `$connect` to the agent WebSocket API. API Gateway recomputes the
 * signature from the request it receives; this recomputes it the same way, from the SigV4 spec and
 * node:crypto alone (not the SDK's signer), for the URL the task actually opens.
 */
const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "ASIAEXAMPLETASKROLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE//session+token=",
};

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const hmac = (key: string | Buffer, text: string) => createHmac("sha256", key).update(text, "utf8").digest();
/** RFC 3986 percent-encoding, as SigV4 wants it (unreserved characters stay). */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The Authorization header API Gateway expects for a GET of `wsUrl` with these headers. */
function expectedAuthorization(wsUrl: string, amzDate: string, region: string): string {
  const url = new URL(wsUrl);
  const query = url.search
    .slice(1)
    .split("&")
    .filter(Boolean)
    .map((pair) => pair.split("=").map((part) => decodeURIComponent(part.replace(/\+/g, " "))))
    .map(([k = "", v = ""]) => [rfc3986(k), rfc3986(v)])
    .sort(([a = "", x = ""], [b = "", y = ""]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const headers: Array<[string, string]> = [
    ["host", url.host],
    ["x-amz-content-sha256", sha256("")],
    ["x-amz-date", amzDate],
    ["x-amz-security-token", CREDENTIALS.AWS_SESSION_TOKEN],
  ];
  const signedHeaders = headers.map(([name]) => name).join(";");
  const canonicalRequest = [
    "GET",
    url.pathname.split("/").map(rfc3986).join("/"),
    query,
    ...headers.map(([name, value]) => `${name}:${value}`),
    "",
    signedHeaders,
    sha256(""),
  ].join("\n");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/execute-api/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  let key = hmac(`AWS4${CREDENTIALS.AWS_SECRET_ACCESS_KEY}`, day);
  for (const part of [region, "execute-api", "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.AWS_ACCESS_KEY_ID}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

describe("the agent WebSocket's signed $connect", () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const [name, value] of Object.entries(CREDENTIALS)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("signs the URL the task opens (userId and secret in the query) with the task role, as API Gateway checks it", async () => {
    // As AgentSocket builds it: the endpoint plus searchParams.set, which form-encodes.
    const target = new URL("wss://abc123def4.execute-api.eu-central-1.amazonaws.com/prod");
    target.searchParams.set("userId", "6f1c2d3e-0000-4000-8000-00000000a11c");
    target.searchParams.set("secret", "a+b/c=d e~f_g-h.i*j");
    const headers = await createConnectSigner()(target.toString());
    const amzDate = headers["x-amz-date"] ?? "";
    expect(amzDate).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers["x-amz-security-token"]).toBe(CREDENTIALS.AWS_SESSION_TOKEN);
    expect(headers["x-amz-content-sha256"]).toBe(sha256("")); // signed, so it must be sent too
    expect(headers.authorization).toBe(expectedAuthorization(target.toString(), amzDate, "eu-central-1"));
    // The WebSocket client sets Host itself, from the same URL.
    expect(Object.keys(headers).map((h) => h.toLowerCase())).not.toContain("host");
  });

  it("sends exactly what it signed: the upgrade request's URL and headers carry a valid signature", async () => {
    const received: Array<{ url: string; headers: Record<string, string | string[] | undefined> }> = [];
    const server = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      path: "/agent",
      verifyClient: (info, done) => {
        received.push({ url: info.req.url ?? "", headers: info.req.headers });
        done(true);
      },
    });
    await new Promise<void>((r) => server.once("listening", () => r()));
    const socket = new AgentSocket({
      url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/agent`,
      userId: "6f1c2d3e-0000-4000-8000-00000000a11c",
      secret: "s3cr3t_-value",
      logger: createJsonLogger({ redactor: new Redactor(), write: () => {} }),
      sign: createConnectSigner({ region: "us-east-1" }),
      onMessage: () => {},
      onOpen: () => {},
      onRejected: () => {},
    });
    try {
      socket.start();
      await until("the upgrade request", () => received.length > 0);
      const [request] = received;
      const header = (name: string) => String(request?.headers[name] ?? "");
      // Recomputed from the request as the server saw it (its Host header and request line).
      const seen = `ws://${header("host")}${request?.url}`;
      expect(header("authorization")).toBe(expectedAuthorization(seen, header("x-amz-date"), "us-east-1"));
      expect(header("x-amz-security-token")).toBe(CREDENTIALS.AWS_SESSION_TOKEN);
      expect(header("x-amz-content-sha256")).toBe(sha256(""));
    } finally {
      await socket.close();
      await new Promise((r) => server.close(r));
    }
  });

  it("takes the region from the execute-api host, else from AWS_REGION, else refuses", () => {
    const host = (h: string) => new URL(`wss://${h}/prod`);
    expect(regionOf(host("x1.execute-api.ap-southeast-2.amazonaws.com"), "us-east-1")).toBe("ap-southeast-2");
    expect(regionOf(host("agents.example.com"), "us-west-2")).toBe("us-west-2");
    expect(() => regionOf(host("agents.example.com"), undefined)).toThrow(/set AWS_REGION/);
  });
});
