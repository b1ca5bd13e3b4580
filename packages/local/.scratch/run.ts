import { startFakeLlm } from "@serverless-openclaw/testkit";
import WebSocket from "ws";
import { createConsoleLogger } from "../src/local-logger";
import { createLocalStack } from "../src/local-stack";

const llm = await startFakeLlm();
const t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const logger = createConsoleLogger({ level: "debug", write: (l) => console.log(stamp(), "LOG", l) });
const stack = await createLocalStack({
  port: 0,
  dataDir: "/tmp/local-scratch-data",
  llmBaseUrl: llm.baseUrl,
  llmModel: llm.model,
  logger,
  print: (l) => console.log(stamp(), "PRINT", l),
});
console.log("stack at", stack.url, stack.initialLogin);
const login = await stack.login(stack.initialLogin.username, stack.initialLogin.password ?? "");
const ws = new WebSocket(`${stack.wsUrl}?token=${login.IdToken}`);
await new Promise((r, j) => {
  ws.once("open", r);
  ws.once("error", j);
});
ws.on("message", (d) => console.log(stamp(), "WS", String(d).slice(0, 300)));
ws.send(
  JSON.stringify({
    type: "chat.send",
    conversationId: "c1",
    clientMessageId: `m${Date.now()}`,
    text: process.argv[2] ?? "hello there",
  }),
);
await new Promise((r) => setTimeout(r, Number(process.env.WAIT ?? 60000)));
ws.close();
await stack.stop();
await llm.stop();
console.log(stamp(), "stopped");
