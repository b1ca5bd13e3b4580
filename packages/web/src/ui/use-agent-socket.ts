import type { AgentStatusEvent, ServerEvent } from "@serverless-openclaw/shared";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ConnectionState, WsClient } from "../ws/ws-client";

/** How long after a save the page still restarts the agent when it sees it Idle. */
const RESTART_WAIT_MS = 10 * 60_000;

/**
 * The chat socket for as long as the screen is open: the connection state, the agent's last status
 * (with the pre-warm and the restart after a settings change it triggers), and every other server
 * event handed to `onEvent`. Browser network and visibility events steer the socket.
 */
export function useAgentSocket(client: WsClient, onEvent: (event: ServerEvent) => void) {
  const [connection, setConnection] = useState<ConnectionState>(client.connectionState);
  const [agent, setAgent] = useState<AgentStatusEvent | null>(null);
  // Read by handlers that must see the newest status, not the one of their render.
  const agentRef = useRef<AgentStatusEvent | null>(null);
  const prewarmed = useRef(false);
  // When this page saved settings a running agent restarts for: start it again once it is Idle, seen
  // by the push that says why (idleReason) or by the status poll below (a push sent while the socket
  // reconnects is lost, and the page would then leave the agent asleep).
  const restartAfterSave = useRef(0);

  useEffect(() => {
    const offState = client.onStateChange(setConnection);
    const offEvent = client.onEvent((event: ServerEvent) => {
      if (event.type !== "agent.status") return onEvent(event);
      // The task's own start-up step pushes carry no estimate: keep the gateway's for this start.
      const prev = agentRef.current;
      const status =
        event.state === "Starting" && event.typicalWakeSeconds === undefined && prev?.state === "Starting"
          ? {
              ...event,
              ...(prev.typicalWakeSeconds ? { typicalWakeSeconds: prev.typicalWakeSeconds } : {}),
            }
          : event;
      agentRef.current = status;
      setAgent(status);
      // Pre-warm on the first status after the page opens: the agent is often up by the time the
      // first message is typed. Only then: an Idle that follows a stop must not restart it.
      if (!prewarmed.current) {
        prewarmed.current = true;
        if (status.state === "Idle") client.wake();
      } else if (
        event.state === "Idle" &&
        (event.idleReason === "settings-changed" || Date.now() - restartAfterSave.current < RESTART_WAIT_MS)
      ) {
        // It stopped only to take the settings just saved: start it with them now, while the user
        // is here, rather than at their next message (every open tab asks; one start happens).
        restartAfterSave.current = 0;
        client.wake(true);
      }
    });
    const online = () => client.reconnectNow();
    const offline = () => client.networkLost();
    const visible = () => document.visibilityState === "visible" && client.checkAlive();
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    document.addEventListener("visibilitychange", visible);
    client.start();
    return () => {
      offState();
      offEvent();
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
      document.removeEventListener("visibilitychange", visible);
      client.stop();
    };
  }, [client, onEvent]);

  // While the agent changes state, ask for the truth every few seconds: a status push can be lost
  // (sent while we reconnect) or overtaken (a late start-up step arriving after "Running").
  // After a stop request too: the agent may still report Running when the request returns, and
  // its later Stopping → Idle is not necessarily pushed.
  const [stopRequestedAt, setStopRequestedAt] = useState(0);
  const transitioning = agent?.state === "Starting" || agent?.state === "Stopping";
  const awaitingStop = stopRequestedAt > 0 && agent?.state !== "Idle";
  useEffect(() => {
    if (agent?.state === "Idle") setStopRequestedAt(0);
  }, [agent?.state]);
  useEffect(() => {
    if (!transitioning && !awaitingStop) return;
    const timer = setInterval(() => {
      if (awaitingStop && Date.now() - stopRequestedAt > 180_000) setStopRequestedAt(0);
      client.send({ type: "status.get" });
    }, 5_000);
    return () => clearInterval(timer);
  }, [transitioning, awaitingStop, stopRequestedAt, client]);

  /** A status learnt from an HTTP answer (Settings stopped the agent): shown, then polled until Idle. */
  const statusFromRequest = useCallback((status: AgentStatusEvent) => {
    restartAfterSave.current = 0; // the user stopped it: it stays asleep
    agentRef.current = status;
    setAgent(status);
    setStopRequestedAt(Date.now());
  }, []);

  /** This page saved settings that restart a running agent: follow it to Idle, then start it again. */
  const restartingSave = useCallback(() => {
    // Only a running agent is told to restart (LifecycleService.settingsChanged).
    if (agentRef.current?.state !== "Running") return;
    restartAfterSave.current = Date.now();
    setStopRequestedAt(Date.now());
  }, []);

  return { connection, agent, agentRef, statusFromRequest, restartingSave };
}
