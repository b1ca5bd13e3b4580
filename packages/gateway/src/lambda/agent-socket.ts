import { createAgentSocketHandler } from "../handlers/agent-socket";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
export const handler = lambdaHandler(
  rt,
  createAgentSocketHandler(rt.deps, rt.services, {
    ...(rt.env.AGENT_TASK_ROLE_NAME ? { taskRoleName: rt.env.AGENT_TASK_ROLE_NAME } : {}),
  }),
);
