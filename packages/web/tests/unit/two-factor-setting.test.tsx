// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { AuthError } from "../../src/auth/cognito-client";
import { otpauthUri, type TwoFactorAccount, TwoFactorSetting } from "../../src/settings/two-factor-setting";

configure({ asyncUtilTimeout: 10_000 });
afterEach(cleanup);

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/** An account whose authenticator accepts only "123456"; it records what the page asked of it. */
function fakeAccount(on = false) {
  const calls: string[] = [];
  let enabled = on;
  let verified = on;
  const account: TwoFactorAccount = {
    label: "alice@example.com",
    enabled: async () => enabled,
    associate: async () => {
      calls.push("associate");
      return SECRET;
    },
    verify: async (code) => {
      calls.push(`verify ${code}`);
      if (code !== "123456")
        throw new AuthError("EnableSoftwareTokenMFAException", "That code is not correct.");
      verified = true;
    },
    setEnabled: async (next) => {
      calls.push(`enable ${next}`);
      if (next && !verified) throw new Error("not verified");
      enabled = next;
    },
  };
  return { account, calls, isOn: () => enabled };
}

describe("TwoFactorSetting", () => {
  it("shows the key and the otpauth link, refuses a wrong code, and turns on with the right one", async () => {
    const { account, calls, isOn } = fakeAccount();
    render(<TwoFactorSetting account={account} />);
    fireEvent.click(await screen.findByTestId("two-factor-setup"));
    expect((await screen.findByTestId("two-factor-secret")).textContent).toBe(
      "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP",
    );
    expect(screen.getByTestId("two-factor-uri").getAttribute("href")).toBe(
      `otpauth://totp/OpenClaw%3Aalice%40example.com?secret=${SECRET}&issuer=OpenClaw&algorithm=SHA1&digits=6&period=30`,
    );
    fireEvent.change(screen.getByTestId("two-factor-code"), { target: { value: "000000" } });
    fireEvent.submit(screen.getByTestId("two-factor-verify-form"));
    expect((await screen.findByTestId("two-factor-result")).textContent).toBe("That code is not correct.");
    expect(isOn()).toBe(false);
    fireEvent.change(screen.getByTestId("two-factor-code"), { target: { value: "123456" } });
    fireEvent.submit(screen.getByTestId("two-factor-verify-form"));
    await screen.findByTestId("two-factor-disable");
    expect(isOn()).toBe(true);
    expect(calls).toEqual(["associate", "verify 000000", "verify 123456", "enable true"]);
  });

  it("turns an enabled second factor off", async () => {
    const { account, isOn } = fakeAccount(true);
    render(<TwoFactorSetting account={account} />);
    expect((await screen.findByTestId("two-factor-state")).textContent).toMatch(/^On/);
    fireEvent.click(screen.getByTestId("two-factor-disable"));
    await screen.findByTestId("two-factor-setup");
    expect(isOn()).toBe(false);
  });

  it("names the issuer and account in the otpauth URI, escaped", () => {
    expect(otpauthUri("a b&c", "ABC")).toBe(
      "otpauth://totp/OpenClaw%3Aa%20b%26c?secret=ABC&issuer=OpenClaw&algorithm=SHA1&digits=6&period=30",
    );
  });
});
