import { startFakeLlm } from "@serverless-openclaw/testkit";
import WebSocket from "ws";
import { createConsoleLogger } from "../src/local-logger";
import { createLocalStack } from "../src/local-stack";

const llm = await startFakeLlm();
let t0 = Date.now();
const stamp = () => `${((Date.now() - t0) / 1000).toFixed(2)}s`;
const logger = createConsoleLogger({
  level: "debug",
  write: (l) => console.log(stamp(), "LOG", l.slice(0, 220)),
});
const stack = await createLocalStack({
  port: 0,
  dataDir: "/tmp/local-warm-data",
  llmBaseUrl: llm.baseUrl,
  llmModel: llm.model,
  logger,
  print: () => {},
  env: {},
});
const login = await stack.login(stack.initialLogin.username, stack.initialLogin.password ?? "");
const ws = new WebSocket(`${stack.wsUrl}?token=${login.IdToken}`);
await new Promise((r, j) => {
  ws.once("open", r);
  ws.once("error", j);
});
let resolveFinal: (v: unknown) => void = () => {};
ws.on("message", (d) => {
  const e = JSON.parse(String(d));
  console.log(stamp(), "WS", String(d).slice(0, 150));
  if (e.type === "chat.final" || e.type === "chat.error") resolveFinal(e);
});
for (let i = 0; i < 3; i++) {
  const done = new Promise((r) => {
    resolveFinal = r;
  });
  t0 = Date.now();
  console.log("=== turn", i);
  ws.send(
    JSON.stringify({
      type: "chat.send",
      conversationId: "c1",
      clientMessageId: `m${i}x${Date.now()}`,
      text: `turn ${i}`,
    }),
  );
  await done;
}
for (const r of llm.chatRequests()) console.log("LLM req", r.userText);
ws.close();
await stack.stop();
await llm.stop();
