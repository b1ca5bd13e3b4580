/**
 * Prints the monthly AWS cost of a deployment for 0, 2 and 8 agent-hours a day.
 *
 *   npx tsx scripts/cost-model.ts                     # synthesizes the app into a temp dir first
 *   npx tsx scripts/cost-model.ts -c browser=true     # same, with deploy parameters
 *   npx tsx scripts/cost-model.ts --template-dir packages/cdk/cdk.out
 *
 * The price table and usage assumptions are in packages/cdk/src/cost/model.ts (and docs/cost.md).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "@serverless-openclaw/cdk/app";
import {
  type CfnTemplate,
  estimateMonthlyCost,
  formatEstimate,
  PRICES,
  readTemplateFacts,
  USAGE,
} from "@serverless-openclaw/cdk/cost";
import {
  LAMBDA_NAMES,
  type LambdaEntries,
  REPO_ROOT,
  realLambdaEntries,
} from "@serverless-openclaw/cdk/paths";

function parseArgs(argv: string[]): { templateDir?: string; context: Record<string, string> } {
  const context: Record<string, string> = {};
  let templateDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--template-dir") templateDir = argv[++i];
    else if (arg === "-c" || arg === "--context") {
      const [k, ...v] = (argv[++i] ?? "").split("=");
      if (k) context[k] = v.join("=");
    }
  }
  return { templateDir, context };
}

/** Synthesizes both stacks without bundling (only the resource shapes matter here). */
function synthesize(context: Record<string, string>): { dir: string; note?: string } {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-cost-"));
  let entries: LambdaEntries = realLambdaEntries();
  let note: string | undefined;
  if (Object.values(entries).some((p) => !existsSync(p))) {
    // The Lambda code does not change the cost; a stand-in entry lets the model run before it exists.
    const fixture = join(REPO_ROOT, "packages/cdk/tests/fixtures/handler.ts");
    entries = Object.fromEntries(LAMBDA_NAMES.map((n) => [n, fixture])) as LambdaEntries;
    note = "(gateway Lambda entries not found: synthesized with a stand-in handler; costs are unaffected)";
  }
  const { app } = buildApp({
    appProps: {
      outdir: dir,
      builtinCloudFormationValidation: false,
      context: { "aws:cdk:bundling-stacks": [], ...context },
    },
    lambdaEntries: entries,
  });
  app.synth();
  return { dir, note };
}

function readTemplates(dir: string): CfnTemplate[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(".template.json"));
  if (files.length === 0) throw new Error(`no *.template.json in ${dir}`);
  return files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as CfnTemplate);
}

const args = parseArgs(process.argv.slice(2));
const synthesized = args.templateDir ? undefined : synthesize(args.context);
const dir = args.templateDir ?? synthesized?.dir ?? "";
try {
  const facts = readTemplateFacts(readTemplates(dir));
  console.log(`serverless-openclaw monthly cost model (${PRICES.region}, list prices, no free tier)`);
  if (synthesized?.note) console.log(synthesized.note);
  console.log(
    `Task: ${facts.taskVcpu} vCPU / ${facts.taskMemoryGb} GB ARM64${facts.browser ? " (browser image)" : ""}; ` +
      `watchdog ${facts.watchdogInvocationsPerMonth} runs/month; Fargate Spot at ${PRICES.spotDiscount * 100}% below on-demand\n`,
  );
  for (const h of [0, 2, 8]) console.log(`${formatEstimate(estimateMonthlyCost(facts, h))}\n`);
  console.log("Sensitivity at 2 agent-hours/day:");
  for (const [label, spotDiscount] of [
    [`Spot only ${PRICES.spotDiscountWorstCase * 100}% below on-demand`, PRICES.spotDiscountWorstCase],
    ["no Spot capacity (on-demand Fargate)", 0],
  ] as const) {
    console.log(`  ${label}: $${estimateMonthlyCost(facts, 2, { spotDiscount }).total.toFixed(2)}`);
  }
  console.log(
    `\nAssumptions per agent-hour: ${USAGE.turnsPerAgentHour} turns, ${USAGE.pushesPerTurn} pushes per turn, ` +
      `${USAGE.agentLogMbPerHour} MB of logs, ${USAGE.egressMbPerHour} MB to the LLM API. See docs/cost.md.`,
  );
} finally {
  if (synthesized) rmSync(synthesized.dir, { recursive: true, force: true });
}
