import { LIMITS } from "@serverless-openclaw/shared";
import * as z from "zod";
import type { ChannelCore } from "./core";

/** Interaction types and response types (discord-api-types' InteractionType / InteractionResponseType). */
export const INTERACTION = { ping: 1, command: 2 } as const;
export const RESPONSE = { pong: 1, message: 4, deferred: 5 } as const;
/** Only the person who ran the command sees the answer. */
export const EPHEMERAL = 64;

const snowflake = z.string().regex(/^\d{1,32}$/);
const UserSchema = z.object({ id: snowflake, username: z.string().max(64).optional() });
const OptionSchema = z.object({
  name: z.string().max(64),
  type: z.number().int(),
  value: z.union([z.string().max(LIMITS.maxMessageChars), z.number(), z.boolean()]).optional(),
});

/** The parts of an interaction the channel reads; everything else is dropped. */
export const InteractionSchema = z.object({
  id: snowflake,
  type: z.number().int(),
  application_id: snowflake,
  token: z.string().min(1).max(1000),
  channel_id: snowflake.optional(),
  /** Set when the command was run in a server; absent in DMs with the bot. */
  guild_id: snowflake.optional(),
  user: UserSchema.optional(),
  member: z.object({ user: UserSchema }).optional(),
  data: z.object({ name: z.string().max(64), options: z.array(OptionSchema).max(25).optional() }).optional(),
});
export type Interaction = z.infer<typeof InteractionSchema>;

export interface InteractionResponse {
  type: number;
  data?: { content: string; flags?: number; allowed_mentions: { parse: [] } };
}

const say = (content: string, ephemeral = true): InteractionResponse => ({
  type: RESPONSE.message,
  data: { content, ...(ephemeral ? { flags: EPHEMERAL } : {}), allowed_mentions: { parse: [] } },
});

/** Where `/ask` is answered: DMs always, server channels only when listed. */
export interface DiscordPlaces {
  channelIds: readonly string[];
}

/** Whether `/ask` is answered here; its reply is public in that channel, so a server channel must be chosen. */
export function askAllowedIn(interaction: Interaction, places: DiscordPlaces): boolean {
  if (!interaction.guild_id) return true;
  return interaction.channel_id !== undefined && places.channelIds.includes(interaction.channel_id);
}

function askElsewhere(places: DiscordPlaces): string {
  const channels = places.channelIds.map((id) => `<#${id}>`);
  return channels.length > 0
    ? `I answer /ask in a DM with me or in ${channels.join(", ")}, not in this channel.`
    : "I answer /ask only in a DM with me, not in server channels (the deployment can allow chosen channels: discordChannelIds).";
}

/**
 * One verified interaction → the response Discord shows at once. `/ask` queues the question and
 * answers "Waking up the agent…" (the agent was asleep) or a deferred "thinking…" (it is running);
 * the agent task's Discord sink then edits that response with the reply. Every other command is
 * answered right here, visible only to the person who ran it. `/ask` outside a DM or a chosen channel
 * is refused privately, before anything is queued: its reply would be public there.
 */
export async function handleInteraction(
  core: ChannelCore,
  interaction: Interaction,
  places: DiscordPlaces = { channelIds: [] },
): Promise<InteractionResponse> {
  if (interaction.type === INTERACTION.ping) return { type: RESPONSE.pong };
  const user = interaction.member?.user ?? interaction.user;
  if (interaction.type !== INTERACTION.command || !interaction.data || !user) {
    return say("This kind of interaction is not supported.");
  }
  const account = { id: user.id, username: user.username };
  const options = interaction.data.options ?? [];
  // Every command takes at most one text option (/ask text, /pair code, …).
  const text = String(options.find((o) => typeof o.value === "string")?.value ?? "");
  if (interaction.data.name !== "ask") return say(await core.command(interaction.data.name, account, text));
  if (!askAllowedIn(interaction, places)) return say(askElsewhere(places));

  const outcome = await core.message({
    account,
    text,
    clientMessageId: `dc-${interaction.id}`,
    replyTo: {
      channel: "discord",
      applicationId: interaction.application_id,
      interactionToken: interaction.token,
      ...(interaction.channel_id ? { channelId: interaction.channel_id } : {}),
    },
  });
  switch (outcome.kind) {
    case "accepted":
      // Public: this response becomes the answer when the agent's reply edits it.
      return outcome.reply ? say(outcome.reply, false) : { type: RESPONSE.deferred };
    case "duplicate":
      return { type: RESPONSE.deferred };
    default:
      return say(outcome.reply);
  }
}

/** The slash commands to register (scripts/discord-register-commands.ts): /ask plus every channel command. */
export function discordCommandDefinitions(core: Pick<ChannelCore, "commands">) {
  const STRING = 3;
  return [
    {
      name: "ask",
      description: "ask your OpenClaw agent",
      type: 1,
      options: [{ type: STRING, name: "text", description: "what to ask", required: true, max_length: 4000 }],
    },
    ...core.commands.map((c) => ({
      name: c.name,
      description: c.description.slice(0, 100),
      type: 1,
      ...(c.arg
        ? {
            options: [
              { type: STRING, name: c.arg.name, description: c.arg.description, required: c.arg.required },
            ],
          }
        : {}),
    })),
  ];
}
