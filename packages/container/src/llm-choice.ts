import { DEFAULT_MODELS, llmSetupProblem, type Provider, type Settings } from "@serverless-openclaw/shared";

/** The LLM the user chose, resolved to something OpenClaw can be configured with. */
export interface LlmChoice {
  provider: Provider;
  model: string;
  baseUrl?: string;
  /** Never logged; handed to OpenClaw through its environment, not its config file. */
  apiKey?: string;
  /** Where the choice came from: the user's Settings, or (local mode only) the task's environment. */
  source: "settings" | "env";
}

export type LlmResolution =
  | { ok: true; llm: LlmChoice }
  | { ok: false; code: "NO_PROVIDER" | "NO_API_KEY" | "NO_BASE_URL"; message: string };

/** Environment variables a local-mode user may set instead of Settings (checked in this order). */
export const ENV_KEY_OF: Readonly<Record<Exclude<Provider, "openai-compatible">, string>> = {
  anthropic: "ANTHROPIC_API_KEY",
  openai: "OPENAI_API_KEY",
  deepseek: "DEEPSEEK_API_KEY",
};

/**
 * Decides which LLM OpenClaw will use. `env` is consulted only when `envFallback` is on (local
 * mode), so a deployment never silently picks up a key from the task's environment.
 */
export function resolveLlm(
  settings: Settings,
  apiKey: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  envFallback: boolean,
): LlmResolution {
  const provider = settings.provider;
  if (provider === null) {
    if (envFallback) {
      for (const [p, name] of Object.entries(ENV_KEY_OF) as Array<[Provider, string]>) {
        const key = env[name];
        if (key)
          return { ok: true, llm: { provider: p, model: DEFAULT_MODELS[p], apiKey: key, source: "env" } };
      }
    }
    return setupProblem(settings, envFallback);
  }
  const model = settings.model ?? DEFAULT_MODELS[provider];
  if (provider === "openai-compatible") {
    if (!settings.baseUrl) return setupProblem(settings, envFallback);
    return {
      ok: true,
      llm: { provider, model, baseUrl: settings.baseUrl, apiKey: apiKey || undefined, source: "settings" },
    };
  }
  const key = apiKey || (envFallback ? env[ENV_KEY_OF[provider]] : undefined);
  if (!key) return setupProblem({ ...settings, apiKeySet: false }, envFallback);
  return {
    ok: true,
    llm: {
      provider,
      model,
      baseUrl: settings.baseUrl ?? undefined,
      apiKey: key,
      source: apiKey ? "settings" : "env",
    },
  };
}

/** The gateway answers these at once when it can; the task still checks (settings may change meanwhile). */
function setupProblem(settings: Settings, local: boolean): LlmResolution {
  const problem = llmSetupProblem(settings, local);
  if (!problem) throw new Error("llmSetupProblem found nothing to report");
  return { ok: false, code: problem.code, message: problem.message };
}
