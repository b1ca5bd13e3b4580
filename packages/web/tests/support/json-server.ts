import { createServer, type IncomingMessage, type Server } from "node:http";

export type JsonReply = { status: number; body?: unknown };

/**
 * A loopback HTTP server that answers every request with `handle`'s status and JSON body, plus the
 * given headers (CORS and content type, as the real service sends them).
 */
export async function startJsonServer(
  handle: (req: IncomingMessage) => Promise<JsonReply>,
  headers: Record<string, string>,
): Promise<Server> {
  const server = createServer((req, res) => {
    void handle(req).then(({ status, body }) => {
      res.writeHead(status, headers);
      res.end(body === undefined ? "" : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
