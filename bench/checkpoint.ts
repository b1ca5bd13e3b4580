// Cost of the per-turn state checkpoint (packages/container/src/state-checkpoint.ts) on a real OpenClaw:
// each turn has the agent write a file with its shell and answer. Per turn: the capture (what the next
// turn waits for) against the turn itself (send → final, the same-run baseline), the background
// upload, bytes and blob requests. Then a second task restores the checkpoint and answers; its
// restore and first turn are reported, and whether OpenClaw logged "slow SQLite reclamation".
// Run: npx tsx bench/checkpoint.ts [turns]

import { TaskHarness, until } from "../packages/container/tests/support/harness";
import { createMemoryStores } from "../packages/gateway/src/adapters/local/embedded-stores";
import type { BlobStore } from "../packages/gateway/src/ports";
import { startFakeLlm } from "../packages/testkit/src/fake-llm";

const TURNS = Number(process.argv[2] ?? 8);
const API_KEY = "sk-bench-checkpoint-0123456789";
const llm = await startFakeLlm({ apiKey: API_KEY });

/** Counts blob requests by kind, as S3 would bill them. */
function counted(blobs: BlobStore) {
  const n = { put: 0, get: 0, delete: 0, putBytes: 0 };
  const wrapped: BlobStore = {
    put: (k, b) => {
      n.put += 1;
      n.putBytes += b.byteLength;
      return blobs.put(k, b);
    },
    get: (k) => {
      n.get += 1;
      return blobs.get(k);
    },
    delete: (k) => {
      n.delete += 1;
      return blobs.delete(k);
    },
    list: (p) => blobs.list(p),
  };
  return { wrapped, n };
}

const h = new TaskHarness();
const memory = createMemoryStores();
const { wrapped, n } = counted(memory.blobs);
(h.stores as { blobs: BlobStore }).blobs = wrapped;
await h.start();
await h.configure({ provider: "openai-compatible", baseUrl: llm.baseUrl, model: llm.model }, API_KEY);
const tab = await h.addClient();
const finals = () => h.push.of("chat.final", tab);
const logged = (message: string) =>
  h.logs.flatMap((l) => {
    try {
      const e = JSON.parse(l) as Record<string, unknown>;
      return e.message === message ? [e] : [];
    } catch {
      return [];
    }
  });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

try {
  const first = await h.boot();
  await until("connected", () => h.gateway.connected > 0, 600_000);
  const turnMs: number[] = [];
  for (let i = 1; i <= TURNS; i++) {
    const before = { ...n };
    const command = `echo turn ${i} >> notes.txt && echo $RANDOM > turn-${i}.txt`;
    const t0 = performance.now();
    h.gateway.deliver(
      await h.enqueue(`turn ${i} [tool:exec:${JSON.stringify({ command })}]`, "bench", `t-${i}`),
    );
    await until(`t-${i}`, () => finals().some((e) => e.clientMessageId === `t-${i}`), 600_000);
    turnMs.push(performance.now() - t0);
    await until(`checkpoint ${i}`, () => logged("checkpoint saved").length >= i, 120_000);
    const saved = logged("checkpoint saved").at(-1) ?? {};
    const captured = logged("checkpoint captured").at(-1) ?? {};
    console.log(
      `turn ${i}: ${Math.round(turnMs.at(-1) ?? 0)} ms; capture ${captured.captureMs} ms (files ${saved.files}, full ${saved.full}); upload ${saved.uploadMs} ms; ${n.putBytes - before.putBytes} bytes in ${n.put - before.put} PUT + ${n.delete - before.delete} DELETE`,
    );
  }
  const captures = logged("checkpoint captured").map((e) => Number(e.captureMs));
  const uploads = logged("checkpoint saved").map((e) => Number(e.uploadMs));
  const bytes = logged("checkpoint saved").map((e) => Number(e.bytes));
  const incremental = logged("checkpoint saved").filter((e) => e.full === false);
  console.log(
    `\nmedian turn ${Math.round(median(turnMs))} ms; median capture ${median(captures)} ms (${(median(captures) / median(turnMs)).toFixed(3)}× a turn); median upload ${median(uploads)} ms (off the path)`,
  );
  console.log(
    `bytes per checkpoint: median ${median(bytes)}; incremental median ${median(incremental.map((e) => Number(e.bytes)))} (${incremental.length} of ${bytes.length})`,
  );
  console.log(`blob requests over ${TURNS} turns: ${n.put} PUT, ${n.delete} DELETE`);

  await first.task.stop("signal");
  await first.exit;

  // Crash-free second boot from the checkpoint: restore time and the first turn after it.
  const gets = n.get;
  const second = await h.boot();
  await until("connected again", () => h.gateway.connected > 0, 600_000);
  const restored = logged("openclaw state restored").at(-1) ?? {};
  const t0 = performance.now();
  h.gateway.deliver(await h.enqueue("what happened so far?", "bench", "after"));
  await until("after", () => finals().some((e) => e.clientMessageId === "after"), 600_000);
  const firstAfter = performance.now() - t0;
  const logs = await h.allLogs();
  console.log(
    `\nrestore: ${restored.ms} ms, ${restored.layers} layer(s), ${n.get - gets} GET; first turn after restore ${Math.round(firstAfter)} ms (${(firstAfter / median(turnMs)).toFixed(2)}× a warm turn); "slow SQLite reclamation" logged: ${logs.includes("slow SQLite reclamation")}`,
  );
  await second.task.stop("signal");
  await second.exit;
} finally {
  await h.stop();
  await llm.stop();
}
