-- pilotbook's language server in Neovim 0.7 (Debian 12's `neovim`), which
-- has vim.lsp.start_client but neither vim.lsp.start nor vim.fs: put this
-- in your init.lua. Newer Neovims: pilotbook.lua (0.11+) or
-- pilotbook-0.8.lua (0.8 to 0.10) beside this file.
--
-- It starts `pilotbook lsp` once per portfolio (a folder with a
-- pilotbook.toml at or above the file) and attaches every Markdown buffer
-- inside it; other Markdown files are left alone.
local clients = {}
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'markdown',
  callback = function(args)
    local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ':p:h')
    local config = vim.fn.findfile('pilotbook.toml', dir .. ';')
    if config == '' then
      return
    end
    local root = vim.fn.fnamemodify(config, ':p:h')
    if not clients[root] or vim.lsp.client_is_stopped(clients[root]) then
      clients[root] = vim.lsp.start_client({
        name = 'pilotbook',
        cmd = { 'pilotbook', 'lsp' },
        root_dir = root,
      })
    end
    if clients[root] then
      vim.lsp.buf_attach_client(args.buf, clients[root])
    end
  end,
})
