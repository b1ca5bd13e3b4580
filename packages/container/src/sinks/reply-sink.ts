import type { PendingMessage, ToolActivity } from "@serverless-openclaw/shared";

/**
 * Where the parts of one reply go while a turn runs. The web sink pushes to every browser
 * connection of the user; the Telegram sink edits one Telegram message. A turn feeds all the
 * sinks that apply to its message.
 */
export interface ReplySink {
  started(message: PendingMessage): Promise<void>;
  /** `chunk` is new text; `textSoFar` the whole reply up to and including it. */
  delta(message: PendingMessage, chunk: string, seq: number, textSoFar: string): Promise<void>;
  /** A tool call started or ended (the same `activity.id` again replaces it); after the text before it. */
  activity?(message: PendingMessage, activity: ToolActivity): Promise<void>;
  final(
    message: PendingMessage,
    text: string,
    messageId: string,
    createdAt: string,
    activity?: ToolActivity[],
  ): Promise<void>;
  error(
    message: PendingMessage,
    code: string,
    errorMessage: string,
    retryable: boolean,
    activity?: ToolActivity[],
  ): Promise<void>;
}
