export * from "./deps";
export * from "./errors";
export * from "./handlers";
export type * from "./ports";
export * from "./services";
export { withUsageRecording } from "./services/usage-recording";
