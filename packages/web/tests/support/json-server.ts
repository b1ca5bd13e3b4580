import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

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

/**
 * A loopback stand-in of a JSON service (FakeCognito, FakeHttpApi): a subclass answers in `handle`
 * and starts with `listen`, giving the headers the real service sends.
 */
export abstract class JsonFake {
  private server: Server | undefined;

  protected abstract handle(req: IncomingMessage): Promise<JsonReply>;

  protected async listen(headers: Record<string, string>): Promise<this> {
    this.server = await startJsonServer((req) => this.handle(req), headers);
    return this;
  }

  /** `http://127.0.0.1:<port>`, once listening. */
  protected get origin(): string {
    if (!this.server) throw new Error("not listening");
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
