// An inline Automation API program in Node.js using the plugin's generated Node SDK, as a
// TypeScript team would write it (compiled JavaScript here: the SDK is built with tsc first).
// Usage: node program.js SDK_DIR < '{"action": "up"|"preview"|"refresh"|"destroy", "config": {...}}'
// (the request on stdin: its config holds the token, which a command line would show)
// Prints one JSON line: the outputs ({value, secret}) and the resource changes.
"use strict";
const fs = require("fs");
const path = require("path");
const pulumi = require("@pulumi/pulumi");
const { LocalWorkspace } = require("@pulumi/pulumi/automation");

async function main() {
  const genai = require(path.resolve(process.argv[2]));
  const request = JSON.parse(fs.readFileSync(0, "utf8"));  // stdin: it holds a token
  const program = async () => {
    const config = new pulumi.Config();
    const web = new genai.ModelAccessKey("web", {
      name: config.get("name") ?? "web",
      secretVersion: config.getNumber("version") ?? 1,
    });
    const panelUuid = config.get("panelUuid");
    if (panelUuid) {
      // Imported, so protected from deletion unless `panelProtection` is false.
      const deletionProtection = config.getBoolean("panelProtection");
      new genai.ModelAccessKey(
        "panel",
        { name: "made-in-panel", deletionProtection },
        { import: panelUuid },
      );
    }
    const models = genai.getModelsOutput({});
    return { uuid: web.id, secret: web.secretKey, models: models.ids.apply((ids) => ids.length) };
  };
  // The project's folder is the workspace, so its stack config stays between runs.
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "dev", projectName: "keys-in-typescript", program },
    { workDir: process.cwd() },
  );
  for (const [key, value] of Object.entries(request.config ?? {})) {
    await stack.setConfig(key, { value: String(value), secret: key.endsWith(":token") });
  }
  let changes = {};
  let stdout = "";
  if (request.action === "up") {
    const up = await stack.up();
    changes = up.summary.resourceChanges ?? {};
    stdout = up.stdout;
  } else if (request.action === "preview") {
    const preview = await stack.preview();
    changes = preview.changeSummary ?? {};
    stdout = preview.stdout;
  } else if (request.action === "refresh") {
    stdout = (await stack.refresh()).stdout;
  } else if (request.action === "destroy") {
    stdout = (await stack.destroy()).stdout;
  }
  const outputs = request.action === "destroy" ? {} : await stack.outputs();
  process.stdout.write(JSON.stringify({ outputs, changes, stdout }) + "\n");
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
