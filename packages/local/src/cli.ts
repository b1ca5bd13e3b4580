import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isLoopbackHost } from "./server/http-util";
import { createLocalStack, type LocalStack } from "./stack/local-stack";
import { LocalSetupError } from "./support/errors";
import { createConsoleLogger, type LogLevel } from "./support/local-logger";

const HELP = `Usage: npm start -- [options]

Runs serverless-openclaw on this machine: web chat, gateway, and one OpenClaw agent per user, started
when a message arrives and stopped when idle.

Options:
  --port <n>            port to listen on (default 8787)
  --host <addr>         address to bind (default 127.0.0.1; anything else exposes local mode to your network)
  --data-dir <dir>      where history, agent memory, users and keys are kept (default ./.local-data)
  --llm-base-url <url>  use an OpenAI-compatible server (Ollama: http://127.0.0.1:11434/v1)
  --llm-model <id>      the model to ask that server for (default "default")
  --aws-standins        use DynamoDB Local, s3rver and cognito-local with the AWS adapters instead of the
                        embedded stores and issuer (loopback only: cognito-local's signing key is public,
                        so not with a non-loopback --host)
  --show-login          print the generated login and exit
  --log-level <level>   debug, info, warn or error (default info)
  -h, --help            this text

Environment: LOCAL_USER / LOCAL_PASSWORD (the first user), ANTHROPIC_API_KEY, OPENAI_API_KEY,
DEEPSEEK_API_KEY, OPENAI_BASE_URL, LLM_MODEL (the first user's LLM), TELEGRAM_BOT_TOKEN (Telegram bot via
long polling; TELEGRAM_API_ROOT for another Bot API server), DISCORD_PUBLIC_KEY / DISCORD_APPLICATION_ID /
DISCORD_BOT_TOKEN (Discord at /api/discord/interactions; DISCORD_CHANNEL_IDS, comma-separated, for the
server channels where /ask is answered besides DMs), SLACK_SIGNING_SECRET / SLACK_BOT_TOKEN (Slack at
/api/slack/events and /api/slack/commands); Discord and Slack need a tunnel to reach this machine.
DISCORD_API_BASE_URL / SLACK_API_BASE_URL point their API calls at another server (tests).
OPENCLAW_MODE=gateway runs OpenClaw's gateway in each agent instead of its embedded agent.
See docs/local-mode.md.`;

/**
 * Signals this close to the first are copies of the same Ctrl-C (relayed by npm, which may run late
 * on a busy machine); only a press after that kills the agents without saving.
 */
const SAME_PRESS_MS = 2_000;

function parse() {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      "llm-base-url": { type: "string" },
      "llm-model": { type: "string" },
      "aws-standins": { type: "boolean" },
      "show-login": { type: "boolean" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, not ${values.port}`);
  const level = (values["log-level"] ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(level))
    throw new Error("--log-level must be debug, info, warn or error");
  return { ...values, port, level, dataDir: resolve(values["data-dir"] ?? ".local-data") };
}

async function showLogin(dataDir: string): Promise<void> {
  try {
    const saved = JSON.parse(await readFile(join(dataDir, "identity", "initial-login.json"), "utf8"));
    console.log(`user: ${saved.username}\npassword: ${saved.password}`);
  } catch {
    console.log(
      `No generated login in ${dataDir}: the first user came from LOCAL_USER/LOCAL_PASSWORD, or local mode has not run yet.`,
    );
  }
}

function banner(stack: LocalStack): string {
  const login = stack.initialLogin;
  const how =
    login.source === "generated"
      ? `user "${login.username}", password "${login.password}" (generated now; \`npm start -- --show-login\` shows it again)`
      : login.source === "env"
        ? `user "${login.username}" with LOCAL_PASSWORD`
        : `user "${login.username}" (\`npm start -- --show-login\` shows a generated password)`;
  const llm = stack.provider
    ? `LLM     ${stack.provider}`
    : [
        "LLM     none yet. The agent will answer with how to set one. Either open Settings in the web UI, or",
        "          restart with ANTHROPIC_API_KEY=…, OPENAI_API_KEY=…, DEEPSEEK_API_KEY=…, or",
        "          OPENAI_BASE_URL=http://127.0.0.1:11434/v1 (Ollama, vLLM) / --llm-base-url <url>",
      ].join("\n");
  return [
    "",
    "serverless-openclaw (local mode)",
    `  Open    ${stack.url}`,
    `  Log in  ${how}`,
    `  ${llm}`,
    `  Data    ${stack.dataDir}`,
    "  Stop    Ctrl-C (agents save their memory first; press twice to kill at once)",
    "",
  ].join("\n");
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse();
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  if (args["show-login"]) {
    await showLogin(args.dataDir);
    return 0;
  }
  const host = args.host ?? "127.0.0.1";
  const logger = createConsoleLogger({ level: args.level });
  if (!isLoopbackHost(host)) {
    logger.warn(
      `Listening on ${host}: anyone who can reach this address can try to log in. Local mode is meant for loopback.`,
    );
  }

  let stack: LocalStack;
  try {
    stack = await createLocalStack({
      port: args.port,
      host,
      allowNonLoopback: args.host !== undefined,
      dataDir: args.dataDir,
      llmBaseUrl: args["llm-base-url"],
      llmModel: args["llm-model"],
      awsStandins: args["aws-standins"] === true,
      logger,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      console.error(`Port ${args.port} is in use. Stop the other program or pass --port <n>.`);
    else if (err instanceof LocalSetupError) console.error(err.message);
    else
      console.error(
        `Local mode could not start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    return 1;
  }
  // Whatever happens, no agent (each holds ~1 GB) may outlive this process.
  process.on("exit", () => stack.runner.killAll());
  // The signal handlers go in before the banner: whoever reads "Ctrl-C" may press it at once.
  const stopped = new Promise<number>((done) => {
    let firstAt: number | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (firstAt !== undefined) {
        // One Ctrl-C reaches this process more than once: from the terminal (the whole foreground
        // group gets it) and relayed by npm. Copies that close together are the same press.
        if (Date.now() - firstAt < SAME_PRESS_MS) return;
        console.log("Killing the agents now (their latest memory may be lost).");
        stack.runner.killAll();
        done(130);
        return;
      }
      firstAt = Date.now();
      console.log(
        `\n${signal}: stopping agents (saving their memory) and the server… (press Ctrl-C again to kill them at once)`,
      );
      stack.stop().then(
        () => {
          console.log("Stopped.");
          done(0);
        },
        (err: unknown) => {
          console.error("Shutdown failed:", err);
          done(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("SIGHUP", onSignal);
  });
  console.log(banner(stack));
  return stopped;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
