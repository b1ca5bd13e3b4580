import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleLogger } from "../../src/local-logger";
import { createLocalStack, type LocalStack } from "../../src/local-stack";

let dataDir: string;
let stack: LocalStack | undefined;
const logs: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "local-standins-"));
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("--aws-standins: the AWS store adapters behind local mode", () => {
  it("serves the HTTP API from DynamoDB Local and s3rver, with the provider seeded from the environment", async () => {
    stack = await createLocalStack({
      port: 0,
      dataDir,
      awsStandins: true,
      env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" },
      logger: createConsoleLogger({ level: "debug", write: (l) => logs.push(l) }),
      print: () => {},
    });
    expect(logs.join("\n")).toMatch(/DynamoDB Local at http:\/\/127\.0\.0\.1:\d+/);
    const { IdToken } = await stack.login(stack.initialLogin.username, stack.initialLogin.password as string);
    const auth = { authorization: `Bearer ${IdToken}`, "content-type": "application/json" };

    const seeded = await (await fetch(`${stack.apiUrl}/settings`, { headers: auth })).json();
    expect(seeded).toMatchObject({ provider: "openai-compatible", baseUrl: "http://127.0.0.1:9/v1" });

    const put = await fetch(`${stack.apiUrl}/settings`, {
      method: "PUT",
      headers: auth,
      body: JSON.stringify({ inactivityMinutes: 5 }),
    });
    expect(put.status).toBe(200);
    const created = await fetch(`${stack.apiUrl}/conversations`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ conversationId: "standins-1", title: "Hello" }),
    });
    expect(created.status).toBeLessThan(300);
    const list = (await (await fetch(`${stack.apiUrl}/conversations`, { headers: auth })).json()) as {
      conversations: Array<{ conversationId: string }>;
    };
    expect(list.conversations.map((c) => c.conversationId)).toContain("standins-1");
    const user = stack.identity.users.get(stack.initialLogin.username);
    // Read back through the store the handlers used: DynamoDB Local, not the embedded journals.
    expect(await stack.stores.settings.get(user?.sub as string, "settings")).toMatchObject({
      inactivityMinutes: 5,
    });
    expect(stack.stores.settings.constructor.name).toBe("DynamoSettingsStore");

    await stack.stop();
    stack = undefined;
  }, 180_000);
});
