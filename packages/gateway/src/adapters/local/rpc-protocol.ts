import {
  ClientMessageIdSchema,
  ConnectionSchema,
  ConversationIdSchema,
  ConversationMetaSchema,
  HistoryPageEventSchema,
  LIMITS,
  PendingMessageSchema,
  StoredMessageSchema,
  TaskStateSchema,
  UserIdSchema,
} from "@serverless-openclaw/shared";
import * as z from "zod";
import type { Stores } from "../stores";
import { TaskStateChangeSchema } from "../task-state-change";

/**
 * The store RPC of local mode: `POST {port, method, args}` with `Authorization: Bearer <token>`,
 * answered `{result}` or `{error:{code,message}}`. Only the methods below exist; the server parses
 * their arguments and the client parses their results. Bytes travel as base64 strings.
 */
export const RpcRequestSchema = z.object({
  port: z.string().max(32),
  method: z.string().max(32),
  args: z.array(z.unknown()).max(8),
});

export const RpcErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export const RpcResultBodySchema = z.object({ result: z.unknown().optional() });

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64");
const bytesFromBase64 = base64.transform((b) => new Uint8Array(Buffer.from(b, "base64")));
export const toBase64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

const key = z.string().max(1024);
const settingKey = z.string().min(1).max(256);
const settingOpts = z.object({ expiresAt: z.number().int().optional() }).optional();
const none = z.undefined();

type Spec = {
  args: z.ZodType<unknown[]>;
  result: z.ZodType;
  /** Index of an argument the client sends as base64 (BlobStore.put). */
  bytesArg?: number;
  /** The result is bytes: the server sends it as base64 (BlobStore.get). */
  bytesResult?: true;
};

export const RPC_METHODS = {
  connections: {
    put: { args: z.tuple([ConnectionSchema]), result: none },
    get: { args: z.tuple([z.string().max(128)]), result: ConnectionSchema.optional() },
    delete: { args: z.tuple([z.string().max(128)]), result: none },
    listByUser: {
      args: z.tuple([UserIdSchema, z.enum(["client", "agent"]).optional()]),
      result: z.array(ConnectionSchema),
    },
  },
  taskState: {
    get: { args: z.tuple([UserIdSchema]), result: TaskStateSchema },
    transition: { args: z.tuple([TaskStateChangeSchema]), result: TaskStateSchema.optional() },
    listActive: { args: z.tuple([]), result: z.array(TaskStateSchema) },
  },
  pending: {
    enqueue: {
      args: z.tuple([PendingMessageSchema]),
      result: z.discriminatedUnion("status", [
        z.object({ status: z.literal("queued"), message: PendingMessageSchema }),
        z.object({ status: z.literal("duplicate") }),
      ]),
    },
    list: {
      args: z.tuple([UserIdSchema, z.number().int().positive().max(1000).optional()]),
      result: z.array(PendingMessageSchema),
    },
    delete: { args: z.tuple([UserIdSchema, z.string().max(200)]), result: none },
  },
  conversations: {
    putTurn: { args: z.tuple([UserIdSchema, StoredMessageSchema, StoredMessageSchema]), result: z.boolean() },
    findReply: {
      args: z.tuple([UserIdSchema, ConversationIdSchema, ClientMessageIdSchema]),
      result: StoredMessageSchema.optional(),
    },
    page: {
      args: z.tuple([
        UserIdSchema,
        ConversationIdSchema,
        z.object({
          before: z.string().max(512).optional(),
          limit: z.number().int().min(1).max(LIMITS.historyPageMax),
        }),
      ]),
      result: HistoryPageEventSchema.omit({ type: true }),
    },
    upsertMeta: { args: z.tuple([UserIdSchema, ConversationMetaSchema]), result: none },
    touchMeta: {
      args: z.tuple([
        UserIdSchema,
        z.object({
          conversationId: ConversationIdSchema,
          title: ConversationMetaSchema.shape.title,
          channel: ConversationMetaSchema.shape.channel,
          at: z.iso.datetime(),
          placeholderTitle: ConversationMetaSchema.shape.title,
        }),
      ]),
      result: ConversationMetaSchema,
    },
    getMeta: {
      args: z.tuple([UserIdSchema, ConversationIdSchema]),
      result: ConversationMetaSchema.optional(),
    },
    listMeta: { args: z.tuple([UserIdSchema]), result: z.array(ConversationMetaSchema) },
    delete: { args: z.tuple([UserIdSchema, ConversationIdSchema]), result: none },
  },
  settings: {
    get: { args: z.tuple([UserIdSchema, settingKey]), result: z.unknown() },
    put: { args: z.tuple([UserIdSchema, settingKey, z.unknown(), settingOpts]), result: none },
    putIfAbsent: { args: z.tuple([UserIdSchema, settingKey, z.unknown(), settingOpts]), result: z.boolean() },
    take: { args: z.tuple([UserIdSchema, settingKey]), result: z.unknown() },
    delete: { args: z.tuple([UserIdSchema, settingKey]), result: none },
    list: {
      args: z.tuple([UserIdSchema, z.string().max(256)]),
      result: z.array(z.object({ settingKey: z.string(), value: z.unknown() })),
    },
  },
  blobs: {
    put: { args: z.tuple([key, bytesFromBase64]), result: none, bytesArg: 1 },
    get: { args: z.tuple([key]), result: bytesFromBase64.optional(), bytesResult: true },
    delete: { args: z.tuple([key]), result: none },
    list: { args: z.tuple([key]), result: z.array(z.string()) },
  },
  secrets: {
    get: { args: z.tuple([z.string().max(1024)]), result: z.string().optional() },
    put: { args: z.tuple([z.string().max(1024), z.string().max(8192)]), result: none },
    delete: { args: z.tuple([z.string().max(1024)]), result: none },
  },
} as const satisfies { [P in keyof Stores]: { [M in keyof Stores[P]]: Spec } };

export type RpcPort = keyof typeof RPC_METHODS;
export type RpcMethod<P extends RpcPort> = keyof (typeof RPC_METHODS)[P] & string;

/** The allow-list lookup: own properties only, so `__proto__` or `constructor` never resolve. */
export function rpcSpec(port: string, method: string): Spec | undefined {
  if (!Object.hasOwn(RPC_METHODS, port)) return undefined;
  const methods: Record<string, Spec> = RPC_METHODS[port as RpcPort];
  return Object.hasOwn(methods, method) ? methods[method] : undefined;
}
