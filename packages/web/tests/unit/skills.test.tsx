// @vitest-environment happy-dom
import { LIMITS, type SkillChangeApplied, type SkillSummary } from "@serverless-openclaw/shared";
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { strToU8, unzipSync, zipSync } from "fflate";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiCallError } from "../../src/api/http-api";
import { prepareUpload } from "../../src/skills/skill-upload";
import { SkillsApi } from "../../src/skills/skills-api";
import { SkillsPage, type SkillsPageProps } from "../../src/skills/skills-page";
import { parseHash, routeHash } from "../../src/ui/use-hash-route";

configure({ asyncUtilTimeout: 10_000 });
afterEach(cleanup);

const md = (name: string) => strToU8(`---\nname: ${name}\ndescription: Does ${name}.\n---\nBody\n`);

describe("skills route", () => {
  it("is #/skills", () => {
    expect(parseHash("#/skills")).toEqual({ page: "skills" });
    expect(routeHash({ page: "skills" })).toBe("#/skills");
  });
});

describe("prepareUpload", () => {
  it("sends one .zip as it is and reads the name from its SKILL.md", () => {
    const zip = zipSync({ "my-skill/SKILL.md": md("my-skill"), "my-skill/x.txt": strToU8("x") });
    expect(prepareUpload([{ path: "my-skill.zip", data: zip }])).toEqual({ ok: true, name: "my-skill", zip });
  });

  it("zips a picked folder (paths from webkitRelativePath) or loose files", () => {
    const result = prepareUpload([
      { path: "greeter/SKILL.md", data: md("greeter") },
      { path: "greeter/scripts/run.sh", data: strToU8("echo") },
    ]);
    expect(result.ok && result.name).toBe("greeter");
    if (!result.ok) throw new Error(result.message);
    expect(Object.keys(unzipSync(result.zip)).sort()).toEqual(["greeter/SKILL.md", "greeter/scripts/run.sh"]);
    const loose = prepareUpload([{ path: "SKILL.md", data: md("loose") }]);
    expect(loose.ok && loose.name).toBe("loose");
  });

  it.each([
    [[], /Choose a .zip file/],
    [[{ path: "README.md", data: strToU8("x") }], /no SKILL.md/],
    [[{ path: "SKILL.md", data: strToU8("# no frontmatter") }], /needs frontmatter with a name/],
    [[{ path: "SKILL.md", data: md("Bad_Name") }], /'Bad_Name' in SKILL.md is not allowed/],
    [[{ path: "broken.zip", data: strToU8("not a zip") }], /not a readable zip/],
    [[{ path: "big.zip", data: new Uint8Array(LIMITS.skillZipMaxBytes + 1) }], /the limit is 1.0 MB/],
  ])("explains a bad pick: %#", (files, message) => {
    const result = prepareUpload(files);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

const builtin: SkillSummary = { name: "weather", description: "Weather.", enabled: true, source: "builtin" };
const mine: SkillSummary = {
  name: "greeter",
  description: "Greets.",
  enabled: true,
  source: "user",
  size: 2048,
  fileCount: 2,
  updatedAt: "2026-11-25T10:00:00.000Z",
};

function fakeApi(initial: SkillSummary[], applied: SkillChangeApplied = "next-start") {
  let skills = [...initial];
  const api = {
    list: vi.fn(async () => skills),
    upload: vi.fn(async (name: string, _zip: Uint8Array) => {
      const skill: SkillSummary = { ...mine, name };
      skills = [skill, ...skills.filter((s) => s.name !== name)];
      return { skill, applied };
    }),
    setEnabled: vi.fn(async (name: string, enabled: boolean) => {
      skills = skills.map((s) => (s.name === name ? { ...s, enabled } : s));
      return { skill: skills.find((s) => s.name === name) as SkillSummary, applied };
    }),
    remove: vi.fn(async (name: string) => {
      skills = skills.filter((s) => s.name !== name);
      return { applied };
    }),
  } satisfies SkillsPageProps["api"];
  return api;
}

function pick(testId: string, files: File[]) {
  fireEvent.change(screen.getByTestId(testId), { target: { files } });
}

describe("SkillsPage", () => {
  it("lists custom and built-in skills, and says when there are no custom ones", async () => {
    render(<SkillsPage api={fakeApi([builtin])} />);
    expect(await screen.findByTestId("skills-none")).toBeTruthy();
    expect(screen.getByTestId("skill-weather").textContent).toContain("Weather.");
    expect(screen.queryByTestId("skill-delete-weather")).toBeNull(); // built-ins cannot be deleted
  });

  it("uploads a .zip and tells when the change applies", async () => {
    const api = fakeApi([builtin], "now");
    render(<SkillsPage api={api} />);
    await screen.findByTestId("skill-weather");
    const zip = zipSync({ "SKILL.md": md("greeter") });
    pick("skill-upload-zip", [new File([zip], "greeter.zip", { type: "application/zip" })]);
    const notice = await screen.findByTestId("skills-notice");
    expect(notice.textContent).toBe("Added 'greeter'. The agent picks this up before its next reply.");
    expect(api.upload).toHaveBeenCalledWith("greeter", expect.any(Uint8Array));
    expect(await screen.findByTestId("skill-greeter")).toBeTruthy();
  });

  it("re-uploading a skill of the same name is an update", async () => {
    const api = fakeApi([mine, builtin]);
    render(<SkillsPage api={api} />);
    await screen.findByTestId("skill-greeter");
    pick("skill-upload-files", [new File([md("greeter")], "SKILL.md")]);
    expect((await screen.findByTestId("skills-notice")).textContent).toMatch(
      /^Updated 'greeter'\. It applies when/,
    );
  });

  it("switches skills on and off, and deletes a custom one after confirming", async () => {
    const api = fakeApi([mine, builtin]);
    const asked: string[] = [];
    render(<SkillsPage api={api} confirm={(q) => asked.push(q) > 0} />);
    fireEvent.click(await screen.findByTestId("skill-toggle-weather"));
    await waitFor(() => expect(api.setEnabled).toHaveBeenCalledWith("weather", false));
    expect((await screen.findByTestId("skills-notice")).textContent).toMatch(/^'weather' is off\./);
    await waitFor(() =>
      expect((screen.getByTestId("skill-toggle-weather") as HTMLInputElement).checked).toBe(false),
    );

    fireEvent.click(screen.getByTestId("skill-delete-greeter"));
    await waitFor(() => expect(api.remove).toHaveBeenCalledWith("greeter"));
    expect(asked).toEqual(["Delete the skill 'greeter'?"]);
    await waitFor(() => expect(screen.queryByTestId("skill-greeter")).toBeNull());
  });

  it("shows the server's refusal, and a local one without calling the server", async () => {
    const api = fakeApi([builtin]);
    api.upload.mockRejectedValueOnce(
      new ApiCallError("SKILL_PATH_TRAVERSAL", "\"../x\" points outside the skill folder ('..')", 422),
    );
    render(<SkillsPage api={api} />);
    await screen.findByTestId("skill-weather");
    pick("skill-upload-zip", [new File([zipSync({ "SKILL.md": md("evil") })], "evil.zip")]);
    expect((await screen.findByTestId("skills-error")).textContent).toContain(
      "points outside the skill folder",
    );

    pick("skill-upload-files", [new File([strToU8("hello")], "notes.txt")]);
    await waitFor(() => expect(screen.getByTestId("skills-error").textContent).toMatch(/no SKILL.md/));
    expect(api.upload).toHaveBeenCalledTimes(1);
  });
});

describe("SkillsApi", () => {
  it("PUTs the zip as the body with Content-Type application/zip, and maps errors", async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      if (init.method === "PUT") {
        return new Response(JSON.stringify({ skill: mine, applied: "now" }), { status: 201 });
      }
      return new Response(
        JSON.stringify({ error: { code: "NOT_FOUND", message: "there is no skill named 'x'" } }),
        {
          status: 404,
        },
      );
    }) as typeof fetch;
    const auth = { getIdToken: async () => "tok", refreshNow: async () => "tok2" };
    const api = new SkillsApi("https://api.example.com/", auth, fetchImpl);
    const zip = zipSync({ "SKILL.md": md("greeter") });
    expect(await api.upload("greeter", zip)).toEqual({ skill: mine, applied: "now" });
    expect(calls[0]?.url).toBe("https://api.example.com/skills/greeter");
    expect(calls[0]?.init.headers).toMatchObject({
      Authorization: "Bearer tok",
      "Content-Type": "application/zip",
    });
    expect(calls[0]?.init.body).toBe(zip);
    await expect(api.remove("x")).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
  });
});
