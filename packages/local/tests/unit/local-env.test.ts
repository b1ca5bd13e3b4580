import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createLocalStack } from "../../src/stack/local-stack";
import { LocalSetupError } from "../../src/support/errors";
import { agentEnvFromLocalEnv, agentInheritedEnv, readLocalEnv } from "../../src/support/local-env";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "../../src");

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

describe("local mode's environment (one schema)", () => {
  it("reads the variables local mode uses, an empty one as unset, the Discord channels as a list", () => {
    const env = readLocalEnv({
      LOCAL_USER: "alice",
      LOCAL_PASSWORD: "",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      TELEGRAM_API_ROOT: "https://bot-api.example",
      DISCORD_CHANNEL_IDS: "1300000000000000001, 1300000000000000002,",
      SOMETHING_ELSE: "ignored",
    });
    expect(env.LOCAL_USER).toBe("alice");
    expect(env.LOCAL_PASSWORD).toBeUndefined();
    expect(env.OPENAI_BASE_URL).toBe("http://127.0.0.1:11434/v1");
    expect(env.TELEGRAM_API_ROOT).toBe("https://bot-api.example");
    expect(env.DISCORD_CHANNEL_IDS).toEqual(["1300000000000000001", "1300000000000000002"]);
    expect(env).not.toHaveProperty("SOMETHING_ELSE");
    expect(readLocalEnv({}).DISCORD_CHANNEL_IDS).toEqual([]);
  });

  it("refuses a base URL that is not http(s), naming the variable and not echoing its value", () => {
    for (const name of [
      "OPENAI_BASE_URL",
      "TELEGRAM_API_ROOT",
      "DISCORD_API_BASE_URL",
      "SLACK_API_BASE_URL",
    ]) {
      const read = () => readLocalEnv({ [name]: "ftp://user:hunter2@host/x" });
      expect(read).toThrow(LocalSetupError);
      expect(read).toThrow(new RegExp(`^${name} must be an http:// or https:// URL$`));
      expect(() => readLocalEnv({ [name]: "not a url" })).toThrow(name);
    }
  });

  it("refuses an OPENCLAW_MODE the agents would not start with, before anything starts", () => {
    expect(() => readLocalEnv({ OPENCLAW_MODE: "gatway" })).toThrow(
      /^OPENCLAW_MODE must be gateway or embedded$/,
    );
    expect(readLocalEnv({ OPENCLAW_MODE: "gateway" }).OPENCLAW_MODE).toBe("gateway");
    expect(readLocalEnv({ OPENCLAW_MODE: "" }).OPENCLAW_MODE).toBeUndefined();
    // `OPENCLAW_MODE= npm start` means unset for the agents too, not a value their schema refuses.
    expect(agentInheritedEnv({ PATH: "/usr/bin", OPENCLAW_MODE: "" })).toEqual({ PATH: "/usr/bin" });
  });

  it("stops local mode before it starts anything when a variable is bad", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "local-env-"));
    try {
      await expect(
        createLocalStack({ port: 0, dataDir, env: { TELEGRAM_API_ROOT: "nope" }, print: () => {} }),
      ).rejects.toThrow(/TELEGRAM_API_ROOT must be/);
      expect(await readdir(dataDir)).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("passes an agent only the host's basics: no API key or bot token", () => {
    const inherited = agentInheritedEnv({
      PATH: "/usr/bin",
      TZ: "UTC",
      OPENCLAW_MODE: "embedded",
      ANTHROPIC_API_KEY: "sk-ant",
      TELEGRAM_BOT_TOKEN: "123:abc",
      SLACK_BOT_TOKEN: "xoxb",
      LOCAL_PASSWORD: "pw",
      AWS_SECRET_ACCESS_KEY: "aws",
    });
    expect(inherited).toEqual({ PATH: "/usr/bin", TZ: "UTC", OPENCLAW_MODE: "embedded" });
  });

  it("tells agents the DISCORD_API_BASE_URL local mode was started with (they edit /ask replies there), and nothing else", () => {
    const env = readLocalEnv({
      DISCORD_API_BASE_URL: "http://127.0.0.1:9/api/v10",
      DISCORD_BOT_TOKEN: "bot",
      SLACK_API_BASE_URL: "http://127.0.0.1:9/slack",
      TELEGRAM_API_ROOT: "http://127.0.0.1:9/tg",
    });
    expect(agentEnvFromLocalEnv(env)).toEqual({ DISCORD_API_BASE_URL: "http://127.0.0.1:9/api/v10" });
    expect(agentEnvFromLocalEnv(readLocalEnv({}))).toEqual({});
  });

  it("leaves process.env to local-env.ts and the stack that calls it", async () => {
    const readers: string[] = [];
    for (const file of await sources(SRC)) {
      if (/process\.env\b/.test(await readFile(file, "utf8"))) readers.push(relative(SRC, file));
    }
    expect(readers.sort()).toEqual(["stack/local-stack.ts"]);
  });
});
