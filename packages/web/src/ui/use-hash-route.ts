import { useEffect, useState } from "react";

/**
 * A few screens need no router library: `#/c/<conversationId>`, `#/settings`, `#/schedules`, `#/usage`,
 * `#/skills`.
 */
export type Route =
  | { page: "chat"; conversationId: string | null }
  | { page: "settings" }
  | { page: "schedules" }
  | { page: "usage" }
  | { page: "skills" };

export function parseHash(hash: string): Route {
  if (hash === "#/settings") return { page: "settings" };
  if (hash === "#/schedules") return { page: "schedules" };
  if (hash === "#/usage") return { page: "usage" };
  if (hash === "#/skills") return { page: "skills" };
  const m = /^#\/c\/([A-Za-z0-9_-]{1,64})$/.exec(hash);
  return { page: "chat", conversationId: m ? (m[1] as string) : null };
}

export function routeHash(route: Route): string {
  if (route.page !== "chat") return `#/${route.page}`;
  return route.conversationId ? `#/c/${route.conversationId}` : "#/";
}

export function useHashRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  const navigate = (next: Route) => {
    const hash = routeHash(next);
    if (window.location.hash !== hash) window.location.hash = hash;
    setRoute(next);
  };
  return [route, navigate];
}
