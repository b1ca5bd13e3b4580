// @vitest-environment happy-dom
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthScreens } from "../../src/auth/auth-screens";
import { CognitoClient } from "../../src/auth/cognito-client";
import { AuthSession } from "../../src/auth/session";
import { FakeCognito, MemoryStorage } from "../support/fake-cognito";

// Generous waits: the suite shares two cores with other suites starting real services.
configure({ asyncUtilTimeout: 10_000 });

let cognito: FakeCognito;
let client: CognitoClient;
let session: AuthSession;

beforeEach(async () => {
  cognito = await FakeCognito.start();
  cognito.addUser("alice", "correct-horse");
  client = new CognitoClient(cognito.endpoint, "client-123");
  session = new AuthSession(client, new MemoryStorage());
});
afterEach(async () => {
  cleanup();
  session.dispose();
  await cognito.close();
});

const type = (testId: string, value: string) =>
  fireEvent.change(screen.getByTestId(testId), { target: { value } });
const submit = () => fireEvent.click(screen.getByTestId("auth-submit"));

describe("AuthScreens", () => {
  it("signs in from the login form", async () => {
    render(<AuthScreens session={session} cognito={client} selfSignUp={false} />);
    type("login-username", "alice");
    type("login-password", "correct-horse");
    submit();
    await waitFor(() => expect(session.signedIn).toBe(true));
  });

  it("labels every field", () => {
    render(<AuthScreens session={session} cognito={client} selfSignUp={false} />);
    expect(screen.getByLabelText("Email or username")).toBe(screen.getByTestId("login-username"));
    expect(screen.getByLabelText("Password")).toBe(screen.getByTestId("login-password"));
  });

  it("shows a wrong password as an alert and stays signed out", async () => {
    render(<AuthScreens session={session} cognito={client} selfSignUp={false} />);
    type("login-username", "alice");
    type("login-password", "nope");
    submit();
    expect((await screen.findByTestId("auth-error")).textContent).toBe("Incorrect username or password.");
    expect(session.signedIn).toBe(false);
  });

  it("asks for a new password on first sign-in", async () => {
    cognito.addUser("bob", "temporary-1", "FORCE_CHANGE_PASSWORD");
    render(<AuthScreens session={session} cognito={client} selfSignUp={false} />);
    type("login-username", "bob");
    type("login-password", "temporary-1");
    submit();
    await screen.findByTestId("new-password-form");
    type("new-password", "brand-new-pass");
    type("new-password-confirm", "different");
    submit();
    expect((await screen.findByTestId("auth-error")).textContent).toBe("The two passwords differ.");
    type("new-password-confirm", "brand-new-pass");
    submit();
    await waitFor(() => expect(session.signedIn).toBe(true));
  });

  it("resets a forgotten password and returns to sign-in", async () => {
    render(<AuthScreens session={session} cognito={client} selfSignUp={false} />);
    fireEvent.click(screen.getByRole("button", { name: "Forgot password?" }));
    type("forgot-username", "alice");
    submit();
    expect((await screen.findByTestId("auth-notice")).textContent).toBe("We sent a code to a***@e***.");
    type("forgot-code", "123456");
    type("forgot-password", "fresh-password");
    submit();
    await screen.findByTestId("login-form");
    expect(screen.getByTestId("auth-notice").textContent).toContain("Password changed");
    type("login-username", "alice");
    type("login-password", "fresh-password");
    submit();
    await waitFor(() => expect(session.signedIn).toBe(true));
  });

  it("offers sign-up only when the deployment allows it", async () => {
    render(<AuthScreens session={session} cognito={client} selfSignUp={false} />);
    expect(screen.queryByRole("button", { name: "Create an account" })).toBeNull();
    cleanup();
    render(<AuthScreens session={session} cognito={client} selfSignUp={true} />);
    fireEvent.click(screen.getByRole("button", { name: "Create an account" }));
    type("sign-up-email", "carol@example.com");
    type("sign-up-password", "carols-password");
    submit();
    await screen.findByTestId("sign-up-confirm-form");
    type("sign-up-code", "654321");
    submit();
    await screen.findByTestId("login-form");
    expect(cognito.calledOps()).toEqual(["SignUp", "ConfirmSignUp"]);
  });
});
