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
}
