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
 * Cognito JSON protocol directly (InitiateAuth USER_SRP_AUTH then PASSWORD_VERIFIER, SOFTWARE_TOKEN_MFA
 * for users who turned TOTP on, REFRESH_TOKEN_AUTH), so the client has no secret and no hosted UI.
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
      // Each user may add an authenticator app in Settings; no SMS (it costs per message and is the
      // weaker factor), no e-mail codes (the e-mail is the password-reset channel already).
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
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
          "MFA is optional, not required: each user may turn on an authenticator app (TOTP) in the web " +
          "app's Settings; users are created by the operator, sign in with SRP (the password never leaves " +
          "the browser) and the password policy requires 12+ mixed characters.",
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
      // SRP only: the password never leaves the browser. Plain USER_PASSWORD_AUTH stays off; nothing of
      // ours needs it on AWS (local mode's stand-ins are the only issuers without SRP).
      authFlows: { userSrp: true },
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
