import {
  DEFAULT_MODELS,
  PROVIDERS,
  type Provider,
  type Settings,
  type SettingsUpdate,
  SettingsUpdateSchema,
} from "@serverless-openclaw/shared";

/** What the settings form holds: strings as typed, so validation can report on them. */
export interface SettingsForm {
  provider: Provider | "";
  model: string;
  baseUrl: string;
  /** A new key to store; empty leaves the stored key alone. */
  apiKey: string;
  removeApiKey: boolean;
  inactivityMinutes: string;
}

export function formFromSettings(s: Settings): SettingsForm {
  return {
    provider: s.provider ?? "",
    model: s.model ?? "",
    baseUrl: s.baseUrl ?? "",
    apiKey: "",
    removeApiKey: false,
    inactivityMinutes: String(s.inactivityMinutes),
  };
}

export type SettingsValidation =
  | { ok: true; update: SettingsUpdate }
  | { ok: false; errors: Partial<Record<keyof SettingsForm | "form", string>> };

/**
 * Builds the PUT /settings body and validates it with the same schema the gateway uses, so the
 * user sees the gateway's own messages before anything is sent.
 */
export function validateSettingsForm(form: SettingsForm): SettingsValidation {
  const provider = PROVIDERS.includes(form.provider as Provider) ? (form.provider as Provider) : null;
  const raw: Record<string, unknown> = {
    provider,
    model: form.model.trim() || (provider ? DEFAULT_MODELS[provider] : null),
    baseUrl: provider === "openai-compatible" ? form.baseUrl.trim() || null : null,
    inactivityMinutes: form.inactivityMinutes.trim() === "" ? Number.NaN : Number(form.inactivityMinutes),
  };
  if (form.removeApiKey) raw.apiKey = null;
  else if (form.apiKey !== "") raw.apiKey = form.apiKey;
  const parsed = SettingsUpdateSchema.safeParse(raw);
  if (parsed.success) return { ok: true, update: parsed.data };
  const errors: Partial<Record<keyof SettingsForm | "form", string>> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "form");
    const key = (field in form ? field : "form") as keyof SettingsForm | "form";
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}
