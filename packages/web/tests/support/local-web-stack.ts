import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createLocalStack,
  type LocalStack,
  type LocalStackOptions,
} from "@serverless-openclaw/local/local-stack";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit";
import type { Browser, Page } from "playwright-core";
import { buildWeb, launchChromium } from "./browser";

/** The production web bundle in real Chromium against local mode, booted once for a test file. */
export interface LocalWebStack {
  stack: LocalStack;
  browser: Browser;
  page: Page;
  /** Set when booted with `llm: true`: the first user's LLM. */
  llm?: FakeLlm;
  dataDir: string;
  /** The local user's `sub`. */
  userId(): string;
  /** Signs in on the page's login form, as a user does. */
  signIn(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the app, starts Chromium (and the fake LLM when asked), and local mode with one user named by
 * `LOCAL_USER` / `LOCAL_PASSWORD`. Whatever started is stopped again if a later step fails, so a failed
 * boot leaves no browser or agent behind.
 */
export async function startLocalWebStack(options: {
  /** Prefix of the temp data dir. */
  name: string;
  user: string;
  password: string;
  llm?: boolean;
  /** Anything else for `createLocalStack` (an agent command that only waits, …). */
  stack?: Omit<LocalStackOptions, "dataDir" | "port" | "webDist" | "env" | "print">;
}): Promise<LocalWebStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `${options.name}-`));
  const started = await Promise.allSettled([
    buildWeb(),
    options.llm ? startFakeLlm() : Promise.resolve(undefined),
    launchChromium(),
  ] as const);
  const [dist, llm, browser] = started.map((s) => (s.status === "fulfilled" ? s.value : undefined)) as [
    Awaited<ReturnType<typeof buildWeb>> | undefined,
    FakeLlm | undefined,
    Browser | undefined,
  ];
  let stack: LocalStack | undefined;
  const close = async () => {
    await browser?.close();
    await stack?.stop();
    await llm?.stop();
    dist?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    if (!dist || !browser) throw new Error("the web build or Chromium did not start");
    stack = await createLocalStack({
      ...options.stack,
      dataDir,
      port: 0,
      webDist: dist.dir,
      ...(llm ? { llmBaseUrl: llm.baseUrl, llmModel: llm.model } : {}),
      env: { LOCAL_USER: options.user, LOCAL_PASSWORD: options.password },
      print: () => undefined,
    });
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    const running = stack;
    return {
      stack: running,
      browser,
      page,
      ...(llm ? { llm } : {}),
      dataDir,
      userId: () => {
        const user = running.identity.users.get(options.user);
        if (!user) throw new Error("the local user is missing");
        return user.sub;
      },
      signIn: async () => {
        await page.goto(running.url);
        await page.fill('[data-testid="login-username"]', options.user);
        await page.fill('[data-testid="login-password"]', options.password);
        await page.click('[data-testid="auth-submit"]');
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
