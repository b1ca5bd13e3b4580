import type { ClientPush } from "@serverless-openclaw/gateway";
import type { ServerEvent } from "@serverless-openclaw/shared";
import type { WebSocketApi } from "./websocket-api";

/**
 * ClientPush for the handlers running inside the local server: writes straight to the WebSocket API's
 * sockets, with the same outcomes as the Management API (false = GoneException, also during `$connect`).
 */
export class WsClientPush implements ClientPush {
  constructor(private readonly api: WebSocketApi) {}

  async send(connectionId: string, event: ServerEvent | Record<string, unknown>): Promise<boolean> {
    return this.api.post(connectionId, Buffer.from(JSON.stringify(event), "utf8"));
  }

  async disconnect(connectionId: string): Promise<void> {
    this.api.disconnect(connectionId);
  }
}
