import type { Provider, Settings } from "./settings";

/** Why a user's agent cannot answer yet; the same texts from the gateway (at once) and the task. */
export interface LlmSetupProblem {
  code: "NO_PROVIDER" | "NO_API_KEY" | "NO_BASE_URL";
  message: string;
  retryable: false;
}

/** Codes the web chat answers with a link to Settings. */
export const LLM_SETUP_CODES: readonly string[] = ["NO_PROVIDER", "NO_API_KEY", "NO_BASE_URL"];

/** Plain text (no Markdown): channels and the web show it as is. */
const OPTIONS =
  "In Settings, choose Claude (Anthropic), GPT (OpenAI) or DeepSeek and enter its API key, " +
  "or choose OpenAI-compatible URL and enter the base URL of any OpenAI-compatible server " +
  "(for example Ollama at http://127.0.0.1:11434/v1, or vLLM), with a key if it needs one.";

const LOCAL_OPTIONS =
  " In local mode you can instead start the server (npm start) with ANTHROPIC_API_KEY, OPENAI_API_KEY " +
  "or DEEPSEEK_API_KEY set, or with OPENAI_BASE_URL=http://127.0.0.1:11434/v1 " +
  "(or --llm-base-url http://127.0.0.1:11434/v1) for Ollama.";

const AGAIN = " Then send your message again.";

/**
 * What is missing before OpenClaw can call an LLM, from the stored settings alone (the key itself is
 * never read: `apiKeySet` says whether one is stored). `local` adds the local-mode environment options.
 */
export function llmSetupProblem(
  settings: Pick<Settings, "provider" | "baseUrl" | "apiKeySet">,
  local = false,
): LlmSetupProblem | undefined {
  const more = local ? LOCAL_OPTIONS : "";
  if (settings.provider === null) {
    return {
      code: "NO_PROVIDER",
      message: `No AI provider is configured yet. ${OPTIONS}${more}${AGAIN}`,
      retryable: false,
    };
  }
  if (settings.provider === "openai-compatible") {
    if (settings.baseUrl) return undefined;
    return {
      code: "NO_BASE_URL",
      message:
        "The OpenAI-compatible provider needs a base URL (for example http://127.0.0.1:11434/v1 for Ollama). Set it in Settings, then send your message again.",
      retryable: false,
    };
  }
  if (settings.apiKeySet) return undefined;
  return {
    code: "NO_API_KEY",
    message: `No API key is set for ${providerName(settings.provider)}. ${OPTIONS}${more}${AGAIN}`,
    retryable: false,
  };
}

function providerName(provider: Exclude<Provider, "openai-compatible">): string {
  return { anthropic: "Claude (Anthropic)", openai: "GPT (OpenAI)", deepseek: "DeepSeek" }[provider];
}
