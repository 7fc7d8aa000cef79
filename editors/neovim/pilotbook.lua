-- pilotbook's language server in Neovim 0.11 and later: put this in your
-- init.lua (or in lsp/pilotbook.lua on 'runtimepath' without the
-- vim.lsp.config call's first argument; see :help lsp-config).
--
-- It starts `pilotbook lsp` for Markdown files inside a pilotbook
-- portfolio (a folder with a pilotbook.toml at or above the file), and
-- for no other Markdown file.
vim.lsp.config('pilotbook', {
  cmd = { 'pilotbook', 'lsp' },
  filetypes = { 'markdown' },
  root_dir = function(bufnr, on_dir)
    local root = vim.fs.root(bufnr, { 'pilotbook.toml' })
    if root then
      on_dir(root)
    end
  end,
})
vim.lsp.enable('pilotbook')
