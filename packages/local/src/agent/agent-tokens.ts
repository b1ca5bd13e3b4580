import { createHash, randomBytes } from "node:crypto";
import type { AgentScope, ConnectionStore } from "@serverless-openclaw/gateway";

const digest = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/**
 * The per-start tokens of local mode's agent tasks. Each start gets a fresh random token bound to its
 * user (and to its start's agent secret), which opens the store RPC and the Management API for that
 * user only; it is revoked when the task exits. The server itself holds no token that opens everyone's
 * data, so nothing an agent can find on this machine's loopback reaches another user through us.
 */
export class AgentTokens {
  /** Looked up by the token's digest: the raw tokens are not kept. */
  private readonly scopes = new Map<string, AgentScope>();

  issue(scope: AgentScope): string {
    const token = randomBytes(32).toString("base64url");
    this.scopes.set(digest(token), { ...scope });
    return token;
  }

  resolve(token: string | undefined): AgentScope | undefined {
    if (!token) return undefined;
    return this.scopes.get(digest(token));
  }

  revoke(token: string): void {
    this.scopes.delete(digest(token));
  }
}

/**
 * The Management API's check for local mode: an agent's token opens only the browser connections of
 * its own user. Owners already looked up are remembered (a connection id is never reused and its owner
 * never changes), so the pushes of a turn after the first skip the store: this is the first token's path.
 */
export function ownClientConnections(
  tokens: AgentTokens,
  connections: ConnectionStore,
): (token: string, connectionId: string) => Promise<boolean> {
  const owners = new Map<string, string>();
  return async (token, connectionId) => {
    const scope = tokens.resolve(token);
    if (!scope) return false;
    let owner = owners.get(connectionId);
    if (owner === undefined) {
      const connection = await connections.get(connectionId);
      if (connection?.kind !== "client") return false;
      owner = connection.userId;
      if (owners.size >= 10_000) owners.delete(owners.keys().next().value as string);
      owners.set(connectionId, owner);
    }
    return owner === scope.userId;
  };
}
