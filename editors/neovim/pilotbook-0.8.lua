-- pilotbook's language server in Neovim 0.8 to 0.10 (vim.lsp.start): put
-- this in your init.lua. On 0.11 and later, pilotbook.lua beside this file
-- (vim.lsp.config) is the shorter way; this one works there too.
--
-- It starts `pilotbook lsp` for Markdown files inside a pilotbook
-- portfolio (a folder with a pilotbook.toml at or above the file), one
-- server per portfolio, and for no other Markdown file.
vim.api.nvim_create_autocmd('FileType', {
  pattern = 'markdown',
  callback = function(args)
    local file = vim.api.nvim_buf_get_name(args.buf)
    local config = vim.fs.find('pilotbook.toml', { upward = true, path = vim.fs.dirname(file) })[1]
    if config then
      vim.lsp.start({
        name = 'pilotbook',
        cmd = { 'pilotbook', 'lsp' },
        root_dir = vim.fs.dirname(config),
      })
    end
  end,
})
