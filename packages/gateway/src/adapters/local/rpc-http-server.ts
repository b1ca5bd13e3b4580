import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Stores } from "../stores";
import { createStoreRpcHandler } from "./rpc-server";

export interface StoreRpcServer {
  /** `http://127.0.0.1:<port>/_local/rpc` */
  url: string;
  token: string;
  close(): Promise<void>;
}

/**
 * A minimal HTTP server for the store RPC on a free loopback port: for tests (contract suites over
 * RPC, agent-task tests) where the full local server is not needed.
 */
export async function startStoreRpcServer(
  stores: Stores,
  options: { token?: string; maxBodyBytes?: number } = {},
): Promise<StoreRpcServer> {
  const token = options.token ?? randomBytes(24).toString("base64url");
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const handle = createStoreRpcHandler(stores, token);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        res.writeHead(413, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: { code: "TOO_LARGE", message: `Body over ${maxBodyBytes} bytes.` } }),
        );
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/_local/rpc") {
        res.writeHead(404).end();
        return;
      }
      void handle(req.headers.authorization, Buffer.concat(chunks).toString("utf8")).then(
        ({ status, body }) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(body);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/_local/rpc`,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
