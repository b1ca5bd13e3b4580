import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, SettingsSchema, SettingsUpdateSchema } from "../src/settings";

describe("settings: browserEnabled", () => {
  it("defaults to off and is part of the public view", () => {
    expect(DEFAULT_SETTINGS.browserEnabled).toBe(false);
    expect(SettingsSchema.parse(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
    const { browserEnabled: _, ...withoutSwitch } = DEFAULT_SETTINGS;
    expect(SettingsSchema.safeParse(withoutSwitch).success).toBe(false);
  });

  it("can be updated alone, and only with a boolean", () => {
    expect(SettingsUpdateSchema.parse({ browserEnabled: true })).toEqual({ browserEnabled: true });
    expect(SettingsUpdateSchema.parse({})).toEqual({});
    for (const bad of ["yes", 1, null]) {
      const r = SettingsUpdateSchema.safeParse({ browserEnabled: bad });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toBe("browserEnabled must be true or false");
    }
  });
});
