/**
 * Key formats of the five DynamoDB tables. Adapters build every key through these helpers,
 * so the formats live in one place. Ids are validated tokens without `#` (see ids.ts).
 *
 * | table           | partition key     | sort key                                        |
 * |-----------------|-------------------|-------------------------------------------------|
 * | Conversations   | userId            | `<conversationId>#<timestamp>#<messageId>`, and `#meta#<conversationId>` |
 * | Settings        | userId            | settingKey (`settings`, `telegram#<telegramUserId>`, …) |
 * | TaskState       | userId            | –                                               |
 * | Connections     | connectionId      | – (GSI `byUser`: userId)                        |
 * | PendingMessages | userId            | `<timestamp>#<uuid>`, and `dedupe#<clientMessageId>` |
 */
export const TABLES = ["Conversations", "Settings", "TaskState", "Connections", "PendingMessages"] as const;
export type TableName = (typeof TABLES)[number];

export const KEYS = {
  conversations: {
    pk: "userId",
    sk: "sk",
    message: (conversationId: string, timestamp: string, messageId: string) =>
      `${conversationId}#${timestamp}#${messageId}`,
    messagePrefix: (conversationId: string) => `${conversationId}#`,
    meta: (conversationId: string) => `#meta#${conversationId}`,
    metaPrefix: "#meta#",
  },
  settings: {
    pk: "userId",
    sk: "settingKey",
    settings: "settings",
    telegramPairing: (telegramUserId: number) => `telegram#${telegramUserId}`,
    telegramPairingPrefix: "telegram#",
    pairingCode: (code: string) => `pairing-code#${code}`,
    /** A user's custom skill (SkillRecord), and a built-in skill's switch ({ enabled }). */
    skill: (name: string) => `skill#${name}`,
    skillPrefix: "skill#",
    builtinSkill: (name: string) => `skill-builtin#${name}`,
    builtinSkillPrefix: "skill-builtin#",
    /**
     * This deployment's recent wake times (seconds from start to Running, newest last), in a
     * partition no Cognito `sub` can take: the "usually ~N s" shown while waking.
     */
    deploymentPartition: "deployment-stats",
    wakeSeconds: "wake-seconds",
    /**
     * `{ taskId, until }` (TTL): the task whose own move to Idle the gateway just served; it may still
     * push its last status to the user's tabs until then (packages/gateway/src/handlers/agent-api.ts).
     */
    agentFinished: "agent-finished",
  },
  /**
   * Telegram items in the Settings table. Per-user items live in the user's partition; the rest
   * live in partitions no Cognito `sub` can take (they are not UUIDs):
   *
   * | partition (userId)          | settingKey                     | value                               |
   * |-----------------------------|--------------------------------|-------------------------------------|
   * | `<userId>`                  | `telegram#<telegramUserId>`    | ChannelPairing (older: TelegramPairing) |
   * | `<userId>`                  | `telegram-conversation#<tgId>` | `{ conversationId }` for that chat  |
   * | `<userId>`                  | `telegram-pairing-code`        | `{ code }`: the user's latest code  |
   * | `telegram-<telegramUserId>` | `pairing`                      | `{ userId }`: reverse lookup        |
   * | `telegram-pairing-codes`    | `pairing-code#<code>`          | `{ userId, expiresAt }` (TTL)       |
   * | `telegram-updates`          | `update#<update_id>`           | dedupe marker (TTL)                 |
   * | `telegram-bot`              | `bot-info`                     | getMe result, so cold starts skip it |
   */
  telegram: {
    conversation: (telegramUserId: number) => `telegram-conversation#${telegramUserId}`,
    currentCode: "telegram-pairing-code",
    userPartition: (telegramUserId: number) => `telegram-${telegramUserId}`,
    userPairing: "pairing",
    codesPartition: "telegram-pairing-codes",
    updatesPartition: "telegram-updates",
    update: (updateId: number) => `update#${updateId}`,
    botPartition: "telegram-bot",
    botInfo: "bot-info",
  },
  /**
   * Settings-table items of any chat channel, by channel name. For `telegram` these are exactly the
   * keys of KEYS.telegram above (so pairings made before Discord and Slack existed keep working):
   *
   * | partition (userId)              | settingKey                          | value                          |
   * |---------------------------------|-------------------------------------|--------------------------------|
   * | `<userId>`                      | `<channel>#<externalUserId>`        | ChannelPairing                 |
   * | `<userId>`                      | `<channel>-conversation#<extId>`    | `{ conversationId }`           |
   * | `<userId>`                      | `<channel>-pairing-code`            | `{ code }`: latest code        |
   * | `<channel>-<externalUserId>`    | `pairing`                           | `{ userId }`: reverse lookup   |
   * | `<channel>-pairing-codes`       | `pairing-code#<code>`               | `{ userId, expiresAt }` (TTL)  |
   * | `<channel>-events`              | `event#<eventId>`                   | dedupe marker (TTL)            |
   * | `<userId>`                      | `<channel>-notice#<externalUserId>` | PairingNotice (TTL)            |
   *
   * The reverse lookup and the code also carry `label`, the web account's name (email or username),
   * so the bot can say which web account a code or a pairing belongs to.
   */
  channel: (channel: string) => ({
    pairing: (externalUserId: string) => `${channel}#${externalUserId}`,
    pairingPrefix: `${channel}#`,
    conversation: (externalUserId: string) => `${channel}-conversation#${externalUserId}`,
    currentCode: `${channel}-pairing-code`,
    userPartition: (externalUserId: string) => `${channel}-${externalUserId}`,
    userPairing: "pairing",
    codesPartition: `${channel}-pairing-codes`,
    eventsPartition: `${channel}-events`,
    event: (eventId: string) => `event#${eventId}`,
    notice: (externalUserId: string) => `${channel}-notice#${externalUserId}`,
    noticePrefix: `${channel}-notice#`,
  }),
  taskState: { pk: "userId" },
  connections: { pk: "connectionId", byUserIndex: "byUser", byUserPk: "userId" },
  pending: {
    pk: "userId",
    sk: "sk",
    message: (timestamp: string, uuid: string) => `${timestamp}#${uuid}`,
    dedupe: (clientMessageId: string) => `dedupe#${clientMessageId}`,
  },
} as const;

/** The TTL attribute of Connections and PendingMessages (epoch seconds). */
export const TTL_ATTRIBUTE = "expiresAt";
