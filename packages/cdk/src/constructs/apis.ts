import { API_ROUTES, PUBLIC_ROUTES } from "@serverless-openclaw/shared";
import { Duration, RemovalPolicy, type Stack, Validations } from "aws-cdk-lib";
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from "aws-cdk-lib/aws-apigatewayv2";
import {
  HttpIamAuthorizer,
  HttpJwtAuthorizer,
  WebSocketIamAuthorizer,
} from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct, type IConstruct } from "constructs";

export const WS_STAGE = "prod";

/**
 * Throttles: generous for one person, low enough to cap a flood's bill (docs/cost.md, "A flood").
 * Each route anyone on the internet can reach without a credential has a limit of its own, so a flood
 * on one of them uses up only its own bucket: the management API, the other webhooks and the chat keep
 * theirs. The defaults apply to every other route of a stage.
 */
export const THROTTLE = {
  /** The browser socket's messages (chat.send, …): only over a connection that passed $connect. */
  clientWs: { rateLimit: 50, burstLimit: 100 },
  /**
   * The browser $connect has no authorizer in front (its Lambda verifies the id token), so anyone
   * with the URL reaches the Lambda: a tab connects once and reconnects with backoff.
   */
  clientConnect: { rateLimit: 5, burstLimit: 10 },
  agentWs: { rateLimit: 100, burstLimit: 200 },
  /** The agent tasks' store calls and pushes (one push per streamed delta). */
  agentHttp: { rateLimit: 200, burstLimit: 400 },
  /** The management API's JWT routes (API Gateway's authorizer refuses a bad token before any Lambda). */
  http: { rateLimit: 20, burstLimit: 50 },
  /** $default (404/405 in the API's error shape): no authorizer, so it reaches the Lambda. */
  httpDefault: { rateLimit: 5, burstLimit: 10 },
  /** Each chat platform's webhook route (Telegram, Discord, Slack events, Slack commands), each its own. */
  webhook: { rateLimit: 5, burstLimit: 10 },
} as const;

export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Gives one route of a stage its own throttle (the stage's RouteSettings). API Gateway refuses a
 * stage that names a route it does not have yet, so the stage waits for the route.
 */
export function throttleRoute(
  stage: HttpStage | WebSocketStage,
  routeKey: string,
  route: IConstruct,
  limits: Throttle,
): void {
  const cfn = stage.node.defaultChild as CfnStage;
  const current = (cfn.routeSettings ?? {}) as Record<string, unknown>;
  cfn.routeSettings = {
    ...current,
    [routeKey]: { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
  };
  stage.node.addDependency(route);
}

/**
 * An HTTP API's $default stage (no path in its URL), deployed on every change, with its stage-wide
 * throttle and access logs in a group of its own. The log format is API Gateway's default: request id,
 * caller IP, route, status, latency; never headers or bodies. The ids ("AccessLogs", "DefaultStage")
 * are part of the deployed logical ids: keep them.
 */
function loggedHttpStage(
  scope: Construct,
  httpApi: HttpApi,
  throttle: Throttle,
  retention: RetentionDays,
): HttpStage {
  const accessLogs = new LogGroup(scope, "AccessLogs", { retention, removalPolicy: RemovalPolicy.DESTROY });
  return new HttpStage(scope, "DefaultStage", {
    httpApi,
    autoDeploy: true,
    throttle,
    accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
  });
}

/**
 * The two WebSocket APIs. Browsers use the client API (the $connect handler verifies the Cognito id
 * token passed as `?token=`; browsers cannot set headers on a WebSocket). Agent tasks use the agent
 * API, whose $connect requires an IAM SigV4 signature from the task role, plus the per-start secret
 * the handler checks. Routes are attached once the Lambdas exist.
 */
export class WebSocketApis extends Construct {
  readonly clientApi: WebSocketApi;
  readonly clientStage: WebSocketStage;
  readonly agentApi: WebSocketApi;
  readonly agentStage: WebSocketStage;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.clientApi = new WebSocketApi(this, "ClientApi", {
      description: "serverless-openclaw: browser chat connections",
    });
    this.clientStage = new WebSocketStage(this, "ClientStage", {
      webSocketApi: this.clientApi,
      stageName: WS_STAGE,
      autoDeploy: true,
      throttle: THROTTLE.clientWs,
    });
    this.agentApi = new WebSocketApi(this, "AgentApi", {
      description: "serverless-openclaw: agent task connections (IAM)",
    });
    this.agentStage = new WebSocketStage(this, "AgentStage", {
      webSocketApi: this.agentApi,
      stageName: WS_STAGE,
      autoDeploy: true,
      throttle: THROTTLE.agentWs,
    });
    for (const stage of [this.clientStage, this.agentStage]) {
      Validations.of(stage).acknowledge({
        id: "AwsSolutions-APIG1",
        reason:
          "WebSocket access logs need the account-wide API Gateway CloudWatch role, a regional singleton " +
          "this app must not overwrite; the handlers log every connect, disconnect and message instead.",
      });
    }
  }

  addRoutes(clientHandler: IFunction, agentHandler: IFunction): void {
    const client = new WebSocketLambdaIntegration("ClientIntegration", clientHandler);
    for (const route of ["$connect", "$disconnect", "$default"]) {
      const added = this.clientApi.addRoute(route, { integration: client });
      if (route === "$connect") throttleRoute(this.clientStage, route, added, THROTTLE.clientConnect);
    }
    Validations.of(this.clientApi).acknowledge({
      id: "AwsSolutions-APIG4",
      reason:
        "The client $connect verifies the Cognito id token itself (aws-jwt-verify, same code as local " +
        "mode); $disconnect and $default only act on connections that passed $connect.",
    });
    const agent = new WebSocketLambdaIntegration("AgentIntegration", agentHandler);
    this.agentApi.addRoute("$connect", { integration: agent, authorizer: new WebSocketIamAuthorizer() });
    this.agentApi.addRoute("$disconnect", { integration: agent });
    this.agentApi.addRoute("$default", { integration: agent });
    Validations.of(this.agentApi).acknowledge({
      id: "AwsSolutions-APIG4",
      reason:
        "$connect is IAM-authorized (only the task role may open a connection); $disconnect and " +
        "$default can only be reached over a connection that passed $connect.",
    });
  }
}

/** The routes of the agent HTTP API (handlers/agent-api.ts in the gateway). */
export const AGENT_HTTP_ROUTES = [
  { method: HttpMethod.POST, path: "/rpc" },
  { method: HttpMethod.POST, path: "/blob-url" },
  { method: HttpMethod.POST, path: "/connections/{connectionId}" },
  { method: HttpMethod.DELETE, path: "/connections/{connectionId}" },
] as const;

/**
 * The agent tasks' HTTP API: their store RPC, pushes to their user's browser tabs and presigned URLs
 * for their own objects. Every route is IAM-authorized (SigV4 with the task role, the only thing that
 * role may do besides the agent $connect); the handler binds each call to the user whose current
 * start is the calling task (its role session is the ECS task id) and scopes it to that user. Its own
 * API and throttle, so agents streaming replies never eat the management API's.
 */
export class AgentHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: { logRetention: RetentionDays }) {
    super(scope, id);
    this.api = new HttpApi(this, "Api", {
      description: "serverless-openclaw: agent task store calls and pushes (IAM)",
      createDefaultStage: false,
    });
    this.stage = loggedHttpStage(this, this.api, THROTTLE.agentHttp, props.logRetention);
  }

  addRoutes(handler: IFunction): void {
    const integration = new HttpLambdaIntegration("AgentApi", handler);
    const authorizer = new HttpIamAuthorizer();
    for (const route of AGENT_HTTP_ROUTES) {
      this.api.addRoutes({ path: route.path, methods: [route.method], integration, authorizer });
    }
  }

  /** `https://<id>.execute-api.<region>.amazonaws.com` (the $default stage has no path). */
  get url(): string {
    return this.api.apiEndpoint;
  }

  /** The `execute-api:Invoke` resources of the routes, for the task role. */
  routeArns(stack: Stack): string[] {
    return AGENT_HTTP_ROUTES.map((route) =>
      stack.formatArn({
        service: "execute-api",
        resource: this.api.apiId,
        resourceName: `$default/${route.method}${route.path.replace("{connectionId}", "*")}`,
      }),
    );
  }
}

export interface HttpApiProps {
  readonly handler: IFunction;
  readonly telegramHandler?: IFunction;
  readonly discordHandler?: IFunction;
  readonly slackHandler?: IFunction;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly region: string;
  readonly webOrigin: string;
  readonly logRetention: RetentionDays;
}

/** Splits an API_ROUTES value, e.g. "PATCH /conversations/{conversationId}". */
export function parseRoute(route: string): { method: HttpMethod; path: string } {
  const [method, path] = route.split(" ");
  if (!method || !path || !(method in HttpMethod)) throw new Error(`Bad route in API_ROUTES: ${route}`);
  return { method: HttpMethod[method as keyof typeof HttpMethod], path };
}

/**
 * The management HTTP API. Every management route has API Gateway's JWT authorizer in front (the
 * handler verifies the token again, so it behaves the same in local mode); the Telegram webhook is
 * open and checked by its secret-token header.
 */
export class ManagementHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, "Api", {
      description: "serverless-openclaw: management API and Telegram webhook",
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [props.webOrigin],
        allowHeaders: ["authorization", "content-type"],
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.DELETE,
        ],
        maxAge: Duration.hours(1),
      },
    });
    this.stage = loggedHttpStage(this, this.api, THROTTLE.http, props.logRetention);

    const authorizer = new HttpJwtAuthorizer(
      "CognitoJwt",
      `https://cognito-idp.${props.region}.amazonaws.com/${props.userPoolId}`,
      { jwtAudience: [props.userPoolClientId] },
    );
    const management = new HttpLambdaIntegration("Management", props.handler);
    for (const [name, route] of Object.entries(API_ROUTES)) {
      if (name in PUBLIC_ROUTES) continue; // served by their own Lambdas, below, when their channel is on
      const { method, path } = parseRoute(route);
      this.api.addRoutes({ path, methods: [method], integration: management, authorizer });
    }
    // Anything no route matches goes to the same Lambda, which answers it in the API's error shape
    // ({error:{code,message}}: ROUTE_NOT_FOUND, METHOD_NOT_ALLOWED) instead of API Gateway's bare
    // {"message":"Not Found"}. It never reaches user data: every route that does has a JWT route above.
    const defaultRoute = new HttpRoute(this, "DefaultRoute", {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration("ManagementDefault", props.handler),
    });
    throttleRoute(this.stage, HttpRouteKey.DEFAULT.key, defaultRoute, THROTTLE.httpDefault);
    Validations.of(defaultRoute).acknowledge({
      id: "AwsSolutions-APIG4",
      reason:
        "$default only answers 404/405 in the API's error shape; every route that reads or changes data is a JWT route.",
    });
    if (props.telegramHandler) {
      this.addPublicRoute(
        API_ROUTES.telegramWebhook,
        "TelegramWebhook",
        props.telegramHandler,
        "POST /telegram/webhook is called by Telegram's servers, which cannot present a JWT; the " +
          "handler checks the X-Telegram-Bot-Api-Secret-Token header set at webhook registration.",
      );
    }
    if (props.discordHandler) {
      this.addPublicRoute(
        API_ROUTES.discordInteractions,
        "DiscordInteractions",
        props.discordHandler,
        "POST /discord/interactions is called by Discord, which cannot present a JWT; the handler " +
          "verifies the Ed25519 signature of every request with the app's public key.",
      );
    }
    if (props.slackHandler) {
      for (const route of [API_ROUTES.slackEvents, API_ROUTES.slackCommands]) {
        this.addPublicRoute(
          route,
          route === API_ROUTES.slackEvents ? "SlackEvents" : "SlackCommands",
          props.slackHandler,
          "The Slack endpoints are called by Slack, which cannot present a JWT; the handler verifies " +
            "the v0 signing-secret signature and a 5-minute timestamp window.",
        );
      }
    }
  }

  /**
   * An open route for a chat platform's servers: no JWT (they cannot present one); the handler verifies
   * signatures. Its own throttle, so a flood of forged calls blocks neither the management API nor the
   * other chat platforms.
   */
  private addPublicRoute(route: string, id: string, handler: IFunction, reason: string): void {
    const { method, path } = parseRoute(route);
    const [added] = this.api.addRoutes({
      path,
      methods: [method],
      integration: new HttpLambdaIntegration(id, handler),
    });
    if (added) throttleRoute(this.stage, route, added, THROTTLE.webhook);
    Validations.of(this.api).acknowledge({ id: "AwsSolutions-APIG4", reason });
  }

  /** `https://<id>.execute-api.<region>.amazonaws.com` (the $default stage has no path). */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
