import {
  budgetAboveCeilingMessage,
  DEFAULT_SETTINGS,
  KEEP_WARM_SCHEDULE_ID,
  KEYS,
  keepWarmCron,
  type LlmSetupProblem,
  llmSetupProblem,
  readSettings,
  SECRET_NAMES,
  type Settings,
  type SettingsUpdate,
  stripUndefined,
} from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { ConflictError, ValidationError } from "../errors";

export type SettingsDeps = Pick<GatewayDeps, "settings" | "secrets" | "logger"> &
  Partial<Pick<GatewayDeps, "scheduler" | "clock">> & {
    config?: Pick<GatewayDeps["config"], "defaultInactivityMinutes" | "localMode" | "monthlyBudgetUsd">;
  };

/**
 * A user's agent settings. The API key is write-only: it goes to the SecretStore (SSM SecureString on
 * AWS) and only `apiKeySet` ever comes back. The stored document is the public view itself.
 */
export class SettingsService {
  constructor(private readonly deps: SettingsDeps) {}

  async get(userId: string): Promise<Settings> {
    const stored = await this.deps.settings.get(userId, KEYS.settings.settings);
    // The deployment's default timeout (deploy context inactivityMinutes) until the user picks one.
    const fallback = this.deps.config?.defaultInactivityMinutes;
    const defaults = fallback ? { ...DEFAULT_SETTINGS, inactivityMinutes: fallback } : DEFAULT_SETTINGS;
    return readSettings(stored, defaults);
  }

  /** What is missing before the user's agent can call an LLM (undefined: nothing). */
  async llmProblem(userId: string): Promise<LlmSetupProblem | undefined> {
    return llmSetupProblem(await this.get(userId), this.deps.config?.localMode ?? false);
  }

  async put(userId: string, update: SettingsUpdate): Promise<Settings> {
    const current = await this.get(userId);
    const { apiKey, ...rest } = update;
    const next: Settings = { ...current, ...stripUndefined(rest) };
    // The deployment's cap is a ceiling: a user may set a lower cap, never a higher one.
    const ceiling = this.deps.config?.monthlyBudgetUsd;
    if (
      ceiling !== undefined &&
      ceiling > 0 &&
      typeof update.monthlyBudgetUsd === "number" &&
      update.monthlyBudgetUsd > ceiling
    ) {
      throw new ValidationError(budgetAboveCeilingMessage(ceiling));
    }
    if (next.provider === "openai-compatible" && !next.baseUrl) {
      throw new ValidationError(
        "an OpenAI-compatible provider needs a baseUrl, e.g. http://127.0.0.1:11434/v1",
      );
    }
    if (update.keepWarm !== undefined) await this.scheduleKeepWarm(userId, next);
    if (apiKey !== undefined) {
      if (apiKey === null) await this.deps.secrets.delete(SECRET_NAMES.llmApiKey(userId));
      else await this.deps.secrets.put(SECRET_NAMES.llmApiKey(userId), apiKey);
      next.apiKeySet = apiKey !== null;
    }
    await this.deps.settings.put(userId, KEYS.settings.settings, next);
    this.deps.logger.info("settings updated", {
      userId,
      fields: Object.keys(update).filter((k) => k !== "apiKey"),
      apiKeyChanged: apiKey !== undefined,
    });
    return next;
  }

  /**
   * The keep-warm window's start wakes the agent: one entry under a reserved id in the scheduler that
   * runs scheduled prompts (EventBridge Scheduler on AWS, in-process locally). Registered before the
   * settings are saved, so saved settings never promise a wake-up the scheduler does not have; an entry
   * left behind by a failed save finds no window when it fires and does nothing.
   */
  private async scheduleKeepWarm(userId: string, next: Settings): Promise<void> {
    const { scheduler } = this.deps;
    if (!next.keepWarm) {
      await scheduler?.delete(userId, KEEP_WARM_SCHEDULE_ID);
      return;
    }
    if (!scheduler) {
      throw new ConflictError(
        "SCHEDULER_UNAVAILABLE",
        "keep-warm hours need the scheduler, which is not set up in this deployment",
      );
    }
    await scheduler.update({
      userId,
      scheduleId: KEEP_WARM_SCHEDULE_ID,
      expression: keepWarmCron(next.keepWarm),
      timezone: next.keepWarm.timezone,
      enabled: true,
      anchor: this.deps.clock?.now() ?? new Date(),
    });
  }
}
