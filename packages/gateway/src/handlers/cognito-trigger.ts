import * as z from "zod";
import { errorSummary } from "../errors";
import { type SessionsDeps, SessionsService } from "../services/sessions";

/**
 * The fields of a Cognito user-pool trigger event this handler reads (Cognito sends more). `sub` is
 * the user id everywhere in the gateway (the id token's subject).
 */
const CognitoTriggerEventSchema = z.looseObject({
  triggerSource: z.string(),
  userPoolId: z.string(),
  request: z.looseObject({
    userAttributes: z.looseObject({ sub: z.string().min(1).max(128) }),
  }),
});

/** Trigger sources after which every session of the user must end. */
const ENDS_SESSIONS: Record<string, string> = {
  // ConfirmForgotPassword: the password changed, so whoever held it may hold an open tab too.
  PostConfirmation_ConfirmForgotPassword: "password reset",
};

export type CognitoTriggerHandler = <E>(event: E) => Promise<E>;

/**
 * Cognito's post-confirmation trigger (the user pool, in the data stack). After a password reset it
 * ends the user's sessions as "sign out everywhere" does: tokens issued before now are refused at
 * `$connect`, and the user's open browser sockets are dropped. Cognito needs the event back; a failure
 * here is logged and counted, never thrown, because it would fail the reset the user just completed
 * (the new password is already set) without closing anything.
 */
export function createCognitoTriggerHandler(
  deps: SessionsDeps & { metrics?: { count(name: string): void } },
): CognitoTriggerHandler {
  const sessions = new SessionsService(deps);
  return async (event) => {
    const parsed = CognitoTriggerEventSchema.safeParse(event);
    if (!parsed.success) {
      deps.logger.warn("cognito trigger: unexpected event", { issues: parsed.error.issues.length });
      return event;
    }
    const reason = ENDS_SESSIONS[parsed.data.triggerSource];
    if (!reason) return event;
    const userId = parsed.data.request.userAttributes.sub;
    try {
      await sessions.closeAll(userId, reason);
    } catch (error) {
      deps.logger.error("cognito trigger: sessions not ended", { userId, reason, ...errorSummary(error) });
      deps.metrics?.count("SessionsEndFailed");
    }
    return event;
  };
}
