import {
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { AccountState, UserDirectory } from "../../ports";

/**
 * Accounts of the Cognito user pool. The gateway knows a user by the id token's `sub`; a pool whose
 * users sign in with their e-mail has a generated user name, so look the user up by `sub` (ListUsers
 * with a filter, one call) rather than by name.
 */
export class CognitoUserDirectory implements UserDirectory {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async accountState(userId: string): Promise<AccountState> {
    // `sub` is a UUID in Cognito; anything else cannot name a user and must not reach the filter.
    if (!/^[\w-]{1,128}$/.test(userId)) return "deleted";
    const { Users = [] } = await this.client.send(
      new ListUsersCommand({ UserPoolId: this.userPoolId, Filter: `sub = "${userId}"`, Limit: 1 }),
    );
    const user = Users[0];
    if (!user) return "deleted";
    if (user.Enabled === false) return "disabled";
    if (user.UserStatus === "RESET_REQUIRED") return "reset-required";
    return "active";
  }
}
