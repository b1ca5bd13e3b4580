import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import type { ServerEvent } from "@serverless-openclaw/shared";
import type { ClientPush } from "../../ports";

/**
 * Pushes JSON events to WebSocket connections through the API Gateway Management API
 * (`https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`, or local mode's `/@connections`).
 */
export class ApiGatewayClientPush implements ClientPush {
  private readonly client: ApiGatewayManagementApiClient;

  constructor(endpointOrClient: string | ApiGatewayManagementApiClient) {
    this.client =
      typeof endpointOrClient === "string"
        ? new ApiGatewayManagementApiClient({ endpoint: endpointOrClient })
        : endpointOrClient;
  }

  /** False when the connection is gone (closed tab, expired): the caller deletes its record. */
  async send(connectionId: string, event: ServerEvent | Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
      return true;
    } catch (error) {
      if (isGone(error)) return false;
      throw error;
    }
  }

  async disconnect(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
}

function isGone(error: unknown): boolean {
  return error instanceof Error && error.name === "GoneException";
}
