import type { SettingsService } from "@serverless-openclaw/gateway";
import type { SettingsUpdate } from "@serverless-openclaw/shared";
import type { LocalEnv } from "../support/local-env";

export interface ProviderSeedInput {
  /** `--llm-base-url`: an OpenAI-compatible server (Ollama, vLLM, the tests' fake LLM). */
  llmBaseUrl?: string;
  llmModel?: string;
  env: LocalEnv;
}

/**
 * What the environment says the first user's LLM should be, as a settings update; undefined when it
 * says nothing. `--llm-base-url` always applies (an explicit flag); the API-key variables only fill a
 * provider that is not set yet, so a choice made in the Settings page survives a restart.
 */
export function providerFromEnvironment(
  input: ProviderSeedInput,
  current: { provider: string | null },
): { update: SettingsUpdate; description: string } | undefined {
  const { env } = input;
  if (input.llmBaseUrl) {
    return {
      update: {
        provider: "openai-compatible",
        baseUrl: input.llmBaseUrl,
        model: input.llmModel ?? env.LLM_MODEL ?? "default",
        ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
      },
      description: `OpenAI-compatible server at ${input.llmBaseUrl} (--llm-base-url)`,
    };
  }
  if (current.provider !== null) return undefined;
  if (env.ANTHROPIC_API_KEY) {
    return {
      update: { provider: "anthropic", apiKey: env.ANTHROPIC_API_KEY, ...model(env) },
      description: "Claude (ANTHROPIC_API_KEY)",
    };
  }
  if (env.OPENAI_API_KEY && env.OPENAI_BASE_URL) {
    return {
      update: {
        provider: "openai-compatible",
        baseUrl: env.OPENAI_BASE_URL,
        apiKey: env.OPENAI_API_KEY,
        model: env.LLM_MODEL ?? "default",
      },
      description: `OpenAI-compatible server at ${env.OPENAI_BASE_URL} (OPENAI_BASE_URL)`,
    };
  }
  if (env.OPENAI_BASE_URL) {
    return {
      update: {
        provider: "openai-compatible",
        baseUrl: env.OPENAI_BASE_URL,
        model: env.LLM_MODEL ?? "default",
      },
      description: `OpenAI-compatible server at ${env.OPENAI_BASE_URL} (OPENAI_BASE_URL)`,
    };
  }
  if (env.OPENAI_API_KEY) {
    return {
      update: { provider: "openai", apiKey: env.OPENAI_API_KEY, ...model(env) },
      description: "GPT (OPENAI_API_KEY)",
    };
  }
  if (env.DEEPSEEK_API_KEY) {
    return {
      update: { provider: "deepseek", apiKey: env.DEEPSEEK_API_KEY, ...model(env) },
      description: "DeepSeek (DEEPSEEK_API_KEY)",
    };
  }
  return undefined;
}

function model(env: LocalEnv): { model?: string } {
  return env.LLM_MODEL ? { model: env.LLM_MODEL } : {};
}

/** Applies the environment's provider to a user's settings through the same service as the API. */
export async function seedProvider(
  settings: SettingsService,
  userId: string,
  input: ProviderSeedInput,
): Promise<string | undefined> {
  const current = await settings.get(userId);
  const seed = providerFromEnvironment(input, current);
  if (!seed) return current.provider === null ? undefined : `${current.provider} (from Settings)`;
  await settings.put(userId, seed.update);
  return seed.description;
}
