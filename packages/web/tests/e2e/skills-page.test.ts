import type { LocalStack } from "@serverless-openclaw/local/local-stack";
import { KEYS } from "@serverless-openclaw/shared";
import { strToU8, zipSync } from "fflate";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalWebStack, startLocalWebStack } from "../support/local-web-stack";

// The Skills page's production bundle in real Chromium against local mode's real HTTP API handlers.
// No OpenClaw here (the agent command is a process that only waits): what the agent does with a skill
// is proven by packages/local/tests/e2e/skills.test.ts.

const USER = "alice";
const PASSWORD = "e2e-correct-horse-battery";

let web: LocalWebStack;
let stack: LocalStack;
let page: Page;

beforeAll(async () => {
  web = await startLocalWebStack({
    name: "web-skills-e2e",
    user: USER,
    password: PASSWORD,
    stack: { agentCommand: { file: process.execPath, args: ["-e", "setTimeout(() => {}, 600000)"] } },
  });
  ({ stack, page } = web);
}, 180_000);

afterAll(() => web?.close());

const sub = () => web.userId();
const notice = () => page.textContent('[data-testid="skills-notice"]');

describe("Skills page in Chromium against local mode", () => {
  it("uploads a zipped skill, switches a built-in off, shows a refusal, and deletes the skill", async () => {
    await web.signIn();
    await page.click('[data-testid="nav-skills"]');
    await page.waitForSelector('[data-testid="skill-weather"]');
    expect(page.url()).toMatch(/#\/skills$/);

    const zip = zipSync({
      "greeter/SKILL.md": strToU8(
        "---\nname: greeter\ndescription: Greets people warmly.\n---\nSay hello.\n",
      ),
      "greeter/scripts/hello.sh": strToU8("echo hello\n"),
    });
    await page.setInputFiles('[data-testid="skill-upload-zip"]', {
      name: "greeter.zip",
      mimeType: "application/zip",
      buffer: Buffer.from(zip),
    });
    await page.waitForSelector('[data-testid="skill-greeter"]');
    expect(await notice()).toMatch(/^Added 'greeter'\./);
    expect(await page.textContent('[data-testid="skill-greeter"]')).toContain("Greets people warmly.");
    const record = await stack.stores.settings.get<{ fileCount: number }>(
      sub(),
      KEYS.settings.skill("greeter"),
    );
    expect(record?.fileCount).toBe(2);

    await page.click('[data-testid="skill-toggle-weather"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="skills-notice"]')?.textContent?.startsWith("'weather' is off."),
    );
    expect(await stack.stores.settings.get(sub(), KEYS.settings.builtinSkill("weather"))).toEqual({
      enabled: false,
    });

    const hostile = zipSync({
      "SKILL.md": strToU8("---\nname: evil\ndescription: x\n---\n"),
      "../../escape.sh": strToU8("rm -rf /"),
    });
    await page.setInputFiles('[data-testid="skill-upload-zip"]', {
      name: "evil.zip",
      mimeType: "application/zip",
      buffer: Buffer.from(hostile),
    });
    await page.waitForSelector('[data-testid="skills-error"]');
    expect(await page.textContent('[data-testid="skills-error"]')).toContain(
      "points outside the skill folder",
    );
    expect(await stack.stores.blobs.list(`users/${sub()}/skills/evil/`)).toEqual([]);

    page.once("dialog", (dialog) => void dialog.accept());
    await page.click('[data-testid="skill-delete-greeter"]');
    await page.waitForSelector('[data-testid="skills-none"]');
    expect(await stack.stores.settings.get(sub(), KEYS.settings.skill("greeter"))).toBeUndefined();
  }, 120_000);
});
