import type { HttpApi } from "../api/http-api";
import type { AuthSession } from "../auth/session";
import type { Route } from "./use-hash-route";

const PAGES = [
  { page: "schedules", label: "Schedules" },
  { page: "usage", label: "Usage" },
  { page: "skills", label: "Skills" },
  { page: "settings", label: "Settings" },
] as const;

/** The header: the conversations menu (narrow screens), the pages, who is signed in, sign-out. */
export function TopBar(props: {
  route: Route;
  activeId: string | null;
  navOpen: boolean;
  onToggleNav(): void;
  session: AuthSession;
  api: HttpApi;
}) {
  const { route, activeId, session } = props;
  return (
    <header className="topbar">
      <button
        type="button"
        className="icon-button menu-button"
        aria-label="Conversations"
        aria-expanded={props.navOpen}
        onClick={props.onToggleNav}
      >
        ☰
      </button>
      <span className="brand">OpenClaw</span>
      <nav className="top-links" aria-label="Main">
        <a
          href={activeId ? `#/c/${activeId}` : "#/"}
          aria-current={route.page === "chat" ? "page" : undefined}
        >
          Chat
        </a>
        {PAGES.map(({ page, label }) => (
          <a
            key={page}
            href={`#/${page}`}
            aria-current={route.page === page ? "page" : undefined}
            data-testid={`nav-${page}`}
          >
            {label}
          </a>
        ))}
      </nav>
      <span className="user" title={session.user?.displayName}>
        {session.user?.displayName}
      </span>
      <button
        type="button"
        onClick={() => void signOutEverywhere(props.api, session)}
        title="Signs you out everywhere: revokes your sessions on every device and closes every open tab"
        data-testid="sign-out"
      >
        Sign out everywhere
      </button>
    </header>
  );
}

/**
 * Sign-out is everywhere: first every open browser socket of the user is closed (other tabs and devices
 * stop receiving replies at once), then GlobalSignOut revokes every refresh token.
 */
async function signOutEverywhere(api: HttpApi, session: AuthSession): Promise<void> {
  await api.closeSessions().catch(() => undefined);
  await session.signOut();
}
