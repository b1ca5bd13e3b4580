// Cost of the per-turn state checkpoint (packages/container/src/state-checkpoint.ts) on a real OpenClaw:
// each turn has the agent write a file with its shell and answer.
// 1. Turns one after another. Per turn, from the task's log: the freeze (what the next turn waits for),
//    the whole capture (freeze + the part beside the next turn) and the upload (which the final reply
//    waits for), against the turn itself (send → final, the same-run baseline); bytes and blob requests.
// 2. A second task restores the checkpoints and answers; its restore and first turn are reported, and
//    whether OpenClaw logged "slow SQLite reclamation".
// 3. Messages queued back to back (a burst): how long after a turn's last streamed text the next turn
//    starts, with per-turn checkpoints (that second task) and without (a third task booted with
//    STATE_CHECKPOINTS=stop-only), same run: the difference is what a checkpoint adds before the next
//    turn can start, seen from outside the task.
// By hand: npx tsx bench/checkpoint.ts [turns=8] [burst=8]
import { type RunningTask, TaskHarness, until } from "@serverless-openclaw/container/testing";
import type { BlobStore } from "@serverless-openclaw/gateway";
import { startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
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

const shell = (command: string) => `[tool:exec:${JSON.stringify({ command })}]`;

const bench = defineBench({
  name: "checkpoint",
  measures:
    "the per-turn state checkpoint on a real OpenClaw whose shell writes a file each turn: its freeze (before the next turn), the rest of its capture (beside the next turn) and its upload (before the final reply) vs the turn itself (send → final, same run); a restore and the first turn after it; and, for messages queued back to back, the next turn's start after the previous turn's last text with per-turn checkpoints vs without (STATE_CHECKPOINTS=stop-only), same run",
  async run(ctx) {
    const turns = arg(ctx, 0, 8, 2);
    const burstSize = arg(ctx, 1, 8, 2);
    const llm = await startFakeLlm({ apiKey: API_KEY });
    const h = new TaskHarness();
    const { wrapped, n } = counted(h.stores.blobs);
    (h.stores as { blobs: BlobStore }).blobs = wrapped;
    // When each push left the task (the recorder is in this process): the burst's gaps are read from it.
    const stamps: Array<{ type: unknown; clientMessageId: unknown; at: number }> = [];
    const send = h.push.send.bind(h.push);
    h.push.send = (connectionId, event) => {
      const e = event as Record<string, unknown>;
      stamps.push({ type: e.type, clientMessageId: e.clientMessageId, at: performance.now() });
      return send(connectionId, event);
    };
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
    const gaps: Record<"per-turn" | "stop-only", number[]> = { "per-turn": [], "stop-only": [] };

    /** Queues `burstSize` messages at once; per pair, the next turn's start after the last text before it. */
    const burst = async (tab: string, label: "per-turn" | "stop-only"): Promise<void> => {
      const ids = Array.from({ length: burstSize }, (_, i) => `${label}-${i + 1}`);
      for (const [i, id] of ids.entries())
        h.gateway.deliver(
          await h.enqueue(`burst ${i + 1} ${shell(`echo ${id} >> burst.txt`)}`, "bench-burst", id),
        );
      await until(
        `the ${label} burst answered`,
        () => ids.every((id) => finals(tab).some((e) => e.clientMessageId === id)),
        600_000,
      );
      for (let i = 1; i < ids.length; i++) {
        const lastText = stamps
          .filter((s) => s.type === "chat.delta" && s.clientMessageId === ids[i - 1])
          .at(-1);
        const started = stamps.find((s) => s.type === "chat.started" && s.clientMessageId === ids[i]);
        if (!lastText || !started) problems.push(`burst ${label}: no text or no start around turn ${i + 1}`);
        else gaps[label].push(started.at - lastText.at);
      }
      ctx.log(
        `burst (${label}): next turn started ${gaps[label].map((g) => ms(g)).join(", ")} after the last text`,
      );
    };
    const stopTask = async (run: RunningTask) => {
      await run.task.stop("signal");
      await run.exit;
    };

    try {
      await h.start();
      await h.configure({ provider: "openai-compatible", baseUrl: llm.baseUrl, model: llm.model }, API_KEY);
      const tab = await h.addClient();
      const first = await bootConnected(h, ctx, () => h.boot());
      for (let i = 1; i <= turns; i++) {
        const before = { ...n };
        const command = `echo turn ${i} >> notes.txt && echo $RANDOM > turn-${i}.txt`;
        const t0 = performance.now();
        h.gateway.deliver(await h.enqueue(`turn ${i} ${shell(command)}`, "bench", `t-${i}`));
        await until(`t-${i}`, () => finals(tab).some((e) => e.clientMessageId === `t-${i}`), 600_000);
        turnMs.push(performance.now() - t0);
        // A final reply promises its turn is saved (docs/reliability.md).
        if (logged("checkpoint saved").length < i)
          problems.push(`turn ${i}: final before its checkpoint was saved`);
        await until(`checkpoint ${i}`, () => logged("checkpoint saved").length >= i, 120_000);
        const saved = logged("checkpoint saved").at(-1) ?? {};
        const captured = logged("checkpoint captured").at(-1) ?? {};
        ctx.log(
          `turn ${i}: ${Math.round(turnMs.at(-1) ?? 0)} ms; frozen ${captured.frozenMs} ms, captured ${captured.captureMs} ms (files ${saved.files}, full ${saved.full}); upload ${saved.uploadMs} ms; ${n.putBytes - before.putBytes} bytes in ${n.put - before.put} PUT + ${n.delete - before.delete} DELETE`,
        );
      }
      requests = { put: n.put, delete: n.delete };
      await stopTask(first);

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
      await burst(tab, "per-turn");
      await stopTask(second);

      // The same burst without per-turn checkpoints: the same-run baseline of the next turn's start
      // (not in the short form, which only proves the bench runs: it would cost npm test a boot).
      if (!ctx.smoke) {
        const third = await bootConnected(h, ctx, () => h.boot({}, { stateCheckpoints: "stop-only" }));
        await burst(tab, "stop-only");
        await stopTask(third);
      }
    } finally {
      await h.stop();
      await llm.stop();
    }

    const saved = logged("checkpoint saved");
    const captured = logged("checkpoint captured");
    const frozen = spread(captured.map((e) => Number(e.frozenMs)));
    const captures = spread(captured.map((e) => Number(e.captureMs)));
    const uploads = spread(saved.map((e) => Number(e.uploadMs)));
    const bytes = spread(saved.map((e) => Number(e.bytes)));
    const incremental = saved.filter((e) => e.full === false);
    const turn = spread(turnMs);
    const withCheckpoints = spread(gaps["per-turn"]);
    const without = spread(gaps["stop-only"]);
    if (saved.length < turns) problems.push(`${saved.length} checkpoints saved for ${turns} turns`);
    return {
      setup: `${turns} turns, each with a shell command writing files, then one stop and a restore; bursts of ${burstSize} queued messages with and without per-turn checkpoints (${captured.length} checkpoints captured in all)`,
      tables: [
        {
          header: ["per turn", "median (min–max)", "ratio to a turn"],
          rows: [
            ["turn (send → final), the baseline", msSpread(turn), "1"],
            [
              "checkpoint freeze (the next turn waits for it)",
              msSpread(frozen),
              ratio(frozen.median / turn.median),
            ],
            [
              "whole capture (freeze + the part beside the next turn; all of it used to be before it)",
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
          header: [
            "queued messages: next turn starts after the last text",
            "median (min–max)",
            "added by checkpoints (medians)",
          ],
          rows: [
            ["without per-turn checkpoints (stop-only), the baseline", msSpread(without), "0"],
            [
              "with per-turn checkpoints (default)",
              msSpread(withCheckpoints),
              ms(withCheckpoints.median - without.median),
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
      data: { turns, turnMs, frozen, captures, uploads, bytes, requests, afterRestore, gaps },
      problems,
    };
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
