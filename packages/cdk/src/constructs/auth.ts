import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  UserPool,
  type UserPoolClient,
  UserPoolEmail,
} from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";

export interface AuthProps {
  readonly selfSignUp: boolean;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Cognito user pool (users sign in with their e-mail) and the public SPA client. The web app speaks the
 * Cognito JSON protocol directly (InitiateAuth USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH), so the client
 * has no secret and no hosted UI.
 */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    this.userPool = new UserPool(this, "UserPool", {
      selfSignUpEnabled: props.selfSignUp,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Essentials is free up to 10,000 monthly active users.
      featurePlan: FeaturePlan.ESSENTIALS,
      mfa: Mfa.OFF,
      email: UserPoolEmail.withCognito(),
      userInvitation: {
        emailSubject: "Your OpenClaw agent is ready",
        emailBody:
          "Sign in to your OpenClaw web chat with the user name {username} and the temporary password " +
          "{####}. You will be asked to choose a new password.",
      },
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: "AwsSolutions-COG2",
        reason:
          "MFA is off because the SPA implements password sign-in and NEW_PASSWORD_REQUIRED only; users " +
          "are created by the operator and the password policy requires 12+ mixed characters. TOTP MFA " +
          "is a planned follow-up.",
      },
      {
        id: "AwsSolutions-COG3",
        reason:
          "Threat protection (advanced security) needs the Plus feature plan, billed per active user; " +
          "too expensive for a personal deployment whose users are created by the operator.",
      },
      {
        id: "AwsSolutions-COG8",
        reason:
          "Plus is billed per monthly active user; Essentials is free up to 10,000 and has everything the " +
          "app uses (password sign-in, refresh tokens, admin-created users).",
      },
    );

    this.client = this.userPool.addClient("WebClient", {
      generateSecret: false,
      authFlows: { userPassword: true },
      // No hosted UI or OAuth flows: without this CDK enables them with an https://example.com callback.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
  }
}
