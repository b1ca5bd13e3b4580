/** Limits shared by every side. Keep them small enough for API Gateway (128 KB per WebSocket message, 32 KB frames). */
export const LIMITS = {
  /** Longest chat message a user may send, in characters. */
  maxMessageChars: 16_000,
  /** Largest raw WebSocket/HTTP body the gateway will parse, in bytes. */
  maxBodyBytes: 64 * 1024,
  /** Largest chunk of reply text pushed in one chat.delta (keeps each frame under 32 KB). */
  maxDeltaChars: 8_000,
  /** Conversation titles. */
  maxTitleChars: 120,
  /** History page size bounds. */
  historyPageDefault: 50,
  historyPageMax: 200,
  /** Inactivity timeout bounds, minutes. */
  inactivityMinutesMin: 1,
  inactivityMinutesMax: 240,
  inactivityMinutesDefault: 15,
  /** Longest a single agent turn may run before it is failed with a clear error. */
  turnTimeoutMs: 180_000,
  /** A start that has not reached Running by then is marked failed. */
  startTimeoutMs: 5 * 60_000,
  /** The watchdog stops a task whose heartbeat is older than this. */
  heartbeatStaleMs: 3 * 60_000,
  /** The agent writes a heartbeat this often while Running. */
  heartbeatIntervalMs: 60_000,
  /** Hard cap on one task's lifetime; the watchdog stops it after that. */
  maxTaskRuntimeMs: 12 * 60 * 60_000,
  /** Connections rows live this long without refresh (API Gateway closes every connection at 2 h). */
  connectionTtlSeconds: 3 * 60 * 60,
  /** Pending messages that no agent could deliver expire after this. */
  pendingTtlSeconds: 7 * 24 * 60 * 60,
  /** Idempotency keys (clientMessageId, Telegram update_id) are remembered this long. */
  dedupeTtlSeconds: 7 * 24 * 60 * 60,
  /** Telegram pairing codes. */
  pairingCodeTtlSeconds: 10 * 60,
  pairingCodeLength: 8,
  /** The web account's name a bot shows when pairing (email or username), cut to this. */
  accountLabelChars: 64,
  /** How long a pairing notice stays in the web app's Settings unless dismissed. */
  pairingNoticeTtlSeconds: 30 * 24 * 3600,
  /** Largest API key accepted in settings. */
  maxApiKeyChars: 512,
  /**
   * Custom skill uploads (docs/skills.md). The zip travels base64-encoded through API Gateway (10 MB)
   * and Lambda (6 MB request payload), so 1 MiB leaves a wide margin.
   */
  skillZipMaxBytes: 1024 * 1024,
  /** Files in one skill (directories not counted), and all entries including directories. */
  skillMaxFiles: 64,
  skillMaxEntries: 256,
  /** One file, uncompressed, and all files of a skill together. */
  skillMaxFileBytes: 256 * 1024,
  skillMaxTotalBytes: 2 * 1024 * 1024,
  /** Folder levels inside a skill (SKILL.md is at depth 1). */
  skillMaxDepth: 8,
  skillMaxPathChars: 200,
  skillNameMaxChars: 64,
  skillDescriptionMaxChars: 1024,
  /** Custom skills per user (each is a line in the agent's system prompt). */
  skillsMaxPerUser: 50,
} as const;
