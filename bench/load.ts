// Load on loopback: many users and browser connections at once through the whole local stack. Every
// message must get exactly one reply (none lost, none doubled, checked on every connection and in
// history; a failure fails the run, and its short form in `npm test`); p50/p99 of send → reply against
// the same number of turns sent straight to each user's own OpenClaw with the same concurrency, and the
// local server's memory.
// Each user is an agent task = an OpenClaw process (~1 GB RAM, 15 s boot alone, far more when many boot
// at once on 2 cores), so users stay few and the load is in connections and messages.
// By hand: npx tsx bench/load.ts [users=5] [connectionsPerUser=10] [messagesPerConnection=4] [timeoutMinutes=20]
import { Harness, runLoad } from "@serverless-openclaw/local/testing";
import { startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { arg, defineBench, runIfMain } from "./lib/bench";
import { ms, ratio } from "./lib/stats";

const bench = defineBench({
  name: "load",
  measures:
    "many users and browser connections at once on loopback: exactly-once on every connection and in history; send → reply vs the same turns straight to each user's OpenClaw",
  async run(ctx) {
    // The short form is what used to be the load test: 2 users × 3 connections × 3 messages.
    const users = arg(ctx, 0, 5, 2);
    const connectionsPerUser = arg(ctx, 1, 10, 3);
    const messagesPerConnection = arg(ctx, 2, 4, 3);
    const minutes = arg(ctx, 3, 20, 15);
    const llm = await startFakeLlm();
    // The gateway: the "direct" side calls its chat completions endpoint.
    const h = await Harness.start({ llm, agentEnv: { INACTIVITY_MS: "3600000", OPENCLAW_MODE: "gateway" } });
    try {
      const report = await runLoad(h, {
        users,
        connectionsPerUser,
        messagesPerConnection,
        timeoutMs: minutes * 60_000,
        direct: true,
      });
      const expected = users * connectionsPerUser * messagesPerConnection;
      const problems = [...report.problems];
      if (report.messages !== expected) problems.push(`${report.messages} of ${expected} messages answered`);
      // One task per user, however many tabs it has open.
      if (report.starts !== users) problems.push(`${report.starts} task starts for ${users} users`);
      const s = report.stackMs;
      const d = report.directMs;
      ctx.log(`${report.messages} messages, ${problems.length} problems, stack p50 ${ms(s.p50)}`);
      return {
        setup:
          `${users} users × ${connectionsPerUser} connections = ${users * connectionsPerUser} connections, ` +
          `${messagesPerConnection} messages per connection = ${expected} messages, bounded at ${minutes} min`,
        tables: [
          {
            header: ["figure", "value"],
            rows: [
              [
                "exactly once",
                problems.length === 0
                  ? `**${report.messages}/${expected}**: every message ended exactly once on every connection of its user, and each turn is in history once`
                  : `**${problems.length} problems**: ${problems.slice(0, 3).join("; ")}`,
              ],
              ["task starts", `${report.starts} (one per user)`],
              [`agents' boot (${users} at once)`, ms(report.bootMs)],
              ["send → reply, whole stack", `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`],
              ...(d
                ? [
                    ["same turns straight to each user's OpenClaw", `p50 ${ms(d.p50)}, p99 ${ms(d.p99)}`],
                    [
                      "added",
                      `p50 ${ms(s.p50 - d.p50)} (${ratio(s.p50 / d.p50)}), p99 ${ms(s.p99 - d.p99)} (${ratio(s.p99 / d.p99)})`,
                    ],
                  ]
                : []),
              [
                "local server process RSS",
                `${report.rssMb.before.toFixed(0)} MB before, peak ${report.rssMb.peak.toFixed(0)} MB (includes the bench clients; agents are separate processes)`,
              ],
            ],
          },
        ],
        data: report,
        problems,
      };
    } finally {
      await h.dispose();
      await llm.stop();
    }
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
