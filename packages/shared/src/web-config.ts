/**
 * The web app's runtime configuration, `/config.json`: CDK writes it next to the bundle, local mode
 * serves it from its own server, and the SPA reads it at start-up, so one build serves every
 * deployment.
 */
export interface WebRuntimeConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** e.g. https://cognito-idp.<region>.amazonaws.com/ or http://127.0.0.1:<port>/cognito/ */
  cognitoEndpoint: string;
  wsUrl: string;
  apiUrl: string;
  telegramBotUsername?: string;
  /** Discord and/or Slack, when the deployment serves them (pairing sections in Settings). */
  chatChannels?: Array<"discord" | "slack">;
  selfSignUp: boolean;
  /**
   * How the web app proves the password: SRP (`USER_SRP_AUTH`, the default when absent; the deployed
   * pool allows nothing else) or `USER_PASSWORD_AUTH`, only where the issuer lacks SRP (cognito-local
   * behind `npm start -- --aws-standins`).
   */
  passwordFlow?: "USER_SRP_AUTH" | "USER_PASSWORD_AUTH";
}
