import { agentCommand } from "../src/agent-entry";
import { createConsoleLogger } from "../src/local-logger";
import { repoPaths } from "../src/repo-paths";

const t = Date.now();
console.log(await agentCommand(repoPaths(), createConsoleLogger()), Date.now() - t, "ms");
