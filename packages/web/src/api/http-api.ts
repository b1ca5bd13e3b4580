import {
  AgentStatusEventSchema,
  ApiErrorSchema,
  ChannelPairingListSchema,
  type ChatChannel,
  ConversationListSchema,
  ConversationMetaSchema,
  type CreateSchedule,
  type HistoryPage,
  HistoryPageEventSchema,
  PairingCodeSchema,
  PairingNoticeListSchema,
  ScheduleListSchema,
  ScheduleSchema,
  SettingsSchema,
  type SettingsUpdate,
  type UpdateSchedule,
  UsageReportSchema,
} from "@serverless-openclaw/shared";
import * as z from "zod";

/** A failed API call, carrying the gateway's `{ error: { code, message } }`. */
export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const HistoryPageSchema = HistoryPageEventSchema.omit({ type: true });

/**
 * The management HTTP API. Every call carries `Authorization: Bearer <id token>`; a 401 gets one
 * retry with a freshly refreshed token (the token may have expired between check and use).
 */
export class HttpApi {
  constructor(
    private readonly apiUrl: string,
    private readonly auth: { getIdToken(): Promise<string>; refreshNow(): Promise<string> },
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  getSettings() {
    return this.call("GET", "/settings", SettingsSchema);
  }
  putSettings(update: SettingsUpdate) {
    return this.call("PUT", "/settings", SettingsSchema, update);
  }
  listConversations() {
    return this.call("GET", "/conversations", ConversationListSchema).then((r) => r.conversations);
  }
  createConversation(conversationId: string, title?: string) {
    return this.call("POST", "/conversations", ConversationMetaSchema, { conversationId, title });
  }
  renameConversation(conversationId: string, title: string) {
    return this.call("PATCH", `/conversations/${enc(conversationId)}`, z.unknown(), { title });
  }
  deleteConversation(conversationId: string) {
    return this.call("DELETE", `/conversations/${enc(conversationId)}`, z.unknown());
  }
  /** Newest page first call; pass the previous page's nextCursor as `before` for older ones. */
  getMessages(conversationId: string, before?: string, limit?: number): Promise<HistoryPage> {
    const q = new URLSearchParams();
    if (before) q.set("before", before);
    if (limit) q.set("limit", String(limit));
    const qs = q.size > 0 ? `?${q}` : "";
    return this.call("GET", `/conversations/${enc(conversationId)}/messages${qs}`, HistoryPageSchema);
  }
  getAgent() {
    return this.call("GET", "/agent", AgentStatusEventSchema);
  }
  /** Answers with the agent's status after the request (usually Stopping). */
  stopAgent() {
    return this.call("POST", "/agent/stop", AgentStatusEventSchema);
  }
  /** Closes every open browser socket of this user (sign out everywhere). */
  closeSessions() {
    return this.call("POST", "/sessions/close", z.object({ closed: z.number() }));
  }
  /** Pairing for every chat channel (Telegram, Discord, Slack). */
  createChannelPairingCode(channel: ChatChannel) {
    return this.call("POST", `/channels/${channel}/pairing-code`, PairingCodeSchema);
  }
  listChannelPairings(channel: ChatChannel) {
    return this.call("GET", `/channels/${channel}/pairings`, ChannelPairingListSchema).then(
      (r) => r.pairings,
    );
  }
  deleteChannelPairing(channel: ChatChannel, externalUserId: string) {
    const id = encodeURIComponent(externalUserId);
    return this.call("DELETE", `/channels/${channel}/pairings/${id}`, z.unknown());
  }
  /** What the owner of a paired chat account should know (unpaired from the chat app, a refused move). */
  listChannelNotices(channel: ChatChannel) {
    return this.call("GET", `/channels/${channel}/notices`, PairingNoticeListSchema).then((r) => r.notices);
  }
  dismissChannelNotice(channel: ChatChannel, externalUserId: string) {
    const id = encodeURIComponent(externalUserId);
    return this.call("DELETE", `/channels/${channel}/notices/${id}`, z.unknown());
  }

  listSchedules() {
    return this.call("GET", "/schedules", ScheduleListSchema).then((r) => r.schedules);
  }
  createSchedule(input: Partial<CreateSchedule> & Pick<CreateSchedule, "name" | "prompt" | "expression">) {
    return this.call("POST", "/schedules", ScheduleSchema, input);
  }
  /** Pause (`enabled: false`), resume or edit. */
  updateSchedule(scheduleId: string, patch: UpdateSchedule) {
    return this.call("PATCH", `/schedules/${enc(scheduleId)}`, ScheduleSchema, patch);
  }
  deleteSchedule(scheduleId: string) {
    return this.call("DELETE", `/schedules/${enc(scheduleId)}`, z.unknown());
  }
  getUsage() {
    return this.call("GET", "/usage", UsageReportSchema);
  }

  private async call<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    let res = await this.send(method, path, await this.auth.getIdToken(), body);
    if (res.status === 401) res = await this.send(method, path, await this.auth.refreshNow(), body);
    return readApiResponse(res, schema);
  }

  private async send(method: string, path: string, token: string, body: unknown): Promise<Response> {
    return fetchApi(this.fetchImpl, this.apiUrl, path, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}

/** One request to the management API; a network failure becomes ApiCallError NETWORK. */
export async function fetchApi(
  fetchImpl: typeof fetch,
  apiUrl: string,
  path: string,
  init: RequestInit,
): Promise<Response> {
  try {
    return await fetchImpl(`${apiUrl.replace(/\/+$/, "")}${path}`, init);
  } catch {
    throw new ApiCallError("NETWORK", "Cannot reach the server. Check your connection.", 0);
  }
}

/** The body of an API answer parsed with `schema`, or the API's `{ error }` as an ApiCallError. */
export async function readApiResponse<T>(res: Response, schema: z.ZodType<T>): Promise<T> {
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const err = ApiErrorSchema.safeParse(data);
    if (err.success) throw new ApiCallError(err.data.error.code, err.data.error.message, res.status);
    throw new ApiCallError(`HTTP_${res.status}`, `The server answered ${res.status}. Try again.`, res.status);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ApiCallError("BAD_RESPONSE", "The server sent an unexpected answer.", 502);
  return parsed.data;
}

const enc = encodeURIComponent;
