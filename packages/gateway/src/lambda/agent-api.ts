import type { S3BlobStore } from "../adapters/aws/s3-blob-store";
import { createAgentApiHandler } from "../handlers/agent-api";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
const { connections, taskState, pending, conversations, settings, blobs, secrets } = rt.deps;
export const handler = lambdaHandler(
  rt,
  createAgentApiHandler({
    // taskState books every run that reaches Idle to the user's usage, as for the other Lambdas.
    stores: { connections, taskState, pending, conversations, settings, blobs, secrets },
    clientPush: rt.deps.clientPush,
    blobUrls: blobs as S3BlobStore,
    logger: rt.logger,
    ...(rt.env.AGENT_TASK_ROLE_NAME ? { taskRoleName: rt.env.AGENT_TASK_ROLE_NAME } : {}),
  }),
);
