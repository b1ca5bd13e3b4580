import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAMBDA_SECRETS } from "../src/constructs/gateway-functions";
import { LAMBDA_NAMES, type LambdaName } from "../src/paths";
import { ACCOUNT, PolicyWorld, parameterArn, REGION } from "./iam-sim";
import { cleanup, type Synthesized, synth } from "./synth";

// The synthesized roles' policies, judged by a real IAM policy simulator (not by reading the JSON):
// what each role may and may not do with the deployment's secrets and the task's APIs.

let s: Synthesized;
let world: PolicyWorld;
beforeAll(() => {
  s = synth({ telegram: true, discord: true, slack: true });
  world = new PolicyWorld(s.appTemplate, s.dataTemplate);
});
afterAll(() => cleanup(s));

const ALICE = "alice-0000-1111";
const BOB = "bob-0000-2222";
const DEPLOYMENT_SECRETS = [
  "telegram/bot-token",
  "telegram/webhook-secret",
  "discord/public-key",
  "discord/application-id",
  "discord/bot-token",
  "slack/signing-secret",
  "slack/bot-token",
];
const EVERY_SECRET = [...DEPLOYMENT_SECRETS, `users/${ALICE}/llm-api-key`, `users/${BOB}/llm-api-key`];

const roleOf = (name: LambdaName) =>
  world.id(
    "AWS::IAM::Role",
    `Gateway${name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}Role`,
  );

describe("gateway Lambda roles, under a policy simulator", () => {
  it.each([...LAMBDA_NAMES])("%s reads exactly the secrets it uses, and no user's LLM key", async (name) => {
    const role = roleOf(name);
    for (const secret of EVERY_SECRET) {
      const decision = await world.decide(role, "ssm:GetParameter", parameterArn(secret));
      const expected = LAMBDA_SECRETS[name].includes(secret) ? "Allowed" : "ImplicitlyDenied";
      expect(decision, `${name} reading ${secret}`).toBe(expected);
    }
  });

  it("only http-api writes secrets, and only users' LLM keys", async () => {
    for (const name of LAMBDA_NAMES) {
      for (const secret of EVERY_SECRET) {
        const decision = await world.decide(roleOf(name), "ssm:PutParameter", parameterArn(secret));
        const expected = name === "http-api" && secret.startsWith("users/") ? "Allowed" : "ImplicitlyDenied";
        expect(decision, `${name} writing ${secret}`).toBe(expected);
      }
    }
  });

  it("the simulator is not fooled: an action the roles never got is denied, a granted one allowed", async () => {
    const role = roleOf("watchdog");
    expect(await world.decide(role, "ecs:ListTasks", "*", { "ecs:cluster": "x" })).not.toBe("Allowed");
    expect(
      await world.decide(roleOf("telegram-webhook"), "ssm:GetParameter", parameterArn("telegram/bot-token")),
    ).toBe("Allowed");
    expect(await world.decide(role, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`)).toBe(
      "ImplicitlyDenied",
    );
  });
});

describe("the agent task role, under a policy simulator", () => {
  const taskRole = () => world.id("AWS::IAM::Role", "AgentTaskDefinitionTaskRole");

  it("reads no bot token and none of the deployment's verification secrets or application ids", async () => {
    for (const secret of [
      // Bot replies go through the gateway's chat relay (the agent-socket Lambda).
      "telegram/bot-token",
      "discord/bot-token",
      "slack/bot-token",
      "telegram/webhook-secret",
      "discord/public-key",
      "discord/application-id",
      "slack/signing-secret",
    ])
      expect(await world.decide(taskRole(), "ssm:GetParameter", parameterArn(secret)), secret).toBe(
        "ImplicitlyDenied",
      );
  });

  it("writes no secret, scans no table, and cannot push to or manage agent connections", async () => {
    for (const secret of EVERY_SECRET)
      expect(await world.decide(taskRole(), "ssm:PutParameter", parameterArn(secret)), secret).toBe(
        "ImplicitlyDenied",
      );
    for (const table of ["Conversations", "Settings", "TaskState", "Connections", "PendingMessages"]) {
      const arn = world.arnOf(world.id("AWS::DynamoDB::Table", `Storage${table}`));
      expect(await world.decide(taskRole(), "dynamodb:Scan", arn), `Scan ${table}`).toBe("ImplicitlyDenied");
      expect(await world.decide(taskRole(), "dynamodb:DeleteTable", arn), `DeleteTable ${table}`).toBe(
        "ImplicitlyDenied",
      );
    }
    const agentApi = world.id("AWS::ApiGatewayV2::Api", "SocketsAgentApi");
    const connection = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${agentApi}/prod/POST/@connections/abc`;
    expect(await world.decide(taskRole(), "execute-api:ManageConnections", connection)).toBe(
      "ImplicitlyDenied",
    );
    // It may open its own socket, and that only.
    const connect = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${agentApi}/prod/$connect`;
    expect(await world.decide(taskRole(), "execute-api:Invoke", connect)).toBe("Allowed");
    expect(
      await world.decide(
        taskRole(),
        "execute-api:Invoke",
        `arn:aws:execute-api:${REGION}:${ACCOUNT}:${agentApi}/prod/$default`,
      ),
    ).toBe("ImplicitlyDenied");
  });

  it("touches no object outside users/ in the data bucket", async () => {
    const bucket = world.arnOf(world.id("AWS::S3::Bucket", "StorageDataBucket"));
    for (const key of ["web/index.html", "deployment/config.json", "x"])
      expect(await world.decide(taskRole(), "s3:GetObject", `${bucket}/${key}`), key).toBe(
        "ImplicitlyDenied",
      );
    expect(
      await world.decide(taskRole(), "s3:GetObject", `${bucket}/users/${ALICE}/openclaw-state.tar.gz`),
    ).toBe("Allowed");
  });
});
