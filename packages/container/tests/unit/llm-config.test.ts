import { DEFAULT_SETTINGS, readSettings } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { resolveLlm } from "../../src/llm-choice";
import { buildOpenClawConfig, GATEWAY_TOKEN_ENV, LLM_KEY_ENV } from "../../src/openclaw-config";

const KEY = "sk-unit-0123456789abcdef";

describe("resolveLlm", () => {
  it("asks for a provider when none is set, mentioning env keys only in local mode", () => {
    const aws = resolveLlm(DEFAULT_SETTINGS, undefined, { ANTHROPIC_API_KEY: KEY }, false);
    expect(aws).toMatchObject({ ok: false, code: "NO_PROVIDER" });
    expect(aws.ok ? "" : aws.message).not.toContain("ANTHROPIC_API_KEY");
    const local = resolveLlm(DEFAULT_SETTINGS, undefined, {}, true);
    expect(local.ok ? "" : local.message).toContain("ANTHROPIC_API_KEY");
  });

  it("takes a key from the environment in local mode only", () => {
    const local = resolveLlm(DEFAULT_SETTINGS, undefined, { OPENAI_API_KEY: KEY }, true);
    expect(local).toMatchObject({ ok: true, llm: { provider: "openai", apiKey: KEY, source: "env" } });
  });

  it("needs a key for hosted providers and a base URL for OpenAI-compatible ones", () => {
    const s = { ...DEFAULT_SETTINGS, provider: "anthropic" as const };
    expect(resolveLlm(s, undefined, {}, false)).toMatchObject({ ok: false, code: "NO_API_KEY" });
    expect(resolveLlm(s, KEY, {}, false)).toMatchObject({
      ok: true,
      llm: { provider: "anthropic", model: "claude-sonnet-4-6", apiKey: KEY },
    });
    const compat = { ...DEFAULT_SETTINGS, provider: "openai-compatible" as const };
    expect(resolveLlm(compat, undefined, {}, false)).toMatchObject({ ok: false, code: "NO_BASE_URL" });
    expect(
      resolveLlm({ ...compat, baseUrl: "http://127.0.0.1:11434/v1" }, undefined, {}, false),
    ).toMatchObject({
      ok: true,
    });
  });

  it("reads damaged or partial stored settings as defaults", () => {
    expect(readSettings({ provider: "nope", inactivityMinutes: 5 })).toEqual(DEFAULT_SETTINGS);
    expect(readSettings({ provider: "deepseek" }).provider).toBe("deepseek");
    expect(readSettings(undefined)).toEqual(DEFAULT_SETTINGS);
  });
});

describe("buildOpenClawConfig", () => {
  const base = { gatewayToken: "tok", logFile: "/tmp/x.log" };

  it("sets the tool policy explicitly: exec on without prompts, elevated off, self-configuration denied", () => {
    const { config } = buildOpenClawConfig({ ...base, llm: undefined });
    expect(config.tools).toEqual({
      exec: { host: "gateway", mode: "full" },
      elevated: { enabled: false },
      deny: ["gateway", "plugins", "openclaw"],
    });
    expect(JSON.stringify(config.tools)).not.toMatch(/"exec"\]|"group:runtime"/);
  });

  it("never puts the API key in the config file, for any provider", () => {
    for (const provider of ["anthropic", "openai", "deepseek", "openai-compatible"] as const) {
      const out = buildOpenClawConfig({
        ...base,
        llm: { provider, model: "m-1", apiKey: KEY, baseUrl: "http://127.0.0.1:1/v1", source: "settings" },
      });
      expect(JSON.stringify(out.config)).not.toContain(KEY);
      expect(Object.values(out.env).sort()).toEqual([KEY, "tok"].sort());
    }
  });

  it("uses OpenClaw's bundled providers by their env var, and custom providers through an env SecretRef", () => {
    const anthropic = buildOpenClawConfig({
      ...base,
      llm: { provider: "anthropic", model: "claude-x", apiKey: KEY, source: "settings" },
    });
    expect(anthropic.modelRef).toBe("anthropic/claude-x");
    expect(anthropic.env).toEqual({ ANTHROPIC_API_KEY: KEY, [GATEWAY_TOKEN_ENV]: "tok" });
    const deepseek = buildOpenClawConfig({
      ...base,
      llm: { provider: "deepseek", model: "deepseek-v4-flash", apiKey: KEY, source: "settings" },
    });
    expect(deepseek.modelRef).toBe("deepseek/deepseek-v4-flash");
    expect(deepseek.config).toMatchObject({
      models: {
        providers: {
          deepseek: {
            baseUrl: "https://api.deepseek.com",
            api: "openai-completions",
            apiKey: { source: "env", provider: "default", id: LLM_KEY_ENV },
          },
        },
      },
    });
  });

  it("writes the same file on every boot: the per-boot token is not in it", () => {
    const llm = { provider: "openai" as const, model: "m", apiKey: KEY, source: "settings" as const };
    const first = buildOpenClawConfig({ ...base, gatewayToken: "a".repeat(32), llm });
    const second = buildOpenClawConfig({ ...base, gatewayToken: "b".repeat(32), llm });
    expect(JSON.stringify(first.config)).toBe(JSON.stringify(second.config));
    expect(JSON.stringify(first.config)).not.toContain("a".repeat(32));
    expect(first.env[GATEWAY_TOKEN_ENV]).toBe("a".repeat(32));
  });

  it("binds loopback behind a token with chat completions on, and everything in the background off", () => {
    const { config, modelRef } = buildOpenClawConfig({ ...base, llm: undefined });
    expect(modelRef).toBeUndefined();
    expect(config).toMatchObject({
      gateway: {
        bind: "loopback",
        // The token itself goes through the environment, so the file stays the same boot after boot.
        auth: { mode: "token", token: { source: "env", provider: "default", id: GATEWAY_TOKEN_ENV } },
        controlUi: { enabled: false },
        http: { endpoints: { chatCompletions: { enabled: true } } },
      },
      agents: { defaults: { heartbeat: { every: "0m" } } },
      cron: { enabled: false },
      update: { checkOnStart: false },
      discovery: { mdns: { mode: "off" } },
    });
  });
});
