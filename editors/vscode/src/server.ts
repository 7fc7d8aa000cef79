// How the extension starts `pilotbook lsp`, with nothing of VS Code in it,
// so that `npm test` can check it with node alone.

/** The program and arguments that start the language server. */
export interface Launch {
  command: string;
  args: string[];
}

/** The default of the `pilotbook.path` setting: `pilotbook` on PATH. */
export const DEFAULT_PATH = "pilotbook";

/**
 * The server's command line: the configured binary (or `pilotbook` on PATH
 * when the setting is unset or blank) with the `lsp` subcommand.
 */
export function launch(configuredPath: string | undefined): Launch {
  const path = configuredPath?.trim();
  return { command: path ? path : DEFAULT_PATH, args: ["lsp"] };
}

/** The config file that marks a pilotbook portfolio's root. */
export const CONFIG_FILE = "pilotbook.toml";

/**
 * The folder the server starts in: the shallowest folder holding a
 * `pilotbook.toml` among `configs` (paths with `/` separators), or
 * `fallback` when there is none. pilotbook finds its root upward from the
 * open document too; this only gives it a sensible working folder.
 */
export function serverFolder(configs: string[], fallback: string | undefined): string | undefined {
  const folders = configs
    .filter((p) => p.endsWith("/" + CONFIG_FILE) || p === CONFIG_FILE)
    .map((p) => p.slice(0, p.length - CONFIG_FILE.length).replace(/\/$/, ""))
    .sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
  return folders.length > 0 ? folders[0] : fallback;
}
