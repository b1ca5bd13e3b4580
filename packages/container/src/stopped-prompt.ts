import { spawn } from "node:child_process";
import * as z from "zod";

/**
 * Calls one method of OpenClaw's gateway (its WebSocket RPC) through OpenClaw's own CLI,
 * `openclaw gateway call <method> --params <json> --json`, which speaks the protocol for us.
 */
export type GatewayCall = (method: string, params: Record<string, unknown>) => Promise<unknown>;

export function cliGatewayCall(options: {
  node: string;
  entry: string;
  url: string;
  token: string;
  env: Record<string, string>;
  timeoutMs?: number;
}): GatewayCall {
  return (method, params) =>
    new Promise((resolve, reject) => {
      const child = spawn(
        options.node,
        [
          options.entry,
          "gateway",
          "call",
          method,
          "--params",
          JSON.stringify(params),
          "--json",
          "--url",
          options.url,
          "--token",
          options.token,
        ],
        // Detached like OpenClaw: a stop of the task's group must not cut the rewind short.
        { env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true },
      );
      let out = "";
      let err = "";
      child.stdout?.on("data", (c: Buffer) => {
        out += c.toString("utf8");
      });
      child.stderr?.on("data", (c: Buffer) => {
        err = (err + c.toString("utf8")).slice(-2_000);
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
      child.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) {
          reject(
            new Error(`openclaw gateway call ${method} failed (${signal ?? `exit ${code}`}): ${err.trim()}`),
          );
          return;
        }
        try {
          resolve(JSON.parse(out.slice(out.indexOf("{"))));
        } catch {
          reject(new Error(`openclaw gateway call ${method}: not JSON: ${out.slice(0, 200)}`));
        }
      });
    });
}

const historySchema = z.object({
  messages: z.array(
    z.looseObject({
      role: z.string(),
      content: z.unknown(),
      __openclaw: z.looseObject({ id: z.string().optional() }).optional(),
    }),
  ),
  sessionInfo: z.looseObject({ status: z.string().optional() }).optional(),
});

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((part) => (typeof part === "object" && part && "text" in part ? String(part.text) : ""))
      .join("");
  return "";
}

/**
 * Takes a stopped prompt out of OpenClaw's session. OpenClaw keeps the user message of an aborted run
 * and merges it into the next prompt of the session ("[Queued user message from a previous active
 * turn; preserved as context only …]"), so a model with a shell could still act on an instruction the
 * user aborted. `sessions.rewind` at that message moves the session back to just before it: the
 * stopped prompt and whatever the aborted run added after it leave the context; earlier turns stay.
 * Returns whether it rewound (false: OpenClaw had not recorded the prompt).
 */
export async function forgetStoppedPrompt(
  call: GatewayCall,
  sessionKey: string,
  text: string,
  options: { waitMs?: number; pollMs?: number } = {},
): Promise<boolean> {
  const deadline = Date.now() + (options.waitMs ?? 90_000);
  const needle = text.trim();
  for (;;) {
    const history = historySchema.parse(await call("chat.history", { sessionKey, limit: 50 }));
    // The most recent user message, if it is the stopped prompt.
    const last = [...history.messages].reverse().find((m) => m.role === "user");
    const entryId = last && textOf(last.content).includes(needle) ? last.__openclaw?.id : undefined;
    // The aborted run must be over (OpenClaw records the prompt, then ends the run) before a rewind.
    const settled = history.sessionInfo?.status !== "running";
    if (entryId && (settled || Date.now() > deadline)) {
      await call("sessions.rewind", { sessionKey, entryId });
      return true;
    }
    // Never recorded (stopped before OpenClaw took it in): nothing can bring it back.
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1_000));
  }
}
