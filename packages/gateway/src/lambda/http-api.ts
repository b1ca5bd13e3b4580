import { createHttpApiHandler } from "../handlers/http-api";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
export const handler = lambdaHandler(rt, createHttpApiHandler(rt.deps, rt.services));
