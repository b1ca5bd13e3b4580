// @vitest-environment happy-dom
import type {
  ChannelPairing,
  ChatChannel,
  PairingCode,
  Settings,
  SettingsUpdate,
} from "@serverless-openclaw/shared";
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { type SettingsForm, validateSettingsForm } from "../../src/settings/settings-form";
import { SettingsPage } from "../../src/settings/settings-page";

// Generous waits: the suite shares two cores with other suites starting real services.
configure({ asyncUtilTimeout: 10_000 });

afterEach(cleanup);

const base: SettingsForm = {
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  baseUrl: "",
  apiKey: "",
  removeApiKey: false,
  inactivityMinutes: "15",
};

describe("validateSettingsForm", () => {
  it("builds the update from a valid form, leaving the key alone when none is typed", () => {
    expect(validateSettingsForm(base)).toEqual({
      ok: true,
      update: { provider: "anthropic", model: "claude-sonnet-4-5", baseUrl: null, inactivityMinutes: 15 },
    });
  });

  it("sends a new key, or null to remove it", () => {
    const withKey = validateSettingsForm({ ...base, apiKey: "sk-abc" });
    expect(withKey.ok && withKey.update.apiKey).toBe("sk-abc");
    const removed = validateSettingsForm({ ...base, apiKey: "ignored", removeApiKey: true });
    expect(removed.ok && removed.update.apiKey).toBeNull();
  });

  it("fills the provider's default model when the model is blank", () => {
    const r = validateSettingsForm({ ...base, provider: "deepseek", model: " " });
    expect(r.ok && r.update.model).toBe("deepseek-v4-flash");
  });

  it.each([
    [
      { provider: "openai-compatible", baseUrl: "" },
      "baseUrl",
      "an OpenAI-compatible provider needs a baseUrl",
    ],
    [
      { provider: "openai-compatible", baseUrl: "ftp://x" },
      "baseUrl",
      "baseUrl must start with http:// or https://",
    ],
    [{ inactivityMinutes: "0" }, "inactivityMinutes", "inactivityMinutes must be at least 1"],
    [{ inactivityMinutes: "241" }, "inactivityMinutes", "inactivityMinutes must be at most 240"],
    [{ inactivityMinutes: "2.5" }, "inactivityMinutes", "inactivityMinutes must be a whole number"],
    [{ inactivityMinutes: "" }, "inactivityMinutes", "inactivityMinutes must be a number"],
    [{ model: "bad model!" }, "model", "model may contain only letters, digits and . _ : / @ -"],
    [{ apiKey: "has space" }, "apiKey", "apiKey may contain only printable characters without spaces"],
  ] as const)("reports %o on %s", (patch, field, message) => {
    const r = validateSettingsForm({ ...base, ...patch } as SettingsForm);
    expect(r).toEqual({ ok: false, errors: { [field]: message } });
  });
});

function fakeApi(initial: Settings) {
  const calls = { put: [] as SettingsUpdate[], stop: 0, unpaired: [] as string[] };
  let pairings: ChannelPairing[] = [
    {
      channel: "telegram",
      externalUserId: "42",
      userId: "u1",
      username: "alice",
      pairedAt: "2026-11-01T10:00:00.000Z",
    },
  ];
  const api = {
    getSettings: async () => initial,
    putSettings: async (u: SettingsUpdate): Promise<Settings> => {
      calls.put.push(u);
      return {
        provider: u.provider ?? null,
        model: u.model ?? null,
        baseUrl: u.baseUrl ?? null,
        apiKeySet: u.apiKey === undefined ? initial.apiKeySet : u.apiKey !== null,
        inactivityMinutes: u.inactivityMinutes ?? initial.inactivityMinutes,
        browserEnabled: u.browserEnabled ?? initial.browserEnabled,
      };
    },
    stopAgent: async () => {
      calls.stop++;
      return { type: "agent.status" as const, state: "Stopping" as const };
    },
    createChannelPairingCode: async (_channel: ChatChannel): Promise<PairingCode> => ({
      code: "ABCD2345",
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      instruction: "Send /pair ABCD2345 to @my_bot on Telegram",
      deepLink: "https://t.me/my_bot?start=ABCD2345",
    }),
    listChannelPairings: async (channel: ChatChannel) => pairings.filter((p) => p.channel === channel),
    deleteChannelPairing: async (channel: ChatChannel, id: string) => {
      calls.unpaired.push(`${channel}:${id}`);
      pairings = pairings.filter((p) => !(p.channel === channel && p.externalUserId === id));
      return {};
    },
  };
  return { api, calls };
}

const unset: Settings = {
  provider: null,
  model: null,
  baseUrl: null,
  apiKeySet: false,
  inactivityMinutes: 15,
  browserEnabled: false,
};

describe("SettingsPage", () => {
  it("shows validation messages and sends nothing while the form is invalid", async () => {
    const { api, calls } = fakeApi(unset);
    render(<SettingsPage api={api} />);
    const provider = await screen.findByTestId("settings-provider");
    expect(screen.getByTestId("settings-api-key-state").textContent).toBe("Not set");
    fireEvent.change(provider, { target: { value: "openai-compatible" } });
    fireEvent.change(screen.getByTestId("settings-inactivity"), { target: { value: "500" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    expect((await screen.findByTestId("settings-base-url-error")).textContent).toBe(
      "an OpenAI-compatible provider needs a baseUrl",
    );
    expect(screen.getByTestId("settings-inactivity-error").textContent).toBe(
      "inactivityMinutes must be at most 240",
    );
    expect(calls.put).toEqual([]);
  });

  it("links to the Skills page, where skills are managed", async () => {
    const { api } = fakeApi(unset);
    render(<SettingsPage api={api} />);
    await screen.findByTestId("settings-provider");
    expect(screen.getByTestId("settings-skills-link").getAttribute("href")).toBe("#/skills");
  });

  it("saves a valid form and then shows the key only as set", async () => {
    const { api, calls } = fakeApi(unset);
    render(<SettingsPage api={api} />);
    fireEvent.change(await screen.findByTestId("settings-provider"), { target: { value: "openai" } });
    expect((screen.getByTestId("settings-model") as HTMLInputElement).value).toBe("gpt-5.5");
    fireEvent.change(screen.getByTestId("settings-api-key"), { target: { value: "sk-test-123" } });
    fireEvent.change(screen.getByTestId("settings-inactivity"), { target: { value: "30" } });
    fireEvent.click(screen.getByTestId("settings-save"));
    await screen.findByTestId("settings-saved");
    expect(calls.put).toEqual([
      {
        provider: "openai",
        model: "gpt-5.5",
        baseUrl: null,
        apiKey: "sk-test-123",
        inactivityMinutes: 30,
      },
    ]);
    expect((screen.getByTestId("settings-api-key") as HTMLInputElement).value).toBe("");
    expect(screen.getByTestId("settings-api-key-state").textContent).toContain("A key is set");
    expect(document.body.textContent).not.toContain("sk-test-123");
  });

  it("removes a stored key on request", async () => {
    const { api, calls } = fakeApi({
      ...unset,
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      apiKeySet: true,
    });
    render(<SettingsPage api={api} />);
    fireEvent.click(await screen.findByTestId("settings-remove-api-key"));
    fireEvent.click(screen.getByTestId("settings-save"));
    await screen.findByTestId("settings-saved");
    expect(calls.put[0]?.apiKey).toBeNull();
    expect(screen.getByTestId("settings-api-key-state").textContent).toBe("Not set");
  });

  it("shows a pairing code with instruction and countdown, and unpairs accounts", async () => {
    const { api, calls } = fakeApi(unset);
    render(<SettingsPage api={api} telegramBotUsername="my_bot" />);
    expect((await screen.findByTestId("pairing-item")).textContent).toContain("@alice");
    fireEvent.click(screen.getByTestId("pairing-create"));
    expect((await screen.findByTestId("pairing-code")).textContent).toBe("ABCD2345");
    expect(screen.getByTestId("pairing-instruction").textContent).toBe(
      "Send /pair ABCD2345 to @my_bot on Telegram",
    );
    expect(screen.getByTestId("pairing-expiry").textContent).toMatch(/expires in (10:00|9:5\d)/);
    expect(screen.getByRole("link", { name: "Open Telegram" }).getAttribute("href")).toBe(
      "https://t.me/my_bot?start=ABCD2345",
    );
    fireEvent.click(screen.getByRole("button", { name: "Unpair" }));
    await waitFor(() => expect(screen.queryByTestId("pairing-item")).toBeNull());
    expect(calls.unpaired).toEqual(["telegram:42"]);
  });

  it("stops the agent on request and passes on the status it answers with", async () => {
    const { api, calls } = fakeApi(unset);
    const statuses: string[] = [];
    render(<SettingsPage api={api} onAgentStatus={(s) => statuses.push(s.state)} />);
    fireEvent.click(await screen.findByTestId("stop-agent"));
    await screen.findByTestId("stop-agent-result");
    expect(calls.stop).toBe(1);
    expect(statuses).toEqual(["Stopping"]);
  });
});
