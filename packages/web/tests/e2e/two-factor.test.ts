import type { LocalStack } from "@serverless-openclaw/local/local-stack";
import { generate } from "otplib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalWebStack, startLocalWebStack } from "../support/local-web-stack";

// Sign-in with SRP and TOTP two-factor authentication: the production bundle in real Chromium against
// local mode's Cognito-shaped issuer. The codes come from otplib, as an authenticator app would show
// them. No OpenClaw here (the agent command only waits): only the account pages are exercised.

const USER = "alice";
const PASSWORD = "e2e-correct-horse-battery";

let web: LocalWebStack;
let stack: LocalStack;
let page: Page;
/** Every request body the page sent to the identity service. */
const identityBodies: string[] = [];

beforeAll(async () => {
  web = await startLocalWebStack({
    name: "web-two-factor-e2e",
    user: USER,
    password: PASSWORD,
    stack: { agentCommand: { file: process.execPath, args: ["-e", "setTimeout(() => {}, 600000)"] } },
  });
  ({ stack, page } = web);
  page.on("request", (req) => {
    if (req.url().includes("/cognito/") && req.method() === "POST") identityBodies.push(req.postData() ?? "");
  });
}, 180_000);

afterAll(() => web?.close());

const code = (secret: string, offsetSteps = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

async function signInWithPassword(): Promise<void> {
  await web.signIn();
  await page.waitForSelector('[data-testid="sign-out"], [data-testid="mfa-form"]');
}

async function signOut(): Promise<void> {
  await page.click('[data-testid="sign-out"]');
  await page.waitForSelector('[data-testid="login-form"]');
}

describe("two-factor authentication in Chromium against local mode", () => {
  it("signs in with SRP: the password never leaves the page", async () => {
    await signInWithPassword();
    await page.waitForSelector('[data-testid="sign-out"]');
    const sent = identityBodies.join("\n");
    expect(sent).toContain('"AuthFlow":"USER_SRP_AUTH"');
    expect(sent).toContain('"ChallengeName":"PASSWORD_VERIFIER"');
    expect(sent).not.toContain(PASSWORD);
  });

  it("sets up an authenticator app in Settings, then sign-in asks for its code", async () => {
    await page.click('[data-testid="nav-settings"]');
    await page.waitForSelector('[data-testid="two-factor-setup"]');
    expect(await page.textContent('[data-testid="two-factor-state"]')).toMatch(/^Off\./);
    await page.click('[data-testid="two-factor-setup"]');
    const shown = (await page.textContent('[data-testid="two-factor-secret"]')) ?? "";
    const secret = shown.replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = (await page.getAttribute('[data-testid="two-factor-uri"]', "href")) ?? "";
    expect(uri).toMatch(/^otpauth:\/\/totp\/OpenClaw%3Aalice\?secret=[A-Z2-7]{32}&issuer=OpenClaw/);
    expect(uri).toContain(`secret=${secret}`);

    // A wrong code is refused and changes nothing.
    const right = await code(secret);
    await page.fill('[data-testid="two-factor-code"]', right === "000000" ? "111111" : "000000");
    await page.click('[data-testid="two-factor-verify"]');
    await page.waitForSelector('[data-testid="two-factor-result"].form-error');
    expect(stack.identity.users.get(USER)?.totp?.enabled).not.toBe(true);

    await page.fill('[data-testid="two-factor-code"]', await code(secret));
    await page.click('[data-testid="two-factor-verify"]');
    await page.waitForSelector('[data-testid="two-factor-disable"]');
    expect(await page.textContent('[data-testid="two-factor-state"]')).toMatch(/^On/);
    expect(stack.identity.users.get(USER)?.totp).toMatchObject({ enabled: true, verified: true });

    await signOut();
    await signInWithPassword();
    await page.waitForSelector('[data-testid="mfa-form"]');
    expect(await page.$('[data-testid="sign-out"]')).toBeNull();
    // A wrong code: an error, still on the code step.
    const next = await code(secret, 1);
    await page.fill('[data-testid="mfa-code"]', next === "123456" ? "654321" : "123456");
    await page.click('[data-testid="auth-submit"]');
    await page.waitForSelector('[data-testid="auth-error"]');
    expect(await page.textContent('[data-testid="auth-error"]')).toMatch(/code is not correct/);
    // The next step's code: the one that confirmed the app may still be current, and is spent.
    await page.fill('[data-testid="mfa-code"]', next);
    await page.click('[data-testid="auth-submit"]');
    await page.waitForSelector('[data-testid="sign-out"]');
    expect(identityBodies.join("\n")).not.toContain(PASSWORD);
  });

  it("turns two-factor authentication off again: sign-in needs the password only", async () => {
    await page.click('[data-testid="nav-settings"]');
    await page.click('[data-testid="two-factor-disable"]');
    await page.waitForSelector('[data-testid="two-factor-setup"]');
    expect(await page.textContent('[data-testid="two-factor-result"]')).toMatch(/is off/);
    expect(stack.identity.users.get(USER)?.totp?.enabled).toBe(false);
    await signOut();
    await signInWithPassword();
    await page.waitForSelector('[data-testid="sign-out"]');
  });
});
