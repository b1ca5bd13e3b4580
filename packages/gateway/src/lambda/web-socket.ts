import { createWebSocketHandler } from "../handlers/web-socket";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
export const handler = lambdaHandler(rt, createWebSocketHandler(rt.deps, rt.services));
