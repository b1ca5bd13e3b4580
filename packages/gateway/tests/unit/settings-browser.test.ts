import { KEYS } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createServices } from "../../src/services";
import { makeDeps } from "./fakes";

describe("SettingsService: browser switch", () => {
  it("is off for a new user and for a document stored before the switch existed", async () => {
    const deps = makeDeps();
    const { settings } = createServices(deps);
    expect((await settings.get("nobody")).browserEnabled).toBe(false);
    await deps.settings.put("old", KEYS.settings.settings, {
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      baseUrl: null,
      apiKeySet: true,
      inactivityMinutes: 20,
    });
    expect(await settings.get("old")).toMatchObject({ provider: "anthropic", browserEnabled: false });
  });

  it("turns on and off by itself, keeping the other fields, and is what the agent task reads", async () => {
    const deps = makeDeps();
    const { settings } = createServices(deps);
    await settings.put("alice", { provider: "openai", model: "gpt-5-mini", inactivityMinutes: 30 });
    const on = await settings.put("alice", { browserEnabled: true });
    expect(on).toMatchObject({
      provider: "openai",
      model: "gpt-5-mini",
      inactivityMinutes: 30,
      browserEnabled: true,
    });
    // The agent task reads the stored document itself (KEYS.settings.settings), not the service.
    expect(await deps.settings.get("alice", KEYS.settings.settings)).toMatchObject({ browserEnabled: true });
    expect((await settings.put("alice", { provider: "anthropic" })).browserEnabled).toBe(true);
    expect((await settings.put("alice", { browserEnabled: false })).browserEnabled).toBe(false);
  });
});
