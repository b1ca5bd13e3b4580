/**
 * The screenshots in README.md and docs/ (docs/images/<name>.png), all taken by takeScreenshots from
 * the real product: the production web bundle in Chromium against local mode, with a real OpenClaw
 * behind the fake LLM. `scripts/screenshots.ts` writes them; an e2e test runs the same tour.
 */
export const SCREENSHOTS = {
  "web-waking": "a message sent while the agent wakes: the start-up step, the queued message",
  "web-chat": "a streamed reply rendered as Markdown, the conversation list, the agent running",
  "web-activity": "a reply with the exec tool call it made: command, done, duration, result opened",
  "web-settings": "Settings: provider, key, inactivity timeout, browser, keep-warm hours with their cost",
  "web-skills": "the Skills page: upload, built-in skills with their switches",
  "web-reconnecting": "the server unreachable: the message kept, to be sent when it is back",
  "web-phone-dark": "a phone, dark colour scheme",
  "web-phone-drawer": "a phone, the conversation drawer open",
  "web-no-provider": "no AI provider yet: answered at once, naming every option, with a link to Settings",
} as const;
export type ScreenshotName = keyof typeof SCREENSHOTS;
