// The task's outward adapters, for the tests and benches that wire a task's side by hand.

export { createSignedFetch, type SignedFetchOptions } from "../sigv4";
export { AgentLinkRelay, type AgentLinkRelayOptions } from "./agent-link-relay";
export { HttpClientPush, type HttpClientPushOptions } from "./http-client-push";
export { UrlBlobStore } from "./url-blob-store";
