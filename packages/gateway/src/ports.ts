/**
 * The ports the services need, named by role. Each has an AWS adapter (adapters/aws) and an
 * embedded adapter for local mode (adapters/local); one contract suite per port runs against both.
 * Services and the agent task import only these interfaces, never an SDK.
 */
import type {
  AgentState,
  Capacity,
  Connection,
  ConversationMeta,
  HistoryPage,
  PendingMessage,
  ServerEvent,
  StoredMessage,
  TaskState,
} from "@serverless-openclaw/shared";

export interface ConnectionStore {
  put(connection: Connection): Promise<void>;
  get(connectionId: string): Promise<Connection | undefined>;
  delete(connectionId: string): Promise<void>;
  /** Every live connection of a user, of one kind ("client" = browser tabs, "agent" = the task). */
  listByUser(userId: string, kind?: Connection["kind"]): Promise<Connection[]>;
  /**
   * Every live connection of every user (a scan): the watchdog's sweep of accounts that are gone. The
   * gateway's own stores have it; an agent's store client does not (it may see only its own user's).
   */
  listAll?(kind?: Connection["kind"]): Promise<Connection[]>;
}

/** A message arriving in a conversation, for ConversationStore.touchMeta. */
export interface MetaTouch {
  conversationId: string;
  title: string;
  channel: ConversationMeta["channel"];
  at: string;
  /** The title of a conversation created empty (POST /conversations), which its first message replaces. */
  placeholderTitle: string;
}

/** A conditional change of TaskState. Fails (returns undefined) when `expect` no longer holds. */
export interface TaskStateChange {
  userId: string;
  /** The state the row must be in (a missing row counts as Idle with version 0). */
  expectState: AgentState | readonly AgentState[];
  /** When set, the row's version must equal this too (optimistic lock). */
  expectVersion?: number;
  /** Fields to set; `version` and `updatedAt` are set by the store. `null` removes a field. */
  set: Partial<{ [K in keyof Omit<TaskState, "userId" | "version" | "updatedAt">]: TaskState[K] | null }>;
}

export interface TaskStateStore {
  /** The row, or an Idle row with version 0 when the user never had an agent. */
  get(userId: string): Promise<TaskState>;
  /** Conditional write: the new row, or undefined when the condition failed (someone else won). */
  transition(change: TaskStateChange): Promise<TaskState | undefined>;
  /** Rows not Idle, for the watchdog. */
  listActive(): Promise<TaskState[]>;
}

export type EnqueueResult = { status: "queued"; message: PendingMessage } | { status: "duplicate" };

export interface PendingQueue {
  /** Stores the message unless its clientMessageId was seen before for this user (idempotent). */
  enqueue(message: PendingMessage): Promise<EnqueueResult>;
  /** Pending messages of a user, oldest first. */
  list(userId: string, limit?: number): Promise<PendingMessage[]>;
  /** Removes a delivered message; its idempotency key stays until it expires. */
  delete(userId: string, id: string): Promise<void>;
}

export interface ConversationStore {
  /**
   * Stores a finished turn (user message + reply) at once, keyed by the pending message,
   * so a redelivered message never produces a second turn. Returns false when that turn exists.
   */
  putTurn(userId: string, user: StoredMessage, reply: StoredMessage): Promise<boolean>;
  /** The stored reply for a clientMessageId, if its turn was already stored. */
  findReply(
    userId: string,
    conversationId: string,
    clientMessageId: string,
  ): Promise<StoredMessage | undefined>;
  /** Newest page first in storage terms; the page's messages are returned oldest first. */
  page(
    userId: string,
    conversationId: string,
    opts: { before?: string; limit: number },
  ): Promise<HistoryPage>;
  upsertMeta(userId: string, meta: ConversationMeta): Promise<void>;
  /**
   * A message arrived in a conversation: creates its metadata when missing (with `title`), else moves
   * `updatedAt` and replaces the title only while it is still `placeholderTitle`. Atomic, so two first
   * messages at once, or a rename or another message at the same moment, lose no write.
   */
  touchMeta(userId: string, input: MetaTouch): Promise<ConversationMeta>;
  getMeta(userId: string, conversationId: string): Promise<ConversationMeta | undefined>;
  listMeta(userId: string): Promise<ConversationMeta[]>;
  /** Deletes the conversation and all its messages. */
  delete(userId: string, conversationId: string): Promise<void>;
}

/** Small per-user documents: settings, pairings, pairing codes. */
export interface SettingsStore {
  get<T = unknown>(userId: string, settingKey: string): Promise<T | undefined>;
  put(userId: string, settingKey: string, value: unknown, opts?: { expiresAt?: number }): Promise<void>;
  /** Put only if absent; false when it existed. */
  putIfAbsent(
    userId: string,
    settingKey: string,
    value: unknown,
    opts?: { expiresAt?: number },
  ): Promise<boolean>;
  /** Delete and return the value atomically (single-use codes); undefined when absent. */
  take<T = unknown>(userId: string, settingKey: string): Promise<T | undefined>;
  delete(userId: string, settingKey: string): Promise<void>;
  list<T = unknown>(userId: string, prefix: string): Promise<Array<{ settingKey: string; value: T }>>;
}

export interface BlobStore {
  put(key: string, body: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
}

/**
 * Short-lived URLs for one object (S3 presigned URLs on AWS): how the gateway lets an agent task move
 * its state archive straight to and from the bucket, with nothing but that one key for a few minutes.
 */
export interface BlobUrlSigner {
  signedUrl(key: string, method: "GET" | "PUT", expiresInSeconds: number): Promise<string>;
}

/** Secrets (LLM API keys, bot token): SSM SecureString on AWS, a 0600 file locally. Never logged. */
export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  put(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

export interface StartTaskRequest {
  userId: string;
  /** Passed to the task so it can prove, when it connects, which start it belongs to. */
  agentSecret: string;
}

export interface TaskRunner {
  /**
   * Starts one agent task for the user; returns its id (ECS task ARN or local pid handle) and the
   * capacity it runs on (absent = Spot), which prices the run.
   */
  start(request: StartTaskRequest): Promise<{ taskArn: string; capacity?: Capacity }>;
  stop(taskArn: string, reason: string): Promise<void>;
  /** Which of these tasks still run (ECS DescribeTasks: not STOPPED). */
  running(taskArns: readonly string[]): Promise<Set<string>>;
}

/** Sends an event to one WebSocket connection (API Gateway Management API). */
export interface ClientPush {
  /** Returns false when the connection is gone (the caller removes it). */
  send(connectionId: string, event: ServerEvent | Record<string, unknown>): Promise<boolean>;
  disconnect(connectionId: string): Promise<void>;
}

export interface VerifiedUser {
  userId: string;
  username?: string;
  email?: string;
  /** The token's `iat` (epoch seconds): a token issued before a sign-out everywhere opens no socket. */
  issuedAt?: number;
}

/** A user's account as the identity provider sees it now. */
export type AccountState = "active" | "deleted" | "disabled" | "reset-required";

/**
 * The identity provider's view of accounts (Cognito on AWS). Deleting or disabling a user, or an
 * admin's password reset, fires no Cognito trigger: the watchdog asks here instead.
 */
export interface UserDirectory {
  accountState(userId: string): Promise<AccountState>;
}

export interface TokenVerifier {
  /** Throws AuthError when the token is missing, expired, tampered or from another pool. */
  verify(token: string): Promise<VerifiedUser>;
}

export interface Clock {
  now(): Date;
}

export type { StartupStep } from "@serverless-openclaw/shared";

/** One schedule as the scheduler runs it; it calls the schedule-fire handler with {userId, scheduleId}. */
export interface ScheduleRegistration {
  userId: string;
  scheduleId: string;
  /** EventBridge Scheduler syntax: cron(...), rate(...) or at(...). */
  expression: string;
  /** IANA time zone the expression is read in. */
  timezone: string;
  enabled: boolean;
  /** When the timing was last saved: rate(...) runs count from here. */
  anchor: Date;
}

/** Runs scheduled prompts: EventBridge Scheduler on AWS, an in-process timer locally. */
export interface Scheduler {
  create(schedule: ScheduleRegistration): Promise<void>;
  /** Replaces the timing or state of an existing schedule (creates it when missing). */
  update(schedule: ScheduleRegistration): Promise<void>;
  /** Idempotent: deleting a missing schedule is not an error. */
  delete(userId: string, scheduleId: string): Promise<void>;
}
