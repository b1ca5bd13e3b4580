import { parseTaskEnv } from "@serverless-openclaw/container/env";
import { buildPorts } from "@serverless-openclaw/container/runtime";
import { createAwsRuntime, readAwsEnv } from "@serverless-openclaw/gateway/aws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, resourcesOf, type Synthesized, synth } from "./synth";

/**
 * The environment the stacks give each gateway Lambda and the agent task must be one that code
 * accepts at start-up; otherwise a deploy that synthesizes fine fails at its first request. Values
 * CloudFormation fills in at deploy time (Ref, Fn::GetAtt, …) are replaced by values of their real
 * shape; literal values are checked as they are.
 */
type Env = Record<string, string>;

const AT_DEPLOY: Array<[RegExp, string]> = [
  [/^AGENT_WS_URL$/, "wss://abc123def4.execute-api.us-east-1.amazonaws.com/agent"],
  [/_ENDPOINT$|_URL$/, "https://abc123def4.execute-api.us-east-1.amazonaws.com/prod"],
  [/^USER_POOL_ID$/, "us-east-1_AbC123"],
  [/^TASK_SUBNETS$/, "subnet-0a1b2c3d,subnet-4e5f6a7b"],
  [/^TASK_SECURITY_GROUP$/, "sg-0a1b2c3d"],
  [/_ARN$/, "arn:aws:lambda:us-east-1:123456789012:function:resolved"],
];

function resolved(variables: Record<string, unknown>): Env {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      typeof value === "string"
        ? value
        : (AT_DEPLOY.find(([re]) => re.test(name))?.[1] ?? `resolved-${name}`),
    ]),
  );
}

let main: Synthesized;
let everything: Synthesized;

beforeAll(() => {
  main = synth();
  everything = synth({ telegram: true, discord: true, slack: true, browser: true });
});

afterAll(() => {
  cleanup(main);
  cleanup(everything);
});

const gatewayEnvs = (s: Synthesized): Array<[string, Env]> =>
  resourcesOf(s.appTemplate, "AWS::Lambda::Function")
    .map(([id, p]): [string, Env] => [
      id,
      resolved(
        ((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Env,
      ),
    ])
    .filter(([, env]) => env.TABLE_CONVERSATIONS !== undefined && env.USER_POOL_ID !== undefined);

describe("the runtime environment the stacks set", () => {
  it("is accepted by every gateway Lambda at init, with every channel on or off", () => {
    for (const s of [main, everything]) {
      const envs = gatewayEnvs(s);
      expect(envs.length).toBeGreaterThanOrEqual(5);
      for (const [id, env] of envs) {
        expect(() => createAwsRuntime(readAwsEnv(env)), id).not.toThrow();
      }
    }
  });

  it("is accepted by the agent task on AWS, with the per-start USER_ID and AGENT_SECRET the gateway adds", () => {
    for (const s of [main, everything]) {
      const [[, td] = ["", {}]] = resourcesOf(s.appTemplate, "AWS::ECS::TaskDefinition");
      const container = (
        td.ContainerDefinitions as { Environment?: { Name: string; Value: unknown }[] }[]
      )[0];
      const env = {
        ...resolved(Object.fromEntries((container?.Environment ?? []).map((e) => [e.Name, e.Value]))),
        USER_ID: "6f1c2d3e-0000-4000-8000-00000000a11c",
        AGENT_SECRET: "per-start-secret-from-the-gateway",
      };
      const parsed = parseTaskEnv(env);
      // AWS wiring, signed $connect and the agent HTTP API: not local mode's token, and no table,
      // bucket or secret names (the task reaches no store directly).
      expect(parsed.LOCAL_STORE_URL).toBeUndefined();
      expect(parsed.AGENT_WS_SIGN).toBe("1");
      expect(parsed.AGENT_API_URL).toMatch(/^https:\/\//);
      for (const name of ["TABLE_SETTINGS", "DATA_BUCKET", "SECRET_PREFIX", "CLIENT_PUSH_ENDPOINT"])
        expect(env, name).not.toHaveProperty(name);
      expect(() => buildPorts(parsed)).not.toThrow();
    }
  });
});
