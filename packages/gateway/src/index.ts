// The core: what a runtime wires (dependencies, services, handler factories) and the ports it fills.
// The other entry points: ./aws and ./local (adapters per runtime), ./channels (chat-app set-up),
// ./agent (the small part the agent task loads). Nothing else of src/ is public.

export {
  CognitoTokenVerifier,
  type CognitoTokenVerifierOptions,
} from "./adapters/aws/cognito-token-verifier";
export { createStores, type Stores, type StoresPlan } from "./adapters/stores";
export * from "./deps";
export * from "./errors";
export * from "./handlers";
export { type AgentApiDeps, createAgentApiHandler } from "./handlers/agent-api";
export type * from "./ports";
export * from "./services";
export type { AgentScope } from "./services/agent-scope";
export { SkillsService } from "./services/skills";
