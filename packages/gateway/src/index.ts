export * from "./deps";
export * from "./errors";
export * from "./handlers";
export type * from "./ports";
export * from "./services";
export { apiKeySecretName } from "./services/settings";
export { withUsageRecording } from "./services/usage-recording";
