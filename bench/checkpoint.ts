// Cost of the per-turn state checkpoint (packages/container/src/state-checkpoint.ts) on a real OpenClaw:
// each turn has the agent write a file with its shell and answer. Per turn: the capture (what the next
// turn waits for) against the turn itself (send → final, the same-run baseline), the upload (which
// the final reply waits for, the next turn does not), bytes and blob requests. Then a second task restores the checkpoint and answers; its
// restore and first turn are reported, and whether OpenClaw logged "slow SQLite reclamation".
// By hand: npx tsx bench/checkpoint.ts [turns=8]
import { TaskHarness, until } from "../packages/container/tests/support/harness";
import type { BlobStore } from "../packages/gateway/src/ports";
import { startFakeLlm } from "../packages/testkit/src/fake-llm";
import { arg, defineBench, runIfMain } from "./lib/bench";
import { ms, msSpread, ratio, spread } from "./lib/stats";
import { bootConnected } from "./lib/task-boot";

const API_KEY = "sk-bench-checkpoint-0123456789";

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

const bench = defineBench({
  name: "checkpoint",
  measures:
    "the per-turn state checkpoint's capture (before the next turn) and upload (before the final reply, beside the next turn) vs the turn itself (send → final, same run), on a real OpenClaw whose shell writes a file each turn; then a restore from the checkpoints and the first turn after it",
  async run(ctx) {
    const turns = arg(ctx, 0, 8, 2);
    const llm = await startFakeLlm({ apiKey: API_KEY });
    const h = new TaskHarness();
    const { wrapped, n } = counted(h.stores.blobs);
    (h.stores as { blobs: BlobStore }).blobs = wrapped;
    const finals = (tab: string) => h.push.of("chat.final", tab);
    const logged = (message: string) =>
      h.logs.flatMap((l) => {
        try {
          const e = JSON.parse(l) as Record<string, unknown>;
          return e.message === message ? [e] : [];
        } catch {
          return [];
        }
      });
    const problems: string[] = [];
    const turnMs: number[] = [];
    let afterRestore: {
      restoreMs: number;
      layers: number;
      gets: number;
      firstTurnMs: number;
      slowSqlite: boolean;
    };
    let requests: { put: number; delete: number };
    try {
      await h.start();
      await h.configure({ provider: "openai-compatible", baseUrl: llm.baseUrl, model: llm.model }, API_KEY);
      const tab = await h.addClient();
      const first = await bootConnected(h, ctx, () => h.boot());
      for (let i = 1; i <= turns; i++) {
        const before = { ...n };
        const command = `echo turn ${i} >> notes.txt && echo $RANDOM > turn-${i}.txt`;
        const t0 = performance.now();
        h.gateway.deliver(
          await h.enqueue(`turn ${i} [tool:exec:${JSON.stringify({ command })}]`, "bench", `t-${i}`),
        );
        await until(`t-${i}`, () => finals(tab).some((e) => e.clientMessageId === `t-${i}`), 600_000);
        turnMs.push(performance.now() - t0);
        // A final reply promises its turn is saved (docs/reliability.md).
        if (logged("checkpoint saved").length < i)
          problems.push(`turn ${i}: final before its checkpoint was saved`);
        await until(`checkpoint ${i}`, () => logged("checkpoint saved").length >= i, 120_000);
        const saved = logged("checkpoint saved").at(-1) ?? {};
        const captured = logged("checkpoint captured").at(-1) ?? {};
        ctx.log(
          `turn ${i}: ${Math.round(turnMs.at(-1) ?? 0)} ms; capture ${captured.captureMs} ms (files ${saved.files}, full ${saved.full}); upload ${saved.uploadMs} ms; ${n.putBytes - before.putBytes} bytes in ${n.put - before.put} PUT + ${n.delete - before.delete} DELETE`,
        );
      }
      requests = { put: n.put, delete: n.delete };
      await first.task.stop("signal");
      await first.exit;

      // A second boot from the checkpoints (no crash): restore time and the first turn after it.
      const gets = n.get;
      const second = await bootConnected(h, ctx, () => h.boot());
      const restored = logged("openclaw state restored").at(-1) ?? {};
      const t0 = performance.now();
      h.gateway.deliver(await h.enqueue("what happened so far?", "bench", "after"));
      await until("after", () => finals(tab).some((e) => e.clientMessageId === "after"), 600_000);
      const firstTurnMs = performance.now() - t0;
      const reply = finals(tab).find((e) => e.clientMessageId === "after") as { text?: string } | undefined;
      // The fake LLM echoes the conversation's history: the turns before the stop must be in it.
      if (!reply?.text?.includes(`turn ${turns}`))
        problems.push(
          `the turn after the restore did not see the conversation: ${JSON.stringify(reply?.text)}`,
        );
      afterRestore = {
        restoreMs: Number(restored.ms),
        layers: Number(restored.layers),
        gets: n.get - gets,
        firstTurnMs,
        slowSqlite: (await h.allLogs()).includes("slow SQLite reclamation"),
      };
      await second.task.stop("signal");
      await second.exit;
    } finally {
      await h.stop();
      await llm.stop();
    }

    const saved = logged("checkpoint saved");
    const captures = spread(logged("checkpoint captured").map((e) => Number(e.captureMs)));
    const uploads = spread(saved.map((e) => Number(e.uploadMs)));
    const bytes = spread(saved.map((e) => Number(e.bytes)));
    const incremental = saved.filter((e) => e.full === false);
    const turn = spread(turnMs);
    if (saved.length < turns) problems.push(`${saved.length} checkpoints saved for ${turns} turns`);
    return {
      setup: `${turns} turns, each with a shell command writing files, then one stop and a restore`,
      tables: [
        {
          header: ["per turn", "median (min–max)", "ratio to a turn"],
          rows: [
            ["turn (send → final), the baseline", msSpread(turn), "1"],
            [
              "checkpoint capture (the next turn waits for it)",
              msSpread(captures),
              ratio(captures.median / turn.median),
            ],
            [
              "checkpoint upload (before the final; beside the next turn)",
              msSpread(uploads),
              ratio(uploads.median / turn.median),
            ],
          ],
        },
        {
          header: ["storage", "figure"],
          rows: [
            ["bytes per checkpoint, median (min–max)", `${bytes.median} (${bytes.min}–${bytes.max})`],
            ["incremental checkpoints", `${incremental.length} of ${saved.length}`],
            [`blob requests over ${turns} turns`, `${requests.put} PUT, ${requests.delete} DELETE`],
          ],
        },
        {
          header: ["after a stop", "figure"],
          rows: [
            [
              "restore",
              `${ms(afterRestore.restoreMs)}, ${afterRestore.layers} layer(s), ${afterRestore.gets} GET`,
            ],
            [
              "first turn after the restore",
              `${ms(afterRestore.firstTurnMs)} (${ratio(afterRestore.firstTurnMs / turn.median)} a warm turn)`,
            ],
            ['"slow SQLite reclamation" logged', afterRestore.slowSqlite ? "yes" : "no"],
          ],
        },
      ],
      data: { turns, turnMs, captures, uploads, bytes, requests, afterRestore },
      problems,
    };
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
