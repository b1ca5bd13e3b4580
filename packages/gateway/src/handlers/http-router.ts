import { API_ROUTES, PUBLIC_ROUTES, type PublicRouteName } from "@serverless-openclaw/shared";

export type RouteName = Exclude<keyof typeof API_ROUTES, PublicRouteName>;

interface CompiledRoute {
  name: RouteName;
  method: string;
  pattern: RegExp;
  params: string[];
}

/** The JWT-protected routes of shared/src/api.ts. The channel webhooks (PUBLIC_ROUTES) have their own Lambdas. */
const ROUTES: CompiledRoute[] = (Object.entries(API_ROUTES) as Array<[keyof typeof API_ROUTES, string]>)
  .filter((entry): entry is [RouteName, string] => !(entry[0] in PUBLIC_ROUTES))
  .map(([name, spec]) => {
    const [method = "", template = ""] = spec.split(" ");
    const params: string[] = [];
    const source = template
      .split("/")
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        params.push(param[1]);
        return "([^/]+)";
      })
      .join("/");
    return { name, method, pattern: new RegExp(`^${source}/?$`), params };
  });

export type RouteMatch =
  | { kind: "route"; name: RouteName; params: Record<string, string> }
  | { kind: "method-not-allowed"; allow: string[] }
  | { kind: "not-found" };

/** Matches a method and path (without stage) against the API routes. */
export function matchRoute(method: string, path: string): RouteMatch {
  const allow: string[] = [];
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method !== method) {
      allow.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => {
      params[name] = safeDecode(m[i + 1] ?? "");
    });
    return { kind: "route", name: route.name, params };
  }
  return allow.length > 0 ? { kind: "method-not-allowed", allow } : { kind: "not-found" };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
