// How the task runs OpenClaw, for benches that drive OpenClaw without a whole task: its config, where
// its pinned runtime is, a free loopback port for it, and the chat stream the task reads.

export { type ChatEvent, type ChatRequest, streamChat } from "./openclaw-chat";
export { buildOpenClawConfig, leanBootEnv, type OpenClawConfigInput } from "./openclaw-config";
export { type OpenClawRuntime, resolveOpenClawRuntime } from "./openclaw-runtime";
export { freeLoopbackPort } from "./supervisor";
