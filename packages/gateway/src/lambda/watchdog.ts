import { createWatchdogHandler } from "../handlers/watchdog";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
export const handler = lambdaHandler(rt, createWatchdogHandler(rt.deps, rt.services));
