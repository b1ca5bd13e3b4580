import * as z from "zod";

/** Telegram's refusal of a Bot API call: its error_code and description, as it sent them. */
export class TelegramApiError extends Error {
  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
  ) {
    super(`Telegram refused ${method}: ${description}`);
    this.name = "TelegramApiError";
  }
}

const ResponseSchema = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().nonnegative().optional() }).optional(),
});
const SentSchema = z.object({ message_id: z.number().int() });

export interface TelegramBotApiOptions {
  token: string;
  /** Telegram's own when absent; a self-hosted Bot API or the tests' fake otherwise. */
  apiRoot?: string;
  /** 429s asking for longer than this are not waited for (a Lambda has seconds). */
  maxWaitMs?: number;
  maxRetries?: number;
  fetch?: typeof fetch;
}

/**
 * The three Bot API calls the chat relay makes (sendMessage, editMessageText, sendChatAction), over
 * fetch: grammY's Api would bring its HTTP stack (node-fetch, whatwg-url, tr46: ~400 KB) into the
 * agent-socket Lambda for them. A 429 is waited out (`parameters.retry_after`) and tried again.
 */
export class TelegramBotApi {
  private readonly root: string;

  constructor(private readonly options: TelegramBotApiOptions) {
    this.root = (options.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
  }

  async sendMessage(chatId: number, text: string, html: boolean): Promise<{ message_id: number }> {
    const result = await this.call("sendMessage", {
      chat_id: chatId,
      text,
      link_preview_options: { is_disabled: true },
      ...(html ? { parse_mode: "HTML" } : {}),
    });
    const sent = SentSchema.safeParse(result);
    if (!sent.success) throw new TelegramApiError("sendMessage", 0, "answered without a message id");
    return sent.data;
  }

  async editMessageText(chatId: number, messageId: number, text: string, html: boolean): Promise<void> {
    await this.call("editMessageText", {
      chat_id: chatId,
      message_id: messageId,
      text,
      link_preview_options: { is_disabled: true },
      ...(html ? { parse_mode: "HTML" } : {}),
    });
  }

  async sendChatAction(chatId: number, action: "typing"): Promise<void> {
    await this.call("sendChatAction", { chat_id: chatId, action });
  }

  private async call(method: string, payload: Record<string, unknown>): Promise<unknown> {
    const doFetch = this.options.fetch ?? fetch;
    for (let attempt = 0; ; attempt++) {
      const res = await doFetch(`${this.root}/bot${this.options.token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(10_000),
      });
      const body = ResponseSchema.safeParse(await res.json().catch(() => undefined));
      if (!body.success)
        throw new TelegramApiError(method, res.status, `HTTP ${res.status} without a Bot API answer`);
      if (body.data.ok) return body.data.result;
      const code = body.data.error_code ?? res.status;
      const waitMs = Math.ceil(1000 * (body.data.parameters?.retry_after ?? 1));
      if (
        code === 429 &&
        attempt < (this.options.maxRetries ?? 3) &&
        waitMs <= (this.options.maxWaitMs ?? 10_000)
      ) {
        await new Promise((r) => setTimeout(r, waitMs));
        continue;
      }
      throw new TelegramApiError(method, code, body.data.description ?? `error ${code}`);
    }
  }
}
