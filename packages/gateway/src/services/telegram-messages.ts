import {
  type AgentStatusEvent,
  LIMITS,
  STARTUP_STEP_LABELS,
  WAKING_MESSAGE,
} from "@serverless-openclaw/shared";

/** Everything the bot says, in one place (plain text: no parse_mode, nothing to escape). */
export const TELEGRAM_TEXT = {
  waking: WAKING_MESSAGE,
  notPaired:
    "This bot answers only its owner's paired Telegram account. To pair: open the web app, go to " +
    "Settings → Telegram, press “Create pairing code”, then send /pair CODE here (or tap the link shown there).",
  pairUsage:
    "Send /pair followed by the code from the web app (Settings → Telegram), for example /pair ABCD2345.",
  pairMalformed: `A pairing code has ${LIMITS.pairingCodeLength} letters and digits. Check it and send /pair CODE again.`,
  pairUnknown:
    "That code is not valid or has expired (codes work once, for " +
    `${LIMITS.pairingCodeTtlSeconds / 60} minutes). Create a new one in the web app and send /pair CODE again.`,
  paired: "Paired. Messages you send here now go to your agent; replies show up here and in the web app.",
  unpaired: "Unpaired. This Telegram account no longer reaches your agent. Pair again from the web app.",
  newConversation: "Started a new conversation. Your next message begins it.",
  textOnly: "I can only read text messages for now.",
  stopping: "Stopping the agent. Your next message wakes it again.",
  notRunning: "The agent is not running. Your next message wakes it.",
  privateOnly: "I only talk in private chats.",
  help: [
    "Talk to your OpenClaw agent: just send a message.",
    "",
    "/new – start a new conversation",
    "/status – is the agent running?",
    "/stop – stop the agent now (it wakes on your next message)",
    "/pair CODE – link this Telegram account (code from the web app)",
    "/unpair – unlink this Telegram account",
    "/help – this text",
  ].join("\n"),
} as const;

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
