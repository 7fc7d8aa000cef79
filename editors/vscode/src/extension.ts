// The pilotbook extension: starts `pilotbook lsp` for the Markdown files of
// a workspace that holds a `pilotbook.toml`, and hands it every Markdown
// document that is opened. Diagnostics, completion, go to definition,
// references, hover and code actions all come from the server.

import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";
import { CONFIG_FILE, launch, serverFolder } from "./server";

let client: LanguageClient | undefined;

async function start(context: vscode.ExtensionContext): Promise<void> {
  const settings = vscode.workspace.getConfiguration("pilotbook");
  const { command, args } = launch(settings.get<string>("path"));
  const configs = await vscode.workspace.findFiles(`**/${CONFIG_FILE}`, "**/node_modules/**", 20);
  const cwd = serverFolder(
    configs.map((uri) => uri.fsPath.replace(/\\/g, "/")),
    vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
  );
  // No `transport`: the client then talks over the child's stdin and
  // stdout and runs exactly `pilotbook lsp` (with `transport: stdio` it
  // would append `--stdio`, which the server accepts too).
  const serverOptions: ServerOptions = { command, args, options: cwd ? { cwd } : undefined };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "markdown" }],
    synchronize: {
      // A changed config or document on disk: the server may re-read it.
      fileEvents: vscode.workspace.createFileSystemWatcher(`**/{${CONFIG_FILE},*.md}`),
    },
  };
  // The id `pilotbook` makes the client read `pilotbook.trace.server`.
  client = new LanguageClient("pilotbook", "pilotbook", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `pilotbook: could not start \`${command} lsp\` (${message}). ` +
        "Install pilotbook or set `pilotbook.path` to the binary.",
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("pilotbook.restartServer", async () => {
      await client?.stop();
      client = undefined;
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("pilotbook.path")) {
        await vscode.commands.executeCommand("pilotbook.restartServer");
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
