import { startNewConversation } from "./conversations";
import type { ChannelCore } from "./core";
import type { ChannelAccount } from "./pairing";
import { scheduleCommand, schedulesCommand } from "./schedule-commands";
import { describeStatus } from "./texts";

/** What a command runs with: the channel's core, who wrote, and the text after the command name. */
export interface CommandContext {
  core: ChannelCore;
  account: ChannelAccount;
  args: string;
}

/**
 * A command every chat channel offers (Telegram `/name`, Discord slash command `/name`, Slack
 * `/openclaw name`). `run` returns the text to answer with. Commands with `paired: true` run only for
 * a paired account (the core refuses anyone else) and get its user id.
 */
export interface ChannelCommand {
  name: string;
  description: string;
  /** One optional or required text argument (Discord declares it as a slash-command option). */
  arg?: { name: string; description: string; required: boolean };
  paired: true;
  run(ctx: CommandContext & { userId: string }): Promise<string>;
}

/** Commands that do not need a paired account (pairing itself, help). */
export interface OpenCommand extends Omit<ChannelCommand, "run" | "paired"> {
  paired: false;
  run(ctx: CommandContext & { userId: string | undefined }): Promise<string>;
}

export type AnyChannelCommand = ChannelCommand | OpenCommand;

const pair: OpenCommand = {
  name: "pair",
  description: "link this account (code from the web app)",
  arg: { name: "code", description: "the pairing code shown in the web app", required: true },
  paired: false,
  run: ({ core, account, args }) => core.pair(account, args),
};

const help: OpenCommand = {
  name: "help",
  description: "what the bot can do",
  paired: false,
  run: async ({ core, userId }) =>
    userId ? core.texts.help : `${core.texts.help}\n\n${core.texts.notPaired}`,
};

const status: ChannelCommand = {
  name: "status",
  description: "is the agent running?",
  paired: true,
  run: async ({ core, userId }) => describeStatus(await core.deps.lifecycle.status(userId)),
};

const stop: ChannelCommand = {
  name: "stop",
  description: "stop the agent now (it wakes on your next message)",
  paired: true,
  async run({ core, userId }) {
    const before = await core.deps.lifecycle.status(userId);
    if (before.state === "Idle") return core.texts.notRunning;
    await core.deps.lifecycle.stop(userId, `stopped from ${core.spec.label}`);
    return core.texts.stopping;
  },
};

const newConversation: ChannelCommand = {
  name: "new",
  description: "start a new conversation",
  paired: true,
  async run({ core, userId, account }) {
    await startNewConversation(core.deps, core.spec, userId, account.id);
    return core.texts.newConversation;
  },
};

const unpair: ChannelCommand = {
  name: "unpair",
  description: "unlink this account",
  paired: true,
  async run({ core, userId, account }) {
    // From the chat app: the owner finds a notice in the web app (it may not have been them).
    await core.deps.pairing.unpair(userId, account.id, { username: account.username });
    return core.texts.unpaired;
  },
};

/**
 * The commands of every channel, in the order help lists them. To add one (e.g. `/schedule`), write a
 * ChannelCommand in its own file and append it here: Telegram, Discord (after re-running
 * scripts/discord-register-commands.ts) and Slack (`/openclaw <name>`) all pick it up.
 */
export const CHANNEL_COMMANDS: AnyChannelCommand[] = [
  newConversation,
  status,
  stop,
  scheduleCommand,
  schedulesCommand,
  pair,
  unpair,
  help,
];
