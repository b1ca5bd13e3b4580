import { type Connection, ConnectionSchema } from "@serverless-openclaw/shared";
import type { ConnectionStore } from "../../ports";
import type { LocalTable } from "./local-table";

/** Connections in an embedded table (partition key = connectionId, like DynamoDB). */
export class EmbeddedConnectionStore implements ConnectionStore {
  constructor(private readonly table: LocalTable) {}

  async put(connection: Connection): Promise<void> {
    const parsed = ConnectionSchema.parse(connection);
    this.table.put(parsed.connectionId, "", parsed);
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    const item = this.table.get(connectionId);
    return item ? ConnectionSchema.parse(item) : undefined;
  }

  async delete(connectionId: string): Promise<void> {
    this.table.delete(connectionId);
  }

  async listByUser(userId: string, kind?: Connection["kind"]): Promise<Connection[]> {
    // A scan stands in for the GSI: local mode has a handful of connections.
    return this.table
      .scan()
      .map((item) => ConnectionSchema.parse(item))
      .filter((c) => c.userId === userId && (kind === undefined || c.kind === kind));
  }

  async listAll(kind?: Connection["kind"]): Promise<Connection[]> {
    return this.table
      .scan()
      .map((item) => ConnectionSchema.parse(item))
      .filter((c) => kind === undefined || c.kind === kind);
  }
}
