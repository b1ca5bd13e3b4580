import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { newExtendedRequestId, requestTime } from "./aws-ids";
import { sourceIp } from "./http-util";
import type { LambdaHandler } from "./lambda-context";

export interface CompiledRoute {
  routeKey: string;
  method: string;
  pattern: RegExp;
  params: string[];
  /** Literal routes win over parameterised ones, as in API Gateway. */
  literal: boolean;
  target: string;
}

/** Compiles `"GET /conversations/{conversationId}"` style route keys (API Gateway HTTP API syntax). */
export function compileRoutes(routeKeys: Record<string, string>): CompiledRoute[] {
  return Object.entries(routeKeys).map(([target, routeKey]) => {
    const [method, path] = routeKey.split(" ") as [string, string];
    const params: string[] = [];
    const source = path
      .split("/")
      .map((segment) => {
        const param = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        params.push(param[1] as string);
        return "([^/]+)";
      })
      .join("/");
    return {
      routeKey,
      method,
      pattern: new RegExp(`^${source}$`),
      params,
      literal: params.length === 0,
      target,
    };
  });
}

export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: CompiledRoute; pathParameters: Record<string, string> } | undefined {
  const candidates = routes
    .filter((r) => r.method === method || r.method === "ANY")
    .sort((a, b) => Number(b.literal) - Number(a.literal));
  for (const route of candidates) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    const pathParameters: Record<string, string> = {};
    route.params.forEach((name, i) => {
      pathParameters[name] = decodeURIComponent(m[i + 1] as string);
    });
    return { route, pathParameters };
  }
  return undefined;
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

export interface HttpEventInput {
  req: IncomingMessage;
  body: Buffer;
  rawPath: string;
  rawQueryString: string;
  routeKey: string;
  pathParameters: Record<string, string>;
  apiId: string;
  domainName: string;
}

/** An HTTP API payload-format 2.0 event, built the way API Gateway builds it. */
export function httpEvent(input: HttpEventInput): APIGatewayProxyEventV2 {
  const { req, body } = input;
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    if (name === "cookie") {
      cookies.push(
        ...value
          .split(";")
          .map((c) => c.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(input.rawQueryString)) {
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;
  }
  const now = new Date();
  const contentType = headers["content-type"] ?? "";
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const domainName = input.domainName;
  return {
    version: "2.0",
    routeKey: input.routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: input.apiId,
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method: req.method ?? "GET",
        path: input.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: sourceIp(req),
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: newExtendedRequestId(),
      routeKey: input.routeKey,
      stage: "$default",
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString("utf8") : body.toString("base64") } : {}),
    ...(Object.keys(input.pathParameters).length > 0 ? { pathParameters: input.pathParameters } : {}),
    isBase64Encoded: !isText,
  };
}

/**
 * Writes a Lambda result as API Gateway does for payload 2.0: a structured result as given; anything
 * else (a string, an object without statusCode) as a 200 JSON body.
 */
export function writeHttpResult(res: ServerResponse, result: unknown): void {
  const structured =
    result !== null && typeof result === "object" && "statusCode" in result
      ? (result as {
          statusCode?: number;
          headers?: Record<string, string | number | boolean>;
          body?: string;
          isBase64Encoded?: boolean;
          cookies?: string[];
        })
      : undefined;
  if (!structured) {
    const text = typeof result === "string" ? result : result === undefined ? "" : JSON.stringify(result);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const body = structured.body
    ? Buffer.from(structured.body, structured.isBase64Encoded ? "base64" : "utf8")
    : Buffer.alloc(0);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  headers["content-type"] ??= "application/json";
  if (structured.cookies && structured.cookies.length > 0) headers["set-cookie"] = structured.cookies;
  headers["content-length"] = String(body.length);
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(body);
}

export type HttpApiHandler = LambdaHandler<APIGatewayProxyEventV2>;
