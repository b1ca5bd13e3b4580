import * as z from "zod";
import { KeepWarmSchema } from "./keep-warm";
import { LIMITS } from "./limits";
import { stripUndefined } from "./objects";

/** LLM providers the product can configure for OpenClaw. */
export const PROVIDERS = ["anthropic", "openai", "deepseek", "openai-compatible"] as const;
export const ProviderSchema = z.enum(PROVIDERS, {
  error: `provider must be one of: ${PROVIDERS.join(", ")}`,
});
export type Provider = z.infer<typeof ProviderSchema>;

export const PROVIDER_LABELS: Readonly<Record<Provider, string>> = {
  anthropic: "Claude (Anthropic)",
  openai: "GPT (OpenAI)",
  deepseek: "DeepSeek",
  "openai-compatible": "OpenAI-compatible URL (Ollama, vLLM, …)",
};

/** A model that works with each provider out of the box; the user may pick another. */
export const DEFAULT_MODELS: Readonly<Record<Provider, string>> = {
  anthropic: "claude-sonnet-4-6",
  openai: "gpt-5.5",
  deepseek: "deepseek-v4-flash",
  "openai-compatible": "default",
};

const ModelSchema = z
  .string()
  .trim()
  .min(1, "model must not be empty")
  .max(128, "model must be at most 128 characters")
  .regex(/^[A-Za-z0-9._:/@-]+$/, "model may contain only letters, digits and . _ : / @ -");

const BaseUrlSchema = z
  .url({ error: "baseUrl must be an http(s) URL such as http://127.0.0.1:11434/v1" })
  .max(512)
  .refine((u) => /^https?:\/\//.test(u), "baseUrl must start with http:// or https://");

const InactivitySchema = z
  .number({ error: "inactivityMinutes must be a number" })
  .int("inactivityMinutes must be a whole number")
  .min(LIMITS.inactivityMinutesMin, `inactivityMinutes must be at least ${LIMITS.inactivityMinutesMin}`)
  .max(LIMITS.inactivityMinutesMax, `inactivityMinutes must be at most ${LIMITS.inactivityMinutesMax}`);

const MonthlyBudgetSchema = z
  .number({ error: "monthlyBudgetUsd must be a number" })
  .min(0, "monthlyBudgetUsd must be at least 0")
  .max(100_000, "monthlyBudgetUsd must be at most 100000");

/** Settings as the API returns them. The API key itself is never returned, only whether one is set. */
export const SettingsSchema = z.object({
  provider: ProviderSchema.nullable(),
  model: ModelSchema.nullable(),
  baseUrl: BaseUrlSchema.nullable(),
  apiKeySet: z.boolean(),
  inactivityMinutes: InactivitySchema,
  /**
   * OpenClaw's browser tool (headless Chromium). Needs the browser image variant; costs memory, so
   * it is off unless the user turns it on. Applies when the agent next starts.
   */
  browserEnabled: z.boolean({ error: "browserEnabled must be true or false" }),
  /** The user's cap on this month's estimated agent cost; null or absent = the deployment default. */
  monthlyBudgetUsd: MonthlyBudgetSchema.nullable().optional(),
  /** Hours the agent is kept running (no cold start); null or absent = off (keep-warm.ts). */
  keepWarm: KeepWarmSchema.nullable().optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  provider: null,
  model: null,
  baseUrl: null,
  apiKeySet: false,
  inactivityMinutes: LIMITS.inactivityMinutesDefault,
  browserEnabled: false,
};

/**
 * A user's settings as stored, which may be partial, older or damaged: anything unreadable falls back to
 * `defaults` (DEFAULT_SETTINGS, or the deployment's variant of it), field by field. The gateway and the
 * agent task both read Settings through this.
 */
export function readSettings(raw: unknown, defaults: Settings = DEFAULT_SETTINGS): Settings {
  const parsed = SettingsSchema.partial().safeParse(raw ?? {});
  return { ...defaults, ...(parsed.success ? stripUndefined(parsed.data) : {}) };
}

/** PUT /settings. Omitted fields stay as they are; `apiKey: null` deletes the stored key. */
export const SettingsUpdateSchema = z
  .strictObject({
    provider: ProviderSchema.nullable().optional(),
    model: ModelSchema.nullable().optional(),
    baseUrl: BaseUrlSchema.nullable().optional(),
    apiKey: z
      .string()
      .min(1, "apiKey must not be empty (send null to remove it)")
      .max(LIMITS.maxApiKeyChars, `apiKey must be at most ${LIMITS.maxApiKeyChars} characters`)
      .regex(/^[\x21-\x7e]+$/, "apiKey may contain only printable characters without spaces")
      .nullable()
      .optional(),
    inactivityMinutes: InactivitySchema.optional(),
    browserEnabled: z.boolean({ error: "browserEnabled must be true or false" }).optional(),
    monthlyBudgetUsd: MonthlyBudgetSchema.nullable().optional(),
    /** null switches keep-warm off. */
    keepWarm: KeepWarmSchema.nullable().optional(),
  })
  .refine((u) => u.provider !== "openai-compatible" || u.baseUrl !== null, {
    message: "an OpenAI-compatible provider needs a baseUrl",
    path: ["baseUrl"],
  });
export type SettingsUpdate = z.infer<typeof SettingsUpdateSchema>;
