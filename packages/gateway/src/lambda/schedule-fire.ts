import { createScheduleFireHandler } from "../handlers/schedule-fire";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
export const handler = lambdaHandler(rt, createScheduleFireHandler(rt.deps, rt.services));
