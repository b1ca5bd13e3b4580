import { describe, expect, it } from "vitest";
import { providerFromEnvironment } from "../../src/stack/provider-seed";

const unset = { provider: null };

describe("the first user's LLM from the environment", () => {
  it("takes --llm-base-url as an OpenAI-compatible provider, even over a provider set in Settings", () => {
    const seed = providerFromEnvironment(
      { llmBaseUrl: "http://127.0.0.1:11434/v1", llmModel: "llama3", env: { ANTHROPIC_API_KEY: "sk-ant" } },
      { provider: "anthropic" },
    );
    expect(seed?.update).toEqual({
      provider: "openai-compatible",
      baseUrl: "http://127.0.0.1:11434/v1",
      model: "llama3",
    });
  });

  it("picks the provider of the key that is set, Anthropic first", () => {
    expect(
      providerFromEnvironment({ env: { ANTHROPIC_API_KEY: "a", OPENAI_API_KEY: "o" } }, unset)?.update,
    ).toEqual({
      provider: "anthropic",
      apiKey: "a",
    });
    expect(
      providerFromEnvironment({ env: { OPENAI_API_KEY: "o", LLM_MODEL: "gpt-x" } }, unset)?.update,
    ).toEqual({
      provider: "openai",
      apiKey: "o",
      model: "gpt-x",
    });
    expect(providerFromEnvironment({ env: { DEEPSEEK_API_KEY: "d" } }, unset)?.update).toEqual({
      provider: "deepseek",
      apiKey: "d",
    });
  });

  it("treats OPENAI_BASE_URL as an OpenAI-compatible server, with OPENAI_API_KEY as its key when given", () => {
    expect(
      providerFromEnvironment(
        { env: { OPENAI_BASE_URL: "http://127.0.0.1:8000/v1", OPENAI_API_KEY: "k" } },
        unset,
      )?.update,
    ).toEqual({
      provider: "openai-compatible",
      baseUrl: "http://127.0.0.1:8000/v1",
      apiKey: "k",
      model: "default",
    });
    expect(
      providerFromEnvironment({ env: { OPENAI_BASE_URL: "http://127.0.0.1:8000/v1" } }, unset)?.update,
    ).toEqual({
      provider: "openai-compatible",
      baseUrl: "http://127.0.0.1:8000/v1",
      model: "default",
    });
  });

  it("leaves a provider chosen in Settings alone, and says nothing without any variable", () => {
    expect(
      providerFromEnvironment({ env: { ANTHROPIC_API_KEY: "a" } }, { provider: "deepseek" }),
    ).toBeUndefined();
    expect(providerFromEnvironment({ env: {} }, unset)).toBeUndefined();
  });
});
