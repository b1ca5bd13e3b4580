// Deep import: bolt's package index pulls in express and the whole App; this module needs only tsscmp.

import { LIMITS, SECRET_NAMES } from "@serverless-openclaw/shared";
import { isValidSlackRequest } from "@slack/bolt/dist/receivers/verify-request";
import { type ChannelEntryDeps, webhookChannelCore } from "../channels/core";
import { cachedSecret } from "../channels/secrets";
import { SlackChannel, SlackCommandSchema, SlackEnvelopeSchema } from "../channels/slack";
import { escapeSlackText, SlackWeb } from "../channels/slack-api";
import { errorSummary } from "../errors";
import { bodyText, type HandlerResult, HttpEventSchema, header } from "./events";
import { apiError, json } from "./http-response";

export interface SlackEventsDeps extends ChannelEntryDeps {
  /** Override the SecretStore (local mode's SLACK_SIGNING_SECRET / SLACK_BOT_TOKEN). */
  signingSecret?: string;
  botToken?: string;
  /** Env SLACK_API_BASE_URL (tests: a fake Web API on loopback). */
  apiBaseUrl?: string;
}

/** Slack's rule: a request older (or newer) than this is refused, so a captured request cannot be replayed. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

const UNAUTHORIZED = apiError(401, "SLACK_SIGNATURE_INVALID", "missing, stale or wrong X-Slack-Signature");
const OK: HandlerResult = { statusCode: 200, body: "" };

/**
 * `POST /slack/events` (Events API, JSON) and `POST /slack/commands` (slash commands, form-encoded).
 * Every request must carry a v0 signature of `v0:<timestamp>:<raw body>` made with the app's signing
 * secret, and a timestamp within 5 minutes; anything else is answered 401 before it is parsed.
 */
export function createSlackEventsHandler(deps: SlackEventsDeps) {
  const { logger, clock } = deps;
  const signingSecret = deps.signingSecret
    ? async () => deps.signingSecret
    : cachedSecret(deps.secrets, SECRET_NAMES.slackSigningSecret, clock);
  const botToken = deps.botToken
    ? async () => deps.botToken
    : cachedSecret(deps.secrets, SECRET_NAMES.slackBotToken, clock);
  const core = webhookChannelCore(deps, "slack");
  const slack = new SlackChannel({
    core,
    settings: deps.settings,
    clock,
    logger,
    web: async () => {
      const token = await botToken();
      return token
        ? new SlackWeb({ token, ...(deps.apiBaseUrl ? { baseUrl: deps.apiBaseUrl } : {}), maxWaitMs: 2_000 })
        : undefined;
    },
  });

  return async (rawEvent: unknown): Promise<HandlerResult> => {
    const event = HttpEventSchema.safeParse(rawEvent);
    if (!event.success) return apiError(400, "BAD_EVENT", "not an HTTP API event");
    const text = bodyText(event.data) ?? "";
    const headers = event.data.headers;
    const signature = header(headers, "x-slack-signature");
    const timestamp = header(headers, "x-slack-request-timestamp");
    const secret = await signingSecret();
    if (!secret) logger.error("slack: no signing secret stored", { secret: SECRET_NAMES.slackSigningSecret });
    if (
      !secret ||
      !signature ||
      !timestamp ||
      !verified(secret, text, signature, timestamp, clock.now().getTime())
    ) {
      logger.warn("slack request: signature rejected", { present: signature !== undefined });
      return UNAUTHORIZED;
    }
    if (Buffer.byteLength(text) > LIMITS.maxBodyBytes) return OK;

    try {
      if (event.data.rawPath.endsWith("/slack/commands")) {
        const form = SlackCommandSchema.safeParse(Object.fromEntries(new URLSearchParams(text)));
        if (!form.success)
          return json(200, { response_type: "ephemeral", text: "That command was not understood." });
        const answer = await slack.command(form.data);
        return json(200, { response_type: "ephemeral", text: escapeSlackText(answer) });
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return OK; // Slack would only resend the same bytes
      }
      const envelope = SlackEnvelopeSchema.safeParse(body);
      if (!envelope.success) return OK;
      if (envelope.data.type === "url_verification") return json(200, { challenge: envelope.data.challenge });
      const outcome = await slack.event(envelope.data);
      logger.debug("slack event", { outcome, retry: header(headers, "x-slack-retry-num") ?? "0" });
      return OK;
    } catch (error) {
      // A non-2xx answer makes Slack retry (events); the event's claim was released.
      logger.error("slack request failed", errorSummary(error));
      return apiError(500, "SLACK_REQUEST_FAILED", "try again later");
    }
  };
}

/** Window check both ways (bolt's helper only refuses old timestamps), then bolt's v0 HMAC check. */
function verified(
  secret: string,
  body: string,
  signature: string,
  timestamp: string,
  nowMs: number,
): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const seconds = Number(timestamp);
  if (Math.abs(nowMs / 1000 - seconds) > SLACK_MAX_SKEW_SECONDS) return false;
  return isValidSlackRequest({
    signingSecret: secret,
    body,
    headers: {
      "x-slack-signature": signature,
      "x-slack-request-timestamp": seconds,
    },
    nowMilliseconds: nowMs,
  });
}
