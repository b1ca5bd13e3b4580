import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStack, type LocalStack } from "../../src/stack/local-stack";
import { createConsoleLogger } from "../../src/support/local-logger";

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
  it("signs in through cognito-local and serves the HTTP API from DynamoDB Local and s3rver, with the provider seeded from the environment", async () => {
    stack = await createLocalStack({
      port: 0,
      dataDir,
      awsStandins: true,
      env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" },
      logger: createConsoleLogger({ level: "debug", write: (l) => logs.push(l) }),
      print: () => {},
    });
    expect(logs.join("\n")).toMatch(/DynamoDB Local at http:\/\/127\.0\.0\.1:\d+/);
    // Sign-in goes through cognito-local, with Cognito's JSON protocol, exactly as the web app does it.
    const config = (await (await fetch(`${stack.url}/config.json`)).json()) as {
      cognitoEndpoint: string;
      userPoolClientId: string;
      passwordFlow?: string;
    };
    expect(config.cognitoEndpoint).not.toContain(stack.url);
    // cognito-local has no USER_SRP_AUTH: the page is told to use the password flow with it.
    expect(config.passwordFlow).toBe("USER_PASSWORD_AUTH");
    const signIn = await fetch(config.cognitoEndpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({
        ClientId: config.userPoolClientId,
        AuthFlow: "USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: stack.initialLogin.username, PASSWORD: stack.initialLogin.password },
      }),
    });
    expect(signIn.status).toBe(200);
    const { IdToken } = ((await signIn.json()) as { AuthenticationResult: { IdToken: string } })
      .AuthenticationResult;
    const auth = { authorization: `Bearer ${IdToken}`, "content-type": "application/json" };
    // A token of the embedded issuer is not one of this pool's.
    const embedded = await stack.identity.login(
      stack.initialLogin.username,
      stack.initialLogin.password as string,
    );
    expect(
      (await fetch(`${stack.apiUrl}/settings`, { headers: { authorization: `Bearer ${embedded.IdToken}` } }))
        .status,
    ).toBe(401);

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
    const sub = JSON.parse(Buffer.from(IdToken.split(".")[1] as string, "base64url").toString())
      .sub as string;
    // Read back through the store the handlers used: DynamoDB Local, not the embedded journals.
    expect(await stack.stores.settings.get(sub, "settings")).toMatchObject({
      inactivityMinutes: 5,
    });
    expect(stack.stores.settings.constructor.name).toBe("DynamoSettingsStore");

    await stack.stop();
    stack = undefined;
  }, 180_000);
});
