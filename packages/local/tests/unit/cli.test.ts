import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BOT_INFO, BOT_TOKEN, FakeBotApi } from "@serverless-openclaw/testkit/fake-bot-api";
import { until } from "@serverless-openclaw/testkit/until";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalEnvSchema } from "../../src/support/local-env";
import { findRepoRoot } from "../../src/support/repo-paths";

const root = findRepoRoot();
let dataDir: string;

function runCli(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string } {
  let output = "";
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "packages/local/src/cli.ts"), ...args],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: dataDir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.on("data", (d) => {
    output += String(d);
  });
  child.stderr?.on("data", (d) => {
    output += String(d);
  });
  return { child, output: () => output };
}

const untilPrinted = (text: string, output: () => string) =>
  until(`"${text}" in the output`, () => output().includes(text), {
    timeoutMs: 60_000,
    explain: () => `Output:\n${output()}`,
  });

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "local-cli-"));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("npm start (cli.ts)", () => {
  it("--help names every option and every variable local mode reads", async () => {
    const { child, output } = runCli(["--help"]);
    expect(await exitOf(child)).toBe(0);
    for (const option of [
      "--port",
      "--host",
      "--data-dir",
      "--llm-base-url",
      "--llm-model",
      "--aws-standins",
    ])
      expect(output()).toContain(option);
    expect(output()).toContain("cognito-local");
    for (const name of Object.keys(LocalEnvSchema.shape)) expect(output()).toContain(name);
  });

  it("prints where to go and how to log in, serves the UI config, and stops cleanly on Ctrl-C", async () => {
    const { child, output } = runCli(["--port", "0", "--data-dir", dataDir]);
    await untilPrinted("Stop    Ctrl-C", output);
    const url = /Open {4}(http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1] as string;
    expect(url).toBeDefined();
    expect(output()).toMatch(/Log in {2}user "me", password "[A-Za-z0-9_-]{16}" \(generated now/);
    expect(output()).toContain("LLM     none yet");
    const config = await (await fetch(`${url}/config.json`)).json();
    expect(config).toMatchObject({ userPoolId: "us-east-1_LocalDev1", cognitoEndpoint: `${url}/cognito/` });
    // The embedded issuer speaks SRP, the web app's default: the config does not name a password flow.
    expect(config.passwordFlow).toBeUndefined();

    child.kill("SIGINT");
    expect(await exitOf(child)).toBe(0);
    expect(output()).toContain("Stopped.");
    await expect(fetch(`${url}/config.json`)).rejects.toThrow();
  });

  it("shows the generated login again with --show-login, and names the configured LLM", async () => {
    const shown = runCli(["--show-login", "--data-dir", dataDir]);
    expect(await exitOf(shown.child)).toBe(0);
    expect(shown.output()).toMatch(/user: me\npassword: [A-Za-z0-9_-]{16}/);

    const { child, output } = runCli(["--port", "0", "--data-dir", dataDir], {
      DEEPSEEK_API_KEY: "sk-test-deepseek-123",
    });
    await untilPrinted("Stop    Ctrl-C", output);
    expect(output()).toContain("LLM     DeepSeek (DEEPSEEK_API_KEY)");
    expect(output()).not.toContain("sk-test-deepseek-123");
    child.kill("SIGTERM");
    expect(await exitOf(child)).toBe(0);
  });

  it("with TELEGRAM_BOT_TOKEN, polls the Bot API at TELEGRAM_API_ROOT and names the bot in /config.json", async () => {
    const fake = await new FakeBotApi().start();
    try {
      const { child, output } = runCli(["--port", "0", "--data-dir", dataDir], {
        TELEGRAM_BOT_TOKEN: BOT_TOKEN,
        TELEGRAM_API_ROOT: fake.apiRoot,
      });
      await untilPrinted("Stop    Ctrl-C", output);
      const url = /Open {4}(http:\/\/127\.0\.0\.1:\d+)/.exec(output())?.[1] as string;
      // The web app's pairing instructions and t.me link need the bot's @username.
      const config = await (await fetch(`${url}/config.json`)).json();
      expect(config).toMatchObject({ telegramBotUsername: BOT_INFO.username });
      await until("a poll", () => fake.polls.length > 0, { explain: () => `Output:\n${output()}` });
      expect(output()).not.toContain(BOT_TOKEN);
      child.kill("SIGINT");
      expect(await exitOf(child)).toBe(0);
    } finally {
      await fake.stop();
    }
  });

  it("refuses a bad option with the usage text", async () => {
    const { child, output } = runCli(["--port", "x"]);
    expect(await exitOf(child)).toBe(2);
    expect(output()).toContain("--port must be a port number");
    expect(output()).toContain("Usage: npm start");
  });
});
