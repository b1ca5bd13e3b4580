import "aws-sdk-client-mock-vitest/extend";
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ApiGatewayClientPush } from "../../src/adapters/aws/api-gateway-client-push";
import { EcsTaskRunner } from "../../src/adapters/aws/ecs-task-runner";
import { TaskStartError } from "../../src/errors";
import { createServices } from "../../src/services";
import { connectClient, makeDeps } from "./fakes";

const ecsMock = mockClient(ECSClient);
const apiMock = mockClient(ApiGatewayManagementApiClient);

const CONFIG = {
  cluster: "openclaw",
  taskDefinition: "openclaw-agent:3",
  subnets: ["subnet-a", "subnet-b"],
  securityGroups: ["sg-agent"],
  containerName: "openclaw",
};
const USER = "0b6f3c2e-1111-4222-8333-944455556666";
const TASK = "arn:aws:ecs:us-east-1:123456789012:task/openclaw/abc";
const SPOT_SHORTAGE = {
  arn: "arn:aws:ecs:us-east-1:123456789012:container-instance/x",
  reason: "Capacity is unavailable at this time. Please try again later or in a different availability zone",
};

beforeEach(() => {
  ecsMock.reset();
  apiMock.reset();
});

describe("EcsTaskRunner", () => {
  const runner = () => new EcsTaskRunner(CONFIG, new ECSClient({ region: "us-east-1" }));

  it("runs the task on Fargate Spot in public subnets with the user's id and secret", async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }], failures: [] });
    expect(await runner().start({ userId: USER, agentSecret: "s3cret" })).toEqual({
      taskArn: TASK,
      capacity: "spot",
    });
    expect(ecsMock).toHaveReceivedCommandOnce(RunTaskCommand);
    expect(ecsMock).toHaveReceivedCommandWith(RunTaskCommand, {
      cluster: "openclaw",
      taskDefinition: "openclaw-agent:3",
      count: 1,
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-a", "subnet-b"],
          securityGroups: ["sg-agent"],
          assignPublicIp: "ENABLED",
        },
      },
      overrides: {
        containerOverrides: [
          {
            name: "openclaw",
            environment: [
              { name: "USER_ID", value: USER },
              { name: "AGENT_SECRET", value: "s3cret" },
            ],
          },
        ],
      },
      startedBy: USER,
      tags: expect.arrayContaining([{ key: "serverless-openclaw:userId", value: USER }]),
    });
    expect(ecsMock.commandCalls(RunTaskCommand)[0]?.args[0].input.launchType).toBeUndefined();
  });

  it("falls back to on-demand Fargate when Spot has no capacity", async () => {
    ecsMock
      .on(RunTaskCommand, { capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] })
      .resolves({ tasks: [], failures: [SPOT_SHORTAGE] })
      .on(RunTaskCommand, { capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }] })
      .resolves({ tasks: [{ taskArn: TASK }] });
    // Reported as on-demand: the run is priced as such in usage, the cap and the spend alarm.
    expect(await runner().start({ userId: USER, agentSecret: "s" })).toEqual({
      taskArn: TASK,
      capacity: "on-demand",
    });
    expect(ecsMock).toHaveReceivedCommandTimes(RunTaskCommand, 2);
    expect(ecsMock).toHaveReceivedNthCommandWith(RunTaskCommand, 2, {
      capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
    });
  });

  it("also falls back when the shortage comes back as a thrown error", async () => {
    ecsMock
      .on(RunTaskCommand)
      .rejectsOnce(
        Object.assign(new Error("No Spot capacity available that matches your request."), {
          name: "ServerException",
        }),
      )
      .resolves({ tasks: [{ taskArn: TASK }] });
    expect(await runner().start({ userId: USER, agentSecret: "s" })).toEqual({
      taskArn: TASK,
      capacity: "on-demand",
    });
  });

  it("does not fall back for other failures, and says what went wrong", async () => {
    ecsMock
      .on(RunTaskCommand)
      .resolves({ tasks: [], failures: [{ reason: "MISSING", detail: "task definition" }] });
    const error = await runner()
      .start({ userId: USER, agentSecret: "s" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskStartError);
    expect(error).toMatchObject({ code: "TASK_START_FAILED" });
    expect(ecsMock).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  });

  it("reports NO_CAPACITY when on-demand is out too", async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [SPOT_SHORTAGE] });
    await expect(runner().start({ userId: USER, agentSecret: "s" })).rejects.toMatchObject({
      code: "NO_CAPACITY",
    });
    expect(ecsMock).toHaveReceivedCommandTimes(RunTaskCommand, 2);
  });

  it("maps missing IAM permissions to an actionable error", async () => {
    ecsMock.on(RunTaskCommand).rejects(
      Object.assign(new Error("User is not authorized to perform: ecs:RunTask"), {
        name: "AccessDeniedException",
      }),
    );
    await expect(runner().start({ userId: USER, agentSecret: "s" })).rejects.toMatchObject({
      code: "TASK_START_DENIED",
    });
  });

  it("stops a task with a bounded reason", async () => {
    ecsMock.on(StopTaskCommand).resolves({});
    await runner().stop(TASK, "x".repeat(400));
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, {
      cluster: "openclaw",
      task: TASK,
      reason: "x".repeat(255),
    });
  });

  it("asks DescribeTasks in batches of 100 and counts every task not STOPPED as running", async () => {
    const arns = Array.from({ length: 250 }, (_, i) => `${TASK}-${i}`);
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((taskArn, i) => ({ taskArn, lastStatus: i % 2 === 0 ? "RUNNING" : "STOPPED" })),
      failures: [],
    }));
    const running = await runner().running(arns);
    const sizes = ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(running.size).toBe(125);
    expect(running.has(`${TASK}-0`)).toBe(true);
    expect(running.has(`${TASK}-1`)).toBe(false);
  });
});

describe("ApiGatewayClientPush", () => {
  const push = () =>
    new ApiGatewayClientPush(
      new ApiGatewayManagementApiClient({
        region: "us-east-1",
        endpoint: "https://example.execute-api.us-east-1.amazonaws.com/prod",
      }),
    );

  it("posts the event as JSON to the connection", async () => {
    apiMock.on(PostToConnectionCommand).resolves({});
    expect(await push().send("conn=1", { type: "pong" })).toBe(true);
    const input = apiMock.commandCalls(PostToConnectionCommand)[0]?.args[0].input;
    expect(input?.ConnectionId).toBe("conn=1");
    expect(JSON.parse(new TextDecoder().decode(input?.Data as Uint8Array))).toEqual({ type: "pong" });
  });

  it("answers false for a gone connection and rethrows anything else", async () => {
    apiMock
      .on(PostToConnectionCommand, { ConnectionId: "gone" })
      .rejects(new GoneException({ message: "gone", $metadata: {} }));
    apiMock.on(PostToConnectionCommand, { ConnectionId: "broken" }).rejects(new Error("ThrottlingException"));
    expect(await push().send("gone", { type: "pong" })).toBe(false);
    await expect(push().send("broken", { type: "pong" })).rejects.toThrow("ThrottlingException");
  });

  it("deletes connections, ignoring ones already gone", async () => {
    apiMock.on(DeleteConnectionCommand).rejects(new GoneException({ message: "gone", $metadata: {} }));
    await push().disconnect("conn");
    expect(apiMock).toHaveReceivedCommandWith(DeleteConnectionCommand, { ConnectionId: "conn" });
  });

  it("lets the services delete a connection API Gateway reports gone", async () => {
    apiMock
      .on(PostToConnectionCommand, { ConnectionId: "tab-gone" })
      .rejects(new GoneException({ message: "gone", $metadata: {} }));
    apiMock.on(PostToConnectionCommand, { ConnectionId: "tab-live" }).resolves({});
    const deps = { ...makeDeps(), clientPush: push() };
    await connectClient(deps, "alice", "tab-gone");
    await connectClient(deps, "alice", "tab-live");
    await createServices(deps).lifecycle.wake("alice");
    expect(await deps.connections.get("tab-gone")).toBeUndefined();
    expect(await deps.connections.get("tab-live")).toBeDefined();
  });
});
