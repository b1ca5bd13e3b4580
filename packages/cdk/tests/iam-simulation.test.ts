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

/** Whether a LAMBDA_SECRETS entry (`*` within one path segment) names `secret`. */
const names = (pattern: string, secret: string) =>
  new RegExp(`^${pattern.split("*").map(escapeRegExp).join("[^/]*")}$`).test(secret);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const roleOf = (name: LambdaName) =>
  world.id(
    "AWS::IAM::Role",
    `Gateway${name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}Role`,
  );

describe("gateway Lambda roles, under a policy simulator", () => {
  it.each([...LAMBDA_NAMES])(
    "%s reads exactly the secrets it uses (its LAMBDA_SECRETS), nothing else",
    async (name) => {
      const role = roleOf(name);
      for (const secret of EVERY_SECRET) {
        const decision = await world.decide(role, "ssm:GetParameter", parameterArn(secret));
        const expected = LAMBDA_SECRETS[name].some((p) => names(p, secret)) ? "Allowed" : "ImplicitlyDenied";
        expect(decision, `${name} reading ${secret}`).toBe(expected);
      }
    },
  );

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

  const TABLES = ["Conversations", "Settings", "TaskState", "Connections", "PendingMessages"];
  const ITEM_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:Scan",
    "dynamodb:DeleteTable",
  ];

  it("reaches no table at all: not another user's rows, usage, pairings or TaskState, nor its own", async () => {
    // The gateway serves the task its own user's rows (agent-api, scopeStores); the role gets none, for
    // any user (with and without a LeadingKeys-style key in the request).
    for (const table of TABLES) {
      const arn = world.arnOf(world.id("AWS::DynamoDB::Table", `Storage${table}`));
      for (const action of ITEM_ACTIONS)
        for (const user of [ALICE, BOB])
          expect(
            await world.decide(taskRole(), action, arn, { "dynamodb:LeadingKeys": [user] }),
            `${action} ${table} ${user}`,
          ).toBe("ImplicitlyDenied");
      expect(await world.decide(taskRole(), "dynamodb:Query", `${arn}/index/byUser`)).toBe(
        "ImplicitlyDenied",
      );
    }
  });

  it("reads no parameter: no user's LLM key (its own comes from the gateway), no bot token", async () => {
    for (const secret of EVERY_SECRET) {
      expect(await world.decide(taskRole(), "ssm:GetParameter", parameterArn(secret)), secret).toBe(
        "ImplicitlyDenied",
      );
      expect(await world.decide(taskRole(), "ssm:PutParameter", parameterArn(secret)), secret).toBe(
        "ImplicitlyDenied",
      );
    }
  });

  it("touches no object in the data bucket, its own user's included (those move over presigned URLs)", async () => {
    const bucket = world.arnOf(world.id("AWS::S3::Bucket", "StorageDataBucket"));
    for (const key of [
      `users/${ALICE}/openclaw-state.tar.gz`,
      `users/${BOB}/openclaw-state.tar.gz`,
      "web/index.html",
      "x",
    ])
      for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
        expect(await world.decide(taskRole(), action, `${bucket}/${key}`), `${action} ${key}`).toBe(
          "ImplicitlyDenied",
        );
    expect(await world.decide(taskRole(), "s3:ListBucket", bucket, { "s3:prefix": "users/" })).toBe(
      "ImplicitlyDenied",
    );
  });

  it("cannot push to or close any browser or agent connection itself", async () => {
    for (const api of ["SocketsAgentApi", "SocketsClientApi"]) {
      const id = world.id("AWS::ApiGatewayV2::Api", api);
      const connection = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${id}/prod/POST/@connections/abc`;
      expect(await world.decide(taskRole(), "execute-api:ManageConnections", connection), api).toBe(
        "ImplicitlyDenied",
      );
    }
  });

  it("may open its own agent socket and call the agent HTTP API's routes, and nothing else of the APIs", async () => {
    const agentApi = world.id("AWS::ApiGatewayV2::Api", "SocketsAgentApi");
    const connect = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${agentApi}/prod/$connect`;
    expect(await world.decide(taskRole(), "execute-api:Invoke", connect)).toBe("Allowed");
    expect(
      await world.decide(
        taskRole(),
        "execute-api:Invoke",
        `arn:aws:execute-api:${REGION}:${ACCOUNT}:${agentApi}/prod/$default`,
      ),
    ).toBe("ImplicitlyDenied");
    const http = world.id("AWS::ApiGatewayV2::Api", "AgentHttpApi");
    const route = (r: string) => `arn:aws:execute-api:${REGION}:${ACCOUNT}:${http}/$default/${r}`;
    for (const r of ["POST/rpc", "POST/blob-url", "POST/connections/abc", "DELETE/connections/abc"])
      expect(await world.decide(taskRole(), "execute-api:Invoke", route(r)), r).toBe("Allowed");
    for (const r of ["GET/rpc", "POST/admin", "PUT/connections/abc"])
      expect(await world.decide(taskRole(), "execute-api:Invoke", route(r)), r).toBe("ImplicitlyDenied");
    const management = world.id("AWS::ApiGatewayV2::Api", "HttpApi");
    expect(
      await world.decide(
        taskRole(),
        "execute-api:Invoke",
        `arn:aws:execute-api:${REGION}:${ACCOUNT}:${management}/$default/GET/settings`,
      ),
    ).toBe("ImplicitlyDenied");
  });
});

describe("the agent-api Lambda role (serves the tasks their stores), under a policy simulator", () => {
  it("reads users' LLM keys and objects under users/ only, and writes no secret", async () => {
    const role = roleOf("agent-api");
    expect(await world.decide(role, "ssm:GetParameter", parameterArn(`users/${ALICE}/llm-api-key`))).toBe(
      "Allowed",
    );
    for (const secret of ["telegram/webhook-secret", "slack/signing-secret", "discord/public-key"])
      expect(await world.decide(role, "ssm:GetParameter", parameterArn(secret)), secret).toBe(
        "ImplicitlyDenied",
      );
    const bucket = world.arnOf(world.id("AWS::S3::Bucket", "StorageDataBucket"));
    expect(await world.decide(role, "s3:GetObject", `${bucket}/users/${ALICE}/openclaw-state.tar.gz`)).toBe(
      "Allowed",
    );
    expect(await world.decide(role, "s3:GetObject", `${bucket}/web/index.html`)).toBe("ImplicitlyDenied");
  });
});

describe("the user pool's trigger role (password reset ends sessions), under a policy simulator", () => {
  const triggerRole = () => world.id("AWS::IAM::Role", "SessionTriggerRole");
  const table = (name: string) => world.arnOf(world.id("AWS::DynamoDB::Table", `Storage${name}`));

  it("may write a Settings item, find a user's connections and delete them, and nothing else", async () => {
    const allowed: Array<[string, string]> = [
      ["dynamodb:PutItem", table("Settings")],
      ["dynamodb:Query", `${table("Connections")}/index/byUser`],
      ["dynamodb:DeleteItem", table("Connections")],
    ];
    for (const [action, arn] of allowed)
      expect(await world.decide(triggerRole(), action, arn), action).toBe("Allowed");
    for (const name of ["Conversations", "Settings", "TaskState", "Connections", "PendingMessages"]) {
      for (const action of [
        "dynamodb:GetItem",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
        "dynamodb:BatchWriteItem",
      ]) {
        expect(await world.decide(triggerRole(), action, table(name)), `${action} ${name}`).toBe(
          "ImplicitlyDenied",
        );
      }
    }
    for (const name of ["Conversations", "TaskState", "PendingMessages"]) {
      expect(await world.decide(triggerRole(), "dynamodb:PutItem", table(name)), name).toBe(
        "ImplicitlyDenied",
      );
      expect(await world.decide(triggerRole(), "dynamodb:DeleteItem", table(name)), name).toBe(
        "ImplicitlyDenied",
      );
    }
    for (const secret of EVERY_SECRET) {
      expect(await world.decide(triggerRole(), "ssm:GetParameter", parameterArn(secret)), secret).toBe(
        "ImplicitlyDenied",
      );
    }
  });
});

describe("the watchdog's session sweep, under a policy simulator", () => {
  it("may list the users of this pool only, and change nothing in Cognito", async () => {
    const watchdog = roleOf("watchdog");
    const pool = world.id("AWS::Cognito::UserPool", "AuthUserPool");
    const arn = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${pool}`;
    expect(await world.decide(watchdog, "cognito-idp:ListUsers", arn)).toBe("Allowed");
    const other = `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/us-east-1_Other123`;
    expect(await world.decide(watchdog, "cognito-idp:ListUsers", other)).toBe("ImplicitlyDenied");
    for (const action of [
      "cognito-idp:AdminDeleteUser",
      "cognito-idp:AdminSetUserPassword",
      "cognito-idp:AdminGetUser",
    ]) {
      expect(await world.decide(watchdog, action, arn), action).toBe("ImplicitlyDenied");
    }
    for (const name of LAMBDA_NAMES.filter((n) => n !== "watchdog")) {
      expect(await world.decide(roleOf(name), "cognito-idp:ListUsers", arn), name).toBe("ImplicitlyDenied");
    }
  });
});
