import { LIMITS, SECRET_NAMES } from "@serverless-openclaw/shared";
import { verifyKey } from "discord-interactions";
import { type ChannelEntryDeps, webhookChannelCore } from "../channels/core";
import { handleInteraction, InteractionSchema } from "../channels/discord";
import { cachedSecret } from "../channels/secrets";
import type { GatewayConfig } from "../deps";
import { errorSummary } from "../errors";
import { bodyText, type HandlerResult, HttpEventSchema, header } from "./events";
import { apiError, json } from "./http-response";

export interface DiscordInteractionsDeps extends ChannelEntryDeps {
  /** Overrides the public key in the SecretStore (local mode's DISCORD_PUBLIC_KEY). */
  publicKey?: string;
  config?: Pick<GatewayConfig, "discordChannelIds">;
}

const UNAUTHORIZED = apiError(401, "DISCORD_SIGNATURE_INVALID", "missing or invalid X-Signature-Ed25519");

/**
 * `POST /discord/interactions` (HTTP API v2 events). Discord signs every interaction with the app's
 * Ed25519 key; a request without a valid signature over timestamp + raw body, or with a timestamp more
 * than 5 minutes off, is answered 401 before anything is parsed or stored (Discord itself sends such
 * requests to check the endpoint).
 */
export function createDiscordInteractionsHandler(deps: DiscordInteractionsDeps) {
  const { logger, clock } = deps;
  const publicKey = deps.publicKey
    ? async () => deps.publicKey
    : cachedSecret(deps.secrets, SECRET_NAMES.discordPublicKey, clock);
  const places = { channelIds: deps.config?.discordChannelIds ?? [] };
  const core = webhookChannelCore(deps, "discord");

  return async (rawEvent: unknown): Promise<HandlerResult> => {
    const event = HttpEventSchema.safeParse(rawEvent);
    if (!event.success) return apiError(400, "BAD_EVENT", "not an HTTP API event");
    const signature = header(event.data.headers, "x-signature-ed25519");
    const timestamp = header(event.data.headers, "x-signature-timestamp");
    const text = bodyText(event.data) ?? "";
    const key = await publicKey();
    if (!key) logger.error("discord: no public key stored", { secret: SECRET_NAMES.discordPublicKey });
    if (
      !key ||
      !signature ||
      !timestamp ||
      !fresh(timestamp, clock.now().getTime()) ||
      !(await verified(text, signature, timestamp, key))
    ) {
      logger.warn("discord interaction: signature rejected", { present: signature !== undefined });
      return UNAUTHORIZED;
    }
    if (Buffer.byteLength(text) > LIMITS.maxBodyBytes) return apiError(413, "TOO_LARGE", "body too large");

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return apiError(400, "BAD_JSON", "body is not JSON");
    }
    const interaction = InteractionSchema.safeParse(body);
    if (!interaction.success) {
      return apiError(400, "BAD_INTERACTION", "not an interaction this app handles");
    }
    try {
      return json(200, await handleInteraction(core, interaction.data, places));
    } catch (error) {
      logger.error("discord interaction failed", errorSummary(error));
      return apiError(500, "DISCORD_INTERACTION_FAILED", "try again later");
    }
  };
}

/**
 * The signed timestamp must be recent: Discord sends at once, and a captured request (say `/stop`)
 * replayed later is refused even though its signature is valid.
 */
export const DISCORD_MAX_SKEW_SECONDS = 5 * 60;
function fresh(timestamp: string, nowMs: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(nowMs / 1000 - Number(timestamp)) <= DISCORD_MAX_SKEW_SECONDS;
}

/** discord-interactions' verifyKey (WebCrypto Ed25519); malformed hex is a failed check, not a crash. */
async function verified(body: string, signature: string, timestamp: string, key: string): Promise<boolean> {
  try {
    return await verifyKey(body, signature, timestamp, key);
  } catch {
    return false;
  }
}
