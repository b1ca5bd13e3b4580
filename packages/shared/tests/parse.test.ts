import { describe, expect, it } from "vitest";
import { commaList, DISCORD_CHANNEL_ID } from "../src/parse";

describe("commaList", () => {
  it("trims the items and drops empty ones", () => {
    expect(commaList(" a, b,,c ,")).toEqual(["a", "b", "c"]);
    expect(commaList("")).toEqual([]);
    expect(commaList(" , ")).toEqual([]);
    expect(commaList(undefined)).toEqual([]);
  });
});

describe("DISCORD_CHANNEL_ID", () => {
  it("takes 17–20 digits and nothing else", () => {
    expect(DISCORD_CHANNEL_ID.test("1300000000000000002")).toBe(true);
    expect(DISCORD_CHANNEL_ID.test("1234567890123456")).toBe(false);
    expect(DISCORD_CHANNEL_ID.test("general")).toBe(false);
    expect(DISCORD_CHANNEL_ID.test(" 1300000000000000002")).toBe(false);
  });
});
