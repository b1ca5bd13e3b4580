import { randomUUID } from "node:crypto";
import { ChatRelayError, type ChatRelayPort } from "@serverless-openclaw/gateway/agent";
import type { AgentRelay, AgentRelayResult, RelayCall, RelayResult } from "@serverless-openclaw/shared";

export interface AgentLinkRelayOptions {
  /** How long a call may wait for the link to open and then for the gateway's answer. */
  timeoutMs?: number;
  /** How often a call retries sending while the link is down (reconnecting). */
  retryMs?: number;
}

interface Waiting {
  resolve: (result: RelayResult) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The gateway's chat relay as the task reaches it: an `agent.relay` frame on the task's agent link
 * (the agent WebSocket, the same in local mode and on AWS), answered by `agent.relay-result` with the
 * same id. The gateway serves it for the user the link was bound to at $connect.
 */
export class AgentLinkRelay implements ChatRelayPort {
  private send: ((frame: AgentRelay) => boolean) | undefined;
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly options: AgentLinkRelayOptions = {}) {}

  /** The link to send on; `send` returns false while it is not open. */
  attach(send: (frame: AgentRelay) => boolean): void {
    this.send = send;
  }

  /** An `agent.relay-result` from the gateway. */
  settle(answer: AgentRelayResult): void {
    const waiting = this.waiting.get(answer.id);
    if (!waiting) return; // timed out already
    this.waiting.delete(answer.id);
    clearTimeout(waiting.timer);
    if (answer.error) waiting.reject(new ChatRelayError(answer.error));
    else waiting.resolve(answer.result ?? {});
  }

  call(pendingId: string, call: RelayCall): Promise<RelayResult> {
    const id = randomUUID();
    const frame: AgentRelay = { type: "agent.relay", id, pendingId, call };
    const timeoutMs = this.options.timeoutMs ?? 40_000;
    return new Promise<RelayResult>((resolve, reject) => {
      let retry: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        clearTimeout(retry);
        this.waiting.delete(id);
        reject(
          new ChatRelayError({
            code: "RELAY_TIMEOUT",
            message: `no answer from the chat relay in ${timeoutMs} ms`,
          }),
        );
      }, timeoutMs);
      timer.unref?.();
      this.waiting.set(id, { resolve, reject, timer });
      // While the link is reconnecting the call waits for it (within the same deadline).
      const trySend = () => {
        if (!this.waiting.has(id)) return;
        if (this.send?.(frame)) return;
        retry = setTimeout(trySend, this.options.retryMs ?? 250);
        retry.unref?.();
      };
      trySend();
    });
  }

  /** Fails every call still waiting (the task is stopping). */
  close(): void {
    for (const [id, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new ChatRelayError({ code: "RELAY_CLOSED", message: "the agent link closed" }));
      this.waiting.delete(id);
    }
  }
}
