import { accessSync, constants } from "node:fs";
import { commaList } from "@serverless-openclaw/shared";

/** Where this task finds Chromium for OpenClaw's browser tool; undefined: the image has none. */
export interface ChromiumOptions {
  path: string;
  noSandbox: boolean;
  /** Private hosts the browser may open anyway; only tests and local experiments set it. */
  allowedHostnames: string[];
}

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Reads the browser image's settings from the task environment: `CHROMIUM_PATH` (default
 * /usr/bin/chromium, used only when it is an executable file), `CHROMIUM_NO_SANDBOX` ("1"/"0"; on
 * by default as root, where Chromium refuses its sandbox) and `BROWSER_ALLOWED_HOSTS` (comma list).
 */
export function chromiumFromEnv(
  env: Readonly<{ CHROMIUM_PATH?: string; CHROMIUM_NO_SANDBOX?: string; BROWSER_ALLOWED_HOSTS?: string }>,
  isExecutable: (path: string) => boolean = executable,
  isRoot: boolean = process.getuid?.() === 0,
): ChromiumOptions | undefined {
  const path = env.CHROMIUM_PATH?.trim() || DEFAULT_CHROMIUM_PATH;
  if (!isExecutable(path)) return undefined;
  const flag = env.CHROMIUM_NO_SANDBOX?.trim();
  return {
    path,
    noSandbox: flag === undefined || flag === "" ? isRoot : flag === "1",
    allowedHostnames: commaList(env.BROWSER_ALLOWED_HOSTS),
  };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
