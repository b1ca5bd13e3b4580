import {
  type AgentStatusEvent,
  LIMITS,
  PAIRING_CODE_BUTTON,
  STARTUP_STEP_LABELS,
  WAKING_MESSAGE,
} from "@serverless-openclaw/shared";
import type { ChannelSpec } from "./spec";

export type ChannelTexts = ReturnType<typeof channelTexts>;

/** Everything a channel bot says (plain text), worded for one channel. */
export function channelTexts(spec: ChannelSpec, help: string) {
  const { label } = spec;
  const pair = spec.command("pair", "CODE");
  return {
    waking: WAKING_MESSAGE,
    notPaired:
      `This bot answers only its owner's paired ${label} account. To pair: open the web app, go to ` +
      `Settings → ${label}, press “${PAIRING_CODE_BUTTON}”, then send ${pair} here${spec.pairExtra ?? ""}.`,
    pairUsage: `Send ${spec.command("pair")} followed by the code from the web app (Settings → ${label}), for example ${spec.command("pair", "ABCD2345")}.`,
    pairMalformed: `A pairing code has ${LIMITS.pairingCodeLength} letters and digits. Check it and send ${pair} again.`,
    pairUnknown:
      "That code is not valid or has expired (codes work once, for " +
      `${LIMITS.pairingCodeTtlSeconds / 60} minutes). Create a new one in the web app and send ${pair} again.`,
    paired: (target: string | undefined) =>
      `Paired with the web account ${named(target)}. Messages you send here now go to its agent; replies ` +
      `show up here and in the web app. Not your account? Send ${spec.command("unpair")} now.`,
    alreadyPaired: (target: string | undefined) =>
      `This ${label} account is already paired with the web account ${named(target)}. Nothing changed.`,
    pairedElsewhere: (current: string | undefined, target: string | undefined) =>
      `This ${label} account is paired with the web account ${named(current)}, and stays so: a code ` +
      `never moves a paired account. To pair it with ${named(target)} instead, send ` +
      `${spec.command("unpair")} first, then the code again.`,
    confirmPair: (target: string | undefined, command: string) =>
      `This link pairs your ${label} account with the web account ${named(target)}: what you send here ` +
      `would go to that account's agent. Only if it is your own account, confirm with ${command} (the ` +
      "button below). If you did not expect this, ignore it: nothing has changed.",
    unpaired: `Unpaired. This ${label} account no longer reaches your agent. Pair again from the web app.`,
    newConversation: "Started a new conversation. Your next message begins it.",
    stopping: "Stopping the agent. Your next message wakes it again.",
    notRunning: "The agent is not running. Your next message wakes it.",
    emptyMessage: "Send some text for the agent.",
    unknownCommand: `I do not know that command. ${spec.command("help")} lists what I can do.`,
    help,
  };
}

/** A web account's name in a bot's answer; codes made before names were kept have none. */
function named(label: string | undefined): string {
  return label ? `“${label}”` : "that made the code";
}

export function describeStatus(status: AgentStatusEvent): string {
  const error = status.error ? `\nLast start failed: ${status.error.message}` : "";
  switch (status.state) {
    case "Idle":
      return `The agent is asleep. Your next message wakes it.${error}`;
    case "Starting":
      return `The agent is starting${status.step ? `: ${STARTUP_STEP_LABELS[status.step]}` : "…"}`;
    case "Running":
      return "The agent is running.";
    case "Stopping":
      return "The agent is stopping. Your next message wakes it again.";
  }
}

export function describeFailure(error: { message: string }): string {
  return `Sorry, that did not work: ${error.message}`;
}

export function describeStartFailure(error: { message: string }): string {
  return `The agent could not be started: ${error.message}\nYour message is kept; send another message to try again.`;
}
