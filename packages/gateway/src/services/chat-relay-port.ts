import type { RelayCall, RelayFailure, RelayResult } from "@serverless-openclaw/shared";

// Apart from chat-relay.ts so the agent task, which calls the relay, loads none of the chat apps'
// clients the gateway's side of the relay sends with.

/** A refused or failed relay call, as the task gets it back (RelayFailure). */
export class ChatRelayError extends Error {
  constructor(readonly failure: RelayFailure) {
    super(failure.message);
    this.name = "ChatRelayError";
  }
}

/**
 * The relay as an agent task's reply sinks call it: over the agent link (container
 * `adapters/agent-link-relay.ts`), or in process in tests. Failures are ChatRelayError.
 */
export interface ChatRelayPort {
  call(pendingId: string, call: RelayCall): Promise<RelayResult>;
}
