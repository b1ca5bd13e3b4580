import { describe, expect, it } from "vitest";
import { ConfigError, createAwsRuntime, readAwsEnv } from "../../src/runtime/aws";

const ENV = {
  TABLE_CONVERSATIONS: "Conversations",
  TABLE_SETTINGS: "Settings",
  TABLE_TASK_STATE: "TaskState",
  TABLE_CONNECTIONS: "Connections",
  TABLE_PENDING: "PendingMessages",
  DATA_BUCKET: "data-bucket",
  SECRET_PREFIX: "/serverless-openclaw/",
  USER_POOL_ID: "us-east-1_AbC123",
  USER_POOL_CLIENT_ID: "client123",
  CLIENT_WS_MANAGEMENT_ENDPOINT: "https://abc.execute-api.us-east-1.amazonaws.com/prod",
  AGENT_WS_MANAGEMENT_ENDPOINT: "https://def.execute-api.us-east-1.amazonaws.com/prod",
  AGENT_WS_URL: "wss://def.execute-api.us-east-1.amazonaws.com/prod",
  ECS_CLUSTER: "arn:aws:ecs:us-east-1:123456789012:cluster/openclaw",
  TASK_DEFINITION: "arn:aws:ecs:us-east-1:123456789012:task-definition/agent:1",
  TASK_SUBNETS: "subnet-a, subnet-b",
  TASK_SECURITY_GROUP: "sg-1",
  CONTAINER_NAME: "openclaw",
  TELEGRAM_ENABLED: "true",
  DEFAULT_INACTIVITY_MINUTES: "30",
  ALLOWED_ORIGINS: "https://d111.cloudfront.net",
  AWS_REGION: "us-east-1",
};

describe("runtime/aws", () => {
  it("names every missing or malformed variable, and says to redeploy", () => {
    const { TABLE_PENDING: _, ...missing } = ENV;
    const error = (() => {
      try {
        readAwsEnv({ ...missing, USER_POOL_ID: "nope", TASK_SUBNETS: " , " });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/TABLE_PENDING/);
    expect((error as Error).message).toMatch(/USER_POOL_ID must look like/);
    expect((error as Error).message).toMatch(/TASK_SUBNETS needs at least one subnet/);
    expect((error as Error).message).toMatch(/redeploy/);
  });

  it("builds the gateway's dependencies from a complete environment", () => {
    const env = readAwsEnv(ENV);
    expect(env.TASK_SUBNETS).toEqual(["subnet-a", "subnet-b"]);
    const rt = createAwsRuntime(env);
    expect(rt.deps.config).toEqual({
      allowedOrigins: ["https://d111.cloudfront.net"],
      typicalWakeSeconds: 60,
      telegramEnabled: true,
      defaultInactivityMinutes: 30,
      discordEnabled: false,
      slackEnabled: false,
    });
    expect(Object.keys(rt.services).sort()).toEqual([
      "chat",
      "conversations",
      "lifecycle",
      "schedules",
      "sessions",
      "settings",
      "usage",
      "watchdog",
    ]);
    expect(rt.deps.scheduler).toBeUndefined();
  });

  it("sets up EventBridge Scheduler, the budget cap and the task size when the stack passes them", async () => {
    const rt = createAwsRuntime(
      readAwsEnv({
        ...ENV,
        SCHEDULE_GROUP: "openclaw",
        SCHEDULE_TARGET_ARN: "arn:aws:lambda:us-east-1:123456789012:function:fire",
        SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/scheduler",
        BUDGET_MONTHLY_USD: "25",
        TASK_VCPU: "2",
        TASK_MEMORY_GB: "4",
      }),
    );
    expect(rt.deps.scheduler).toBeDefined();
    // The schedule-fire function only knows the group: it can delete, not create.
    const fire = createAwsRuntime(readAwsEnv({ ...ENV, SCHEDULE_GROUP: "openclaw" }));
    await expect(
      fire.deps.scheduler?.create({
        userId: "u",
        scheduleId: "s",
        expression: "rate(1 hour)",
        timezone: "UTC",
        enabled: true,
        anchor: new Date(),
      }),
    ).rejects.toMatchObject({ code: "SCHEDULER_UNAVAILABLE" });
    expect(rt.deps.config).toMatchObject({ monthlyBudgetUsd: 25, taskSize: { vcpu: 2, memoryGb: 4 } });
  });
});
