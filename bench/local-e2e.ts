// Local mode end to end against bare OpenClaw, in the same run (ratios, not absolute times: the machine
// may be shared). Run: npx tsx bench/local-e2e.ts [warmTurns]
//  - cold start: a message sent while the agent is Idle → its first streamed token, through the whole
//    local stack (gateway handlers, process runner, container entrypoint, OpenClaw), divided by a bare
//    `openclaw gateway run` boot + its first turn (testkit's startOpenClaw + chat);
//  - warm turn: send → final reply through local mode, against the same turn sent straight to OpenClaw.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsoleLogger } from "../packages/local/src/local-logger";
import { createLocalStack } from "../packages/local/src/local-stack";
import { RecordingSocket } from "../packages/local/tests/e2e/ws-client";
import { startFakeLlm, startOpenClaw } from "../packages/testkit/src/index";

const WARM_TURNS = Number(process.argv[2] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const llm = await startFakeLlm();

async function bareOpenClaw(): Promise<{ cold: number; warm: number[] }> {
  const t0 = performance.now();
  const claw = await startOpenClaw({ llmBaseUrl: llm.baseUrl, timeoutMs: 600_000 });
  try {
    await claw.chat("hello", { sessionKey: "bench" });
    const cold = performance.now() - t0;
    const warm: number[] = [];
    for (let i = 0; i < WARM_TURNS; i++) {
      const t = performance.now();
      await claw.chat(`warm turn ${i}`, { sessionKey: "bench" });
      warm.push(performance.now() - t);
    }
    return { cold, warm };
  } finally {
    await claw.stop();
  }
}

async function localMode(): Promise<{ coldFirstToken: number; coldFinal: number; warm: number[] }> {
  const dataDir = await mkdtemp(join(tmpdir(), "bench-local-"));
  const stack = await createLocalStack({
    port: 0,
    dataDir,
    llmBaseUrl: llm.baseUrl,
    llmModel: llm.model,
    env: {},
    logger: createConsoleLogger({ level: "warn" }),
    print: () => {},
  });
  try {
    const { IdToken } = await stack.login(stack.initialLogin.username, stack.initialLogin.password ?? "");
    const socket = await RecordingSocket.open(`${stack.wsUrl}?token=${encodeURIComponent(IdToken)}`);
    const turn = async (id: string, text: string) => {
      const t = performance.now();
      socket.send({ type: "chat.send", conversationId: "bench", clientMessageId: id, text });
      await socket.waitFor(
        "first token",
        (e) => e.type === "chat.delta" && e.clientMessageId === id,
        600_000,
      );
      const firstToken = performance.now() - t;
      const final = await socket.waitFor(
        "final",
        (e) => (e.type === "chat.final" || e.type === "chat.error") && e.clientMessageId === id,
        600_000,
      );
      if (final.type !== "chat.final") throw new Error(`turn failed: ${JSON.stringify(final)}`);
      return { firstToken, final: performance.now() - t };
    };
    const cold = await turn("cold", "hello");
    const warm: number[] = [];
    for (let i = 0; i < WARM_TURNS; i++) warm.push((await turn(`warm-${i}`, `warm turn ${i}`)).final);
    await socket.close();
    return { coldFirstToken: cold.firstToken, coldFinal: cold.final, warm };
  } finally {
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const bare = await bareOpenClaw();
const ours = await localMode();
await llm.stop();

const result = {
  bareColdMs: bare.cold,
  localColdFirstTokenMs: ours.coldFirstToken,
  localColdFinalMs: ours.coldFinal,
  coldRatio: ours.coldFirstToken / bare.cold,
  bareWarmMedianMs: median(bare.warm),
  localWarmMedianMs: median(ours.warm),
  warmAddedMs: median(ours.warm) - median(bare.warm),
  warmRatio: median(ours.warm) / median(bare.warm),
};
console.log(
  `cold start: local mode first token ${fmt(ours.coldFirstToken)} vs bare OpenClaw boot + first turn ${fmt(bare.cold)}`,
);
console.log(`  ratio ${result.coldRatio.toFixed(2)}x`);
console.log(
  `warm turn (median of ${WARM_TURNS}): local mode ${fmt(result.localWarmMedianMs)} vs OpenClaw direct ${fmt(result.bareWarmMedianMs)}`,
);
console.log(`  added ${fmt(result.warmAddedMs)}, ratio ${result.warmRatio.toFixed(2)}x`);
await mkdir("bench/results", { recursive: true });
await writeFile("bench/results/local-e2e.json", `${JSON.stringify(result, null, 2)}\n`);
