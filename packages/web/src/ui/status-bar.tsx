import { type AgentStatusEvent, BUDGET_EXCEEDED } from "@serverless-openclaw/shared";
import type { ConnectionState } from "../ws/ws-client";
import { agentView, describeView, viewState } from "./status-view";
import { useNow } from "./use-now";

export interface StatusBarProps {
  agent: AgentStatusEvent | null;
  connection: ConnectionState;
  onReconnect?: () => void;
  /** Injected by tests; otherwise the bar ticks by itself. */
  now?: number;
}

/**
 * Always visible: what the agent is doing, and whether we are connected at all. The agent part comes
 * from the same AgentView as the message bubbles (status-view.ts).
 */
export function StatusBar({ agent, connection, onReconnect, now: fixedNow }: StatusBarProps) {
  const ticking =
    fixedNow === undefined && (agent?.state === "Starting" || connection.status === "reconnecting");
  const tickNow = useNow(ticking);
  const now = fixedNow ?? tickNow;
  const view = agentView(agent, connection);
  const state = viewState(view);
  return (
    <div className="status-bar" data-testid="status-bar" data-state={state} role="status" aria-live="polite">
      <span className={`status-dot status-${state.toLowerCase()}`} aria-hidden="true" />
      <span className="status-agent" data-testid="status-agent">
        {describeView(view, now)}
      </span>
      {agent?.error && view.kind !== "unreachable" && (
        <span className="status-error" data-testid="status-error" role="alert">
          {agent.error.code === BUDGET_EXCEEDED ? (
            <>
              Monthly budget reached: {agent.error.message} <a href="#/usage">Usage</a>
            </>
          ) : (
            <>Start failed: {agent.error.message}</>
          )}
        </span>
      )}
      {connection.status !== "open" && (
        <span
          className="status-connection"
          data-testid="status-connection"
          data-connection={connection.status}
        >
          {describeConnection(connection, now)}
          {(connection.status === "reconnecting" ||
            (connection.status === "offline" && connection.reason === "network")) &&
            onReconnect && (
              <button type="button" className="link-button" onClick={onReconnect}>
                Retry now
              </button>
            )}
        </span>
      )}
    </div>
  );
}

export function describeConnection(connection: ConnectionState, now: number): string {
  switch (connection.status) {
    case "open":
      return "Connected";
    case "connecting":
      return "Connecting…";
    case "reconnecting": {
      const seconds = Math.max(0, Math.ceil((connection.retryAt - now) / 1000));
      return seconds > 0
        ? `Connection lost — reconnecting in ${seconds} s`
        : "Connection lost — reconnecting…";
    }
    case "offline":
      return connection.reason === "signed-out"
        ? "Signed out — sign in again"
        : connection.reason === "network"
          ? "Offline — waiting for the network"
          : "Disconnected";
  }
}
