// Load on loopback: many users and browser connections at once through the whole local stack. Every
// message must get exactly one reply (none lost, none doubled, checked on every connection and in
// history); prints p50/p99 of send → reply against the same number of turns sent straight to each
// user's own OpenClaw with the same concurrency, and the local server's memory.
// Each user is an agent task = an OpenClaw process (~1 GB RAM, 15 s boot alone, far more when many boot
// at once on 2 cores), so the default keeps users few and puts the load in connections and messages.
// Run: npx tsx bench/load.ts [users=6] [connectionsPerUser=8] [messagesPerConnection=5] [timeoutMinutes=20]
import { mkdir, writeFile } from "node:fs/promises";
import { Harness } from "../packages/local/tests/load/harness";
import { runLoad } from "../packages/local/tests/load/load-run";
import { startFakeLlm } from "../packages/testkit/src/fake-llm";
import { agentHoursTable } from "./agent-hours";

const [users = 6, connectionsPerUser = 8, messagesPerConnection = 5, minutes = 20] = process.argv
  .slice(2)
  .map(Number);

const llm = await startFakeLlm();
const h = await Harness.start({ llm, agentEnv: { INACTIVITY_MS: "3600000" } });
let code = 0;
try {
  const report = await runLoad(h, {
    users,
    connectionsPerUser,
    messagesPerConnection,
    timeoutMs: minutes * 60_000,
    direct: true,
  });
  const f = (n: number) => `${n.toFixed(0)} ms`;
  console.log(
    `${users} users × ${connectionsPerUser} connections × ${messagesPerConnection} messages = ${report.messages} messages ` +
      `(${users * connectionsPerUser} connections), ${report.starts} task starts, agents booted in ${f(report.bootMs)}`,
  );
  console.log(
    report.problems.length === 0
      ? "exactly once: every message got exactly one reply on every connection and in history"
      : `PROBLEMS (${report.problems.length}):\n  ${report.problems.slice(0, 30).join("\n  ")}`,
  );
  const d = report.directMs;
  const s = report.stackMs;
  console.log(`send → reply, whole stack: p50 ${f(s.p50)} p99 ${f(s.p99)} max ${f(s.max)}`);
  if (d) {
    console.log(`same turns straight to OpenClaw: p50 ${f(d.p50)} p99 ${f(d.p99)} max ${f(d.max)}`);
    console.log(
      `added: p50 ${f(s.p50 - d.p50)} (${(s.p50 / d.p50).toFixed(2)}×), p99 ${f(s.p99 - d.p99)} (${(s.p99 / d.p99).toFixed(2)}×)`,
    );
  }
  console.log(
    `local server process RSS: ${report.rssMb.before.toFixed(0)} MB before, peak ${report.rssMb.peak.toFixed(0)} MB, ` +
      `${report.rssMb.after.toFixed(0)} MB after (agents are separate processes, not counted)`,
  );
  for (const line of agentHoursTable()) console.log(line);
  await mkdir("bench/results", { recursive: true });
  await writeFile("bench/results/load.json", `${JSON.stringify(report, null, 2)}\n`);
  if (report.problems.length > 0) code = 1;
} finally {
  await h.dispose();
  await llm.stop();
}
process.exit(code);
