import * as z from "zod";
import { LIMITS } from "./limits";

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

/** Settings as the API returns them. The API key itself is never returned, only whether one is set. */
export const SettingsSchema = z.object({
  provider: ProviderSchema.nullable(),
  model: ModelSchema.nullable(),
  baseUrl: BaseUrlSchema.nullable(),
  apiKeySet: z.boolean(),
  inactivityMinutes: InactivitySchema,
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  provider: null,
  model: null,
  baseUrl: null,
  apiKeySet: false,
  inactivityMinutes: LIMITS.inactivityMinutesDefault,
};

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
  })
  .refine((u) => u.provider !== "openai-compatible" || u.baseUrl !== null, {
    message: "an OpenAI-compatible provider needs a baseUrl",
    path: ["baseUrl"],
  });
export type SettingsUpdate = z.infer<typeof SettingsUpdateSchema>;
