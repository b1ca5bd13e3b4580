import { startFakeLlm } from "@serverless-openclaw/testkit";
import WebSocket from "ws";
import { createConsoleLogger } from "../src/local-logger";
import { createLocalStack } from "../src/local-stack";

const llm = await startFakeLlm();
const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const logger = createConsoleLogger({
  level: "info",
  write: (l) => console.log(stamp(), "LOG", l.slice(0, 300)),
});
const stack = await createLocalStack({
  port: 0,
  dataDir: "/tmp/local-half-data",
  llmBaseUrl: llm.baseUrl,
  llmModel: llm.model,
  logger,
  print: (l) => console.log(stamp(), "PRINT", l),
  env: {},
});
const login = await stack.login(stack.initialLogin.username, stack.initialLogin.password ?? "");
const ws = new WebSocket(`${stack.wsUrl}?token=${login.IdToken}`);
await new Promise((r, j) => {
  ws.once("open", r);
  ws.once("error", j);
});
const done = new Promise((r) =>
  ws.on("message", (d) => {
    const e = JSON.parse(String(d));
    console.log(stamp(), "WS", String(d).slice(0, 200));
    if (e.type === "chat.final" || e.type === "chat.error") r(e);
  }),
);
ws.send(
  JSON.stringify({
    type: "chat.send",
    conversationId: "c1",
    clientMessageId: `m${Date.now()}`,
    text: process.argv[2] ?? "hello there",
  }),
);
await done;
ws.close();
await stack.stop();
await llm.stop();
console.log(stamp(), "stopped");
