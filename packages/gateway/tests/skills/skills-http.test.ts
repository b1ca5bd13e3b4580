import { BUILTIN_SKILLS, KEYS, LIMITS } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createHttpApiHandler } from "../../src/handlers";
import { readSkillArchive } from "../../src/skills/skill-archive";
import { httpEvent } from "../handlers/events";
import { makeDeps } from "../unit/fakes";
import { makeZip, skillMd, skillZip } from "./zips";

const ALICE = "valid:alice";
const BOB = "valid:bob";

function setup() {
  const deps = makeDeps();
  const api = createHttpApiHandler(deps);
  const call = async (
    method: string,
    path: string,
    opts: Parameters<typeof httpEvent>[2] & { zip?: Uint8Array } = {},
  ) => {
    const { zip, ...rest } = opts;
    const event = zip
      ? {
          ...httpEvent(method, path, {
            ...rest,
            rawBody: Buffer.from(zip).toString("base64"),
            headers: { "content-type": "application/zip", ...rest.headers },
          }),
          isBase64Encoded: true,
        }
      : httpEvent(method, path, rest);
    const result = await api(event);
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  return { deps, call };
}

describe("HTTP API: skills", () => {
  it("lists the built-in skills, all on, before any upload", async () => {
    const { call } = setup();
    const res = await call("GET", "/skills", { token: ALICE });
    expect(res.statusCode).toBe(200);
    expect(res.json.skills).toHaveLength(BUILTIN_SKILLS.length);
    expect(
      res.json.skills.every((s: { source: string; enabled: boolean }) => s.source === "builtin" && s.enabled),
    ).toBe(true);
    expect(res.json.skills.map((s: { name: string }) => s.name)).toContain("weather");
  });

  it("uploads a skill (201), lists it first, replaces it (200) keeping its switch, and stores one archive", async () => {
    const { call, deps } = setup();
    const put = await call("PUT", "/skills/hello-world", { token: ALICE, zip: skillZip("hello-world") });
    expect(put.statusCode).toBe(201);
    expect(put.json).toMatchObject({
      skill: {
        name: "hello-world",
        description: "Says hello when asked.",
        enabled: true,
        source: "user",
        fileCount: 1,
      },
      applied: "next-start",
    });
    expect(
      (await call("PATCH", "/skills/hello-world", { token: ALICE, body: { enabled: false } })).statusCode,
    ).toBe(200);

    const v2 = makeZip([
      { name: "SKILL.md", data: skillMd("hello-world", "Version two.") },
      { name: "x.txt", data: "x" },
    ]);
    const again = await call("PUT", "/skills/hello-world", { token: ALICE, zip: v2 });
    expect(again.statusCode).toBe(200);
    expect(again.json.skill).toMatchObject({ description: "Version two.", enabled: false, fileCount: 2 });

    const list = await call("GET", "/skills", { token: ALICE });
    expect(list.json.skills[0]).toMatchObject({ name: "hello-world", source: "user", enabled: false });
    const blobs = await deps.blobs.list("users/alice/skills/");
    expect(blobs).toHaveLength(1);
    const stored = await deps.blobs.get(blobs[0] as string);
    const archive = await readSkillArchive(stored as Uint8Array);
    expect(archive.description).toBe("Version two.");
    // Bob sees none of it.
    expect((await call("GET", "/skills", { token: BOB })).json.skills[0].source).toBe("builtin");
  });

  it("switches a built-in skill off and on; it cannot be deleted or overwritten", async () => {
    const { call, deps } = setup();
    const off = await call("PATCH", "/skills/weather", { token: ALICE, body: { enabled: false } });
    expect(off.statusCode).toBe(200);
    expect(off.json.skill).toMatchObject({ name: "weather", source: "builtin", enabled: false });
    expect(await deps.settings.get("alice", KEYS.settings.builtinSkill("weather"))).toEqual({
      enabled: false,
    });
    const list = await call("GET", "/skills", { token: ALICE });
    expect(list.json.skills.find((s: { name: string }) => s.name === "weather").enabled).toBe(false);
    const del = await call("DELETE", "/skills/weather", { token: ALICE });
    expect(del.statusCode).toBe(422);
    expect(del.json.error.code).toBe("SKILL_NAME_RESERVED");
    const put = await call("PUT", "/skills/weather", { token: ALICE, zip: skillZip("weather") });
    expect(put.json.error.code).toBe("SKILL_NAME_RESERVED");
  });

  it("deletes a skill and its archives; a second delete is 404", async () => {
    const { call, deps } = setup();
    await call("PUT", "/skills/gone-soon", { token: ALICE, zip: skillZip("gone-soon") });
    const del = await call("DELETE", "/skills/gone-soon", { token: ALICE });
    expect(del.statusCode).toBe(200);
    expect(del.json).toEqual({ applied: "next-start" });
    expect(await deps.blobs.list("users/alice/skills/")).toEqual([]);
    expect(await deps.settings.get("alice", KEYS.settings.skill("gone-soon"))).toBeUndefined();
    expect((await call("DELETE", "/skills/gone-soon", { token: ALICE })).statusCode).toBe(404);
    expect(
      (await call("PATCH", "/skills/gone-soon", { token: ALICE, body: { enabled: true } })).statusCode,
    ).toBe(404);
  });

  it("tells a running agent to reload its skills, and says the change applies now", async () => {
    const { call, deps } = setup();
    await deps.taskState.transition({
      userId: "alice",
      expectState: "Idle",
      set: { state: "Running", agentConnectionId: "agent-conn=" },
    });
    const put = await call("PUT", "/skills/live-one", { token: ALICE, zip: skillZip("live-one") });
    expect(put.json.applied).toBe("now");
    await call("PATCH", "/skills/weather", { token: ALICE, body: { enabled: false } });
    await call("DELETE", "/skills/live-one", { token: ALICE });
    expect(deps.agentPush.to("agent-conn=")).toEqual([
      { type: "agent.skills-changed" },
      { type: "agent.skills-changed" },
      { type: "agent.skills-changed" },
    ]);
  });

  it("refuses a name mismatch, a bad name in the path, a text body, a wrong content type, and too many skills", async () => {
    const { call, deps } = setup();
    const mismatch = await call("PUT", "/skills/other-name", { token: ALICE, zip: skillZip("hello") });
    expect(mismatch.json.error.code).toBe("SKILL_NAME_MISMATCH");
    expect(mismatch.json.error.message).toContain("'hello'");
    const badName = await call("PUT", "/skills/Bad_Name", { token: ALICE, zip: skillZip("hello") });
    expect(badName.json.error.code).toBe("SKILL_NAME_INVALID");
    const text = await call("PUT", "/skills/hello", {
      token: ALICE,
      rawBody: "PK not really",
      headers: { "content-type": "application/zip" },
    });
    expect(text.json.error.code).toBe("SKILL_NOT_ZIP");
    const json = await call("PUT", "/skills/hello", { token: ALICE, body: { files: [] } });
    expect(json.statusCode).toBe(400);
    expect(json.json.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const badPatch = await call("PATCH", "/skills/weather", { token: ALICE, body: { enabled: "yes" } });
    expect(badPatch.statusCode).toBe(422);

    for (let i = 0; i < LIMITS.skillsMaxPerUser; i++) {
      await deps.settings.put("alice", KEYS.settings.skill(`s${i}`), {
        name: `s${i}`,
        description: "d",
        enabled: true,
        size: 1,
        fileCount: 1,
        sha256: "0".repeat(64),
        blobKey: `users/alice/skills/s${i}/x.zip`,
        updatedAt: "2026-11-25T10:00:00.000Z",
      });
    }
    const full = await call("PUT", "/skills/one-more", { token: ALICE, zip: skillZip("one-more") });
    expect(full.json.error.code).toBe("SKILL_LIMIT_REACHED");
    expect(await deps.blobs.list("users/alice/skills/one-more/")).toEqual([]);
  });

  it("needs a signed-in user", async () => {
    const { call } = setup();
    expect((await call("GET", "/skills")).statusCode).toBe(401);
    expect((await call("PUT", "/skills/x", { zip: skillZip("x") })).statusCode).toBe(401);
  });
});
