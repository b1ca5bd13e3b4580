import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { processStartTime, signalGroup } from "../src/process-group";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

/** A detached `sleep`: the leader of a process group of its own. */
function leader() {
  const child = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
  const pid = child.pid as number;
  return { child, pid, start: processStartTime(pid) };
}

describe.runIf(process.platform === "linux")("signalGroup", () => {
  it("signals the group while its leader is the process we started", async () => {
    const { child, pid, start } = leader();
    expect(start).toMatch(/^\d+$/);
    const exited = once(child, "exit");
    signalGroup(pid, start, "SIGTERM");
    const [, sig] = await exited;
    expect(sig).toBe("SIGTERM");
  });

  it("leaves the group alone when its number now belongs to a process with another start time", async () => {
    // What a reused pid looks like from here: a live process `pgid` that is not the one we started.
    const { child, pid, start } = leader();
    const exited = once(child, "exit");
    signalGroup(pid, `${Number(start) - 1}`, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(pid)).toBe(true);
    child.kill("SIGKILL");
    await exited;
  });

  it("still reaches members left in the group after its leader exited", async () => {
    // The leader starts a member in its group, says its pid and exits.
    const child = spawn("sh", ["-c", "sleep 600 & echo $!"], {
      detached: true,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const pgid = child.pid as number;
    const start = processStartTime(pgid);
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    await once(child, "exit");
    const member = Number(out.trim());
    expect(alive(member)).toBe(true);
    expect(processStartTime(pgid)).toBeUndefined();
    signalGroup(pgid, start, "SIGKILL");
    expect(await gone(member)).toBe(true);
  });
});
