import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { CognitoUserDirectory } from "../adapters/aws/cognito-user-directory";
import { createWatchdogHandler } from "../handlers/watchdog";
import { awsRuntime, lambdaHandler } from "../runtime/aws";

const rt = awsRuntime();
// Only the watchdog asks Cognito (ListUsers on this pool): deleted or disabled accounts lose their sockets.
const users = new CognitoUserDirectory(new CognitoIdentityProviderClient({}), rt.env.USER_POOL_ID);
export const handler = lambdaHandler(rt, createWatchdogHandler(rt.deps, rt.services, users));
