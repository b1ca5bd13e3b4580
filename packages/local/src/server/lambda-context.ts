import type { Context } from "aws-lambda";
import { newRequestId } from "./aws-ids";

/** A Lambda context for handlers run in-process: Powertools reads a few of these fields. */
export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: newRequestId(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Any Lambda handler taking an event and a context; the result is read leniently as API Gateway does. */
export type LambdaHandler<E> = (event: E, context: Context) => unknown;
