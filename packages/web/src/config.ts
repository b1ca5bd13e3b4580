import type { WebRuntimeConfig } from "@serverless-openclaw/shared";

/**
 * Runtime configuration, fetched from `/config.json` at start-up so one build serves every
 * deployment (CDK writes it next to the bundle; local mode serves it from its own server).
 * Validated by hand rather than with zod: this runs before the sign-in screen, and keeping zod
 * out of the first chunk keeps the initial JS within budget (zod loads with the chat).
 */
export type WebConfig = WebRuntimeConfig;

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
}

const isUrl = (value: unknown, protocols: string[]) => {
  if (typeof value !== "string") return false;
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** Returns the problems with a config object, empty when it is valid. */
export function configProblems(input: unknown): string[] {
  if (!input || typeof input !== "object") return ["must be a JSON object"];
  const c = input as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ["region", "userPoolId", "userPoolClientId"]) {
    if (typeof c[key] !== "string" || c[key] === "") problems.push(`${key} must be a non-empty string`);
  }
  if (!isUrl(c.cognitoEndpoint, ["http:", "https:"])) problems.push("cognitoEndpoint must be an http(s) URL");
  if (!isUrl(c.apiUrl, ["http:", "https:"])) problems.push("apiUrl must be an http(s) URL");
  if (!isUrl(c.wsUrl, ["ws:", "wss:"])) problems.push("wsUrl must be a ws(s) URL");
  if (
    c.telegramBotUsername !== undefined &&
    (typeof c.telegramBotUsername !== "string" || !c.telegramBotUsername)
  )
    problems.push("telegramBotUsername must be a non-empty string when present");
  if (c.selfSignUp !== undefined && typeof c.selfSignUp !== "boolean")
    problems.push("selfSignUp must be true or false");
  if (
    c.passwordFlow !== undefined &&
    c.passwordFlow !== "USER_SRP_AUTH" &&
    c.passwordFlow !== "USER_PASSWORD_AUTH"
  )
    problems.push("passwordFlow must be USER_SRP_AUTH or USER_PASSWORD_AUTH when present");
  return problems;
}

export function parseConfig(input: unknown, source = "config"): WebConfig {
  const problems = configProblems(input);
  if (problems.length > 0) throw new ConfigError(`${source} is invalid: ${problems.join("; ")}.`);
  const c = input as Record<string, unknown>;
  return {
    region: c.region as string,
    userPoolId: c.userPoolId as string,
    userPoolClientId: c.userPoolClientId as string,
    cognitoEndpoint: c.cognitoEndpoint as string,
    wsUrl: c.wsUrl as string,
    apiUrl: c.apiUrl as string,
    telegramBotUsername: c.telegramBotUsername as string | undefined,
    ...chatChannelsOf(c.chatChannels),
    selfSignUp: c.selfSignUp === true,
    ...(c.passwordFlow === "USER_PASSWORD_AUTH" ? { passwordFlow: "USER_PASSWORD_AUTH" as const } : {}),
  };
}

/** Unknown entries are dropped: an older web build must not refuse a newer deployment's config. */
function chatChannelsOf(value: unknown): { chatChannels?: Array<"discord" | "slack"> } {
  if (!Array.isArray(value)) return {};
  const known = value.filter((v): v is "discord" | "slack" => v === "discord" || v === "slack");
  return known.length > 0 ? { chatChannels: known } : {};
}

/** Loads and validates the runtime config; a broken config is reported, never half-used. */
export async function loadConfig(url = "/config.json", fetchImpl: typeof fetch = fetch): Promise<WebConfig> {
  let res: Response;
  try {
    res = await fetchImpl(url, { cache: "no-store" });
  } catch {
    throw new ConfigError(`Could not load ${url}: the server is unreachable.`);
  }
  if (!res.ok) throw new ConfigError(`Could not load ${url}: HTTP ${res.status}.`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ConfigError(`${url} is not valid JSON.`);
  }
  return parseConfig(body, url);
}
