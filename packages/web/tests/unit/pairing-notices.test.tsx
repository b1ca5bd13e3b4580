// @vitest-environment happy-dom
import type { ChatChannel, PairingNotice } from "@serverless-openclaw/shared";
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { PairingNotices } from "../../src/settings/pairing-notices";

configure({ asyncUtilTimeout: 10_000 });
afterEach(cleanup);

describe("PairingNotices (Settings)", () => {
  it("tells the owner of a refused move and of an unpair from the chat app, until dismissed", async () => {
    let notices: PairingNotice[] = [
      {
        channel: "telegram",
        externalUserId: "4242",
        username: "ada",
        kind: "move-refused",
        otherAccount: "mallory@example.com",
        at: "2026-12-06T10:00:00.000Z",
      },
      {
        channel: "slack",
        externalUserId: "T1:U1",
        kind: "unpaired-from-channel",
        at: "2026-12-06T11:00:00.000Z",
      },
    ];
    const calls: string[] = [];
    const api = {
      listChannelNotices: async (channel: ChatChannel) => notices.filter((n) => n.channel === channel),
      dismissChannelNotice: async (channel: ChatChannel, id: string) => {
        calls.push(`dismiss ${channel} ${id}`);
        notices = notices.filter((n) => !(n.channel === channel && n.externalUserId === id));
        return {};
      },
    };
    render(<PairingNotices api={api} channels={["telegram", "slack"]} />);
    const section = await screen.findByTestId("pairing-notices");
    expect(section.textContent).toContain("Telegram account @ada");
    expect(section.textContent).toContain("“mallory@example.com”");
    expect(section.textContent).toContain("stays paired with yours");
    expect(section.textContent).toContain("Slack account T1:U1 was unpaired");
    fireEvent.click(screen.getAllByText("Dismiss")[0] as HTMLElement);
    await waitFor(() => expect(screen.getByTestId("pairing-notices").textContent).not.toContain("@ada"));
    fireEvent.click(screen.getByText("Dismiss"));
    await waitFor(() => expect(screen.queryByTestId("pairing-notices")).toBeNull());
    expect(calls).toEqual(["dismiss telegram 4242", "dismiss slack T1:U1"]);
  });
});
