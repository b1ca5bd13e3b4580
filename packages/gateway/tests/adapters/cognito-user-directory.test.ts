import {
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { type CognitoLocal, startCognitoLocal } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CognitoUserDirectory } from "../../src/adapters/aws/cognito-user-directory";

// The real SDK client against cognito-local: the same ListUsers call and filter the watchdog makes.
let cognito: CognitoLocal;
let sdk: CognitoIdentityProviderClient;
let directory: CognitoUserDirectory;
beforeAll(async () => {
  cognito = await startCognitoLocal();
  sdk = new CognitoIdentityProviderClient(cognito.clientConfig);
  directory = new CognitoUserDirectory(sdk, cognito.userPoolId);
}, 60_000);
afterAll(async () => {
  sdk?.destroy();
  await cognito?.stop();
});

/** The id token's subject of a user: what the gateway knows them by. */
async function subOf(username: string): Promise<string> {
  const user = await sdk.send(
    new AdminGetUserCommand({ UserPoolId: cognito.userPoolId, Username: username }),
  );
  const sub = user.UserAttributes?.find((a) => a.Name === "sub")?.Value;
  if (!sub) throw new Error(`no sub for ${username}`);
  return sub;
}

describe("CognitoUserDirectory (cognito-local)", () => {
  it("finds a user by the sub of their id token, whatever their user name, and tells deleted and disabled accounts", async () => {
    await cognito.createUser("erin", "Passw0rd!Passw0rd");
    await cognito.createUser("frank", "Passw0rd!Passw0rd");
    const erin = await subOf("erin");
    const frank = await subOf("frank");
    expect(erin).not.toBe("erin");
    // The sub is what the gateway holds: it is in the id token the user signs in with.
    const { idToken } = await cognito.login("erin", "Passw0rd!Passw0rd");
    expect((await cognito.verifier.verify(idToken)).sub).toBe(erin);

    expect(await directory.accountState(erin)).toBe("active");
    expect(await directory.accountState(frank)).toBe("active");

    await sdk.send(new AdminDisableUserCommand({ UserPoolId: cognito.userPoolId, Username: "erin" }));
    expect(await directory.accountState(erin)).toBe("disabled");
    await sdk.send(new AdminEnableUserCommand({ UserPoolId: cognito.userPoolId, Username: "erin" }));
    expect(await directory.accountState(erin)).toBe("active");

    await sdk.send(new AdminDeleteUserCommand({ UserPoolId: cognito.userPoolId, Username: "frank" }));
    expect(await directory.accountState(frank)).toBe("deleted");
    expect(await directory.accountState(erin)).toBe("active");
  });

  it("never puts a user id that is not a plain id into the filter", async () => {
    expect(await directory.accountState('x" or sub ^= "')).toBe("deleted");
    expect(await directory.accountState("")).toBe("deleted");
  });
});
