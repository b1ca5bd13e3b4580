import { Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, it } from "vitest";
import { TASK_SIZE } from "../src/constructs/agent-task";
import { cleanup, type Synthesized, synth } from "./synth";

// `-c browser=true`: the Chromium image variant, a bigger task, and an init process that reaps
// Chromium's helpers. (stacks.test.ts checks the image build arg of both variants.)
let browser: Synthesized;
beforeAll(() => {
  browser = synth({ browser: true });
});
afterAll(() => cleanup(browser));

describe("browser deployment", () => {
  it("sizes the task for OpenClaw plus Chromium and runs an init process as PID 1", () => {
    browser.appTemplate.hasResourceProperties("AWS::ECS::TaskDefinition", {
      Cpu: String(TASK_SIZE.browser.cpu),
      Memory: String(TASK_SIZE.browser.memoryLimitMiB),
      ContainerDefinitions: [
        Match.objectLike({
          Name: "openclaw",
          LinuxParameters: Match.objectLike({ InitProcessEnabled: true }),
        }),
      ],
    });
  });
});
