import type { Capacity } from "@serverless-openclaw/shared";
import type { Logger } from "../deps";
import type * as Ports from "../ports";
import { withUsageRecording } from "../services/usage-recording";

/** Every storage port, as one object (what createStores returns). */
export type Stores = {
  connections: Ports.ConnectionStore;
  taskState: Ports.TaskStateStore;
  pending: Ports.PendingQueue;
  conversations: Ports.ConversationStore;
  settings: Ports.SettingsStore;
  blobs: Ports.BlobStore;
  secrets: Ports.SecretStore;
};

export interface StoresPlan {
  /**
   * Where rows, objects and secrets live: `createAwsStores` (the Lambdas; local mode with
   * `--aws-standins`), `createEmbeddedStores` (local mode), `createMemoryStores` (tests) or
   * `createRpcStores` (the agent task: the gateway's stores, scoped to its user, over the store RPC).
   */
  backend: Stores;
  /**
   * Ports served from somewhere else than the backend: the secrets file beside the AWS stand-ins
   * (there is no SSM stand-in); blob bytes over presigned URLs for the agent task on AWS (the state
   * archive is too large for a Lambda payload).
   */
  replace?: Partial<Stores>;
  /**
   * Set by the gateway's processes (Lambdas, local mode): every run that reaches Idle is booked to its
   * user's monthly usage, whoever writes the row (the agent through the store RPC, the watchdog, a
   * failed start). The agent task sets none: its writes land in the gateway's stores, which book them.
   */
  usage?: {
    logger: Pick<Logger, "warn">;
    /** Told the seconds of every run booked (the AgentRunSeconds metric on AWS). */
    onRunBooked?: (seconds: number, capacity: Capacity) => void;
  };
}

/**
 * The one store builder of every start-up path (the Lambda runtime, local mode, the agent task): each
 * picks a backend, and the rules on top of it (which ports come from elsewhere, usage booking) are
 * applied here alike, so the paths cannot drift apart.
 */
export function createStores(plan: StoresPlan): Stores {
  const stores: Stores = { ...plan.backend, ...plan.replace };
  if (!plan.usage) return stores;
  const { logger, onRunBooked } = plan.usage;
  return { ...stores, taskState: withUsageRecording(stores.taskState, stores.settings, logger, onRunBooked) };
}
