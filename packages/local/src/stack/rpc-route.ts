import type { IncomingMessage, ServerResponse } from "node:http";
import type { createStoreRpcHandler } from "@serverless-openclaw/gateway/local";
import type { LocalRoute } from "../server/api-gateway-server";

/** Where agent tasks reach their user's stores in local mode (`POST /rpc` of the agent HTTP API on AWS). */
export const RPC_PATH = "/_local/rpc";

export function rpcRoute(
  handler: ReturnType<typeof createStoreRpcHandler>,
  authorized: (token: string) => boolean,
): LocalRoute {
  return {
    prefix: RPC_PATH,
    // The token is checked before the (up to 256 MiB) body is read: nobody else can make us buffer one.
    authorize: (req) => authorized(/^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? ""),
    // Blobs (OpenClaw's state archive) travel base64-encoded in the body.
    maxBodyBytes: 256 * 1024 * 1024,
    async handle(req: IncomingMessage, body: Buffer, res: ServerResponse) {
      if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== RPC_PATH) {
        res.writeHead(404).end();
        return;
      }
      const out = await handler(req.headers.authorization, body.toString("utf8"));
      res.writeHead(out.status, { "content-type": "application/json" }).end(out.body);
    },
  };
}
